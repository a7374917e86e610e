import { assert } from "../_assert.ts";
import {
  expandPathPattern,
  parsePathPattern,
  type Part,
  PART_PARAM,
  PART_STATIC,
} from "../../router/_path_pattern.ts";
import { buildPath } from "../../router/_url.ts";

Deno.test("parsePathPattern rejects malformed patterns with a TypeError naming the problem", () => {
  const bad: [string, RegExp][] = [
    ["users", /it must start with "\/"/],
    ["/a/:", /a ":" at offset 3 has no parameter name/],
    ["/a/:id(\\d+", /the constraint of :id has no closing "\)"/],
    ["/a/:id()", /the constraint of :id is empty/],
    ["/a/:id([)", /the constraint of :id is not a valid regex/],
    ["/a/:id:x", /parameter :x needs text between it and the part before it/],
    ["/a/*/b/:c", /only static text may follow a wildcard/],
    ["/a/*x/*y", /only static text may follow a wildcard/],
    ["/a/b*", /a wildcard must start a segment/],
    ["/a/b?", /"\?" at offset 4 must be escaped/],
    ["/a/(x)", /"\(" at offset 3 must be escaped/],
    ["/a/:x/:x", /parameter :x appears twice/],
    ["/a/x:y?", /optional :y\? must be a whole segment/],
    ["/a/:y?x", /optional :y\? must be a whole segment/],
    ["/a{/b{/c}}", /groups do not nest/],
    ["/a}", /a "}" at offset 2 closes no group/],
    ["/a{/b", /a "{" has no closing "}"/],
    ["/a{}", /a \{\} group is empty/],
    ["/a\\", /it ends with a lone "\\"/],
    ["/{a}{b}{c}{d}{e}{f}{g}", /it has 7 optional parts; at most 6 are allowed/],
    ["/a/*/", /a wildcard's suffix cannot be just "\/"/],
    ["/a\u0001", /control character 0x1 at offset 2/],
  ];
  for (const [path, message] of bad) {
    assert.throws(() => parsePathPattern(path), (e: unknown) => {
      assert.ok(e instanceof TypeError, path);
      assert.match(e.message, new RegExp(`^Cannot parse route path "${RegExp.escape(path)}": `));
      assert.match(e.message, message, path);
      return true;
    });
  }
  // deno-lint-ignore no-explicit-any
  assert.throws(() => parsePathPattern(42 as any), /expected a string, got number/);
});

function texts(path: string, strict = false): string[] {
  return expandPathPattern(parsePathPattern(path), strict).map((parts: Part[]) =>
    parts.map((p) =>
      p.kind === PART_STATIC
        ? p.text
        : p.kind === PART_PARAM
        ? `:${p.name}${p.source === null ? "" : `(${p.source})`}`
        : `*${p.name}${p.suffix === "" ? "" : `[${p.suffix}]`}`
    ).join("|")
  );
}

Deno.test("parsePathPattern encodes static text the way request URLs are encoded", () => {
  assert.deepEqual(texts("/caf\u00e9/a b/\\{x\\}"), ["/caf%C3%A9/a%20b/%7Bx%7D"]);
  assert.equal(new URL("http://h/caf\u00e9/a b/{x}").pathname, "/caf%C3%A9/a%20b/%7Bx%7D");
  assert.deepEqual(texts("/a\\:b/\\*/\\(x\\)\\?"), ["/a:b/*/(x)%3F"]);
});

Deno.test("expandPathPattern gives one variant per choice of optional parts", () => {
  // "/a/:c" has the shape of "/a/:b": the first spelling of a shape wins.
  assert.deepEqual(texts("/a/:b?/:c?"), ["/a", "/a/|:b", "/a/|:b|/|:c"]);
  assert.deepEqual(texts("/:x?"), ["/", "/|:x"]);
  assert.deepEqual(texts("/:file{.:ext}"), ["/|:file", "/|:file|.|:ext"]);
  assert.deepEqual(texts("/users{/:id}/edit"), ["/users/edit", "/users/|:id|/edit"]);
  assert.deepEqual(texts("/v:major(\\d+)"), ["/v|:major(\\d+)"]);
  assert.deepEqual(texts("/files/*"), ["/files|**"]);
  assert.deepEqual(texts("/*rest"), ["*rest"]);
  assert.deepEqual(texts("/files/*path/raw"), ["/files|*path[/raw]"]);
  assert.deepEqual(texts("/user/{*any}.jsx"), ["/user/.jsx", "/user|*any[.jsx]"]);
  assert.deepEqual(texts("/x{/*rest}"), ["/x", "/x|*rest"]);
  assert.deepEqual(texts("/a/"), ["/a"]);
  assert.deepEqual(texts("/a/", true), ["/a/"]);
  assert.deepEqual(texts("/:id/"), ["/|:id"]);
  assert.deepEqual(texts("/a/:b(x|y)-:c"), ["/a/|:b(x|y)|-|:c"]);
});

Deno.test("parsePathPattern lists parameter names in order and tells static patterns apart", () => {
  assert.deepEqual(parsePathPattern("/:a/x{/:b}/*c").paramNames, ["a", "b", "c"]);
  assert.deepEqual(parsePathPattern("/s/*").paramNames, ["*"]);
  assert.equal(parsePathPattern("/a/b").isStatic, true);
  assert.equal(parsePathPattern("/a{/b}").isStatic, false);
});

Deno.test("buildPath encodes values, keeps wildcard slashes, fills groups and checks constraints", () => {
  const p = parsePathPattern("/u/:id(\\d+)/f/*path");
  assert.equal(buildPath(p, { id: 7, path: "a b/c" }, "r"), "/u/7/f/a%20b/c");
  assert.equal(buildPath(p, { id: "7" }, "r"), "/u/7/f/");
  assert.throws(() => buildPath(p, { id: "x" }, "r"), /"x" does not match :id\(\\d\+\)/);
  assert.throws(() => buildPath(p, {}, "r"), /missing parameter :id/);
  assert.throws(() => buildPath(parsePathPattern("/:a"), { a: "" }, "r"), /parameter :a is empty/);
  assert.equal(buildPath(parsePathPattern("/"), {}, "r"), "/");
  const file = parsePathPattern("/:file{.:ext}");
  assert.equal(buildPath(file, { file: "a", ext: "txt" }, "r"), "/a.txt");
  assert.equal(buildPath(file, { file: "a" }, "r"), "/a");
  assert.equal(buildPath(parsePathPattern("/a/:b?"), { b: null }, "r"), "/a");
  assert.equal(
    buildPath(parsePathPattern("/caf\u00e9/:x"), { x: "\u00e9" }, "r"),
    "/caf%C3%A9/%C3%A9",
  );
  assert.equal(buildPath(parsePathPattern("/:x"), { x: "a b" }, "r", (v) => v), "/a b");
});
