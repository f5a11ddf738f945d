// @ts-check
// The posting page's "When": now, at the account's suggested time (its next best slot within
// the daily cap, from the insights), or at a time the person chooses.
import { insights } from "./api.js";
import { byId, el } from "./dom.js";
import { confidenceName, moment, zone } from "./figures.js";
import { offeredSlot } from "./slots.js";

const chosen = {
  /** @type {import("./api.js").Suggestion | null} */
  slot: null,
};
let asked = 0;  // the latest question: an answer to an older one (another post's) is dropped

/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
const box = (id) => byId(id, HTMLElement);

/** A new posting page: no slot until its account's is known. */
export function forgetSlot() {
  asked += 1;
  chosen.slot = null;
  showSlot("Looking for this account's best time…");
}

/** The account's next best slot (from its own posts, or a stated default), within its cap.
 * @param {string} account @param {import("./api.js").Budget | null} budget */
export async function suggestSlot(account, budget) {
  const mine = ++asked;
  let insight;
  try {
    insight = await insights.account(account, zone());
  } catch {
    if (mine === asked) showSlot("No suggested time: this account's numbers are not available.");
    return;
  }
  if (mine !== asked) return;  // another post's page was opened meanwhile
  const offered = offeredSlot(insight.suggestions, budget, new Date());
  chosen.slot = offered.slot;
  showSlot(offered.slot ? `${confidenceName(offered.slot.confidence)}; `
    + `${insight.suggestion_basis === "default" ? "a general default: " : ""}`
    + insight.suggestion_note : offered.why);
}

/** The suggested choice as it stands: its time, or why there is none. @param {string} note */
function showSlot(note) {
  const slot = chosen.slot;
  const radio = input("when-suggested");
  radio.disabled = !slot;
  if (!slot && radio.checked) {
    /** @type {HTMLInputElement} */ (document.querySelector("input[name=when][value=now]"))
      .checked = true;
  }
  box("suggested-time").replaceChildren(slot
    ? el("time", { datetime: slot.at }, moment(slot.at)) : "");
  box("suggested-note").textContent = note;
}

/** Typing a time chooses "at a time I choose". */
export function timeTyped() {
  input("when-chosen").checked = true;
}

/** When the post goes out (publish_after): null (now), the suggested slot, or the time chosen.
 * @returns {string | null} */
export function publishAfter() {
  const picked = document.querySelector("input[name=when]:checked");
  const way = picked instanceof HTMLInputElement ? picked.value : "now";
  if (way === "suggested" && chosen.slot) return chosen.slot.at;
  const after = input("publish-after").value;
  return way === "chosen" && after ? new Date(after).toISOString() : null;
}
