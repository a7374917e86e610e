/**
 * The Accept-Encoding field (RFC 9110 §12.5.3): its codings with their q-values, and the
 * choice of one coding from those a server has. Parsed by hand in one pass over the
 * string (no split or regex per request).
 *
 * @module
 */

/** One coding of an Accept-Encoding value, lower case, with its weight (0 to 1). */
export interface WeightedCoding {
  coding: string;
  q: number;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * A qvalue (RFC 9110 §12.4.2): "0", "0.5", "1", "1.000"; -1 when malformed (the element
 * is then dropped, as if it were not there).
 */
function parseQ(text: string, start: number, end: number): number {
  if (start >= end) return -1;
  const first = text.charCodeAt(start);
  if (first !== 0x30 && first !== 0x31) return -1;
  if (end - start > 5) return -1;
  if (end - start === 1) return first - 0x30;
  if (text.charCodeAt(start + 1) !== 0x2e) return -1;
  let value = 0;
  let scale = 0.1;
  for (let i = start + 2; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value += (c - 0x30) * scale;
    scale /= 10;
  }
  if (first === 0x31) return value === 0 ? 1 : -1;
  return Math.round(value * 1000) / 1000;
}

/**
 * The codings of an Accept-Encoding value in the order given, names lower-cased,
 * `x-gzip` read as `gzip` (RFC 9110 §8.4.1.3). Elements with a malformed weight are
 * dropped; parameters other than `q` are ignored.
 *
 * @param value The field value ("" for an empty field).
 * @returns The codings and their weights.
 */
export function parseAcceptEncoding(value: string): WeightedCoding[] {
  const out: WeightedCoding[] = [];
  const len = value.length;
  let i = 0;
  while (i < len) {
    while (i < len && (isOws(value.charCodeAt(i)) || value.charCodeAt(i) === 0x2c)) i++;
    if (i >= len) break;
    const start = i;
    while (i < len) {
      const c = value.charCodeAt(i);
      if (c === 0x2c || c === 0x3b || isOws(c)) break;
      i++;
    }
    let coding = value.slice(start, i).toLowerCase();
    if (coding === "x-gzip") coding = "gzip";
    let q = 1;
    // Parameters: ";q=0.5", possibly with OWS around the ";".
    for (;;) {
      while (i < len && isOws(value.charCodeAt(i))) i++;
      if (i >= len || value.charCodeAt(i) !== 0x3b) break;
      i++;
      while (i < len && isOws(value.charCodeAt(i))) i++;
      const name = i;
      while (i < len) {
        const c = value.charCodeAt(i);
        if (c === 0x3d || c === 0x2c || c === 0x3b || isOws(c)) break;
        i++;
      }
      const isQ = i - name === 1 && (value.charCodeAt(name) | 0x20) === 0x71;
      if (i < len && value.charCodeAt(i) === 0x3d) i++;
      const at = i;
      while (i < len) {
        const c = value.charCodeAt(i);
        if (c === 0x2c || c === 0x3b || isOws(c)) break;
        i++;
      }
      if (isQ) q = parseQ(value, at, i);
    }
    // Skip anything up to the next element (malformed leftovers).
    while (i < len && value.charCodeAt(i) !== 0x2c) i++;
    if (q >= 0 && coding !== "") out.push({ coding, q });
  }
  return out;
}

/**
 * The weight a client gives `coding`: its own entry, else `*`'s, else 0 (identity: 1
 * unless excluded by `identity;q=0` or `*;q=0`).
 *
 * @param codings What {@linkcode parseAcceptEncoding} returned.
 * @param coding A lower-case coding name.
 * @returns The weight, 0 to 1.
 */
export function weightOf(codings: readonly WeightedCoding[], coding: string): number {
  let star = -1;
  for (let i = 0; i < codings.length; i++) {
    const entry = codings[i];
    if (entry.coding === coding) return entry.q;
    if (entry.coding === "*") star = entry.q;
  }
  if (star >= 0) return star;
  return coding === "identity" ? 1 : 0;
}

/**
 * Picks the coding to send: the one with the highest weight among `available` (the
 * server's order breaks ties), unless the client weighs identity more. Returns null for identity,
 * which is also the answer when the field is absent: a server compresses only for a
 * client that asks (RFC 9110 §12.5.3 allows any coding then, but an old client that
 * sends no field usually cannot decode one).
 *
 * @param value The Accept-Encoding value, or null when absent.
 * @param available Codings the server can send, in its order of preference.
 * @returns The chosen coding, or null for identity.
 */
export function chooseCoding(value: string | null, available: readonly string[]): string | null {
  if (value === null || value === "") return null;
  const codings = parseAcceptEncoding(value);
  let best: string | null = null;
  let bestQ = 0;
  for (let i = 0; i < available.length; i++) {
    const q = weightOf(codings, available[i]);
    if (q > bestQ) {
      best = available[i];
      bestQ = q;
    }
  }
  if (best === null) return null;
  // Identity outranks a coding only when the client weighs it so itself (an explicit
  // entry or `*`); left implicit it is the fallback, as in npm's negotiator.
  return explicitWeight(codings, "identity") > bestQ ? null : best;
}

function explicitWeight(codings: readonly WeightedCoding[], coding: string): number {
  let star = -1;
  for (let i = 0; i < codings.length; i++) {
    if (codings[i].coding === coding) return codings[i].q;
    if (codings[i].coding === "*") star = codings[i].q;
  }
  return star;
}

/**
 * Whether an Accept-Encoding value refuses the identity coding: `identity;q=0`, or
 * `*;q=0` without an identity entry (RFC 9110 §12.5.3).
 *
 * @param value The Accept-Encoding value.
 * @returns True when the client does not accept an unencoded body.
 */
export function identityRefused(value: string): boolean {
  if (value === "") return false;
  return weightOf(parseAcceptEncoding(value), "identity") === 0;
}
