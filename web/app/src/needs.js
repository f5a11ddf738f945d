// @ts-check
// What the home page says, from what the services answered: what needs the person, what went
// out today (in their zone), what is scheduled, and this week's best posts. Pure functions (no
// page), tested with `node --test` (web/tests).

const WEEK_MS = 7 * 86_400_000;
/** what the publisher calls a post it cannot finish without a person */
const STUCK = new Set(["UNKNOWN", "unknown"]);

/** @param {string} at @param {Date} now whether `at` falls on `now`'s day, in the browser's zone */
export function sameDay(at, now) {
  return new Date(at).toDateString() === now.toDateString();
}

/**
 * Publications that wait for a person: flagged and still not public (a flag raised while TikTok
 * was slow is moot once the public id came), or their outcome is unknown.
 * @template {{ post_id: string, attempt: number, status: string, flag?: string | null,
 *   public_id?: string | null }} J
 * @param {J[]} jobs @returns {J[]}
 */
export function stuck(jobs) {
  return latest(jobs).filter((j) => (j.flag && !j.public_id) || STUCK.has(j.status));
}

/** Failed publications (the latest attempt of each post only).
 * @template {{ post_id: string, attempt: number, status: string }} J @param {J[]} jobs @returns {J[]} */
export function failed(jobs) {
  return latest(jobs).filter((j) => j.status === "FAILED");
}

/** Approved posts not sent yet that wait for a time, soonest first.
 * @template {{ post_id: string, attempt: number, status: string, due_at?: string | null }} J
 * @param {J[]} jobs @param {Date} now @returns {J[]} */
export function scheduled(jobs, now) {
  return latest(jobs)
    .filter((j) => j.status === "queued" && j.due_at && Date.parse(j.due_at) > now.getTime())
    .sort((a, b) => Date.parse(String(a.due_at)) - Date.parse(String(b.due_at)));
}

/** Posts that went live today, in the person's zone, newest first.
 * @template {{ published_at: string | null }} P @param {P[]} posts @param {Date} now @returns {P[]} */
export function outToday(posts, now) {
  return posts.filter((p) => p.published_at && sameDay(p.published_at, now))
    .sort((a, b) => Date.parse(String(b.published_at)) - Date.parse(String(a.published_at)));
}

/** This week's best posts: live in the last 7 days, with views, most views first.
 * @template {{ published_at: string | null, views: number | null, taken_down_at: string | null }} P
 * @param {P[]} posts @param {Date} now @param {number} [how_many] @returns {P[]} */
export function bestThisWeek(posts, now, how_many = 3) {
  return posts.filter((p) => p.published_at && p.views !== null && !p.taken_down_at
      && now.getTime() - Date.parse(p.published_at) <= WEEK_MS)
    .sort((a, b) => Number(b.views) - Number(a.views)).slice(0, how_many);
}

/** Each post's latest attempt (a post published again has several).
 * @template {{ post_id: string, attempt: number }} J @param {J[]} jobs @returns {J[]} */
function latest(jobs) {
  /** @type {Map<string, J>} */
  const newest = new Map();
  for (const job of jobs) {
    const seen = newest.get(job.post_id);
    if (!seen || seen.attempt < job.attempt) newest.set(job.post_id, job);
  }
  return [...newest.values()];
}
