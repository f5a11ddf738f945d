// The home page's groups, from the services' answers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bestThisWeek, failed, outToday, scheduled, stuck } from "../app/src/needs.js";

const now = new Date("2026-12-07T22:30:00Z");  // 23:30 on the 7th in Berlin (TZ, set by the runner)
const job = (post_id, status, extra = {}) => ({ post_id, attempt: 1, status, ...extra });

test("a flagged publication still not public, or an unknown one, is stuck; a failed one counts only as its latest attempt", () => {
  const jobs = [job("a", "PUBLISH_COMPLETE"), job("b", "processing", { flag: "TikTok asks" }),
    job("c", "UNKNOWN"), job("d", "FAILED"), job("e", "FAILED"),
    job("public-after-all", "PUBLISH_COMPLETE", { flag: "not public yet", public_id: "7445218935610482311" }),
    { ...job("e", "PUBLISH_COMPLETE"), attempt: 2 }];
  assert.deepEqual(stuck(jobs).map((j) => j.post_id), ["b", "c"]);
  assert.deepEqual(failed(jobs).map((j) => j.post_id), ["d"]);
});

test("scheduled posts are those waiting for a time still ahead, soonest first", () => {
  const jobs = [job("late", "queued", { due_at: "2026-12-09T08:00:00Z" }),
    job("soon", "queued", { due_at: "2026-12-08T08:00:00Z" }),
    job("past", "queued", { due_at: "2026-12-07T08:00:00Z" }),
    job("now", "queued"), job("sent", "processing", { due_at: "2026-12-08T09:00:00Z" })];
  assert.deepEqual(scheduled(jobs, now).map((j) => j.post_id), ["soon", "late"]);
});

test("today is the person's day, not UTC's", () => {
  const posts = [
    { id: "berlin-today", published_at: "2026-12-06T23:30:00Z" },  // 00:30 on the 7th in Berlin
    { id: "utc-yesterday-only", published_at: "2026-12-06T22:30:00Z" },  // 23:30 on the 6th
    { id: "later", published_at: "2026-12-07T20:00:00Z" },
    { id: "never", published_at: null },
  ];
  assert.deepEqual(outToday(posts, now).map((p) => p.id), ["later", "berlin-today"]);
});

test("this week's best posts have the most views of the last 7 days, taken-down ones left out", () => {
  const post = (id, views, published_at, taken_down_at = null) =>
    ({ id, views, published_at, taken_down_at });
  const posts = [post("old", 9000, "2026-11-29T10:00:00Z"), post("top", 500, "2026-12-06T10:00:00Z"),
    post("second", 300, "2026-12-02T10:00:00Z"), post("none", null, "2026-12-05T10:00:00Z"),
    post("down", 800, "2026-12-04T10:00:00Z", "2026-12-05T10:00:00Z"),
    post("third", 20, "2026-12-07T10:00:00Z"), post("fourth", 10, "2026-12-07T11:00:00Z")];
  assert.deepEqual(bestThisWeek(posts, now).map((p) => p.id), ["top", "second", "third"]);
});
