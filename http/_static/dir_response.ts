/**
 * `serveDir`'s decision for one request: map the URL path under the root (refusing
 * anything that could escape it), apply the dotfile and symlink policies, redirect
 * directories to their trailing-slash URL, and serve a file, an index file or a listing.
 *
 * @module
 */

import type { ServeDirOptions } from "../static_options.ts";
import { kindOf } from "../_codec/error_text.ts";
import { type FileConfig, fileResponse, resolveFileConfig, statOrNull } from "./file_response.ts";
import { listingPage } from "./listing.ts";
import { isInside, PATH_MALFORMED, PATH_OK, resolveUrlPath, urlPath } from "./safe_path.ts";

/** `serveDir`'s options, checked and with their defaults. */
export interface DirConfig {
  file: FileConfig;
  root: string;
  /** The URL prefix, percent-encoded as in URLs, without a trailing slash ("" for "/"). */
  prefix: string;
  index: readonly string[];
  listing: boolean;
  dotfiles: "ignore" | "deny" | "allow";
  followSymlinks: boolean;
  /** The root's canonical path, once known. */
  realRoot: string | null;
  /** The symlink policy's check (made once, with `realRoot`; null until then). */
  allowed: ((path: string) => boolean) | null;
}

const ACTION = "serve a directory";

/** The URL path prefix in the form request URLs carry it. */
function normalizePrefix(urlRoot: string): string {
  if (urlRoot.includes("?") || urlRoot.includes("#")) {
    throw new TypeError(`Cannot ${ACTION}: urlRoot must be a path, got ${JSON.stringify(urlRoot)}`);
  }
  let path = new URL(urlRoot.startsWith("/") ? urlRoot : `/${urlRoot}`, "http://x").pathname;
  while (path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @param options The caller's options.
 * @returns The resolved configuration.
 */
export function resolveDirConfig(options: ServeDirOptions): DirConfig {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot ${ACTION}: options must be an object, got ${kindOf(options)}`);
  }
  if (typeof options.root !== "string" || options.root === "") {
    throw new TypeError(
      `Cannot ${ACTION}: root must be a non-empty string, got ${kindOf(options.root)}`,
    );
  }
  const index = options.index === false
    ? []
    : typeof options.index === "string"
    ? [options.index]
    : options.index ?? ["index.html"];
  for (const name of index) {
    if (typeof name !== "string" || name === "" || name.includes("/") || name.includes("\\")) {
      throw new TypeError(
        `Cannot ${ACTION}: index names a file in the directory, got ${JSON.stringify(name)}`,
      );
    }
  }
  const dotfiles = options.dotfiles ?? "ignore";
  if (dotfiles !== "ignore" && dotfiles !== "deny" && dotfiles !== "allow") {
    throw new TypeError(
      `Cannot ${ACTION}: dotfiles must be "ignore", "deny" or "allow", got ${
        JSON.stringify(dotfiles)
      }`,
    );
  }
  return {
    file: resolveFileConfig(options, ACTION),
    root: options.root,
    prefix: normalizePrefix(options.urlRoot ?? ""),
    index,
    listing: options.listing ?? false,
    dotfiles,
    followSymlinks: options.followSymlinks ?? false,
    realRoot: null,
    allowed: null,
  };
}

function realPathOrNull(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** 404, the answer for anything missing, hidden or refused. */
export function notFound(): Response {
  return plain(404, "Not Found");
}

/**
 * Answers `request` from the directory `config` describes.
 *
 * @param request The request.
 * @param config The resolved options.
 * @returns The response (404 for anything not served).
 */
export function dirResponse(
  request: Request,
  config: DirConfig,
): Response | Promise<Response> {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") {
    return plain(405, "Method Not Allowed", { allow: "GET, HEAD" });
  }
  const url = request.url;
  const resolved = resolveUrlPath(urlPath(url), config.prefix);
  if (resolved.status !== PATH_OK) {
    return resolved.status === PATH_MALFORMED ? plain(400, "Bad Request") : notFound();
  }
  if (resolved.dotfile && config.dotfiles !== "allow") {
    return config.dotfiles === "deny" ? plain(403, "Forbidden") : notFound();
  }
  const realRoot = config.realRoot ??= realPathOrNull(config.root);
  if (realRoot === null) return notFound();
  const relative = resolved.relative;
  const target = relative === "" ? realRoot : `${realRoot}/${relative}`;
  const allowed = config.followSymlinks ? null : (config.allowed ??= (path: string) => {
    const real = realPathOrNull(path);
    return real !== null && isInside(real, realRoot);
  });
  const info = statOrNull(target);
  if (info === null) return notFound();
  // A cached file was checked when it was cached, and the stat shows the same inode.
  if (allowed !== null && config.file.cache?.get(target, info) == null && !allowed(target)) {
    return notFound();
  }
  if (info.isDirectory) {
    if (!resolved.trailingSlash) {
      // Rebuilt from the decoded segments, so the Location is always one path under the
      // prefix: "//evil.example/" (a protocol-relative URL) cannot come out of it.
      const encoded = relative === "" ? "" : relative.split("/").map(encodeURIComponent).join("/");
      const query = url.indexOf("?");
      const search = query === -1 ? "" : url.slice(query).split("#")[0];
      const location = `${config.prefix}/${encoded}${encoded === "" ? "" : "/"}${search}`;
      return new Response(null, { status: 301, headers: { location } });
    }
    for (const name of config.index) {
      const path = `${target}/${name}`;
      const indexInfo = statOrNull(path);
      if (
        indexInfo !== null && indexInfo.isFile &&
        (allowed === null || config.file.cache?.get(path, indexInfo) || allowed(path))
      ) {
        return fileResponse(request, path, indexInfo, config.file, allowed);
      }
    }
    if (!config.listing) return notFound();
    return listingPage(target, urlPath(url), (name, path) => {
      if (name.startsWith(".") && config.dotfiles !== "allow") return false;
      return allowed === null || allowed(path);
    }).then((page) => {
      const headers = { "content-type": "text/html; charset=utf-8" };
      return method === "HEAD" ? new Response(null, { headers }) : new Response(page, { headers });
    });
  }
  // Only regular files: a FIFO or a device under the root would block or never end.
  if (!info.isFile || resolved.trailingSlash) return notFound();
  return fileResponse(request, target, info, config.file, allowed);
}
