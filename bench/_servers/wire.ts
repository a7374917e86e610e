// The benchmark app on Wire's serve(). Usage: deno run -A wire.ts PORT
import { serve } from "../../http/mod.ts";
import { app } from "./app.ts";

const port = Number(Deno.args[0] ?? 8002);
serve(app, { port, hostname: "127.0.0.1", onListen: () => console.log("ready") });
