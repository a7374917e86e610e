import type { ServeInfo } from "../../http/handler.ts";

/** A ServeInfo for calling handlers directly, without a server. */
export const INFO: ServeInfo = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
  completed: Promise.resolve(),
};

/** A Request for a path on a fixed origin. */
export function req(path: string, init?: RequestInit): Request {
  return new Request(`http://localhost${path}`, init);
}
