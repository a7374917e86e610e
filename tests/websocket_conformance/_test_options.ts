/**
 * The suite's settings under `deno test` (shared by conformance_test.ts and Wire's
 * wire_test.ts): every case, with section 9's sizes divided by 8 (2 MiB messages at
 * most) and compression cases sending 64 KiB each (at most 500 messages), so one server
 * takes seconds. `run.ts` runs larger sizes by default.
 *
 * @module
 */
import type { ConformanceOptions } from "./conformance.ts";

export const TEST_OPTIONS: ConformanceOptions = {
  pauseMs: 250,
  waitMs: 1000,
  closeTimeoutMs: 1000,
  limitsScale: 8,
  compression: { bytes: 64 * 1024, maxCount: 500 },
};
