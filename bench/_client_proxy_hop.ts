/**
 * What proxying costs Wire's Client itself: the same hop (one nginx in front of one
 * node:http server, all on 127.0.0.1) used two ways, as the origin (origin-form
 * requests to nginx's address) and as a forward proxy (absolute-form requests for the
 * node server, through `proxy`). The difference is only the client's proxy route.
 * Rounds alternate the two; the ratios are paired per round (proxy / origin-form).
 *
 * Run: deno run -A bench/_client_proxy_hop.ts   (needs nginx and node)
 *
 * @module
 */
import { Client } from "../http/client.ts";
import { startNginx } from "../tests/reliability/_nginx.ts";

const SERVER =
  `const http=require("node:http");const chunk=Buffer.alloc(1<<20,97);http.createServer((req,res)=>{if(req.url==="/small"){res.writeHead(200,{"content-length":11});res.end("hello world");return}const total=Number(req.url.slice(5));res.writeHead(200,{"content-length":total});let sent=0;const w=()=>{while(sent<total){const n=Math.min(chunk.length,total-sent);sent+=n;if(!res.write(n===chunk.length?chunk:chunk.subarray(0,n))){res.once("drain",w);return}}res.end()};w()}).listen(0,"127.0.0.1",function(){console.log(this.address().port)});process.stdin.on("end",()=>process.exit(0));process.stdin.resume();`;
const proc = new Deno.Command("node", { args: ["-e", SERVER], stdin: "piped", stdout: "piped" })
  .spawn();
const r = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
const port = Number((await r.read()).value!.trim());
r.releaseLock();
const nginx = await startNginx({ upstreamPort: port, upstreamKeepalive: 64 });
const asOrigin = new Client();
const asProxy = new Client({ proxy: `http://127.0.0.1:${nginx.port}` });
const modes = {
  origin: (p: string) => asOrigin.fetch(`http://127.0.0.1:${nginx.port}${p}`),
  proxy: (p: string) => asProxy.fetch(`http://127.0.0.1:${port}${p}`),
};
const res: Record<string, number[]> = {};
for (let i = 0; i < 8; i++) {
  for (const [name, f] of (i % 2 ? Object.entries(modes) : Object.entries(modes).reverse())) {
    let t = performance.now(), ops = 0;
    while (performance.now() - t < 400) {
      await (await f("/small")).arrayBuffer();
      ops++;
    }
    (res[name + " seq"] ??= []).push(ops / (performance.now() - t) * 1000);
    t = performance.now();
    ops = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (performance.now() - t < 400) {
        await (await f("/small")).arrayBuffer();
        ops++;
      }
    }));
    (res[name + " conc"] ??= []).push(ops / (performance.now() - t) * 1000);
    t = performance.now();
    let n = 0;
    for await (const c of (await f(`/big/${64 << 20}`)).body!) n += c.length;
    (res[name + " dl"] ??= []).push(n / (performance.now() - t) / 1e3);
  }
}
for (const k of ["seq", "conc", "dl"]) {
  const ratio = res["proxy " + k].map((v, i) => v / res["origin " + k][i]).sort((a, b) => a - b);
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[4];
  console.log(
    k,
    "origin-form",
    med(res["origin " + k]).toFixed(0),
    "forward-proxy",
    med(res["proxy " + k]).toFixed(0),
    "paired ratio median",
    ((ratio[3] + ratio[4]) / 2).toFixed(3),
    ratio.map((x) => x.toFixed(2)).join(" "),
  );
}
await asOrigin.close();
await asProxy.close();
await nginx.stop();
await proc.stdin.close();
await proc.status;
