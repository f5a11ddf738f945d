// A daily quota's note, in the person's words (tests/unit/web runs it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { quotaSentence } from "../app/src/quotas.js";

const RESETS = "2026-12-08T00:00:00Z";

test("a count quota says what is used of what, and when it resets in UTC", () => {
  const imports = { kind: "imports", noun: "imports", limit: 50, used: 45, resets_at: RESETS };
  assert.equal(quotaSentence(imports),
    "You have used 45 of 50 imports today; resets at 00:00 UTC.");
  assert.equal(quotaSentence({ ...imports, used: 50 }),
    "You have used 50 of 50 imports today (none left); resets at 00:00 UTC.");
});

test("stored bytes are said in the largest unit that fits", () => {
  const stored = { kind: "stored_bytes", noun: "bytes stored", limit: 20e9, used: 17_250_000_000,
    resets_at: RESETS };
  assert.equal(quotaSentence(stored), "You have stored 17.3 GB of 20 GB today; resets at 00:00 UTC.");
  assert.equal(quotaSentence({ ...stored, used: 900, limit: 1000 }),
    "You have stored 900 bytes of 1 kB today; resets at 00:00 UTC.");
});
