/**
 * Every conformance case, in Autobahn|Testsuite's order, and the section titles.
 *
 * @module
 */
import type { Case } from "./_case.ts";
import { CLOSE } from "./close.ts";
import { type CompressionBudget, compressionCases } from "./compression.ts";
import { extraCases } from "./extras.ts";
import { FRAGMENTATION } from "./fragmentation.ts";
import { FRAMING } from "./framing.ts";
import { limitsCases, MISC } from "./limits.ts";
import { OPCODES } from "./opcodes.ts";
import { PINGS } from "./pings.ts";
import { RESERVED_BITS } from "./reserved_bits.ts";
import { UTF8 } from "./utf8.ts";

export type { Case, Step } from "./_case.ts";
export type { CompressionBudget } from "./compression.ts";

/** Sizes of the performance-minded sections. */
export interface CaseOptions {
  /** Divides section 9's message sizes (1: Autobahn's, up to 16 MiB). @default 4 */
  limitsScale?: number;
  /** Round trips in 9.7 and 9.8. @default 1000 */
  roundTrips?: number;
  /** Message counts of sections 12, 13 and X.1. */
  compression?: CompressionBudget;
}

/** Section titles (Autobahn's, plus X for our own). */
export const SECTIONS: Record<string, string> = {
  "1": "Framing",
  "2": "Pings/Pongs",
  "3": "Reserved Bits",
  "4": "Opcodes",
  "5": "Fragmentation",
  "6": "UTF-8 Handling",
  "7": "Close Handling",
  "9": "Limits/Performance",
  "10": "Misc",
  "12": "WebSocket Compression (different payloads)",
  "13": "WebSocket Compression (different parameters)",
  "X": "RFC 6455/7692 extras (not in Autobahn)",
};

/** All cases, built for `options`. */
export function allCases(options: CaseOptions = {}): Case[] {
  return [
    ...FRAMING,
    ...PINGS,
    ...RESERVED_BITS,
    ...OPCODES,
    ...FRAGMENTATION,
    ...UTF8,
    ...CLOSE,
    ...limitsCases(options.limitsScale ?? 4, options.roundTrips ?? 1000),
    ...MISC,
    ...compressionCases(options.compression),
    ...extraCases(options.compression),
  ];
}

/**
 * The cases whose id matches one of `patterns`: "6.4.1" exactly, "6.4.*" or "6.4" a
 * subsection, "6.*" or "6" a section; no patterns means all.
 */
export function selectCases(cases: Case[], patterns: string[] | undefined): Case[] {
  if (!patterns || patterns.length === 0) return cases;
  const matchers = patterns.map((p) => p.trim()).filter((p) => p !== "").map((p) => {
    const prefix = p.endsWith(".*") ? p.slice(0, -2) : p.endsWith("*") ? p.slice(0, -1) : p;
    return (id: string) => id === prefix || id.startsWith(prefix + ".");
  });
  return cases.filter((c) => matchers.some((m) => m(c.id)));
}
