// The slow-clients app on Wire's serve(). Usage: deno run -A slow_wire.ts PORT [WIRE_ROOT]
// WIRE_ROOT: another Wire checkout to serve with (a baseline); default this one.
import { slowApp } from "./slow_app.ts";

const port = Number(Deno.args[0] ?? 8032);
const root = Deno.args[1] ?? new URL("../..", import.meta.url).pathname;
const { serve } = await import(`${root.replace(/\/$/, "")}/http/mod.ts`);
serve(slowApp, { port, hostname: "127.0.0.1", onListen: () => console.log("ready") });
