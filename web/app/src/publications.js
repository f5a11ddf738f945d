// @ts-check
// Publications: each approved post's way to TikTok as a timeline (approved, waiting and why,
// sent, processing, live with its link, or failed with the reason and "publish again"), what it
// did once live (its cover, link, numbers and a sparkline), and each account's audit log, newest
// first, a page at a time. An approved post not sent yet can be withdrawn.
import { approval, auth, insights, publisher, Refused } from "./api.js";
import { sparkline } from "./charts.js";
import { el, flash, newest, pager, patch, refresh, status, view, when } from "./dom.js";
import { count, moment } from "./figures.js";
import { liveLink } from "./insights.js";
import { openPosting } from "./posting.js";

/** @typedef {import("./api.js").Publication} Publication */
/** @typedef {import("./api.js").PostInsight} PostInsight */
/** @typedef {import("./api.js").Post} Post */

const MOMENTS = {
  approved: "Approved", waiting: "Waiting", uploading: "Uploading to TikTok",
  processing: "Sent: TikTok is processing it", flagged: "Needs a look", live: "Live on TikTok",
  published: "Published", failed: "Failed", in_inbox: "In the creator's TikTok inbox",
  unknown: "Unknown: check TikTok",
};
const ENTRIES_PER_PAGE = 50;
const NUMBERS_EVERY_MS = 30_000;  // numbers change hourly at most: the list refreshes every 2 s

/** @param {HTMLElement} main */
export async function showPublications(main) {
  const rows = el("tbody");
  const audit = el("section", { id: "audit", "aria-label": "Audit log" });
  /** @type {Set<string>} posts whose timeline is open */
  const open = new Set();
  const accounts = await auth.accounts().catch(() => []);
  main.replaceChildren(el("h1", {}, "Publications"),
    el("ul", { class: "insight-links" },
      accounts.map((a) => el("li", {}, el("a", {
        href: `#account?id=${encodeURIComponent(a.account_id)}` },
      `${a.display_name}: numbers and best times`))),
      el("li", {}, el("a", { href: insights.exportUrl(), download: "" },
        "Download every reading (CSV)"))),
    el("table", { class: "publications" }, el("thead", {}, el("tr", {}, el("th", {}, "Post"),
      el("th", {}, "Status"), el("th", {}, "Numbers"), el("th", {}, "Details"),
      el("th", {}, el("span", { class: "visually-hidden" }, "Actions")))), rows), audit);
  const numbers = numbersOf();
  view.refresh = newest(async () => {
    const [jobs, found] = await Promise.all([publisher.publications(), numbers()]);
    const shown = [];
    for (const job of jobs) {
      shown.push(publicationRow(job, found.get(job.post_id) ?? null, open, audit));
      if (open.has(job.post_id)) shown.push(await timelineRow(job));
    }
    return shown;
  }, (shown) => patch(rows, shown));
  await refresh();
}

/** Each post's numbers, asked again at most every 30 s; none while insights are unanswered. */
function numbersOf() {
  let asked = 0;
  /** @type {Map<string, PostInsight>} */
  let found = new Map();
  return async () => {
    if (Date.now() - asked < NUMBERS_EVERY_MS) return found;
    asked = Date.now();
    try {
      found = new Map((await insights.posts()).posts.map((p) => [p.post_id, p]));
    } catch { asked = 0; }  // asked again at the next refresh
    return found;
  };
}

/** @param {Publication} j @param {PostInsight | null} p @param {Set<string>} open
 * @param {HTMLElement} audit */
function publicationRow(j, p, open, audit) {
  const key = `${j.post_id}:${j.attempt}`;
  const expanded = open.has(j.post_id);
  const title = j.title || j.post_id;
  return el("tr", { "data-post": j.post_id, "data-key": key,
    "data-version": JSON.stringify([j, p, expanded]) },
  el("td", {}, el("div", { class: "post-cell" },
    p && p.cover_url ? cover(p.cover_url) : el("span", { class: "thumb none" }),
    el("span", {}, p && p.published_at
      ? el("a", { href: `#post?id=${encodeURIComponent(j.post_id)}` }, title) : title,
    j.attempt > 1 ? ` (attempt ${j.attempt})` : "", p ? [el("br"), liveLink(p)] : ""))),
  el("td", {}, status(j.status)),
  el("td", { class: "numbers" }, p ? numbersCell(p, title) : ""),
  el("td", { class: "details" }, j.fail_reason || (j.deferred_reason
    ? `${j.deferred_reason}${j.due_at ? `; next try ${moment(j.due_at)}` : ""}`
    : j.due_at && j.status === "queued" ? `To publish ${moment(j.due_at)}`
      : j.post_ids?.length ? ["TikTok post ", j.post_ids.map((id) => el("code", {}, id))] : "")),
  el("td", {}, el("div", { class: "actions" },
    el("button", { class: "secondary", "aria-expanded": String(expanded), onclick: async () => {
      if (expanded) open.delete(j.post_id); else open.add(j.post_id);
      await refresh();
    } }, "Timeline"),
    el("button", { class: "secondary", onclick: () => showAudit(audit, j.account_id) },
      "Audit log"),
    j.status === "queued" ? el("button", { class: "secondary", onclick: () => withdraw(j) },
      "Withdraw") : "")));
}

/** A post's cover; a grey card where it does not load (TikTok's cover links expire).
 * @param {string} url */
function cover(url) {
  return el("img", { class: "thumb", src: url, alt: "", width: 45, height: 80, loading: "lazy",
    onerror: (/** @type {Event} */ e) => {
      /** @type {HTMLElement} */ (e.target).replaceWith(el("span", { class: "thumb none" }));
    } });
}

/** Views, likes, comments, shares and the sparkline; or why there are none.
 * @param {PostInsight} p @param {string} title */
function numbersCell(p, title) {
  if (p.no_numbers_reason) return el("span", { class: "note" }, p.no_numbers_reason);
  if (p.views === null) return "";
  return el("span", { class: "figures-line" }, sparkline(p.series, title),
    el("span", {}, el("strong", {}, count(p.views)), " views · ", count(p.likes), " likes · ",
      count(p.comments), " comments · ", count(p.shares), " shares"));
}

/** An approved post not sent yet goes back; once on its way, the publisher says why not.
 * @param {Publication} job */
async function withdraw(job) {
  if (!confirm(`Withdraw "${job.title || job.post_id}"? It will not be sent to TikTok.`)) return;
  try {
    await publisher.withdraw(job.post_id);
    flash(`Withdrawn: "${job.title || job.post_id}" will not be sent to TikTok.`);
  } catch (error) {
    const refused = error instanceof Refused && error.status === 409;
    flash(refused ? `Not withdrawn: ${error.message}` : /** @type {Error} */ (error).message,
      "error");
  }
  await refresh();
}

/** @param {Publication} job */
async function timelineRow(job) {
  /** @type {Post | null} */
  let post = null;
  try { post = await approval.post(job.post_id); } catch { post = null; }
  const key = `${job.post_id}:${job.attempt}:timeline`;
  if (!post) {
    return el("tr", { "data-key": key }, el("td", { colspan: 5 }, "This post is gone."));
  }
  const failed = post.status === "failed";
  const current = post;
  return el("tr", { class: "timeline-row", "data-key": key, "data-version": JSON.stringify(post) },
    el("td", { colspan: 5 },
      el("ol", { class: "timeline", "aria-label": `Timeline of ${post.title}` },
        (post.history || []).map((m) => el("li", { class: `moment moment-${m.state}` },
          el("time", { datetime: m.at }, when(m.at)), " ",
          el("strong", {}, /** @type {Record<string, string>} */ (MOMENTS)[m.state] || m.state),
          (m.attempt ?? 1) > 1 ? ` (attempt ${m.attempt})` : "",
          m.reason ? `: ${m.reason}` : "",
          m.due_at ? (m.state === "approved" ? `, to publish at ${when(m.due_at)}`
            : ` (until ${when(m.due_at)})`) : "",
          m.link ? [" · ", el("a", { href: m.link, target: "_blank", rel: "noopener" },
            "View on TikTok")] : ""))),
      failed ? el("p", { class: "row" }, el("span", { class: "note" }, post.retryable
        ? "TikTok had a passing problem: you can publish this post again."
        : "Fix what the reason says (or choose differently), then publish it again."),
      el("button", { class: "open-approve", onclick: () => openPosting(current) },
        "Publish again")) : ""));
}

/** @param {HTMLElement} box @param {string} accountId */
async function showAudit(box, accountId) {
  const table = el("tbody");
  const load = async () => {
    const entries = pages.shown(await publisher.audit(accountId, pages.query()));
    table.replaceChildren(...entries.map((e) => el("tr", {}, el("td", {}, e.seq),
      el("td", {}, when(e.at)), el("td", {}, e.kind),
      el("td", { class: "details" }, Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(" ")))));
  };
  const pages = pager("entries", ENTRIES_PER_PAGE, "Audit log pages", load);
  box.replaceChildren(el("h2", {}, "Audit log"), el("p", { class: "note" }, "Every step the "
    + "publisher took for this account, newest first; each entry is chained to the one before."),
  el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "#"), el("th", {}, "When"),
    el("th", {}, "What"), el("th", {}, "Details"))), table), pages.controls);
  await load();
  box.scrollIntoView({ block: "start" });
}
