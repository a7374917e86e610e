// Type-level parsing of route patterns: one tail-recursive state machine (every
// recursive use is a branch of a conditional type), so TypeScript follows paths of up
// to 1,000 characters.

/**
 * A decimal digit (with letters and "_", what {@linkcode PathParamsOf} reads as a name).
 *
 * @example A digit
 * ```ts
 * import type { Digit } from "@wire/http/router";
 *
 * const seven: Digit = "7";
 * void seven;
 * ```
 */
export type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/**
 * The parser behind {@linkcode RouteParams}, one character at a time. Use
 * `RouteParams`; the parameters after `S` are the parser's state: inside a `{...}`
 * group, the required and optional names so far, the mode (text, a `:` or `*` name, a
 * `(regex)`), the name being read and the regex's parenthesis depth.
 *
 * @example The params of a path
 * ```ts
 * import type { PathParamsOf } from "@wire/http/router";
 *
 * const params: PathParamsOf<"/users/:id{.:format}"> = { id: "7" };
 * void params;
 * ```
 */
export type PathParamsOf<
  S extends string,
  G extends boolean = false,
  Req extends string = never,
  Opt extends string = never,
  M extends "" | ":" | "*" | "(" = "",
  N extends string = "",
  D extends 0[] = [],
> = M extends ":" | "*"
  // Reading a name: a letter differs from its upper case; digits and "_" are listed.
  ? S extends `${infer C}${infer R}`
    ? (Lowercase<C> extends Uppercase<C> ? C extends Digit | "_" ? true : false : true) extends true
      ? PathParamsOf<R, G, Req, Opt, M, `${N}${C}`, D>
    : M extends "*" ? PathParamsOf<
        S,
        G,
        G extends true ? Req : Req | (N extends "" ? "*" : N),
        G extends true ? Opt | (N extends "" ? "*" : N) : Opt
      >
    : C extends "(" ? PathParamsOf<R, G, Req, Opt, "(", N, [0]>
    : C extends "?" ? PathParamsOf<R, G, Req, Opt | N>
    : PathParamsOf<S, G, G extends true ? Req : Req | N, G extends true ? Opt | N : Opt>
  : M extends "*" ? PathParamsOf<
      "",
      G,
      G extends true ? Req : Req | (N extends "" ? "*" : N),
      G extends true ? Opt | (N extends "" ? "*" : N) : Opt
    >
  : PathParamsOf<"", G, G extends true ? Req : Req | N, G extends true ? Opt | N : Opt>
  : M extends "("
  // Skipping a constraint: parentheses nest, "\\" escapes; then an optional "?".
    ? S extends `${infer C}${infer R}`
      ? C extends "\\" ? R extends `${string}${infer R2}` ? PathParamsOf<R2, G, Req, Opt, M, N, D>
        : never
      : C extends "(" ? PathParamsOf<R, G, Req, Opt, M, N, [...D, 0]>
      : C extends ")"
        ? D extends [0, ...infer Rest extends 0[]]
          ? Rest extends [] ? R extends `?${infer R2}` ? PathParamsOf<R2, G, Req, Opt | N>
            : PathParamsOf<R, G, G extends true ? Req : Req | N, G extends true ? Opt | N : Opt>
          : PathParamsOf<R, G, Req, Opt, M, N, Rest>
        : never
      : PathParamsOf<R, G, Req, Opt, M, N, D>
    : PathParamsOf<"", G, Req, Opt>
  // Text: look for ":", "*", "{", "}" and "\\".
  : S extends `${infer C}${infer R}`
    ? C extends "\\" ? R extends `${string}${infer R2}` ? PathParamsOf<R2, G, Req, Opt>
      : PathParamsOf<"", G, Req, Opt>
    : C extends "{" ? PathParamsOf<R, true, Req, Opt>
    : C extends "}" ? PathParamsOf<R, false, Req, Opt>
    : C extends ":" ? PathParamsOf<R, G, Req, Opt, ":">
    : C extends "*" ? PathParamsOf<R, G, Req, Opt, "*">
    : PathParamsOf<R, G, Req, Opt>
  : { [K in Req]: string } & { [K in Opt]?: string };

/**
 * The `ctx.params` type of a route path, computed from the path literal: `:name` and
 * `*name` give a required string (`:name(regex)` is named `name`, a bare `*` is `"*"`),
 * while `:name?` and everything inside a `{...}` group give optional ones. A path typed
 * as plain `string` gives `Record<string, string>`.
 *
 * @example Params of a path
 * ```ts
 * import type { RouteParams } from "@wire/http/router";
 *
 * const params: RouteParams<"/users/:id(\\d+)/posts/:postId?"> = { id: "1" };
 * const rest: RouteParams<"/static/*path"> = { path: "css/site.css" };
 * const file: RouteParams<"/:file{.:ext}"> = { file: "notes" };
 * // @ts-expect-error: id is required
 * const missing: RouteParams<"/users/:id"> = {};
 * void [params, rest, file, missing];
 * ```
 */
export type RouteParams<Path extends string> = string extends Path ? Record<string, string>
  : PathParamsOf<Path>;

/**
 * The params one path segment contributes to {@linkcode RouteParams} (the same rules
 * applied to a piece of a path).
 *
 * @example Params of one segment
 * ```ts
 * import type { SegmentParams } from "@wire/http/router";
 *
 * const id: SegmentParams<":id(\\d+)"> = { id: "7" };
 * const page: SegmentParams<":page?"> = {};
 * void [id, page];
 * ```
 */
export type SegmentParams<Segment extends string> = RouteParams<Segment>;
