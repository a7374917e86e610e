// Hello world through compose() on Wire, with or without the access log middleware, to
// price the log; --pass puts a do-nothing async middleware in its place (what any layer of
// the onion costs); --serve-log logs through serve's accessLog option instead.
// Usage: deno run -A app_wire_hello.ts PORT [--log | --pass | --serve-log]
import { serve } from "../../http/serve.ts";
import { compose } from "../../router/compose.ts";
import { logger } from "../../router/logger.ts";

const port = Number(Deno.args[0] ?? 8023);
const hello = () => new Response("Hello, World!", { headers: { "content-type": "text/plain" } });
const handler = Deno.args.includes("--log")
  ? compose(logger({ format: "combined" }), hello)
  : Deno.args.includes("--pass")
  ? compose(async (_ctx, next) => await next(), hello)
  : compose(hello);
serve(handler, {
  port,
  hostname: "127.0.0.1",
  onListen: () => console.error("ready"),
  accessLog: Deno.args.includes("--serve-log") ? "combined" : false,
});
