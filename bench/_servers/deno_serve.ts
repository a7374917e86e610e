// The benchmark app on Deno.serve. Usage: deno run -A deno_serve.ts PORT
import { app } from "./app.ts";

const port = Number(Deno.args[0] ?? 8001);
Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("ready") }, app);
