// @ts-check
// A person's daily quotas, shown beside the form that spends them once 80 % is used:
// "You have used 45 of 50 imports today; resets at 00:00 UTC."
import { el } from "./dom.js";

/** @typedef {import("./api.js").QuotaUsage} QuotaUsage */

const NEAR = 0.8;

/** @param {number} bytes */
function size(bytes) {
  const units = [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]];
  const [unit, scale] = units.find(([, s]) => bytes >= Number(s)) ?? ["bytes", 1];
  return `${Number((bytes / Number(scale)).toFixed(1))} ${unit}`;
}

/** The note for one quota, in the person's words.
 * @param {QuotaUsage} quota */
export function quotaSentence(quota) {
  const resets = `resets at ${quota.resets_at.slice(11, 16)} UTC`;
  if (quota.kind === "stored_bytes") {
    return `You have stored ${size(quota.used)} of ${size(quota.limit)} today; ${resets}.`;
  }
  const left = quota.used >= quota.limit ? " (none left)" : "";
  return `You have used ${quota.used} of ${quota.limit} ${quota.noun} today${left}; ${resets}.`;
}

/** A note per quota of `kinds` at 80 % or more; empty (and hidden) otherwise.
 * @param {HTMLElement} where @param {QuotaUsage[]} quotas @param {string[]} kinds */
export function showNearLimits(where, quotas, kinds) {
  const near = quotas.filter((q) => kinds.includes(q.kind) && q.used >= NEAR * q.limit);
  where.replaceChildren(...near.map((q) => el("p", { class: "quota" }, quotaSentence(q))));
  where.hidden = !near.length;
}

/** Where a form's quota notes go. @param {string} id */
export function quotaNotes(id) {
  return el("div", { id, class: "quota-notes", role: "status", hidden: true });
}
