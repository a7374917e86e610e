/**
 * Section 9, limits and performance: large messages whole, in many fragments and in small
 * TCP chops, and runs of 1,000 round trips; each case reports its throughput. Sizes are
 * Autobahn's divided by `scale` (16 MiB / scale at most), so a run takes seconds.
 *
 * @module
 */
import { bytes, type Case, CLIENT_CLOSES, ev, repeat } from "./_case.ts";

const KiB = 1024;
const MiB = 1024 * 1024;
const SIZES = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
const FRAGMENTS = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB];
const CHOPS = [64, 128, 256, 512, 1024, 2048];
const RTT_SIZES = [0, 16, 64, 256, 1024, 4096];
const TEXT = bytes("BAsd7&jh23");
const BINARY = bytes("\x00\xfe\x23\xfa\xf0");

function size(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`;
}

/** Section 9's cases with sizes divided by `scale` (1 runs Autobahn's own sizes). */
export function limitsCases(scale: number, rttCount = 1000): Case[] {
  const s = (n: number) => Math.max(1, Math.floor(n / scale));
  const out: Case[] = [];
  const big = (id: string, length: number, binary: boolean, fragmentSize = 0, chop = 0) => {
    const payload = repeat(binary ? BINARY : fragmentSize ? bytes("*") : TEXT, length);
    out.push({
      id,
      description: `Send ${binary ? "binary" : "text"} message of ${size(length)}` +
        (fragmentSize ? ` in fragments of ${size(fragmentSize)}` : "") +
        (chop ? `, written in chops of ${chop} octets` : ""),
      expectation: "Echo of the message",
      steps: [{ kind: "message", payload, binary, fragmentSize, chop }],
      ok: [binary ? ev.binary(payload) : ev.text(payload)],
      close: CLIENT_CLOSES,
      serial: true,
      bytes: length,
      timeoutMs: 60_000,
    });
  };
  SIZES.forEach((n, i) => big(`9.1.${i + 1}`, s(n), false));
  SIZES.forEach((n, i) => big(`9.2.${i + 1}`, s(n), true));
  FRAGMENTS.forEach((f, i) => big(`9.3.${i + 1}`, s(4 * MiB), false, Math.min(f, s(4 * MiB))));
  FRAGMENTS.forEach((f, i) => big(`9.4.${i + 1}`, s(4 * MiB), true, Math.min(f, s(4 * MiB))));
  CHOPS.forEach((c, i) => big(`9.5.${i + 1}`, s(MiB), false, 0, c));
  CHOPS.forEach((c, i) => big(`9.6.${i + 1}`, s(MiB), true, 0, c));
  for (const [sub, binary] of [[7, false], [8, true]] as const) {
    RTT_SIZES.forEach((length, i) => {
      const payload = repeat(binary ? bytes("\xfe") : bytes("*"), length);
      out.push({
        id: `9.${sub}.${i + 1}`,
        description: `Send ${rttCount} ${binary ? "binary" : "text"} messages of ${length} B, ` +
          "each after the echo of the last",
        expectation: "Every echo, in order",
        steps: [{ kind: "echo", count: rttCount, message: () => ({ payload, binary }) }],
        ok: [ev.echoes(rttCount)],
        close: CLIENT_CLOSES,
        serial: true,
        roundTrips: rttCount,
        timeoutMs: 60_000,
      });
    });
  }
  return out;
}

/** Section 10: a 64 KiB message sent in 1,300-byte frames. */
export const MISC: Case[] = [{
  id: "10.1.1",
  description: "Send text message of 65536 B auto-fragmented into frames of 1300 B",
  expectation: "Echo of the message",
  steps: [{ kind: "message", payload: repeat("*", 65536), binary: false, fragmentSize: 1300 }],
  ok: [ev.text(repeat("*", 65536))],
  close: CLIENT_CLOSES,
}];
