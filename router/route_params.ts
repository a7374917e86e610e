/**
 * The params one path segment contributes to {@linkcode RouteParams}: `:name` and
 * `*name` give a required string, `:name?` an optional one, `:name(regex)` is named
 * `name`, a bare `*` is `"*"`, static text gives nothing.
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
export type SegmentParams<Segment extends string> = Segment extends `:${infer Rest}?`
  ? { [K in Rest extends `${infer Name}(${string})` ? Name : Rest]?: string }
  : Segment extends `:${infer Rest}`
    ? { [K in Rest extends `${infer Name}(${string})` ? Name : Rest]: string }
  : Segment extends `*${infer Name}` ? { [K in Name extends "" ? "*" : Name]: string }
  : Record<never, never>;

/**
 * The `ctx.params` type of a route path, computed from the path literal (see
 * {@linkcode SegmentParams} for each segment). A path typed as plain `string` gives
 * `Record<string, string>`.
 *
 * @example Params of a path
 * ```ts
 * import type { RouteParams } from "@wire/http/router";
 *
 * const params: RouteParams<"/users/:id(\\d+)/posts/:postId?"> = { id: "1" };
 * const rest: RouteParams<"/static/*path"> = { path: "css/site.css" };
 * // @ts-expect-error: id is required
 * const missing: RouteParams<"/users/:id"> = {};
 * void [params, rest, missing];
 * ```
 */
export type RouteParams<Path extends string> = string extends Path ? Record<string, string>
  : Path extends `${infer Head}/${infer Tail}` ? SegmentParams<Head> & RouteParams<Tail>
  : SegmentParams<Path>;
