/**
 * Section 1, framing: text and binary messages of lengths around the 7-bit, 16-bit and
 * 64-bit length encodings (RFC 6455 §5.2), one also sent in 997-byte pieces.
 *
 * @module
 */
import { bytes, type Case, CLIENT_CLOSES, ev, repeat, send } from "./_case.ts";

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];

function framingCases(sub: number, binary: boolean): Case[] {
  const unit = binary ? bytes("\xfe") : bytes("*");
  const kind = binary ? "binary" : "text";
  const one = (n: number, length: number, chop?: number): Case => {
    const payload = repeat(unit, length);
    return {
      id: `1.${sub}.${n}`,
      description: `Send ${kind} message with payload of length ${length}` +
        (chop ? `, written in chops of ${chop} octets` : ""),
      expectation: `Echo of the ${kind} message, then a clean close with 1000`,
      steps: [send.frame({ opcode: binary ? 2 : 1, payload }, chop)],
      ok: [binary ? ev.binary(payload) : ev.text(payload)],
      close: CLIENT_CLOSES,
    };
  };
  return [...LENGTHS.map((length, i) => one(i + 1, length)), one(8, 65536, 997)];
}

export const FRAMING: Case[] = [...framingCases(1, false), ...framingCases(2, true)];
