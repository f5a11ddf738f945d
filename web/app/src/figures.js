// @ts-check
// Figures as a person reads them: counts, weekdays and hours in their own time zone, the
// heatmap's shades. Pure functions (no page), tested with `node --test` (web/tests).

/** The person's time zone, as their browser knows it (an IANA name). */
export function zone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A count: "–" when there is none, "12,345" up to 99,999, then "1.2M".
 * @param {number | null | undefined} value */
export function count(value) {
  if (value === null || value === undefined) return "–";
  const compact = Math.abs(value) >= 100_000;
  return new Intl.NumberFormat(undefined, compact
    ? { notation: "compact", maximumFractionDigits: 1 } : {}).format(value);
}

/** Monday to Sunday, the contract's weekdays 0 to 6, in the person's language.
 * @param {"long" | "short"} [width] */
export function weekdays(width = "short") {
  const monday = Date.UTC(2024, 0, 1);  // 1 January 2024 was a Monday
  const name = new Intl.DateTimeFormat(undefined, { weekday: width, timeZone: "UTC" });
  return Array.from({ length: 7 }, (_, day) => name.format(new Date(monday + day * 86_400_000)));
}

/** An hour of the day as the person's clock writes it ("14:00" or "2 PM"). @param {number} hour */
export function hourName(hour) {
  return new Intl.DateTimeFormat(undefined, { hour: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(2024, 0, 1, hour)));
}

/** A moment in the person's zone, short: "Tue 7 Jan, 19:00".
 * @param {string | null | undefined} at @param {string} [timeZone] */
export function moment(at, timeZone) {
  if (!at) return "";
  return new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short",
    hour: "numeric", minute: "2-digit", timeZone }).format(new Date(at));
}

/**
 * The heatmap as rows of a week: 7 rows (Monday first) of 24 hours, each cell with its posts and
 * a shade 0 (no posts behind it) to 4 (the best score). Cells the server left out count as empty.
 * @param {{ weekday: number, hour: number, posts: number, score: number | null }[]} cells
 * @returns {{ posts: number, score: number | null, shade: number }[][]}
 */
export function heatmapRows(cells) {
  const scores = cells.filter((c) => c.posts > 0 && c.score !== null).map((c) => Number(c.score));
  const low = Math.min(...scores);
  const high = Math.max(...scores);
  const rows = Array.from({ length: 7 }, () => Array.from({ length: 24 },
    () => ({ posts: 0, score: /** @type {number | null} */ (null), shade: 0 })));
  for (const cell of cells) {
    if (cell.weekday < 0 || cell.weekday > 6 || cell.hour < 0 || cell.hour > 23) continue;
    const scored = cell.posts > 0 && cell.score !== null;
    // four steps between the worst and the best scored cell; one scored cell is the best
    const shade = !scored ? 0
      : high === low ? 4 : 1 + Math.round((3 * (Number(cell.score) - low)) / (high - low));
    rows[cell.weekday][cell.hour] = { posts: cell.posts, score: cell.score, shade };
  }
  return rows;
}

/** A confidence (0 to 1) in words. @param {number} confidence */
export function confidenceName(confidence) {
  const percent = Math.round(100 * confidence);
  const word = confidence >= 0.7 ? "high" : confidence >= 0.4 ? "fair" : "low";
  return `${word} confidence (${percent} %)`;
}

/** A post's title, or words for its absence (a post TikTok shows has none of Gatepost's).
 * @param {{ title?: string | null }} post */
export function titleOf(post) {
  return post.title || "Untitled post";
}
