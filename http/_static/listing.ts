/**
 * The HTML page listing a directory (`serveDir({ listing: true })`): directories first,
 * then files, each with its size and modification time. Names are HTML-escaped and
 * links percent-encoded, so a file named `<script>` or `a#b` lists as text and links to
 * itself.
 *
 * @module
 */

import { formatHttpDate } from "../_codec/date.ts";

/** Most entries listed; a note says how many more there are. */
const MAX_ENTRIES = 10_000;

/** One listed entry. */
interface Entry {
  name: string;
  directory: boolean;
  size: number;
  mtime: number | null;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

function formatSize(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Lists the directory at `dir` as an HTML page.
 *
 * @param dir The directory's file path.
 * @param urlPath Its URL path (ends with "/"), for the title and the parent link.
 * @param include Whether an entry (by name and full path) is listed.
 * @returns The page.
 */
export async function listingPage(
  dir: string,
  urlPath: string,
  include: (name: string, path: string) => boolean,
): Promise<string> {
  const entries: Entry[] = [];
  let more = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (!include(entry.name, path)) continue;
    if (entries.length >= MAX_ENTRIES) {
      more++;
      continue;
    }
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      continue; // a dangling link, or gone since
    }
    entries.push({
      name: entry.name,
      directory: info.isDirectory,
      size: info.size,
      mtime: info.mtime?.getTime() ?? null,
    });
  }
  entries.sort((a, b) =>
    a.directory !== b.directory
      ? (a.directory ? -1 : 1)
      : a.name < b.name
      ? -1
      : a.name > b.name
      ? 1
      : 0
  );
  let title = urlPath;
  try {
    title = decodeURIComponent(urlPath);
  } catch {
    // keep it encoded
  }
  const rows: string[] = [];
  if (urlPath !== "/") rows.push(`<tr><td><a href="../">../</a></td><td></td><td></td></tr>`);
  for (const entry of entries) {
    const href = encodeURIComponent(entry.name) + (entry.directory ? "/" : "");
    const name = escapeHtml(entry.name) + (entry.directory ? "/" : "");
    const size = entry.directory ? "-" : formatSize(entry.size);
    const date = entry.mtime === null ? "" : formatHttpDate(entry.mtime);
    rows.push(`<tr><td><a href="${href}">${name}</a></td><td>${size}</td><td>${date}</td></tr>`);
  }
  if (more > 0) {
    const what = more === 1 ? "entry" : "entries";
    rows.push(`<tr><td colspan="3">${more} more ${what} not listed</td></tr>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Index of ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}td{padding:.2em 1.5em .2em 0}
th{text-align:left}td:nth-child(2){text-align:right}</style></head>
<body><h1>Index of ${escapeHtml(title)}</h1>
<table><tr><th>Name</th><th>Size</th><th>Modified</th></tr>
${rows.join("\n")}
</table></body></html>
`;
}
