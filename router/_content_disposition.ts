/**
 * The `Content-Disposition` of a multipart/form-data part (internal).
 *
 * @module
 */

/**
 * `name` and `filename` of a `form-data` Content-Disposition (RFC 7578 §4.2, with
 * `filename*` from RFC 8187 preferred when both are given), or undefined when it is not
 * `form-data` or has no name.
 */
export function parseDisposition(
  value: string | null,
): { name: string; filename: string | undefined } | undefined {
  if (value === null) return undefined;
  const semi = value.indexOf(";");
  if ((semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase() !== "form-data") {
    return undefined;
  }
  const params = new Map<string, string>();
  let i = semi === -1 ? value.length : semi + 1;
  while (i < value.length) {
    while (i < value.length && (value[i] === " " || value[i] === "\t" || value[i] === ";")) i++;
    const eq = value.indexOf("=", i);
    if (eq === -1) break;
    const key = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let param = "";
    if (value[i] === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === "\\" && i + 1 < value.length) i++;
        param += value[i++];
      }
      i++;
    } else {
      const end = value.indexOf(";", i);
      param = value.slice(i, end === -1 ? value.length : end).trim();
      i = end === -1 ? value.length : end;
    }
    if (!params.has(key)) params.set(key, param);
  }
  const name = params.get("name");
  if (name === undefined) return undefined;
  const extended = params.get("filename*");
  let filename = params.get("filename");
  if (extended !== undefined) filename = decodeExtended(extended) ?? filename;
  return { name, filename };
}

// RFC 8187 §3.2: charset'language'percent-encoded; UTF-8 (and ISO-8859-1) only.
function decodeExtended(value: string): string | undefined {
  const first = value.indexOf("'");
  const second = first === -1 ? -1 : value.indexOf("'", first + 1);
  if (second === -1) return undefined;
  const charset = value.slice(0, first).toLowerCase();
  const encoded = value.slice(second + 1);
  try {
    if (charset === "utf-8") return decodeURIComponent(encoded);
    if (charset === "iso-8859-1") {
      return encoded.replace(
        /%([0-9a-f]{2})/gi,
        (_, hex) => String.fromCharCode(parseInt(hex, 16)),
      );
    }
  } catch {
    // malformed escape
  }
  return undefined;
}
