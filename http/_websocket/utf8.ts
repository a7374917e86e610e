/**
 * An incremental UTF-8 validator: a deterministic automaton over byte classes, built
 * once from the table of well-formed byte sequences (Unicode 15, table 3-7), in the
 * manner of Björn Höhrmann's decoder. It keeps one integer of state between chunks, so
 * a text message is checked fragment by fragment, and it rejects at the first byte
 * that no well-formed sequence can continue with (RFC 6455 §8.1, "fail fast": E0 80
 * fails at 80, F4 90 at 90, C0 at once), not only at the end of the message.
 *
 * @module
 */

/** Between sequences: every byte so far forms complete code points. */
export const UTF8_ACCEPT = 0;
/** An invalid byte was seen; the state stays here. */
export const UTF8_REJECT = 16;

// Byte classes: the bytes that behave alike in every state.
const C_ASCII = 0; // 00..7F
const C_80_8F = 1; // continuation, low
const C_90_9F = 2; // continuation, middle
const C_A0_BF = 3; // continuation, high
const C_BAD = 4; // C0, C1, F5..FF: never in well-formed UTF-8
const C_2 = 5; // C2..DF: lead of a 2-byte sequence
const C_E0 = 6; // lead of a 3-byte sequence whose second byte is A0..BF
const C_3 = 7; // E1..EC, EE, EF: lead of a 3-byte sequence
const C_ED = 8; // lead of a 3-byte sequence whose second byte is 80..9F (no surrogates)
const C_F0 = 9; // lead of a 4-byte sequence whose second byte is 90..BF
const C_4 = 10; // F1..F3: lead of a 4-byte sequence
const C_F4 = 11; // lead of a 4-byte sequence whose second byte is 80..8F (<= U+10FFFF)

// States, multiplied by 16 so that `state + class` indexes the transition table.
const S_TAIL1 = 32; // one continuation byte (80..BF) left
const S_TAIL2 = 48; // two left
const S_TAIL3 = 64; // three left
const S_E0 = 80; // after E0: A0..BF, then one more
const S_ED = 96; // after ED: 80..9F, then one more
const S_F0 = 112; // after F0: 90..BF, then two more
const S_F4 = 128; // after F4: 80..8F, then two more
const STATES = 9;

/** Byte → class. */
const CLASS: Uint8Array = buildClasses();
/** (state + class) → next state. */
const NEXT: Uint8Array = buildTransitions();

function buildClasses(): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    let c: number;
    if (b < 0x80) c = C_ASCII;
    else if (b < 0x90) c = C_80_8F;
    else if (b < 0xa0) c = C_90_9F;
    else if (b < 0xc0) c = C_A0_BF;
    else if (b < 0xc2) c = C_BAD;
    else if (b < 0xe0) c = C_2;
    else if (b === 0xe0) c = C_E0;
    else if (b === 0xed) c = C_ED;
    else if (b < 0xf0) c = C_3;
    else if (b === 0xf0) c = C_F0;
    else if (b < 0xf4) c = C_4;
    else if (b === 0xf4) c = C_F4;
    else c = C_BAD;
    table[b] = c;
  }
  return table;
}

function buildTransitions(): Uint8Array {
  const table = new Uint8Array(STATES * 16).fill(UTF8_REJECT);
  const set = (state: number, classes: number[], next: number) => {
    for (const c of classes) table[state + c] = next;
  };
  const ALL_TAILS = [C_80_8F, C_90_9F, C_A0_BF];
  set(UTF8_ACCEPT, [C_ASCII], UTF8_ACCEPT);
  set(UTF8_ACCEPT, [C_2], S_TAIL1);
  set(UTF8_ACCEPT, [C_E0], S_E0);
  set(UTF8_ACCEPT, [C_3], S_TAIL2);
  set(UTF8_ACCEPT, [C_ED], S_ED);
  set(UTF8_ACCEPT, [C_F0], S_F0);
  set(UTF8_ACCEPT, [C_4], S_TAIL3);
  set(UTF8_ACCEPT, [C_F4], S_F4);
  set(S_TAIL1, ALL_TAILS, UTF8_ACCEPT);
  set(S_TAIL2, ALL_TAILS, S_TAIL1);
  set(S_TAIL3, ALL_TAILS, S_TAIL2);
  set(S_E0, [C_A0_BF], S_TAIL1);
  set(S_ED, [C_80_8F, C_90_9F], S_TAIL1);
  set(S_F0, [C_90_9F, C_A0_BF], S_TAIL2);
  set(S_F4, [C_80_8F], S_TAIL2);
  // UTF8_REJECT stays rejected: its row is all REJECT.
  return table;
}

/**
 * Runs the automaton over `bytes[start..end)` from `state`.
 *
 * @param state The state after the previous chunk (UTF8_ACCEPT to begin).
 * @param bytes The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns The new state: UTF8_ACCEPT when complete, UTF8_REJECT at the first invalid
 * byte (the rest is not scanned), anything else in the middle of a sequence.
 */
export function utf8Step(state: number, bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    // ASCII runs, the common case, skip the table.
    if (state === UTF8_ACCEPT) {
      while (i < end && bytes[i] < 0x80) i++;
      if (i === end) break;
    }
    state = NEXT[state + CLASS[bytes[i++]]];
    if (state === UTF8_REJECT) return UTF8_REJECT;
  }
  return state;
}

/**
 * Whether `bytes[start..end)` is well-formed UTF-8 on its own (a close reason).
 *
 * @param bytes The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns True when every code point is complete and well formed.
 */
export function isUtf8(bytes: Uint8Array, start = 0, end: number = bytes.length): boolean {
  return utf8Step(UTF8_ACCEPT, bytes, start, end) === UTF8_ACCEPT;
}
