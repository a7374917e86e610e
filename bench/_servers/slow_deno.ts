// The slow-clients app on Deno.serve. Usage: deno run -A slow_deno.ts PORT
import { slowApp } from "./slow_app.ts";

const port = Number(Deno.args[0] ?? 8031);
Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("ready") }, slowApp);
