import { assert } from "../_assert.ts";
import { buildPath, expandPathPattern, parsePathPattern } from "../../router/_path_pattern.ts";

Deno.test("parsePathPattern rejects malformed patterns with a TypeError naming the problem", () => {
  const bad: [string, RegExp][] = [
    ["users", /it must start with "\/"/],
    ["/a/:", /has a ":" with no parameter name/],
    ["/a/:id(\\d+", /the constraint of :id has no closing "\)"/],
    ["/a/:id()", /the constraint of :id is empty/],
    ["/a/:id([)", /the constraint of :id is not a valid regex/],
    ["/a/:id-:x", /parameter :id must fill its segment; found "-:x" after it/],
    ["/a/:id?/b", /only optional parameters may follow the optional :id/],
    ["/a/:id?/:x", /only optional parameters may follow the optional :id/],
    ["/a/*/b", /a wildcard must be the last segment/],
    ["/a/:x?/*", /a wildcard cannot follow an optional parameter/],
    ["/a/b*", /a wildcard must be a whole segment/],
    ["/a/b?", /only a parameter may be followed by "\?"/],
    ["/a/:x/:x", /parameter :x appears twice/],
    ["/a/*x-y", /wildcard name "\*x-y" is not a plain name/],
    ["/a\u0001", /control character 0x1/],
  ];
  for (const [path, message] of bad) {
    assert.throws(() => parsePathPattern(path, false), (e: unknown) => {
      assert.ok(e instanceof TypeError, path);
      assert.match(e.message, new RegExp(`^Cannot parse route path "${RegExp.escape(path)}": `));
      assert.match(e.message, message);
      return true;
    });
  }
  // deno-lint-ignore no-explicit-any
  assert.throws(() => parsePathPattern(42 as any, false), /expected a string, got number/);
});

Deno.test("parsePathPattern encodes static text the way request URLs are encoded", () => {
  const pattern = parsePathPattern("/caf\u00e9/a b/{x}", false);
  assert.deepEqual(pattern.segments.map((p) => p.kind === 0 ? p.text : ""), [
    "/caf%C3%A9",
    "/a%20b",
    "/%7Bx%7D",
  ]);
  assert.equal(new URL("http://h/caf\u00e9/a b/{x}").pathname, "/caf%C3%A9/a%20b/%7Bx%7D");
});

Deno.test("expandPathPattern gives one variant per number of optional parameters", () => {
  const texts = (path: string) =>
    expandPathPattern(parsePathPattern(path, false)).map((parts) =>
      parts.map((p) => p.kind === 0 ? p.text : p.kind === 1 ? `:${p.name}` : `*${p.name}`).join("|")
    );
  assert.deepEqual(texts("/a/:b?/:c?"), ["/a", "/a/|:b", "/a/|:b|/|:c"]);
  assert.deepEqual(texts("/:x?"), ["/", "/|:x"]);
  assert.deepEqual(texts("/files/*"), ["/files|**"]);
  assert.deepEqual(texts("/*rest"), ["*rest"]);
  assert.deepEqual(texts("/a/"), ["/a"]);
});

Deno.test("buildPath encodes values, keeps wildcard slashes and checks constraints", () => {
  const p = parsePathPattern("/u/:id(\\d+)/f/*path", false);
  assert.equal(buildPath(p, { id: 7, path: "a b/c" }, "r"), "/u/7/f/a%20b/c");
  assert.equal(buildPath(p, { id: "7" }, "r"), "/u/7/f/");
  assert.throws(() => buildPath(p, { id: "x" }, "r"), /"x" does not match :id\(\\d\+\)/);
  assert.throws(() => buildPath(p, {}, "r"), /missing parameter :id/);
  assert.throws(
    () => buildPath(parsePathPattern("/:a", false), { a: "" }, "r"),
    /parameter :a is empty/,
  );
  assert.equal(buildPath(parsePathPattern("/", false), {}, "r"), "/");
});
