// The pure parts of the insight pages, run by `node --test web/tests` (tests/unit/web runs it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { confidenceName, count, heatmapRows, hourName, weekdays } from "../app/src/figures.js";

test("a missing count is a dash, a large one compact", () => {
  assert.equal(count(null), "–");
  assert.equal(count(undefined), "–");
  assert.equal(count(0), "0");
  assert.equal(count(12345), "12,345");
  assert.equal(count(1_234_567), "1.2M");
});

test("weekdays run Monday to Sunday, as the contract numbers them", () => {
  assert.deepEqual(weekdays(), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
  assert.equal(weekdays("long")[6], "Sunday");
  assert.equal(hourName(0), "12 AM");
  assert.equal(hourName(19), "7 PM");
});

test("the heatmap is a week of 24 hours, shaded from the worst scored cell to the best", () => {
  const rows = heatmapRows([
    { weekday: 1, hour: 19, posts: 3, score: 900 },
    { weekday: 4, hour: 8, posts: 1, score: 100 },
    { weekday: 6, hour: 23, posts: 2, score: 500 },
    { weekday: 0, hour: 0, posts: 0, score: null },
  ]);
  assert.equal(rows.length, 7);
  assert.ok(rows.every((row) => row.length === 24));
  assert.deepEqual(rows[1][19], { posts: 3, score: 900, shade: 4 });
  assert.deepEqual(rows[4][8], { posts: 1, score: 100, shade: 1 });
  assert.equal(rows[6][23].shade, 3);  // 1 + round(3 * 400 / 800)
  assert.deepEqual(rows[0][0], { posts: 0, score: null, shade: 0 });
  assert.deepEqual(rows[2][2], { posts: 0, score: null, shade: 0 });  // left out: empty
});

test("a heatmap of one scored cell shades it the best, and no scores shade nothing", () => {
  assert.equal(heatmapRows([{ weekday: 2, hour: 9, posts: 1, score: 7 }])[2][9].shade, 4);
  const none = heatmapRows([{ weekday: 2, hour: 9, posts: 2, score: null }]);
  assert.deepEqual(none[2][9], { posts: 2, score: null, shade: 0 });
});

test("a confidence is said in words with its percentage", () => {
  assert.equal(confidenceName(0.82), "high confidence (82 %)");
  assert.equal(confidenceName(0.5), "fair confidence (50 %)");
  assert.equal(confidenceName(0.1), "low confidence (10 %)");
});
