// @ts-check
// Home, the first page after signing in: what needs the person (posts awaiting approval, stuck
// or failed ones), what went out today and what is scheduled, each account's posts left in TikTok's rolling 24 hours
// with its next suggested slot, and this week's best posts. Composed from approval's queue, the
// publisher's publications and budgets, and the insights routes; a part whose service does not
// answer says so and the rest still shows.
import { approval, auth, insights, publisher } from "./api.js";
import { el, newest } from "./dom.js";
import { count, moment, titleOf, zone } from "./figures.js";
import { liveLink } from "./insights.js";
import { bestThisWeek, failed, outToday, scheduled, stuck } from "./needs.js";
import { offeredSlot } from "./slots.js";

/** @typedef {import("./api.js").Publication} Publication */
/** @typedef {import("./api.js").PostInsight} PostInsight */

const SHOWN = 5;  // a list on the home page: its first few, then a link to the whole
const UNANSWERED = "Not available right now.";

/** @template T @param {Promise<T>} asked @returns {Promise<T | null>} */
const orNull = (asked) => asked.catch(() => null);

/** @param {HTMLElement} main */
export async function showHome(main) {
  const body = el("div", { class: "home" });
  main.replaceChildren(el("h1", {}, "What needs you"), body);
  const here = zone();
  // Drawn once a visit (moving lists under a reader's eyes helps no one), and never as the page's
  // refresher: a page opened before this answer came keeps its own.
  const draw = newest(async () => {
    const [awaiting, jobs, posts, accounts] = await Promise.all([
      orNull(approval.posts(`status=awaiting_approval&limit=${SHOWN + 1}`)),
      orNull(publisher.publications()), orNull(insights.posts().then((a) => a.posts)),
      auth.accounts()]);
    const perAccount = await Promise.all(accounts.map(async (a) => ({ account: a,
      budget: await orNull(publisher.budget(a.account_id)),
      insight: await orNull(insights.account(a.account_id, here)) })));
    return { awaiting, jobs, posts, perAccount };
  }, (found) => body.replaceChildren(...sections(found, new Date())));
  await draw();
}

/**
 * @param {{ awaiting: import("./api.js").Post[] | null, jobs: Publication[] | null,
 *   posts: PostInsight[] | null, perAccount: { account: import("./api.js").Account,
 *   budget: import("./api.js").Budget | null,
 *   insight: import("./api.js").AccountInsight | null }[] }} found
 * @param {Date} now
 */
function sections({ awaiting, jobs, posts, perAccount }, now) {
  const stuckOnes = jobs ? [...failed(jobs), ...stuck(jobs)] : null;
  return [
    card("Awaiting your approval", awaiting && (awaiting.length
      ? list(awaiting.slice(0, SHOWN).map((p) =>
        el("a", { href: `#queue?post=${encodeURIComponent(p.post_id)}` }, p.title)),
      awaiting.length > SHOWN ? el("a", { href: "#queue?status=awaiting_approval" },
        "All posts awaiting approval") : "")
      : el("p", {}, "Nothing waits for your approval."))),
    card("Stuck or failed", stuckOnes && (stuckOnes.length
      ? list(stuckOnes.slice(0, SHOWN).map((j) => [
        el("a", { href: `#queue?post=${encodeURIComponent(j.post_id)}` }, j.title || j.post_id),
        ": ", j.fail_reason || j.flag || "TikTok's answer is unknown: check the TikTok app."]))
      : el("p", {}, "Nothing is stuck or failed."))),
    card("Out today", posts && (outToday(posts, now).length
      ? list(outToday(posts, now).map((p) => [
        el("a", { href: `#post?id=${encodeURIComponent(p.post_id)}` }, titleOf(p)),
        ` at ${new Date(String(p.published_at)).toLocaleTimeString([], { timeStyle: "short" })} · `,
        liveLink(p)]))
      : el("p", {}, "Nothing has gone out today yet."))),
    card("Scheduled", jobs && (scheduled(jobs, now).length
      ? list(scheduled(jobs, now).slice(0, SHOWN).map((j) => [
        el("time", { datetime: j.due_at }, el("strong", {}, moment(j.due_at))), " ",
        j.title || j.post_id]))
      : el("p", {}, "Nothing is scheduled."))),
    card("Accounts today", perAccount.length
      ? list(perAccount.map(({ account, budget, insight }) => accountLine(account, budget,
        insight, now)))
      : el("p", {}, "No TikTok account connected yet. ",
        el("a", { href: "#accounts" }, "Connect one"), ".")),
    card("This week's best posts", posts && (bestThisWeek(posts, now).length
      ? list(bestThisWeek(posts, now).map((p) => [
        el("a", { href: `#post?id=${encodeURIComponent(p.post_id)}` }, titleOf(p)), ": ",
        el("strong", {}, count(p.views)), " views, ", count(p.likes), " likes"]))
      : el("p", {}, "No post of the last 7 days has numbers yet."))),
  ];
}

/** @param {import("./api.js").Account} account @param {import("./api.js").Budget | null} budget
 * @param {import("./api.js").AccountInsight | null} insight @param {Date} now */
function accountLine(account, budget, insight, now) {
  const offered = insight ? offeredSlot(insight.suggestions, budget, now) : null;
  return [
    el("a", { href: `#account?id=${encodeURIComponent(account.account_id)}` },
      account.display_name), ": ",
    budget ? `${budget.posts_left} of ${budget.daily_cap} posts left in 24 hours` : "budget unknown",
    el("br"),
    offered && offered.slot ? ["Next suggested time: ",
      el("time", { datetime: offered.slot.at }, el("strong", {}, moment(offered.slot.at))),
      insight && insight.suggestion_basis === "default" ? " (a general default)" : ""]
      : el("span", { class: "note" }, offered ? offered.why : "No suggested time yet."),
  ];
}

/** @param {string} title @param {Node | null} content (null: its service did not answer) */
function card(title, content) {
  const id = `home-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return el("section", { class: "card", "aria-labelledby": id }, el("h2", { id }, title),
    content ?? el("p", { class: "note" }, UNANSWERED));
}

/** @param {unknown[]} items (each a node, words, or a list of them) @param {Node | string} [more] */
function list(items, more = "") {
  return el("div", {}, el("ul", {}, items.map((item) => el("li", {}, item))), more);
}
