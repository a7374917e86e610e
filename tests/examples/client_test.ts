import { assert } from "../_assert.ts";
import { Client } from "../../http/client.ts";
import { serve } from "../../http/serve.ts";
import { handler as getHandler, search } from "../../examples/client_get.ts";
import { createHandler, createItem } from "../../examples/client_post.ts";
import { handler as workHandler, runAll } from "../../examples/client_concurrent.ts";

/** Runs `fn` against Wire's serve() on 127.0.0.1:0 with `handler`, then shuts down. */
async function withServe(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (baseUrl: string, client: Client) => Promise<void>,
): Promise<void> {
  const server = serve(handler, { hostname: "127.0.0.1", port: 0, onListen() {} });
  try {
    await using client = new Client();
    await fn(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`, client);
  } finally {
    await server.shutdown();
  }
}

Deno.test("examples/client_get sends the query and reads the JSON answer", async () => {
  await withServe(getHandler, async (baseUrl, client) => {
    assert.deepEqual(await search(client, baseUrl, "a&b c", 3), { query: "a&b c", page: 3 });
  });
});

Deno.test("examples/client_post creates items with ids and rejects a bad body with 400", async () => {
  await withServe(createHandler(), async (baseUrl, client) => {
    const first = await createItem(client, baseUrl, { name: "one", tags: ["x"] });
    assert.deepEqual(first, { id: 1, name: "one", tags: ["x"] });
    const second = await createItem(client, baseUrl, { name: "two" });
    assert.equal(second.id, 2);
    await assert.rejects(
      createItem(client, baseUrl, { name: 3 as unknown as string }),
      /answered 400/,
    );
  });
});

Deno.test("examples/client_concurrent answers every job, in arrival order", async () => {
  await withServe(workHandler, async (baseUrl, client) => {
    const seen: string[] = [];
    const arrived = await runAll(client, baseUrl, [3, 0, 2, 1], (text) => seen.push(text));
    assert.deepEqual(arrived, seen);
    assert.deepEqual([...arrived].sort(), ["done 0", "done 1", "done 2", "done 3"]);
  });
});
