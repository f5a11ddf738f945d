// When to post next: the offered slot stays ahead and within the cap (TikTok's rolling 24 hours).
import assert from "node:assert/strict";
import { test } from "node:test";
import { localInputValue, offeredSlot } from "../app/src/slots.js";

const now = new Date("2026-12-07T10:00:00Z");
const slot = (at, confidence = 0.6) => ({ at, weekday: 0, hour: 0, confidence });
const budget = (posts_left) => ({ posts_left, next_post_place_at: "2026-12-08T00:00:00Z" });

test("the first suggestion still ahead is offered", () => {
  const offered = offeredSlot([slot("2026-12-07T10:02:00Z"), slot("2026-12-07T19:00:00Z"),
    slot("2026-12-08T19:00:00Z")], budget(3), now);
  assert.equal(offered.slot?.at, "2026-12-07T19:00:00Z");  // 2 minutes ahead is too soon
  assert.equal(offered.why, "");
});

test("with no posts left, the first slot after a place comes back is offered", () => {
  const offered = offeredSlot([slot("2026-12-07T19:00:00Z"), slot("2026-12-08T19:00:00Z")],
    budget(0), now);
  assert.equal(offered.slot?.at, "2026-12-08T19:00:00Z");
});

test("no slot is offered, with the reason, when none fits", () => {
  assert.deepEqual(offeredSlot([], budget(3), now),
    { slot: null, why: "No suggested time is ahead yet." });
  assert.deepEqual(offeredSlot([slot("2026-12-07T19:00:00Z")], budget(0), now),
    { slot: null, why: "The suggested times come before this account may post again." });
});

test("with TikTok's rolling 24 hours, the slot waits for the next place", () => {
  const rolling = { posts_left: 0, next_post_place_at: "2026-12-07T20:30:00Z" };
  const offered = offeredSlot([slot("2026-12-07T19:00:00Z"), slot("2026-12-07T21:00:00Z")],
    rolling, now);
  assert.equal(offered.slot?.at, "2026-12-07T21:00:00Z");
  assert.equal(offeredSlot([slot("2026-12-07T19:00:00Z")], { posts_left: 0 }, now).slot, null);
});

test("without a budget the cap cannot be checked, and the first slot ahead is offered", () => {
  assert.equal(offeredSlot([slot("2026-12-07T19:00:00Z")], null, now).slot?.at,
    "2026-12-07T19:00:00Z");
});

test("a slot is shown in a datetime-local field in the browser's zone", () => {
  // TZ is set by the runner (tests/unit/web): Europe/Berlin is UTC+1 in December
  assert.equal(localInputValue("2026-12-07T19:00:00Z"), "2026-12-07T20:00");
});
