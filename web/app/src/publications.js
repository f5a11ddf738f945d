// @ts-check
// Publications: each approved post's way to TikTok as a timeline (approved, waiting and why,
// sent, processing, live with its link, or failed with the reason and "publish again"), and each
// account's audit log, newest first, a page at a time.
import { approval, publisher } from "./api.js";
import { el, newest, pager, patch, refresh, status, view, when } from "./dom.js";
import { openPosting } from "./posting.js";

/** @typedef {import("./api.js").Publication} Publication */
/** @typedef {import("./api.js").Post} Post */

const MOMENTS = {
  approved: "Approved", waiting: "Waiting", uploading: "Uploading to TikTok",
  processing: "Sent: TikTok is processing it", flagged: "Needs a look", live: "Live on TikTok",
  published: "Published", failed: "Failed", in_inbox: "In the creator's TikTok inbox",
  unknown: "Unknown: check TikTok",
};
const ENTRIES_PER_PAGE = 50;

/** @param {HTMLElement} main */
export async function showPublications(main) {
  const rows = el("tbody");
  const audit = el("section", { id: "audit", "aria-label": "Audit log" });
  /** @type {Set<string>} posts whose timeline is open */
  const open = new Set();
  main.replaceChildren(el("h1", {}, "Publications"),
    el("table", { class: "publications" }, el("thead", {}, el("tr", {}, el("th", {}, "Post"),
      el("th", {}, "Status"), el("th", {}, "Details"), el("th", {}, ""))), rows), audit);
  view.refresh = newest(async () => {
    const shown = [];
    for (const job of await publisher.publications()) {
      shown.push(publicationRow(job, open, audit));
      if (open.has(job.post_id)) shown.push(await timelineRow(job));
    }
    return shown;
  }, (shown) => patch(rows, shown));
  await refresh();
}

/** @param {Publication} j @param {Set<string>} open @param {HTMLElement} audit */
function publicationRow(j, open, audit) {
  const key = `${j.post_id}:${j.attempt}`;
  const expanded = open.has(j.post_id);
  return el("tr", { "data-post": j.post_id, "data-key": key,
    "data-version": JSON.stringify([j, expanded]) },
  el("td", {}, j.title || j.post_id, j.attempt > 1 ? ` (attempt ${j.attempt})` : ""),
  el("td", {}, status(j.status)),
  el("td", { class: "details" }, j.fail_reason || (j.deferred_reason
    ? `${j.deferred_reason}${j.due_at ? `; next try ${when(j.due_at)}` : ""}`
    : j.post_ids?.length ? `TikTok post ${j.post_ids.join(", ")}` : "")),
  el("td", { class: "row" },
    el("button", { class: "secondary", "aria-expanded": String(expanded), onclick: async () => {
      if (expanded) open.delete(j.post_id); else open.add(j.post_id);
      await refresh();
    } }, "Timeline"),
    el("button", { class: "secondary", onclick: () => showAudit(audit, j.account_id) },
      "Audit log")));
}

/** @param {Publication} job */
async function timelineRow(job) {
  /** @type {Post | null} */
  let post = null;
  try { post = await approval.post(job.post_id); } catch { post = null; }
  const key = `${job.post_id}:${job.attempt}:timeline`;
  if (!post) {
    return el("tr", { "data-key": key }, el("td", { colspan: 4 }, "This post is gone."));
  }
  const failed = post.status === "failed";
  const current = post;
  return el("tr", { class: "timeline-row", "data-key": key, "data-version": JSON.stringify(post) },
    el("td", { colspan: 4 },
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
