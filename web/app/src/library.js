// @ts-check
// The library: topics typed or bulk-imported (with the import's progress), a person's own media,
// and every topic with its status, cost and the post it became.
import { approval, auth, cookie, generator, problem } from "./api.js";
import { el, flash, newest, pager, patch, refresh, status, view } from "./dom.js";
import { fedBack, summariesOf } from "./fedback.js";
import { quotaNotes, showNearLimits } from "./quotas.js";

/** @typedef {import("./api.js").Account} Account */
/** @typedef {import("./api.js").Topic} Topic */
/** @typedef {import("./api.js").SimilarSummary} SimilarSummary */

const TOPICS_PER_PAGE = 25;
/** the bulk import whose progress the library shows */
const imported = { id: /** @type {string | null} */ (null) };

/** @param {Account[]} accounts */
function accountChoices(accounts) {
  return accounts.map((a) => el("option", { value: a.account_id }, a.display_name));
}

/** @param {HTMLElement} main */
export async function showLibrary(main) {
  const accounts = await auth.accounts();
  const list = el("table", { class: "topics" });
  const rows = el("tbody");
  list.append(el("thead", {}, el("tr", {}, el("th", {}, "Topic"), el("th", {}, "Language"),
    el("th", {}, "Status"), el("th", {}, "Cost"), el("th", {}, "Post"))), rows);
  const progress = el("div", { id: "import-progress", role: "status" });
  const pages = pager("topics", TOPICS_PER_PAGE, "Library pages");
  // each form's daily quotas, shown when near their limit
  const near = { topic: quotaNotes("topic-quota"), bulk: quotaNotes("import-quota"),
    media: quotaNotes("upload-quota") };
  main.replaceChildren(el("h1", {}, "Library"),
    el("div", { class: "grid" }, oneTopic(accounts, near.topic), bulkImport(accounts, near.bulk),
      ownMedia(accounts, near.media)),
    progress, el("h2", {}, "Topics"), list, pages.controls);
  view.refresh = newest(async () => {
    const bulk = imported.id ? await generator.importProgress(imported.id) : null;
    const topics = await generator.topics(pages.query());
    // how the account's earlier posts like each topic did (its post's title once written)
    const summaries = await summariesOf(topics.slice(0, TOPICS_PER_PAGE).map((t) => ({ key: t.topic_id,
      account_id: t.account_id, language: t.language ?? null, title: t.text.slice(0, 2000),
      post_id: t.post_id ?? null })));
    const [made, stored] = await Promise.all([generator.usage(), approval.uploadUsage()]);
    return { bulk, topics, summaries, quotas: [...made.quotas, ...stored.quotas] };
  }, ({ bulk, topics, summaries, quotas }) => {
    showNearLimits(near.topic, quotas, ["topics", "images"]);
    showNearLimits(near.bulk, quotas, ["imports", "topics"]);
    showNearLimits(near.media, quotas, ["stored_bytes"]);
    if (bulk) {
      const failed = bulk.counts.failed ? `, ${bulk.counts.failed} failed` : "";
      progress.replaceChildren(el("label", {}, `Bulk import: ${bulk.counts.generated ?? 0} of `
        + `${bulk.total} generated${failed} `,
      el("progress", { max: bulk.total, value: bulk.finished })));
    }
    patch(rows, pages.shown(topics).map((t) => topicRow(t, summaries.get(t.topic_id))));
  });
  await refresh();
}

/** @param {Topic} t @param {SimilarSummary} [summary] */
function topicRow(t, summary) {
  return el("tr", { "data-topic": t.topic_id, "data-key": t.topic_id,
    "data-version": JSON.stringify([t, summary ?? null]) },
  el("td", {}, t.text, fedBack(summary)),
  el("td", {}, t.language || ""),
  el("td", {}, status(t.status), t.stage && t.status === "generating" ? ` (${t.stage})` : "",
    t.reason ? el("div", { class: "error" }, t.reason) : "",
    t.status === "failed" ? el("button", { class: "secondary", onclick: async () => {
      try {
        await generator.retry(t.topic_id);  // its seven images count again: may be refused
        await refresh();
      } catch (error) { flash(/** @type {Error} */ (error).message, "error"); }
    } }, "Retry") : ""),
  el("td", { class: "cost" }, t.usage.images || t.usage.text_tokens
    ? `${t.usage.text_tokens} text tokens, ${t.usage.images} images` : ""),
  el("td", {}, t.post_id ? el("a", { href: `#queue?post=${encodeURIComponent(t.post_id)}` },
    "Open its post") : ""));
}

/** @param {Account[]} accounts @param {HTMLElement} near */
function oneTopic(accounts, near) {
  return el("form", { class: "card", onsubmit: async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    try {
      await generator.addTopic({ text: String(data.get("text")),
        account_id: String(data.get("account_id")) });
      form.reset();
      flash("Topic added: generating its carousel.");
      await refresh();
    } catch (error) { flash(/** @type {Error} */ (error).message, "error"); }
  } },
  el("h2", {}, "Add a topic"),
  el("label", {}, "TikTok account ", el("select", { name: "account_id", required: true },
    accountChoices(accounts))),
  el("label", {}, "Topic ", el("textarea", { name: "text", rows: 2, maxlength: 2000, required: true,
    placeholder: "How to brew better coffee at home" })),
  el("button", { type: "submit", disabled: !accounts.length }, "Add topic"), near,
  accounts.length ? "" : el("p", { class: "note" }, "Connect a TikTok account first."));
}

/** @param {Account[]} accounts @param {HTMLElement} near */
function bulkImport(accounts, near) {
  const report = el("div", { id: "import-report" });
  return el("form", { class: "card", onsubmit: async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
    const upload = new FormData();
    upload.append("file", /** @type {File} */ (form.get("file")));
    try {
      const result = await generator.bulk(upload, String(form.get("account_id")));
      if (result.import_id) imported.id = result.import_id;
      /** @param {typeof result.rows} rows */
      const table = (rows) => el("table", {}, el("tr", {}, el("th", {}, "Row"),
        el("th", {}, "Result")), rows.map((r) => el("tr", {}, el("td", {}, r.row),
        el("td", {}, r.accepted ? "Accepted" : `Rejected: ${r.error}`))));
      const refused = result.rows.filter((r) => !r.accepted);
      // what needs the person's eye first: the refused rows; every row on request
      report.replaceChildren(el("p", {}, `${result.accepted} accepted, ${result.rejected} rejected`),
        refused.length ? table(refused) : "",
        el("details", {}, el("summary", {}, `Every row (${result.rows.length})`),
          table(result.rows)));
      await refresh();
    } catch (error) { flash(/** @type {Error} */ (error).message, "error"); }
  } },
  el("h2", {}, "Bulk import"),
  el("p", { class: "note" }, "A CSV file with a header row: text (and optionally account_id)."),
  el("label", {}, "Default account ", el("select", { name: "account_id" }, accountChoices(accounts))),
  el("label", {}, "CSV file ", el("input", { type: "file", name: "file", accept: ".csv,text/csv",
    required: true })),
  el("button", { type: "submit" }, "Import"), near, report);
}

/** A person's own video or photos, into the queue like any generated post.
 * @param {Account[]} accounts @param {HTMLElement} near */
function ownMedia(accounts, near) {
  const bar = el("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
  const result = el("p", { role: "status" });
  return el("form", { class: "card", id: "own-media", onsubmit: (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    if (!data.get("video_url")) data.delete("video_url");
    if (!data.get("ai_generated")) data.delete("ai_generated");
    for (const file of [...data.getAll("files")]) {  // an empty file input sends one nameless
      if (file instanceof File && !file.name) data.delete("files");
    }
    result.textContent = "";
    result.className = "";
    bar.hidden = false;
    bar.value = 0;
    upload(data, (sent) => { bar.value = sent; }).then((post) => {
      form.reset();
      bar.hidden = true;
      result.textContent = `“${post.title}” is in the queue, awaiting approval.`;
      refresh().catch(() => undefined);  // the quota notes, now this upload counts
    }).catch((error) => {
      bar.hidden = true;
      result.textContent = error.message;
      result.className = "error";
    });
  } },
  el("h2", {}, "Your own video or photos"),
  el("p", { class: "note" }, "One video (MP4, MOV or WebM) or 1 to 35 photos, or the address of "
    + "a video. It waits in the queue for approval like a generated post."),
  el("label", {}, "TikTok account ", el("select", { name: "account_id", required: true },
    accountChoices(accounts))),
  el("label", {}, "Title ", el("input", { name: "title", maxlength: 90, required: true })),
  el("label", {}, "Caption ", el("textarea", { name: "caption", rows: 2, maxlength: 2200 })),
  el("label", {}, "Files ", el("input", { type: "file", name: "files", multiple: true,
    accept: "video/mp4,video/quicktime,video/webm,image/jpeg,image/png,image/webp" })),
  el("label", {}, "or a video's address ", el("input", { type: "url", name: "video_url",
    placeholder: "https://example.com/clip.mp4" })),
  el("label", {}, el("input", { type: "checkbox", name: "ai_generated", value: "true" }),
    " Made with AI (TikTok labels the video as AI-generated)"),
  el("button", { type: "submit", disabled: !accounts.length }, "Add to the queue"),
  near, bar, result);
}

/**
 * A multipart upload with progress (fetch cannot report an upload's progress).
 * @param {FormData} data @param {(sent: number) => void} onProgress
 * @returns {Promise<import("./api.js").Post>}
 */
function upload(data, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", approval.uploadUrl);
    request.setRequestHeader("X-CSRF-Token", cookie("gatepost_csrf"));
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { body = null; }
      if (request.status === 201) resolve(body);
      else reject(new Error(problem(body, request.status)));
    };
    request.onerror = () => reject(new Error("the upload did not reach Gatepost"));
    request.send(data);
  });
}
