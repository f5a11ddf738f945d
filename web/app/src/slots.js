// @ts-check
// When to post next: the first suggested slot that is still ahead and within the account's daily
// cap. Pure functions (no page), tested with `node --test` (web/tests).

/** How far ahead a slot must be to be offered: the person still has to approve. */
export const LEAD_MS = 5 * 60_000;

/**
 * The slot to offer, or why there is none. Any slot ahead is offered while the account has posts
 * left; with none left, the first slot once a place comes back (`next_post_place_at`: the cap
 * is TikTok's rolling 24 hours, so a place comes back 24 hours after the post that took it).
 * @param {{ at: string, weekday: number, hour: number, confidence: number }[]} suggestions
 * @param {{ posts_left: number, next_post_place_at?: string | null } | null} budget
 * @param {Date} now
 * @returns {{ slot: { at: string, weekday: number, hour: number, confidence: number } | null,
 *   why: string }}
 */
export function offeredSlot(suggestions, budget, now) {
  const ahead = suggestions.filter((s) => Date.parse(s.at) >= now.getTime() + LEAD_MS);
  if (!ahead.length) return { slot: null, why: "No suggested time is ahead yet." };
  const full = budget !== null && budget.posts_left <= 0;
  const back = budget ? budget.next_post_place_at : null;
  const placeAt = back ? Date.parse(back) : Infinity;  // full, and no word of when: none fits
  const slot = ahead.find((s) => !full || Date.parse(s.at) >= placeAt) || null;
  return slot ? { slot, why: "" }
    : { slot: null, why: "The suggested times come before this account may post again." };
}

/** An instant as a `datetime-local` field's value, in the browser's zone ("2026-12-07T19:00").
 * @param {string} at */
export function localInputValue(at) {
  const date = new Date(at);
  /** @param {number} n */
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`
    + `T${two(date.getHours())}:${two(date.getMinutes())}`;
}
