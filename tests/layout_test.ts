// The shape of the source tree (README "Design notes", the map of the tree): imports flow
// router → http → net and never in a circle; http/ uses only the net/_* files the README
// names; inside http/, the parser and the shared codecs know nothing of either side, the
// server and the client do not reach into each other nor into the WebSocket internals
// (which use only the shared codecs and public files); files stay small.

import { assert } from "./_assert.ts";

const ROOT = new URL("../", import.meta.url);
const SOURCE_DIRS = ["net", "http", "router"];

/** The net/ internals that http/ may use (README, design notes). */
const NET_INTERNALS_FOR_HTTP = new Set([
  "net/_bytes.ts",
  "net/_raw_conn.ts",
  "net/_read_buffer.ts",
  "net/_write_all.ts",
]);

/** Longest source file; the parser's state machine alone may be longer. */
const MAX_LINES = 1000;
const MAX_PARSER_LINES = 1700;
const PARSER_FILE = "http/parser.ts";

async function sourceFiles(): Promise<string[]> {
  const files: string[] = ["mod.ts"];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) await walk(dir);
  return files.sort();
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;

/** Each source file's relative imports, as paths from the repository root. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sourceFiles()) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    // Doc examples import the package by name; only relative specifiers are edges.
    const code = text.replace(/\/\*\*[\s\S]*?\*\//g, "");
    const deps: string[] = [];
    for (const match of code.matchAll(IMPORT)) {
      const spec = match[1];
      if (!spec.startsWith(".")) continue;
      const url = new URL(spec, new URL(file, ROOT));
      deps.push(url.pathname.slice(ROOT.pathname.length));
    }
    graph.set(file, deps);
  }
  return graph;
}

/** The cycles in `graph`, each as the list of files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, number>(); // 1: on the stack, 2: done
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 1);
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      const seen = state.get(dep);
      if (seen === 1) found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (seen === undefined) visit(dep);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

Deno.test("layout: no import cycle among net/, http/, router/ and mod.ts", async () => {
  const graph = await importGraph();
  assert.ok(graph.size > 50, "the walk found the source files");
  assert.deepEqual(cycles(graph).map((cycle) => cycle.join(" → ")), []);
});

Deno.test("layout: the cycle check finds a planted cycle", () => {
  const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
  assert.deepEqual(cycles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

/** A rule broken by `file` importing `dep`, or "" when the import is allowed. */
function broken(file: string, dep: string): string {
  const side = (path: string) => path.split("/").slice(0, 2).join("/");
  if (file.startsWith("net/") && !dep.startsWith("net/")) return "net/ imports only net/";
  if (file.startsWith("http/")) {
    if (dep.startsWith("router/") || dep === "mod.ts") return "http/ never imports router/";
    if (dep.startsWith("net/_") && !NET_INTERNALS_FOR_HTTP.has(dep)) {
      return "http/ uses only the net/_* files the README names";
    }
    const from = side(file);
    const to = side(dep);
    if ((from === "http/_codec" || from === "http/_parser") && to.startsWith("http/_")) {
      if (to !== "http/_codec" && to !== from) return `${from} knows nothing of ${to}`;
    }
    if (from === "http/_codec" && dep.startsWith("http/") && !dep.startsWith("http/_codec/")) {
      return "http/_codec imports only itself";
    }
    if (from === "http/_server" && to === "http/_client") return "the server uses no client code";
    if (from === "http/_client" && to === "http/_server") return "the client uses no server code";
    // WebSocket serves both roles: it builds on the shared codecs and on http's public
    // files (the Parser for the client's handshake); the server and the client machinery
    // know nothing of it (the public upgrade glue is what reaches it).
    if (
      from === "http/_websocket" && to.startsWith("http/_") && to !== "http/_codec" && to !== from
    ) {
      return "http/_websocket uses only http/_codec and http's public files";
    }
    // Static files and compression sit beside the server: their internals build on the
    // shared codecs and http's public files (negotiation, content types, options), and
    // neither reaches into the server, the client or each other.
    if (
      (from === "http/_static" || from === "http/_compression") && to.startsWith("http/_") &&
      to !== "http/_codec" && to !== from
    ) {
      return `${from} uses only http/_codec and http's public files`;
    }
    if ((from === "http/_server" || from === "http/_client") && to === "http/_websocket") {
      return `${from} does not use WebSocket internals`;
    }
  }
  if (file.startsWith("router/") && dep.startsWith("http/_")) {
    return "router/ uses http's public files";
  }
  if (file.startsWith("router/") && dep.startsWith("net/_")) return "router/ uses no net internals";
  return "";
}

Deno.test("layout: imports flow router → http → net, and each side keeps to its own", async () => {
  const problems: string[] = [];
  for (const [file, deps] of await importGraph()) {
    for (const dep of deps) {
      const rule = broken(file, dep);
      if (rule !== "") problems.push(`${file} imports ${dep}: ${rule}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("layout: the import rules catch an import the wrong way", () => {
  assert.notEqual(broken("net/listen.ts", "http/status.ts"), "");
  assert.notEqual(broken("http/_server/connection.ts", "http/_client/pool.ts"), "");
  assert.notEqual(broken("http/_parser/state.ts", "http/_server/clock.ts"), "");
  assert.notEqual(broken("http/serve.ts", "net/_connect.ts"), "");
  assert.equal(broken("http/_server/connection.ts", "http/_codec/framing.ts"), "");
  assert.notEqual(broken("http/_websocket/session.ts", "http/_server/output.ts"), "");
  assert.notEqual(broken("http/_websocket/session.ts", "http/_client/pool.ts"), "");
  assert.notEqual(broken("http/_server/connection.ts", "http/_websocket/session.ts"), "");
  assert.notEqual(broken("http/_client/pool.ts", "http/_websocket/session.ts"), "");
  assert.equal(broken("http/_websocket/session.ts", "http/_codec/duplex.ts"), "");
  assert.equal(broken("http/_websocket/client_handshake.ts", "http/parser.ts"), "");
  assert.equal(broken("http/upgrade.ts", "http/_websocket/server_socket.ts"), "");
  assert.notEqual(broken("http/_static/file_response.ts", "http/_server/output.ts"), "");
  assert.notEqual(broken("http/_static/file_response.ts", "http/_compression/codecs.ts"), "");
  assert.notEqual(broken("http/_compression/codecs.ts", "http/_client/pool.ts"), "");
  assert.equal(broken("http/_static/file_response.ts", "http/accept_encoding.ts"), "");
  assert.equal(broken("http/_compression/zlib_stream.ts", "http/_codec/ignore.ts"), "");
  assert.equal(broken("http/compression.ts", "http/_compression/codecs.ts"), "");
});

Deno.test(`layout: source files stay under ${MAX_LINES} lines (the parser under ${MAX_PARSER_LINES})`, async () => {
  const long: string[] = [];
  for (const file of await sourceFiles()) {
    const lines = (await Deno.readTextFile(new URL(file, ROOT))).split("\n").length;
    const limit = file === PARSER_FILE ? MAX_PARSER_LINES : MAX_LINES;
    if (lines > limit) long.push(`${file}: ${lines} lines (at most ${limit})`);
  }
  assert.deepEqual(long, []);
});

Deno.test("layout: internal files live in _ folders or start with _, and each public folder has a mod.ts", async () => {
  const files = await sourceFiles();
  for (const dir of SOURCE_DIRS) assert.ok(files.includes(`${dir}/mod.ts`), `${dir}/mod.ts`);
  const nested = files.filter((file) => {
    const parts = file.split("/");
    return parts.length > 2 && !parts.slice(1, -1).every((part) => part.startsWith("_"));
  });
  assert.deepEqual(nested, [], "folders inside net/, http/, router/ are internal (_name)");
});
