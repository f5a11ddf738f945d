// @ts-check
// The queue: each post as it will look on TikTok, its status in one vocabulary, the slide editor,
// filters, pages and the keyboard.
import { Refused, approval, auth, publisher } from "./api.js";
import { byId, el, newest, pager, patch, refresh, status, statusName, view, when } from "./dom.js";
import { fedBack, summariesOf } from "./fedback.js";
import { openPosting } from "./posting.js";
import { current, phone, shown, turnTo } from "./preview.js";

/** @typedef {import("./api.js").Post} Post */
/** @typedef {import("./api.js").SimilarSummary} SimilarSummary */

const POSTS_PER_PAGE = 10;
const PROGRESS_NAMES = {
  uploading: "Uploading the video to TikTok…", processing: "TikTok is processing it…",
};

/** The queue, a page at a time; `post=<id>` shows that one post (the library links to it).
 * @param {HTMLElement} main @param {URLSearchParams} [params] */
export async function showQueue(main, params = new URLSearchParams()) {
  const list = el("div", { class: "queue" });
  const only = params.get("post");
  if (only) {
    main.replaceChildren(el("h1", {}, "Queue"),
      el("p", {}, el("a", { href: "#queue" }, "← The whole queue")), list);
    view.refresh = newest(async () => withSummaries([await approval.post(only)]),
      ({ posts, summaries }) => patch(list, posts.map((p) => postCard(p, summaries.get(p.post_id)))));
    await refresh();
    return;
  }
  const pages = pager("posts", POSTS_PER_PAGE, "Queue pages");
  const [accounts, { languages }] = await Promise.all([auth.accounts(), approval.languages()]);
  const filters = queueFilters(accounts, languages, () => { pages.first(); refresh(); });
  filters.show(params.get("status") || "");  // the home page links to one status
  main.replaceChildren(el("h1", {}, "Queue"), filters.form, list, pages.controls);
  view.refresh = newest(async () => withSummaries(
    await approval.posts(`${pages.query()}&${filters.query()}`), POSTS_PER_PAGE), (found) => {
    const posts = pages.shown(found.posts);
    const { summaries } = found;
    patch(list, posts.length ? posts.map((p) => postCard(p, summaries.get(p.post_id)))
      : [el("p", {}, filters.on() ? "No post matches these filters."
        : "Nothing in the queue yet: add a topic in the Library.")]);
  });
  await refresh();
}

/**
 * The queue by keyboard: j / k (or arrows down / up) move between posts, Enter or a opens the
 * posting page of the post in focus. Typing in a field is left alone.
 * @param {KeyboardEvent} event
 */
export function queueKeys(event) {
  const target = event.target instanceof Element ? event.target : null;
  const typing = target && target.closest("input, textarea, select");
  const dialog = byId("approve-dialog", HTMLDialogElement);
  if (typing || dialog.open || event.ctrlKey || event.metaKey || event.altKey) return;
  const cards = /** @type {HTMLElement[]} */ ([...document.querySelectorAll("article.post")]);
  if (!cards.length) return;
  const focused = document.activeElement;
  const card = focused && focused.closest("article.post");
  const at = card instanceof HTMLElement ? cards.indexOf(card) : -1;
  /** @param {number} to */
  const go = (to) => {
    const next = cards[Math.max(0, Math.min(cards.length - 1, to))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
    event.preventDefault();
  };
  if (event.key === "j" || event.key === "ArrowDown") go(at + 1);
  else if (event.key === "k" || event.key === "ArrowUp") go(at < 0 ? 0 : at - 1);
  else if ((event.key === "Enter" || event.key === "a") && at >= 0 && target === cards[at]) {
    const open = cards[at].querySelector("button.open-approve");
    if (open instanceof HTMLButtonElement) { open.click(); event.preventDefault(); }
  }
}

/**
 * Which posts the queue shows: one account, one status, one language, words in the title or
 * caption.
 * @param {import("./api.js").Account[]} accounts @param {string[]} languages
 * @param {() => void} changed
 */
function queueFilters(accounts, languages, changed) {
  /** @type {number | undefined} */
  let typing;
  const account = el("select", { id: "filter-account", onchange: changed },
    el("option", { value: "" }, "All accounts"),
    accounts.map((a) => el("option", { value: a.account_id }, a.display_name)));
  const state = el("select", { id: "filter-status", onchange: changed },
    el("option", { value: "" }, "Every status"),
    ["awaiting_approval", "approved", "published", "in_inbox", "failed", "unknown", "withdrawn",
      "rejected"]
      .map((value) => el("option", { value }, statusName(value))));
  const names = new Intl.DisplayNames([navigator.language || "en"], { type: "language" });
  const language = el("select", { id: "filter-language", onchange: changed },
    el("option", { value: "" }, "Every language"),
    languages.map((code) => el("option", { value: code }, names.of(code) || code)));
  const words = el("input", { id: "filter-words", type: "search", maxlength: 100,
    placeholder: "Title or caption", oninput: () => {
      clearTimeout(typing);
      typing = setTimeout(changed, 300);  // one request when the person pauses
    } });
  return {
    form: el("form", { class: "filters", role: "search", onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
      el("label", {}, "Account ", account),  // each label stays with its control when wrapping
      el("label", {}, "Status ", state),
      el("label", {}, "Language ", language),
      el("label", {}, "Search ", words)),
    /** @param {string} value */
    show: (value) => { state.value = value; },
    on: () => Boolean(account.value || state.value || language.value || words.value.trim()),
    query: () => new URLSearchParams(Object.entries({
      account_id: account.value, status: state.value, language: language.value,
      q: words.value.trim(),
    }).filter(([, v]) => v)).toString(),
  };
}

/** The posts, with how their accounts' earlier similar posts did (generated posts only: a
 * person's own media has no language of its own). @param {Post[]} posts @param {number} [shown] */
async function withSummaries(posts, shown = posts.length) {
  const summaries = await summariesOf(posts.slice(0, shown).map((p) => (p.origin === "uploaded" ? null : {
    key: p.post_id, account_id: p.account_id, language: p.language ?? null, title: p.title,
    text: [p.caption, ...(p.hashtags || [])].join(" ").slice(0, 5000),
  })));
  return { posts, summaries };
}

/** @param {Post} post @param {SimilarSummary} [summary] */
function postCard(post, summary) {
  const waiting = post.status === "awaiting_approval";
  return el("article", { class: "post", "data-post": post.post_id, "data-key": post.post_id,
    "data-version": JSON.stringify([post, summary ?? null]), tabindex: 0,
    "aria-label": `${post.title}: ${statusName(post.status)}` },
  waiting ? el("div", { class: "banner", role: "note" }, "Awaiting approval")
    : el("div", { class: "post-status" }, ...statusLine(post)),
  body(post),
  el("h3", {}, post.title),
  el("p", { class: "note" }, origin(post)),
  fedBack(summary),
  waiting ? el("div", { class: "row" },
    el("button", { class: "open-approve", onclick: () => openPosting(post) },
      "Approve and publish"),
    el("button", { class: "secondary", onclick: async () => {
      await approval.reject(post.post_id);
      await refresh();
    } }, "Reject"))
    : post.status === "failed" ? el("div", { class: "row" },
      el("p", { class: "note" }, post.retryable
        ? "TikTok had a passing problem: you can publish this post again."
        : "Fix what the reason says (or choose differently), then publish it again."),
      el("button", { class: "open-approve", onclick: () => openPosting(post) },
        "Publish again"))
    : post.status === "withdrawn" ? el("div", { class: "row" },
      el("p", { class: "note" }, "You withdrew this approval: nothing was sent to TikTok."),
      el("button", { class: "open-approve", onclick: () => openPosting(post) },
        "Approve again"))
    : notSentYet(post) ? withdrawRow(post) : "");
}

/** Approved, and the publisher has not begun handing it to TikTok: it can still be withdrawn.
 * @param {Post} post */
function notSentYet(post) {
  return post.status === "approved" && (!post.progress || post.progress.state === "waiting");
}

/** The Withdraw button; once TikTok may have the post the publisher refuses, and says why.
 * @param {Post} post */
function withdrawRow(post) {
  const said = el("p", { class: "error", role: "alert" });
  return el("div", { class: "row" },
    el("button", { class: "secondary withdraw", onclick: async () => {
      try {
        await publisher.withdraw(post.post_id);
        await refresh();
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        said.textContent = error.message;  // e.g. TikTok may have it already
      }
    } }, "Withdraw"),
    said);
}

/** The card's preview and editor; turning a slide redraws only them. @param {Post} post */
function body(post) {
  /** @param {number} position */
  const go = (position) => {
    turnTo(post, position);
    const card = document.querySelector(`article[data-post="${post.post_id}"]`);
    const replaced = body(post);
    card?.querySelector(".post-body")?.replaceWith(replaced);
    /** @type {HTMLElement | null} */ (replaced.querySelector(".screen"))?.focus();
  };
  return el("div", { class: "post-body" }, phone(post, go), editable(post) ? slideEditor(post) : "");
}

/** One status vocabulary, from approval: its own decision, then the publisher's word on it.
 * @param {Post} post */
function statusLine(post) {
  const progress = post.progress;
  /** @type {(HTMLElement | string)[]} */
  const line = [];
  const state = progress ? progress.state : null;
  if (post.status === "approved" && progress && state === "waiting") {
    const until = when(progress.due_at);
    line.push(el("span", { class: "status status-waiting" }, "Waiting"),
      ` ${progress.reason}${until ? `; next try ${until}` : ""}`);
  } else if (post.status === "approved" && !progress && post.publish_after
      && new Date(post.publish_after) > new Date()) {  // the time the person chose
    line.push(el("span", { class: "status status-waiting" }, "Scheduled"),
      ` for ${when(post.publish_after)} (your time)`);
  } else if (post.status === "approved" && (state === "uploading" || state === "processing")) {
    line.push(el("span", { class: "status" }, PROGRESS_NAMES[state]));
  } else {
    line.push(status(post.status));
  }
  if (post.fail_reason) line.push(el("span", { class: "error" }, ` ${post.fail_reason}`));
  if (post.tiktok_url) {
    line.push(" · ", el("a", { href: post.tiktok_url, target: "_blank", rel: "noopener" },
      "View on TikTok"));
  }
  if (progress && state === "flagged") {
    line.push(el("p", { class: "flag", role: "note" }, `Needs a look: ${progress.reason}`));
  }
  if (post.status === "approved" && post.stuck) {  // approved, and nothing heard for too long
    line.push(el("p", { class: "flag", role: "note" },
      `Stuck since ${when(post.stuck.since)}: ${post.stuck.reason}`));
  }
  return line;
}

/** @param {Post} post */
function origin(post) {
  const kind = post.media_type === "VIDEO" ? "Video" : "Photos";
  const examples = post.style_examples || [];
  // provenance: the account's best titles the model was shown (with the account's opt-in)
  const styled = examples.length ? ` · written with ${examples.length} of this account's `
    + `best titles as style examples: ${examples.map((e) => `“${e.title}”`).join(", ")}` : "";
  if (post.origin !== "uploaded") return `AI-generated · ${post.language}${styled}`;
  return `${kind} uploaded by you${post.ai_generated ? " · made with AI" : ""}`;
}

/** The slide editor is for a generated carousel awaiting approval. @param {Post} post */
function editable(post) {
  return post.status === "awaiting_approval" && post.origin !== "uploaded";
}

/** Edit the slide on screen: its words, a new picture, the cover, its place. @param {Post} post */
function slideEditor(post) {
  const slides = post.slides || [];
  const at = current(post);
  const slide = slides[at];
  const problem = el("p", { class: "error", role: "alert" });
  const words = el("textarea", { id: `words-${post.post_id}`, rows: 3, maxlength: 200, dir: "auto",
    oninput: () => { view.editing = true; }, onblur: () => { view.editing = false; } });
  words.value = slide.text;
  /**
   * @param {string} path @param {"PUT" | "POST"} method @param {object} change
   * @param {() => void} [done]
   */
  const change = async (path, method, change, done) => {
    problem.textContent = "";
    try {
      const updated = await approval.editSlides(post.post_id, path, method,
        /** @type {any} */ ({ ...change, revision: post.revision ?? 0 }));
      view.editing = false;
      if (done) done();
      const card = document.querySelector(`article[data-post="${post.post_id}"]`);
      const redrawn = postCard(updated);
      const kept = card?.querySelector(".fed-back");  // an edit of the slides leaves it as it was
      if (kept) redrawn.querySelector(".note")?.after(kept);
      card?.replaceWith(redrawn);
    } catch (error) { problem.textContent = String(/** @type {Error} */ (error).message); }
  };
  /** @param {number} by */
  const move = (by) => {
    const order = slides.map((_, i) => i);
    const to = at + by;
    if (to < 0 || to >= order.length) return;
    [order[at], order[to]] = [order[to], order[at]];
    change("/order", "PUT", { order }, () => shown.set(post.post_id, to));
  };
  return el("div", { class: "slide-editor" },
    el("h4", {}, `Slide ${at + 1}`),
    el("label", { for: words.id }, "Words on this slide"), words,
    el("div", { class: "row" },
      el("button", { onclick: () => change(`/slides/${at}/text`, "PUT", { text: words.value }) },
        "Save words"),
      el("button", { class: "secondary", onclick: () => change(`/slides/${at}/redraw`, "POST", {}) },
        "New picture")),
    el("div", { class: "row" },
      el("button", { class: "secondary", disabled: (post.cover_index ?? 0) === at,
        onclick: () => change("/cover", "PUT", { position: at }) }, "Make this the cover"),
      el("button", { class: "secondary", disabled: at === 0, onclick: () => move(-1) },
        "Move left"),
      el("button", { class: "secondary", disabled: at === slides.length - 1,
        onclick: () => move(1) }, "Move right")),
    problem);
}
