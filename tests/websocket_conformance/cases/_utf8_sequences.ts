/**
 * The UTF-8 decoder table behind cases 6.5-6.23: Markus Kuhn's UTF-8-test.txt groups,
 * as Autobahn|Testsuite arranges them (same groups, same order, so case numbers match).
 * Each entry: whether the bytes are valid UTF-8 (RFC 3629) as a complete message.
 *
 * @module
 */
import { bytes } from "./_case.ts";

/** A titled group of [valid, bytes] entries; group k becomes cases 6.(k+5).*. */
export interface Utf8Group {
  title: string;
  entries: [boolean, Uint8Array][];
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** Whether `data` is a complete, valid UTF-8 string. */
export function isUtf8(data: Uint8Array): boolean {
  try {
    strict.decode(data);
    return true;
  } catch {
    return false;
  }
}

function range(from: number, to: number, withSpace: boolean): Uint8Array {
  const out: number[] = [];
  for (let b = from; b < to; b++) withSpace ? out.push(b, 0x20) : out.push(b);
  return Uint8Array.from(out);
}

const KOSME = bytes("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");

const group = (title: string, valid: boolean, list: string[]): Utf8Group => ({
  title,
  entries: list.map((s) => [valid, bytes(s)]),
});

function nonCharacters(): [boolean, Uint8Array][] {
  const out: [boolean, Uint8Array][] = [[true, bytes("\xef\xbf\xbe")], [
    true,
    bytes("\xef\xbf\xbf"),
  ]];
  for (const z1 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const z2 of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (z1 === 0xf4 && z2 !== 0x8f) continue; // beyond U+10FFFF
      for (const z3 of [0xbe, 0xbf]) {
        if (z1 === 0xf0 && z2 === 0x8f) continue; // overlong
        out.push([true, Uint8Array.from([z1, z2, 0xbf, z3])]);
      }
    }
  }
  return out;
}

const INCOMPLETE = [
  "\xc0",
  "\xe0\x80",
  "\xf0\x80\x80",
  "\xf8\x80\x80\x80",
  "\xfc\x80\x80\x80\x80",
  "\xdf",
  "\xef\xbf",
  "\xf7\xbf\xbf",
  "\xfb\xbf\xbf\xbf",
  "\xfd\xbf\xbf\xbf\xbf",
];

/** The groups, in Autobahn's order. */
export const UTF8_GROUPS: Utf8Group[] = [
  group("Some valid UTF-8 sequences", true, [
    "hello\x24world",
    "hello\xc2\xa2world",
    "hello\xe2\x82\xacworld",
    "hello\xf0\xa4\xad\xa2world",
    "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5",
  ]),
  {
    title: "All prefixes of a valid UTF-8 string that contains multi-byte code points",
    entries: Array.from({ length: KOSME.length }, (_, i) => {
      const prefix = KOSME.slice(0, i + 1);
      return [isUtf8(prefix), prefix];
    }),
  },
  group("First possible sequence of a certain length", true, [
    "\x00",
    "\xc2\x80",
    "\xe0\xa0\x80",
    "\xf0\x90\x80\x80",
  ]),
  group("First possible sequence length 5/6 (invalid codepoints)", false, [
    "\xf8\x88\x80\x80\x80",
    "\xfc\x84\x80\x80\x80\x80",
  ]),
  group("Last possible sequence of a certain length", true, [
    "\x7f",
    "\xdf\xbf",
    "\xef\xbf\xbf",
    "\xf4\x8f\xbf\xbf",
  ]),
  group("Last possible sequence length 4/5/6 (invalid codepoints)", false, [
    "\xf7\xbf\xbf\xbf",
    "\xfb\xbf\xbf\xbf\xbf",
    "\xfd\xbf\xbf\xbf\xbf\xbf",
  ]),
  {
    title: "Other boundary conditions",
    entries: [
      [true, bytes("\xed\x9f\xbf")],
      [true, bytes("\xee\x80\x80")],
      [true, bytes("\xef\xbf\xbd")],
      [true, bytes("\xf4\x8f\xbf\xbf")],
      [false, bytes("\xf4\x90\x80\x80")],
    ],
  },
  {
    title: "Unexpected continuation bytes",
    entries: [
      ...["\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf", "\x80\xbf\x80\xbf\x80"]
        .map((s): [boolean, Uint8Array] => [false, bytes(s)]),
      [false, bytes("\x80\xbf\x80\xbf\x80\xbf")],
      [false, range(0x80, 0xbf, false)],
    ],
  },
  {
    title: "Lonely start characters",
    entries: [[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]].map((
      [a, b],
    ): [boolean, Uint8Array] => [false, range(a, b, true)]),
  },
  group("Sequences with last continuation byte missing", false, INCOMPLETE),
  group("Concatenation of incomplete sequences", false, [INCOMPLETE.join("")]),
  group("Impossible bytes", false, ["\xfe", "\xff", "\xfe\xfe\xff\xff"]),
  group("Examples of an overlong ASCII character", false, [
    "\xc0\xaf",
    "\xe0\x80\xaf",
    "\xf0\x80\x80\xaf",
    "\xf8\x80\x80\x80\xaf",
    "\xfc\x80\x80\x80\x80\xaf",
  ]),
  group("Maximum overlong sequences", false, [
    "\xc1\xbf",
    "\xe0\x9f\xbf",
    "\xf0\x8f\xbf\xbf",
    "\xf8\x87\xbf\xbf\xbf",
    "\xfc\x83\xbf\xbf\xbf\xbf",
  ]),
  group("Overlong representation of the NUL character", false, [
    "\xc0\x80",
    "\xe0\x80\x80",
    "\xf0\x80\x80\x80",
    "\xf8\x80\x80\x80\x80",
    "\xfc\x80\x80\x80\x80\x80",
  ]),
  group("Single UTF-16 surrogates", false, [
    "\xed\xa0\x80",
    "\xed\xad\xbf",
    "\xed\xae\x80",
    "\xed\xaf\xbf",
    "\xed\xb0\x80",
    "\xed\xbe\x80",
    "\xed\xbf\xbf",
  ]),
  group("Paired UTF-16 surrogates", false, [
    "\xed\xa0\x80\xed\xb0\x80",
    "\xed\xa0\x80\xed\xbf\xbf",
    "\xed\xad\xbf\xed\xb0\x80",
    "\xed\xad\xbf\xed\xbf\xbf",
    "\xed\xae\x80\xed\xb0\x80",
    "\xed\xae\x80\xed\xbf\xbf",
    "\xed\xaf\xbf\xed\xb0\x80",
    "\xed\xaf\xbf\xed\xbf\xbf",
  ]),
  { title: "Non-character code points (valid UTF-8)", entries: nonCharacters() },
  group("Unicode specials (i.e. replacement char)", true, [
    "\xef\xbf\xb9",
    "\xef\xbf\xba",
    "\xef\xbf\xbb",
    "\xef\xbf\xbc",
    "\xef\xbf\xbd",
    "\xef\xbf\xbe",
    "\xef\xbf\xbf",
  ]),
];
