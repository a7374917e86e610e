import { assert } from "../_assert.ts";
import { HttpError } from "../../http/http_error.ts";
import { RouteTree, type RouteTreeOptions } from "../../router/_route_tree.ts";
import { parsePathPattern } from "../../router/_path_pattern.ts";
import { NaiveMatcher } from "./_naive_matcher.ts";

type Method = string | null;
type Expected = number | null | "400";
type Case = [method: string, path: string, expected: Expected, params?: Record<string, string>];

interface Matcher {
  add(method: Method, path: string, value: number): void;
  match(method: string, path: string): { value: number; params: Record<string, string> } | null;
}

const IMPLEMENTATIONS: [string, (options: RouteTreeOptions) => Matcher][] = [
  ["RouteTree", (options) => {
    const tree = new RouteTree<number>(options);
    return {
      add: (method, path, value) =>
        tree.add(method, parsePathPattern(path), value, `${method} ${path}`),
      match: (method, path) => tree.match(method, path),
    };
  }],
  ["NaiveMatcher", (options) => new NaiveMatcher<number>(options)],
];

const ROUTES: [Method, string][] = [
  ["GET", "/"], // 0
  ["GET", "/users"], // 1
  ["POST", "/users"], // 2
  ["GET", "/users/new"], // 3
  ["GET", "/users/:id"], // 4
  ["DELETE", "/users/:id"], // 5
  ["GET", "/users/:id/posts/:postId?"], // 6
  ["GET", "/files/*path"], // 7
  ["GET", "/files/readme"], // 8
  ["GET", "/items/:id(\\d+)"], // 9
  ["GET", "/items/:id"], // 10
  ["GET", "/items/:id(\\d+)/edit"], // 11
  [null, "/any/:x"], // 12
  ["PUT", "/any/:x"], // 13
  ["GET", "/a/b/c"], // 14
  ["GET", "/a/:p/c"], // 15
  ["GET", "/a/:p/d"], // 16
  ["GET", "/a/*"], // 17
  ["GET", "/caf\u00e9"], // 18
  ["GET", "/search/:q"], // 19
  ["GET", "/v1/:org/:repo/issues/:n"], // 20
  ["GET", "/v1/:org/settings"], // 21
  ["GET", "/static/*"], // 22
  ["GET", "/deep/:a/:b/:c/:d/:e"], // 23
  ["GET", "/abc"], // 24
  ["GET", "/abd"], // 25
  ["GET", "/ab"], // 26
  ["HEAD", "/head-only"], // 27
  ["GET", "/opt/:a?/:b?"], // 28
];

const CASES: Case[] = [
  ["GET", "/", 0, {}],
  ["GET", "/users", 1, {}],
  ["GET", "/users/", 1, {}],
  ["POST", "/users", 2, {}],
  ["PATCH", "/users", null],
  ["GET", "/USERS", null],
  ["GET", "/users/new", 3, {}],
  ["GET", "/users/newer", 4, { id: "newer" }],
  ["GET", "/users/ne", 4, { id: "ne" }],
  ["GET", "/users/42", 4, { id: "42" }],
  ["GET", "/users/42/", 4, { id: "42" }],
  ["DELETE", "/users/new", 5, { id: "new" }],
  ["GET", "/users/42/posts", 6, { id: "42" }],
  ["GET", "/users/42/posts/7", 6, { id: "42", postId: "7" }],
  ["GET", "/users/42/posts/7/x", null],
  ["GET", "/users//posts", null],
  ["GET", "/files", 7, { path: "" }],
  ["GET", "/files/", 7, { path: "" }],
  ["GET", "/files/readme", 8, {}],
  ["GET", "/files/readme/x", 7, { path: "readme/x" }],
  ["GET", "/files/a%20b/c", 7, { path: "a b/c" }],
  ["GET", "/files/a%2Fb", 7, { path: "a/b" }],
  ["GET", "/filesx", null],
  ["GET", "/items/12", 9, { id: "12" }],
  ["GET", "/items/%31%32", 9, { id: "12" }],
  ["GET", "/items/abc", 10, { id: "abc" }],
  ["GET", "/items/12/edit", 11, { id: "12" }],
  ["GET", "/items/abc/edit", null],
  ["POST", "/any/z", 12, { x: "z" }],
  ["PUT", "/any/z", 13, { x: "z" }],
  ["HEAD", "/any/z", 12, { x: "z" }],
  ["BREW", "/any/z", 12, { x: "z" }],
  ["GET", "/a/b/c", 14, {}],
  ["GET", "/a/x/c", 15, { p: "x" }],
  ["GET", "/a/b/d", 16, { p: "b" }],
  ["GET", "/a/b/e", 17, { "*": "b/e" }],
  ["GET", "/a", 17, { "*": "" }],
  ["GET", "/a/", 17, { "*": "" }],
  ["GET", "/a/b", 17, { "*": "b" }],
  ["GET", "/caf%C3%A9", 18, {}],
  ["GET", "/search/a%2Fb", 19, { q: "a/b" }],
  ["GET", "/search/%E2%9C%93", 19, { q: "\u2713" }],
  ["GET", "/search/%E0%A4%A", "400"],
  ["GET", "/search/%zz", "400"],
  ["GET", "/search", null],
  ["GET", "/v1/deno/std/issues/5", 20, { org: "deno", repo: "std", n: "5" }],
  ["GET", "/v1/deno/settings", 21, { org: "deno" }],
  ["GET", "/v1/deno/std/issues", null],
  ["GET", "/static/css/a.css", 22, { "*": "css/a.css" }],
  ["GET", "/static", 22, { "*": "" }],
  ["GET", "/deep/1/2/3/4/5", 23, { a: "1", b: "2", c: "3", d: "4", e: "5" }],
  ["GET", "/deep/1/2/3/4", null],
  ["GET", "/abc", 24, {}],
  ["GET", "/abd", 25, {}],
  ["GET", "/ab", 26, {}],
  ["GET", "/abe", null],
  ["HEAD", "/head-only", 27, {}],
  ["GET", "/head-only", null],
  ["HEAD", "/users", 1, {}],
  ["GET", "/opt", 28, {}],
  ["GET", "/opt/1", 28, { a: "1" }],
  ["GET", "/opt/1/2", 28, { a: "1", b: "2" }],
  ["GET", "/opt/1/2/3", null],
  ["GET", "/nothing", null],
  ["get", "/users", null],
];

const STRICT_ROUTES: [Method, string][] = [["GET", "/x"], ["GET", "/y/"], ["GET", "/w/*"]];
const STRICT_CASES: Case[] = [
  ["GET", "/x", 0, {}],
  ["GET", "/x/", null],
  ["GET", "/y/", 1, {}],
  ["GET", "/y", null],
  ["GET", "/w", null],
  ["GET", "/w/", 2, { "*": "" }],
  ["GET", "/w/a/b", 2, { "*": "a/b" }],
];

const INSENSITIVE_ROUTES: [Method, string][] = [
  ["GET", "/Users/:Id"],
  ["GET", "/About"],
  ["GET", "/code/:c([a-f]+)"],
];
const INSENSITIVE_CASES: Case[] = [
  ["GET", "/users/AbC", 0, { Id: "AbC" }],
  ["GET", "/USERS/x", 0, { Id: "x" }],
  ["GET", "/ABOUT", 1, {}],
  ["GET", "/about/", 1, {}],
  ["GET", "/code/BEEF", 2, { c: "BEEF" }],
];

function load(matcher: Matcher, routes: [Method, string][], order?: number[]): void {
  for (const i of order ?? routes.map((_, i) => i)) matcher.add(routes[i][0], routes[i][1], i);
}

function check(matcher: Matcher, cases: Case[], label: string): void {
  for (const [method, path, expected, params] of cases) {
    const what = `${label}: ${method} ${path}`;
    if (expected === "400") {
      assert.throws(() => matcher.match(method, path), (e: unknown) => {
        assert.ok(e instanceof HttpError, what);
        assert.equal(e.status, 400, what);
        assert.match(e.message, /^Cannot decode path parameter "\w+": malformed percent-encoding/);
        return true;
      });
      continue;
    }
    const found = matcher.match(method, path);
    if (expected === null) {
      assert.equal(found, null, `${what} should not match, matched route ${found?.value}`);
    } else {
      assert.equal(found?.value, expected, `${what} should match route ${expected}`);
      assert.deepEqual({ ...found!.params }, params, `${what} params`);
    }
  }
}

// A seeded PRNG (mulberry32) so shuffles are reproducible.
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, rand: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

for (const [name, create] of IMPLEMENTATIONS) {
  Deno.test(`${name} matches the shared case table: static > param > wildcard, params decoded`, () => {
    const matcher = create({});
    load(matcher, ROUTES);
    check(matcher, CASES, name);
  });

  Deno.test(`${name} gives the same answers whatever the registration order`, () => {
    const rand = random(6);
    for (let round = 0; round < 25; round++) {
      const matcher = create({});
      load(matcher, ROUTES, shuffled(ROUTES.length, rand));
      check(matcher, CASES, `${name} shuffle ${round}`);
    }
  });

  Deno.test(`${name} with strict: true keeps "/a" and "/a/" apart`, () => {
    const matcher = create({ strict: true });
    load(matcher, STRICT_ROUTES);
    check(matcher, STRICT_CASES, name);
  });

  Deno.test(`${name} with caseSensitive: false folds static text, keeps param case`, () => {
    const matcher = create({ caseSensitive: false });
    load(matcher, INSENSITIVE_ROUTES);
    check(matcher, INSENSITIVE_CASES, name);
  });
}

// 10,000 routes: a mix of static, one-param, two-param and wildcard routes.
function bigTable(): {
  routes: [string, string][];
  probes: [string, number, Record<string, string>][];
} {
  const routes: [string, string][] = [];
  const probes: [string, number, Record<string, string>][] = [];
  for (let i = 0; i < 10_000; i++) {
    const group = `g${i % 97}`;
    switch (i % 4) {
      case 0:
        routes.push(["GET", `/${group}/static${i}/leaf`]);
        probes.push([`/${group}/static${i}/leaf`, i, {}]);
        break;
      case 1:
        routes.push(["GET", `/${group}/item${i}/:id`]);
        probes.push([`/${group}/item${i}/x${i}`, i, { id: `x${i}` }]);
        break;
      case 2:
        routes.push(["POST", `/${group}/:owner/thing${i}/:name`]);
        probes.push([`/${group}/o${i}/thing${i}/n${i}`, i, { owner: `o${i}`, name: `n${i}` }]);
        break;
      default:
        routes.push(["GET", `/${group}/files${i}/*`]);
        probes.push([`/${group}/files${i}/a/b${i}`, i, { "*": `a/b${i}` }]);
    }
  }
  return { routes, probes };
}

Deno.test("RouteTree finds each of 10,000 routes with its params, and the naive matcher agrees", () => {
  const { routes, probes } = bigTable();
  const tree = new RouteTree<number>();
  const naive = new NaiveMatcher<number>();
  routes.forEach(([method, path], i) => {
    tree.add(method, parsePathPattern(path), i, `${method} ${path}`);
    naive.add(method, path, i);
  });
  assert.equal(tree.size, 10_000);
  for (const [path, i, params] of probes) {
    const method = routes[i][0];
    const found = tree.match(method, path);
    assert.equal(found?.value, i, path);
    assert.deepEqual({ ...found!.params }, params, path);
    assert.equal(tree.match(method, path + "/extra/segment/zz")?.value ?? -1, i % 4 === 3 ? i : -1);
  }
  for (let k = 0; k < probes.length; k += 97) {
    const [path, i] = probes[k];
    assert.equal(naive.match(routes[i][0], path)?.value, tree.match(routes[i][0], path)?.value);
  }
  assert.equal(tree.match("GET", "/g1/nothing/here"), null);
  assert.equal(tree.match("DELETE", probes[0][0]), null);
});

Deno.test("RouteTree registration of 10,000 routes in shuffled order gives the same matches", () => {
  const { routes, probes } = bigTable();
  const tree = new RouteTree<number>();
  for (const i of shuffled(routes.length, random(10_000))) {
    tree.add(routes[i][0], parsePathPattern(routes[i][1]), i, routes[i][1]);
  }
  for (const [path, i, params] of probes) {
    const found = tree.match(routes[i][0], path);
    assert.equal(found?.value, i, path);
    assert.deepEqual({ ...found!.params }, params);
  }
});

function add(tree: RouteTree<number>, method: Method, path: string, value = 0): void {
  tree.add(method, parsePathPattern(path), value, `${method ?? "ALL"} ${path}`);
}

Deno.test("RouteTree rejects two parameter names at one position, naming both routes", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/users/:id");
  assert.throws(() => add(tree, "DELETE", "/users/:userId"), {
    name: "TypeError",
    message:
      "Cannot add route DELETE /users/:userId: parameter :userId conflicts with :id of route GET /users/:id at the same position",
  });
  assert.throws(() => add(tree, "GET", "/users/:userId/x"), /:userId conflicts with :id/);
});

Deno.test("RouteTree lets a constrained parameter sit beside a plain one of another name, and prefers it", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/users/:name", 1);
  add(tree, "GET", "/users/:id(\\d+)", 2);
  assert.deepEqual({ ...tree.match("GET", "/users/42")!.params }, { id: "42" });
  assert.equal(tree.match("GET", "/users/42")!.value, 2);
  assert.deepEqual({ ...tree.match("GET", "/users/ada")!.params }, { name: "ada" });
  assert.throws(() => add(tree, "PUT", "/users/:uid(\\d+)"), /:uid conflicts with :id/);
});

Deno.test("RouteTree rejects a duplicate method and equivalent pattern, naming both routes", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/a/:id");
  assert.throws(() => add(tree, "GET", "/a/:id"), {
    message: "Cannot add route GET /a/:id: it duplicates route GET /a/:id",
  });
  add(tree, "GET", "/b");
  assert.throws(() => add(tree, "GET", "/b/"), /it duplicates route GET \/b$/);
  add(tree, "GET", "/c/:x(\\d+)");
  assert.throws(() => add(tree, "GET", "/c/:x(\\d+)"), /duplicates/);
  add(tree, "GET", "/c/:x(\\w+)"); // another constraint is another branch
  add(tree, null, "/d");
  assert.throws(
    () => add(tree, null, "/d"),
    /Cannot add route ALL \/d: it duplicates route ALL \/d/,
  );
  add(tree, "GET", "/d"); // a specific method next to ALL is fine
});

Deno.test("RouteTree rejects a route whose optional variant is shadowed, and adds none of it", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/p/:x", 1);
  assert.throws(() => add(tree, "GET", "/p/:x?", 2), /duplicates route GET \/p\/:x$/);
  assert.equal(tree.match("GET", "/p"), null);
  add(tree, "GET", "/q", 3);
  assert.throws(() => add(tree, "GET", "/q/:y?", 4), /duplicates route GET \/q$/);
  assert.equal(tree.match("GET", "/q/1"), null);
});

Deno.test("RouteTree rejects two wildcard names at one position", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/f/*a");
  assert.throws(
    () => add(tree, "PUT", "/f/*b"),
    /wildcard \*b conflicts with \*a of route GET \/f\/\*a/,
  );
});

Deno.test("RouteTree.allowed lists every method whose pattern matches the path", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/users/:id");
  add(tree, "DELETE", "/users/:id");
  add(tree, "PUT", "/users/new");
  add(tree, "POST", "/users/*");
  add(tree, "PATCH", "/n/:id(\\d+)");
  add(tree, null, "/all");
  assert.deepEqual(tree.allowed("/users/new"), {
    methods: ["GET", "DELETE", "PUT", "POST"], // registration order
    any: false,
  });
  assert.deepEqual(tree.allowed("/users/7/"), { methods: ["GET", "DELETE", "POST"], any: false });
  assert.deepEqual(tree.allowed("/n/x"), { methods: [], any: false });
  assert.deepEqual(tree.allowed("/n/%zz"), { methods: [], any: false });
  assert.deepEqual(tree.allowed("/all"), { methods: [], any: true });
});

Deno.test("RouteTree params objects do not inherit Object.prototype, so any name is a plain key", () => {
  const tree = new RouteTree<number>();
  add(tree, "GET", "/x/:constructor");
  add(tree, "GET", "/static");
  add(tree, "GET", "/y/:__proto__");
  const found = tree.match("GET", "/x/__proto__")!;
  assert.equal(found.params.constructor, "__proto__");
  assert.equal("toString" in found.params, false);
  assert.equal("hasOwnProperty" in tree.match("GET", "/static")!.params, false);
  const proto = tree.match("GET", "/y/v")!.params;
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.equal(proto.__proto__, "v");
});
