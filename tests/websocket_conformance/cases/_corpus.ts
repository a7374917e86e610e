/**
 * Payloads for the compression cases, made here from a fixed seed in place of the files
 * Autobahn|Testsuite ships (a JSON file, a bitmap, Goethe's Faust, an HTML page and a
 * PDF): the same five kinds of data, so compressibility varies the same way, without
 * carrying third-party files. About 200 KiB each; messages are cut from them in turn.
 *
 * @module
 */
import { prng } from "../../_prng.ts";

/** One corpus: text (sliced by code points, sent as `binary` or not) or raw bytes. */
export interface Corpus {
  name: string;
  description: string;
  binary: boolean;
  /** Code points for text corpora; null for byte corpora. */
  codePoints: string[] | null;
  bytes: Uint8Array;
}

const SIZE = 200 * 1024;
const WORDS = [
  "der",
  "die",
  "und",
  "nicht",
  "ich",
  "Geist",
  "Welt",
  "Herz",
  "Nacht",
  "Faust",
  "Mephisto",
  "schön",
  "Blüte",
  "Mädchen",
  "über",
  "Gefühl",
  "Flamme",
  "weiß",
  "grün",
  "Träume",
  "höher",
  "Wissenschaft",
  "Stunde",
  "Augenblick",
  "verweile",
  "doch",
  "du",
  "bist",
  "so",
  "ewig",
];

function text(seed: number, line: (r: () => number, i: number) => string): string {
  const r = prng(seed);
  let out = "";
  for (let i = 0; out.length < SIZE; i++) out += line(r, i);
  return out;
}

const pick = <T>(r: () => number, list: T[]) => list[Math.floor(r() * list.length)];

function json(): string {
  const r = prng(1);
  const rows: unknown[] = [];
  let length = 0;
  for (let i = 0; length < SIZE; i++) {
    const row = {
      id: i,
      guid: Array.from({ length: 8 }, () => Math.floor(r() * 16).toString(16)).join(""),
      active: r() < 0.5,
      balance: Math.round(r() * 1e6) / 100,
      name: `${pick(r, WORDS)} ${pick(r, WORDS)}`,
      tags: Array.from({ length: 3 }, () => pick(r, WORDS)),
      location: { lat: r() * 180 - 90, lon: r() * 360 - 180 },
    };
    rows.push(row);
    length += JSON.stringify(row).length + 1;
  }
  return JSON.stringify(rows, null, 1);
}

function bitmap(): Uint8Array {
  const width = 512;
  const height = 400;
  const header = 54 + 1024;
  const out = new Uint8Array(header + width * height);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, header, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 8, true);
  for (let i = 0; i < 256; i++) out.set([i, i, i, 0], 54 + i * 4);
  const r = prng(2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const shade = 128 + 60 * Math.sin(x / 37) * Math.cos(y / 23) + 30 * Math.sin((x + y) / 11);
      out[header + y * width + x] = Math.max(
        0,
        Math.min(255, Math.round(shade + (r() - 0.5) * 24)),
      );
    }
  }
  return out;
}

function pdf(): Uint8Array {
  const r = prng(3);
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  let total = 0;
  const push = (p: Uint8Array) => (parts.push(p), total += p.length);
  push(enc.encode("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"));
  for (let obj = 1; total < SIZE; obj++) {
    if (obj % 3 === 0) {
      const stream = Uint8Array.from({ length: 2048 + Math.floor(r() * 4096) }, () => r() * 256);
      push(
        enc.encode(`${obj} 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
      );
      push(stream);
      push(enc.encode("\nendstream\nendobj\n"));
    } else {
      const words = Array.from({ length: 200 }, () => pick(r, WORDS)).join(" ");
      push(enc.encode(`${obj} 0 obj\n<< /Type /Page /Contents [(${words})] >>\nendobj\n`));
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

function html(): string {
  return "<!DOCTYPE html>\n<html><head><title>Corpus</title></head><body>\n" +
    text(4, (r, i) => {
      const tag = pick(r, ["p", "div", "li", "span", "td"]);
      const words = Array.from({ length: 5 + Math.floor(r() * 20) }, () => pick(r, WORDS));
      return `<${tag} class="c${i % 7}" id="n${i}"><a href="/wiki/${words[0]}">${words[0]}` +
        `</a> ${words.slice(1).join(" ")}</${tag}>\n`;
    }) + "</body></html>\n";
}

function faust(): string {
  return text(5, (r) => {
    const n = 3 + Math.floor(r() * 9);
    const line = Array.from({ length: n }, () => pick(r, WORDS)).join(" ");
    return (r() < 0.1 ? "\n" + pick(r, ["FAUST", "MEPHISTOPHELES", "GRETCHEN"]) + ":\n" : "") +
      line[0].toUpperCase() + line.slice(1) + (r() < 0.3 ? "!" : ",") + "\n";
  });
}

function textCorpus(name: string, description: string, binary: boolean, body: string): Corpus {
  return {
    name,
    description,
    binary,
    codePoints: Array.from(body),
    bytes: new TextEncoder().encode(body),
  };
}

let corpora: Corpus[] | null = null;

/** The five corpora in Autobahn's order (12.1 to 12.5). */
export function compressionCorpora(): Corpus[] {
  corpora ??= [
    textCorpus("json", "JSON records (text)", false, json()),
    {
      name: "bitmap",
      description: "8-bit bitmap image (binary)",
      binary: true,
      codePoints: null,
      bytes: bitmap(),
    },
    textCorpus("faust", "German verse, UTF-8 sent as binary", true, faust()),
    textCorpus("html", "HTML page (text)", false, html()),
    {
      name: "pdf",
      description: "PDF-like mix of text and incompressible streams (binary)",
      binary: true,
      codePoints: null,
      bytes: pdf(),
    },
  ];
  return corpora;
}

/** Cuts messages of `length` units (code points or bytes) from a corpus, wrapping round. */
export function messageCutter(corpus: Corpus, length: number): (i: number) => Uint8Array {
  const enc = new TextEncoder();
  const units = corpus.codePoints?.length ?? corpus.bytes.length;
  return (i: number) => {
    const from = (i * length) % units;
    if (corpus.codePoints) {
      let s = "";
      for (let k = 0; k < length; k++) s += corpus.codePoints[(from + k) % units];
      return enc.encode(s);
    }
    const out = new Uint8Array(length);
    for (let k = 0; k < length;) {
      const at = (from + k) % units;
      const n = Math.min(length - k, units - at);
      out.set(corpus.bytes.subarray(at, at + n), k);
      k += n;
    }
    return out;
  };
}
