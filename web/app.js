// Gatepost's web UI: plain JavaScript over the services' APIs behind the gateway.
"use strict";

const MUSIC = "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en";
const BRANDED = "https://www.tiktok.com/legal/page/global/bc-policy/en";
const PRIVACY_NAMES = {
  PUBLIC_TO_EVERYONE: "Everyone",
  MUTUAL_FOLLOW_FRIENDS: "Friends",
  FOLLOWER_OF_CREATOR: "Followers",
  SELF_ONLY: "Only me",
};
const STATUS_NAMES = {
  awaiting_approval: "Awaiting approval", approved: "Approved, publishing…",
  published: "Published", failed: "Failed", in_inbox: "In the creator's TikTok inbox",
  unknown: "Unknown: check TikTok", rejected: "Rejected",
  PUBLISH_COMPLETE: "Published", SEND_TO_USER_INBOX: "In TikTok inbox", FAILED: "Failed",
  UNKNOWN: "Unknown: check TikTok", queued: "Waiting", initiating: "Sending to TikTok",
  processing: "TikTok is processing", generating: "Generating", generated: "Generated",
};

const PROGRESS_NAMES = {
  uploading: "Uploading the video to TikTok…", processing: "TikTok is processing it…",
};

let refresh = null;  // the current view's refresher, polled so statuses update without reloading
let lastImport = null;  // the bulk import whose progress the library shows
const TOPICS_PER_PAGE = 25;
const POSTS_PER_PAGE = 10;

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.split("=")[1]) : "";
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.json !== undefined) headers["Content-Type"] = "application/json";
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = cookie("gatepost_csrf");
  const response = await fetch(path, {
    method: options.method || "GET", headers, credentials: "same-origin",
    body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
  });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw Object.assign(new Error(problem(body, response.status)), { status: response.status });
  }
  return body;
}

// What a refused request says: the service's reason, or each invalid field's.
function problem(body, status) {
  const detail = body && body.detail;
  return Array.isArray(detail) ? detail.map((d) => `${d.loc.at(-1)}: ${d.msg}`).join("; ")
    : detail || `HTTP ${status}`;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  }
  return node;
}

function flash(message, kind = "info") {
  const box = document.getElementById("flash");
  box.textContent = message;
  box.className = kind;
}

function status(value) {
  return el("span", { class: `status status-${value}` }, STATUS_NAMES[value] || value);
}

// ---------------------------------------------------------------- views

async function showSignIn() {
  document.getElementById("nav").hidden = true;
  const main = document.getElementById("main");
  main.replaceChildren(document.getElementById("signin-view").content.cloneNode(true));
  main.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const mode = event.submitter.value;
    try {
      const answer = await api(`/api/auth/${mode}`, { method: "POST", json: {
        email: form.get("email"), password: form.get("password") } });
      if (mode === "signup") {  // the link that finishes signing up comes by e-mail
        flash(answer.detail);
        if (answer.mailbox) {  // a local run: its mail is a page
          document.getElementById("flash").append(" ",
            el("a", { href: answer.mailbox, target: "_blank" }, "Open the local mailbox"));
        }
        return;
      }
      flash("Signed in.");
      location.hash = "#accounts";
      await route();
    } catch (error) {
      flash(error.message, "error");
    }
  });
}

async function showLibrary(main) {
  const accounts = await api("/api/auth/accounts");
  const options = accounts.map((a) => el("option", { value: a.account_id }, a.display_name));
  const single = el("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      await api("/api/generator/topics", { method: "POST", json: {
        text: form.get("text"), account_id: form.get("account_id") } });
      event.target.reset();
      flash("Topic added: generating its carousel.");
      await refresh();
    } catch (error) { flash(error.message, "error"); }
  } },
  el("h2", {}, "Add a topic"),
  el("label", {}, "TikTok account ", el("select", { name: "account_id", required: true }, options)),
  el("label", {}, "Topic ", el("textarea", { name: "text", rows: 2, maxlength: 2000, required: true,
    placeholder: "How to brew better coffee at home" })),
  el("button", { type: "submit", disabled: accounts.length ? null : true }, "Add topic"),
  accounts.length ? "" : el("p", { class: "note" }, "Connect a TikTok account first."));

  const report = el("div", { id: "import-report" });
  const bulk = el("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const upload = new FormData();
    upload.append("file", form.get("file"));
    try {
      const result = await api(`/api/generator/topics/bulk?account_id=${form.get("account_id")}`,
        { method: "POST", body: upload });
      if (result.import_id) lastImport = result.import_id;
      report.replaceChildren(el("p", {}, `${result.accepted} accepted, ${result.rejected} rejected`),
        el("table", {}, el("tr", {}, el("th", {}, "Row"), el("th", {}, "Result")),
          result.rows.map((r) => el("tr", {}, el("td", {}, r.row),
            el("td", {}, r.accepted ? "Accepted" : `Rejected: ${r.error}`)))));
      await refresh();
    } catch (error) { flash(error.message, "error"); }
  } },
  el("h2", {}, "Bulk import"),
  el("p", { class: "note" }, "A CSV file with a header row: text (and optionally account_id)."),
  el("label", {}, "Default account ", el("select", { name: "account_id" },
    accounts.map((a) => el("option", { value: a.account_id }, a.display_name)))),
  el("label", {}, "CSV file ", el("input", { type: "file", name: "file", accept: ".csv,text/csv",
    required: true })),
  el("button", { type: "submit" }, "Import"), report);

  const list = el("table", { class: "topics" });
  const progress = el("div", { id: "import-progress" });
  const pages = pager("topics", TOPICS_PER_PAGE, "Library pages");
  main.replaceChildren(el("h1", {}, "Library"),
    el("div", { class: "grid" }, single, bulk, ownMedia(accounts)),
    progress, el("h2", {}, "Topics"), list, pages.controls);
  refresh = async () => {
    if (lastImport) {
      const p = await api(`/api/generator/imports/${lastImport}`);
      const failed = p.counts.failed ? `, ${p.counts.failed} failed` : "";
      progress.replaceChildren(el("label", {}, `Bulk import: ${p.counts.generated} of ${p.total} `
        + `generated${failed}`, el("progress", { max: p.total, value: p.finished })));
    }
    const topics = pages.shown(await api(`/api/generator/topics?${pages.query()}`));
    list.replaceChildren(el("tr", {}, el("th", {}, "Topic"), el("th", {}, "Language"),
      el("th", {}, "Status"), el("th", {}, "Cost")),
    ...topics.map((t) => el("tr", { "data-topic": t.topic_id }, el("td", {}, t.text),
      el("td", {}, t.language || ""),
      el("td", {}, status(t.status), t.stage && t.status === "generating" ? ` (${t.stage})` : "",
        t.reason ? el("div", { class: "error" }, t.reason) : "",
        t.status === "failed" ? el("button", { class: "secondary", onclick: async () => {
          await api(`/api/generator/topics/${t.topic_id}/retry`, { method: "POST" });
          await refresh();
        } }, "Retry") : ""),
      el("td", { class: "cost" }, t.usage.images || t.usage.text_tokens
        ? `${t.usage.text_tokens} text tokens, ${t.usage.images} images` : ""))));
  };
  await refresh();
}

// A person's own video or photos, into the queue like any generated post.
function ownMedia(accounts) {
  const bar = el("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
  const result = el("p", { role: "status" });
  const form = el("form", { class: "card", id: "own-media", onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    if (!data.get("video_url")) data.delete("video_url");
    if (!data.get("ai_generated")) data.delete("ai_generated");
    for (const file of [...data.getAll("files")]) {  // an empty file input sends one nameless
      if (!file.name) data.delete("files");
    }
    result.textContent = "";
    result.className = "";
    bar.hidden = false;
    bar.value = 0;
    upload(data, (sent) => { bar.value = sent; }).then((post) => {
      event.target.reset();
      bar.hidden = true;
      result.textContent = `“${post.title}” is in the queue, awaiting approval.`;
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
    accounts.map((a) => el("option", { value: a.account_id }, a.display_name)))),
  el("label", {}, "Title ", el("input", { name: "title", maxlength: 90, required: true })),
  el("label", {}, "Caption ", el("textarea", { name: "caption", rows: 2, maxlength: 2200 })),
  el("label", {}, "Files ", el("input", { type: "file", name: "files", multiple: true,
    accept: "video/mp4,video/quicktime,video/webm,image/jpeg,image/png,image/webp" })),
  el("label", {}, "or a video's address ", el("input", { type: "url", name: "video_url",
    placeholder: "https://example.com/clip.mp4" })),
  el("label", {}, el("input", { type: "checkbox", name: "ai_generated", value: "true" }),
    " Made with AI (TikTok labels the video as AI-generated)"),
  el("button", { type: "submit", disabled: accounts.length ? null : true }, "Add to the queue"),
  bar, result);
  return form;
}

// A multipart upload with progress (fetch cannot report an upload's progress).
function upload(data, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/approval/uploads");
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

// Lists are pages, newest first: everything stays reachable after a bulk import. One more item
// than a page is asked for, to know whether there is an older page.
function pager(noun, size, name) {
  let offset = 0;
  const label = el("span", { class: "note", role: "status" });
  const newer = el("button", { class: "secondary", onclick: () => move(-size) }, "Newer");
  const older = el("button", { class: "secondary", onclick: () => move(size) }, "Older");
  const move = async (by) => { offset = Math.max(0, offset + by); await refresh(); };
  return {
    controls: el("div", { class: "row pager", role: "navigation", "aria-label": name }, newer,
      label, older),
    query: () => `limit=${size + 1}&offset=${offset}`,
    first: () => { offset = 0; },
    shown(items) {
      const page = items.slice(0, size);
      newer.disabled = offset === 0 ? true : null;
      older.disabled = items.length > size ? null : true;
      label.textContent = page.length
        ? `${noun} ${offset + 1}–${offset + page.length}` : `no ${noun} here`;
      return page;
    },
  };
}

async function showQueue(main) {
  const list = el("div", { class: "queue" });
  const pages = pager("posts", POSTS_PER_PAGE, "Queue pages");
  const accounts = await api("/api/auth/accounts");
  const filters = queueFilters(accounts, () => { pages.first(); refresh(); });
  main.replaceChildren(el("h1", {}, "Queue"), filters.form, list, pages.controls);
  refresh = async () => {
    const query = `${pages.query()}&${filters.query()}`;
    const posts = pages.shown(await api(`/api/approval/posts?${query}`));
    list.replaceChildren(...(posts.length ? posts.map(postCard)
      : [el("p", {}, filtersOn() ? "No post matches these filters."
        : "Nothing in the queue yet: add a topic in the Library.")]));
  };
  await refresh();
}

// The queue by keyboard: j / k (or arrows down / up) move between posts, Enter or a opens the
// posting page of the post in focus, Escape closes it. Typing in a field is left alone.
function queueKeys(event) {
  const typing = event.target.closest && event.target.closest("input, textarea, select");
  const dialog = document.getElementById("approve-dialog");
  if (typing || dialog.open || event.ctrlKey || event.metaKey || event.altKey) return;
  const cards = [...document.querySelectorAll("article.post")];
  if (!cards.length) return;
  const focused = document.activeElement;
  const at = cards.indexOf(focused && focused.closest && focused.closest("article.post"));
  const go = (to) => {
    const card = cards[Math.max(0, Math.min(cards.length - 1, to))];
    card.focus();
    card.scrollIntoView({ block: "nearest" });
    event.preventDefault();
  };
  if (event.key === "j" || event.key === "ArrowDown") go(at + 1);
  else if (event.key === "k" || event.key === "ArrowUp") go(at < 0 ? 0 : at - 1);
  else if ((event.key === "Enter" || event.key === "a") && at >= 0
      && event.target === cards[at]) {
    const open = cards[at].querySelector("button.open-approve");
    if (open) { open.click(); event.preventDefault(); }
  }
}

function filtersOn() {
  return ["filter-account", "filter-status", "filter-words"]
    .some((id) => document.getElementById(id)?.value);
}

// Which posts the queue shows: one account, one status, words in the title or caption.
function queueFilters(accounts, changed) {
  let typing = null;
  const account = el("select", { id: "filter-account", onchange: changed },
    el("option", { value: "" }, "All accounts"),
    accounts.map((a) => el("option", { value: a.account_id }, a.display_name)));
  const state = el("select", { id: "filter-status", onchange: changed },
    el("option", { value: "" }, "Every status"),
    ["awaiting_approval", "approved", "published", "in_inbox", "failed", "unknown", "rejected"]
      .map((value) => el("option", { value }, STATUS_NAMES[value])));
  const words = el("input", { id: "filter-words", type: "search", maxlength: 100,
    placeholder: "Title or caption", oninput: () => {
      clearTimeout(typing);
      typing = setTimeout(changed, 300);  // one request when the person pauses
    } });
  return {
    form: el("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      el("label", {}, "Account ", account),  // each label stays with its control when wrapping
      el("label", {}, "Status ", state),
      el("label", {}, "Search ", words)),
    query: () => new URLSearchParams(Object.entries({
      account_id: account.value, status: state.value, q: words.value.trim(),
    }).filter(([, v]) => v)).toString(),
  };
}

const shown = new Map();  // post id → the slide the preview shows, kept across refreshes
let editing = false;  // a person is typing in a slide editor: the queue waits to refresh
let approving = null;  // the post the "Post to TikTok" dialog is about
let budget = null;  // what the dialog's account can still publish (the publisher's count)

function postCard(post) {
  const waiting = post.status === "awaiting_approval";
  return el("article", { class: "post", "data-post": post.post_id, tabindex: 0,
    "aria-label": `${post.title}: ${STATUS_NAMES[post.status] || post.status}` },
    waiting ? el("div", { class: "banner", role: "note" }, "Awaiting approval")
      : el("div", { class: "post-status" }, ...statusLine(post)),
    el("div", { class: "post-body" }, phone(post), editable(post) ? slideEditor(post) : ""),
    el("h3", {}, post.title),
    el("p", { class: "note" }, origin(post)),
    waiting ? el("div", { class: "row" },
      el("button", { class: "open-approve", onclick: () => openApprove(post) },
        "Approve and publish"),
      el("button", { class: "secondary", onclick: async () => {
        await api(`/api/approval/posts/${post.post_id}/reject`, { method: "POST" });
        await refresh();
      } }, "Reject"))
    : post.status === "failed" ? el("div", { class: "row" },
      el("p", { class: "note" }, post.retryable
        ? "TikTok had a passing problem: you can publish this post again."
        : "Fix what the reason says (or choose differently), then publish it again."),
      el("button", { class: "open-approve", onclick: () => openApprove(post) },
        "Publish again")) : "");
}

// One status vocabulary, from approval: its own decision, then the publisher's word on it.
function statusLine(post) {
  const progress = post.progress || {};
  const line = [];
  if (post.status === "approved" && progress.state === "waiting") {
    const until = progress.due_at ? new Date(progress.due_at).toLocaleString() : "";
    line.push(el("span", { class: "status status-waiting" }, "Waiting"),
      ` ${progress.reason}${until ? `; next try ${until}` : ""}`);
  } else if (post.status === "approved" && PROGRESS_NAMES[progress.state]) {
    line.push(el("span", { class: "status" }, PROGRESS_NAMES[progress.state]));
  } else {
    line.push(status(post.status));
  }
  if (post.fail_reason) line.push(el("span", { class: "error" }, ` ${post.fail_reason}`));
  if (post.tiktok_url) {
    line.push(" · ", el("a", { href: post.tiktok_url, target: "_blank", rel: "noopener" },
      "View on TikTok"));
  }
  if (progress.state === "flagged") {
    line.push(el("p", { class: "flag", role: "note" }, `Needs a look: ${progress.reason}`));
  }
  return line;
}

function origin(post) {
  const kind = post.media_type === "VIDEO" ? "Video" : "Photos";
  if (post.origin !== "uploaded") return `AI-generated · ${post.language}`;
  return `${kind} uploaded by you${post.ai_generated ? " · made with AI" : ""}`;
}

function editable(post) {  // the slide editor: words, pictures and order of a generated carousel
  return post.status === "awaiting_approval" && post.origin !== "uploaded";
}

function current(post) {
  return Math.min(shown.get(post.post_id) ?? 0, (post.slides || [0]).length - 1);
}

function show(post, position) {
  shown.set(post.post_id, (position + post.slides.length) % post.slides.length);
  const card = document.querySelector(`article[data-post="${post.post_id}"]`);
  card.querySelector(".post-body").replaceChildren(phone(post),
    editable(post) ? slideEditor(post) : "");
}

// The carousel as TikTok shows it: one slide at a time on a phone, caption and hashtags under it.
function phone(post, go = (position) => show(post, position)) {
  if (post.media_type === "VIDEO") return videoPhone(post);
  const at = current(post);
  const slide = post.slides[at];
  const cover = (post.cover_index ?? 0) === at;
  return el("div", { class: "phone", role: "group", "aria-label": `Preview of ${post.title}` },
    el("div", { class: "screen" },
      el("img", { src: slide.image_url, alt: `Slide ${at + 1} of ${post.slides.length}: ${slide.text}` }),
      cover ? el("span", { class: "cover-badge" }, "Cover") : "",
      el("button", { class: "nav prev", "aria-label": "Previous slide",
        onclick: () => go(at - 1) }, "‹"),
      el("button", { class: "nav next", "aria-label": "Next slide",
        onclick: () => go(at + 1) }, "›"),
      el("p", { class: "counter" }, `${at + 1} / ${post.slides.length}`)),
    el("div", { class: "under" },
      el("p", { class: "caption" }, post.caption),
      el("p", { class: "hashtags" }, post.hashtags.join(" "))));
}

function videoPhone(post) {
  const video = post.video;
  return el("div", { class: "phone", role: "group", "aria-label": `Preview of ${post.title}` },
    el("div", { class: "screen video" },
      el("video", { src: video.url, poster: video.poster_url, controls: true, preload: "none",
        playsinline: true, "aria-label": `${post.title}, ${Math.round(video.duration_s)} s` }),
      el("p", { class: "counter" }, `${Math.round(video.duration_s)} s`)),
    el("div", { class: "under" },
      el("p", { class: "caption" }, post.caption),
      el("p", { class: "hashtags" }, (post.hashtags || []).join(" "))));
}

// Edit the slide on screen: its words, a new picture, the cover, its place.
function slideEditor(post) {
  const at = current(post);
  const slide = post.slides[at];
  const problem = el("p", { class: "error", role: "alert" });
  const words = el("textarea", { id: `words-${post.post_id}`, rows: 3, maxlength: 200,
    oninput: () => { editing = true; }, onblur: () => { editing = false; } });
  words.value = slide.text;
  const change = async (path, method, body, done) => {
    problem.textContent = "";
    try {
      const updated = await api(`/api/approval/posts/${post.post_id}${path}`,
        { method, json: { ...body, revision: post.revision ?? 0 } });
      editing = false;
      if (done) done(updated);
      const card = document.querySelector(`article[data-post="${post.post_id}"]`);
      card.replaceWith(postCard(updated));
    } catch (error) { problem.textContent = error.message; }
  };
  const move = (by) => {
    const order = post.slides.map((_, i) => i);
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
      el("button", { class: "secondary",
        onclick: () => change(`/slides/${at}/redraw`, "POST", {}) }, "New picture")),
    el("div", { class: "row" },
      el("button", { class: "secondary", disabled: (post.cover_index ?? 0) === at ? true : null,
        onclick: () => change("/cover", "PUT", { position: at }) }, "Make this the cover"),
      el("button", { class: "secondary", disabled: at === 0 ? true : null,
        onclick: () => move(-1) }, "Move left"),
      el("button", { class: "secondary", disabled: at === post.slides.length - 1 ? true : null,
        onclick: () => move(1) }, "Move right")),
    problem);
}

// ------------------------------------------------------------ approve dialog (UX rules)

async function openApprove(post) {
  const dialog = document.getElementById("approve-dialog");
  const form = document.getElementById("approve-form");
  form.reset();
  const privacy = document.getElementById("privacy");
  privacy.replaceChildren(el("option", { value: "", disabled: true, selected: true },
    "Choose who can view this post"));
  document.getElementById("approve-error").textContent = "";
  document.getElementById("disclosure-options").hidden = true;
  const postingAs = document.getElementById("posting-as");
  const cannot = document.getElementById("cannot-post");
  postingAs.textContent = "Loading the account's current TikTok settings…";
  dialog.dataset.post = post.post_id;
  approving = post;
  // what will be posted, as TikTok will show it, and its words, editable (guidelines 5a, 2a)
  const preview = document.getElementById("approve-preview");
  const video = post.media_type === "VIDEO";
  const go = (position) => {
    if (!video) shown.set(post.post_id, (position + post.slides.length) % post.slides.length);
    preview.replaceChildren(phone(post, go));
  };
  go(current(post));
  document.getElementById("video-interactions").hidden = !video;
  document.getElementById("cover-wrap").hidden = !video;
  document.getElementById("music-wrap").hidden = video;
  document.getElementById("hashtags-wrap").hidden = post.origin === "uploaded";
  const duration = document.getElementById("duration-note");
  duration.hidden = true;
  dialog.dataset.tooLong = "";
  document.getElementById("post-title").value = post.title;
  document.getElementById("post-caption").value = post.caption;
  document.getElementById("post-hashtags").value = post.hashtags.join(" ");
  // publishing a failed post again sends what was approved: its words are not edited any more
  const again = post.status === "failed";
  for (const id of ["post-title", "post-caption", "post-hashtags"]) {
    document.getElementById(id).readOnly = again;
  }
  document.getElementById("sandbox-note").hidden = true;
  // the person's own clock: the time is sent as UTC
  document.getElementById("time-zone").textContent = "In your time zone ("
    + `${Intl.DateTimeFormat().resolvedOptions().timeZone}); Gatepost keeps it in UTC.`;
  dialog.showModal();
  let info;
  try {
    info = await api(`/api/auth/accounts/${post.account_id}/creator-info`);
  } catch (error) {
    postingAs.textContent = "";
    cannot.textContent = error.message;
    cannot.hidden = false;
    return;
  }
  postingAs.replaceChildren("Posting as ", el("strong", {}, info.creator_nickname),
    ` (@${info.creator_username})`);
  cannot.hidden = !info.posting_blocked;
  cannot.textContent = info.posting_blocked
    ? "TikTok says this account cannot post more right now. Please try again later." : "";
  for (const level of info.privacy_level_options) {
    privacy.append(el("option", { value: level }, PRIVACY_NAMES[level] || level));
  }
  // An app TikTok has not audited yet may only post privately: say so once, plainly.
  const sandbox = document.getElementById("sandbox-note");
  sandbox.hidden = !(info.privacy_level_options.length === 1
    && info.privacy_level_options[0] === "SELF_ONLY");
  sandbox.textContent = "TikTok has not audited this Gatepost app yet, so TikTok accepts only "
    + "private posts: this one can be seen only by the account (\u201cOnly me\u201d), and the "
    + "account itself must be private. Once TikTok audits the app, every option appears here.";
  const comment = document.getElementById("allow-comment");
  comment.disabled = info.comment_disabled;
  document.getElementById("comment-off").hidden = !info.comment_disabled;
  // Duet and Stitch: greyed out where the creator turned them off (guidelines 3c)
  const off = [];
  for (const [id, flag, name] of [["allow-duet", "duet_disabled", "Duet"],
    ["allow-stitch", "stitch_disabled", "Stitch"]]) {
    document.getElementById(id).disabled = info[flag];
    if (info[flag]) off.push(name);
  }
  const offNote = document.getElementById("interactions-off");
  offNote.hidden = !off.length;
  offNote.textContent = `${off.join(" and ")} ${off.length > 1 ? "are" : "is"} turned off for `
    + "this account on TikTok.";
  if (video) {  // the creator's own limit, asked just now (guidelines 1c)
    const seconds = Math.round(post.video.duration_s);
    const longest = info.max_video_post_duration_sec;
    const tooLong = post.video.duration_s > longest;
    duration.hidden = false;
    duration.className = tooLong ? "error" : "note";
    duration.textContent = tooLong
      ? `This video is ${seconds} s long; this account can post videos of up to ${longest} s.`
      : `This video is ${seconds} s long (this account can post up to ${longest} s).`;
    dialog.dataset.tooLong = tooLong ? "yes" : "";
  }
  dialog.dataset.blocked = info.posting_blocked ? "yes" : "";
  budget = null;
  updateApprove();
  try {  // what the account can still publish: a post over it waits, and the page says until when
    budget = await api(`/api/publisher/accounts/${post.account_id}/budget`);
  } catch { budget = null; }
  updateApprove();
}

function updateApprove() {
  const dialog = document.getElementById("approve-dialog");
  const inbox = document.querySelector("input[name=post_mode]:checked").value === "MEDIA_UPLOAD";
  // a draft takes only its title and caption: the creator makes every other choice in TikTok
  document.getElementById("direct-only").hidden = inbox;
  document.getElementById("inbox-hint").hidden = !inbox;
  document.getElementById("declaration").hidden = inbox;
  document.getElementById("processing-note").hidden = inbox;
  document.getElementById("budget-note").replaceChildren(budgetLine(inbox));
  const privacy = document.getElementById("privacy");
  privacy.required = !inbox;  // a hidden required field would stop the form being sent
  const disclosure = document.getElementById("disclosure").checked;
  const yours = document.getElementById("your-brand");
  const branded = document.getElementById("branded-content");
  document.getElementById("disclosure-options").hidden = !disclosure;
  if (!disclosure) { yours.checked = false; branded.checked = false; }
  // Branded content cannot be private: disable whichever of the two would conflict.
  const onlyMe = [...privacy.options].find((o) => o.value === "SELF_ONLY");
  if (onlyMe) {
    onlyMe.disabled = branded.checked;
    onlyMe.title = branded.checked ? "Branded content visibility cannot be set to private." : "";
  }
  branded.disabled = privacy.value === "SELF_ONLY";
  branded.parentElement.title = branded.disabled
    ? "Branded content visibility cannot be set to private." : "";
  const note = document.getElementById("label-note");
  note.hidden = !(yours.checked || branded.checked);
  const thing = approving && approving.media_type === "VIDEO" ? "video" : "photo";
  note.textContent = branded.checked ? `Your ${thing} will be labeled as 'Paid partnership'.`
    : `Your ${thing} will be labeled as 'Promotional content'.`;
  const declaration = document.getElementById("declaration");
  declaration.replaceChildren(...(branded.checked
    ? ["By posting, you agree to TikTok's ", el("a", { href: BRANDED, target: "_blank" },
      "Branded Content Policy"), " and ", el("a", { href: MUSIC, target: "_blank" },
      "Music Usage Confirmation"), "."]
    : ["By posting, you agree to TikTok's ", el("a", { href: MUSIC, target: "_blank" },
      "Music Usage Confirmation"), "."]));
  const needsKind = !inbox && disclosure && !yours.checked && !branded.checked;
  const submit = document.getElementById("approve-submit");
  submit.disabled = (!inbox && !privacy.value) || needsKind || dialog.dataset.blocked === "yes"
    || dialog.dataset.tooLong === "yes";
  const again = approving && approving.status === "failed";
  submit.textContent = inbox ? "Approve and send to inbox"
    : again ? "Publish again" : "Approve and publish";
  document.getElementById("publish-wrap").title = needsKind
    ? "You need to indicate if your content promotes yourself, a third party, or both." : "";
}

function budgetLine(inbox) {
  if (!budget) return "";
  const when = (at) => new Date(at).toLocaleString();
  if (inbox) {
    return budget.drafts_left
      ? `${budget.drafts_left} of ${budget.inbox_cap} inbox drafts left in 24 hours.`
      : `TikTok allows ${budget.inbox_cap} drafts in 24 hours: this one will wait until `
        + `${when(budget.next_draft_place_at)}.`;
  }
  return budget.posts_left
    ? `${budget.posts_left} of ${budget.daily_cap} posts left today on this account; TikTok `
      + `allows ${budget.init_per_minute} a minute.`
    : `No posts left today on this account (${budget.daily_cap} a day): this one will wait `
      + `until ${when(budget.day_ends_at)}.`;
}

async function submitApprove(event) {
  event.preventDefault();
  const dialog = document.getElementById("approve-dialog");
  const after = document.getElementById("publish-after").value;
  const post = approving;
  const mode = document.querySelector("input[name=post_mode]:checked").value;
  const checked = (id) => document.getElementById(id).checked;
  const choices = mode === "MEDIA_UPLOAD" ? { post_mode: mode } : {
    post_mode: mode,
    privacy_level: document.getElementById("privacy").value,
    allow_comment: checked("allow-comment"),
    disclosure: checked("disclosure"),
    your_brand: checked("your-brand"),
    branded_content: checked("branded-content"),
    music_usage_consent: true,  // the declaration above the button: posting is consenting
    ...(post.media_type === "VIDEO" ? {
      allow_duet: checked("allow-duet"),
      allow_stitch: checked("allow-stitch"),
      video_cover_timestamp_ms: Math.round(1000 * Number(document.getElementById("cover-s").value)),
    } : { auto_add_music: checked("auto-music") }),
  };
  choices.publish_after = after ? new Date(after).toISOString() : null;
  const tags = document.getElementById("post-hashtags").value.split(/\s+/).filter(Boolean);
  const words = {
    title: document.getElementById("post-title").value.trim(),
    caption: document.getElementById("post-caption").value,
  };
  // only what the person changed is sent (an uploaded post has no hashtags to keep to 3–5)
  const changed = Object.fromEntries(Object.entries(words).filter(([k, v]) => v !== post[k]));
  if (tags.join(" ") !== (post.hashtags || []).join(" ")) changed.hashtags = tags;
  try {
    if (post.status === "failed") {  // a new attempt of what was approved before
      await api(`/api/approval/posts/${post.post_id}/publish-again`,
        { method: "POST", json: { ...choices, revision: post.revision ?? 0 } });
      dialog.close();
      flash("Publishing again. It may take a few minutes to appear on the TikTok profile.");
      await refresh();
      return;
    }
    let revision = post.revision ?? 0;
    if (Object.keys(changed).length) {
      // the person's own words first (the cover is set again under a new title)
      const edited = await api(`/api/approval/posts/${post.post_id}`,
        { method: "PATCH", json: { ...changed, revision } });
      revision = edited.revision;
    }
    choices.revision = revision;  // approve exactly what the person saw
    await api(`/api/approval/posts/${post.post_id}/approve`, { method: "POST", json: choices });
    dialog.close();
    flash(mode === "MEDIA_UPLOAD"
      ? "Approved. TikTok will notify the creator to finish the draft in the TikTok app."
      : "Approved. It may take a few minutes to appear on the TikTok profile.");
    await refresh();
  } catch (error) {
    document.getElementById("approve-error").textContent = error.message;
  }
}

// ------------------------------------------------------------------ accounts, publications

// The account's slide style ("brand kit"): applied to slides composed from now on.
function styleForm(account) {
  const style = account.style;
  const id = (name) => `${name}-${account.account_id}`;
  const problem = el("p", { class: "error", role: "alert" });
  const field = (name, label, input) => el("label", { for: id(name) }, label, input);
  const select = (name, options) => {
    const box = el("select", { id: id(name), name },
      options.map(([value, text]) => el("option", { value }, text)));
    box.value = style[name];
    return box;
  };
  const colour = (name) => el("input", { type: "color", id: id(name), name, value: style[name] });
  const form = el("form", { class: "style-form", onsubmit: async (event) => {
    event.preventDefault();
    problem.textContent = "";
    const data = new FormData(event.target);
    try {
      await api(`/api/auth/accounts/${account.account_id}/style`, { method: "PUT", json: {
        family: data.get("family"), position: data.get("position"),
        text_colour: data.get("text_colour").toUpperCase(),
        box_colour: data.get("box_colour").toUpperCase() } });
      flash("Slide style saved: new slides use it.");
    } catch (error) { problem.textContent = error.message; }
  } },
  field("family", "Font ", select("family", [["Noto Sans", "Noto Sans"], ["Noto Serif", "Noto Serif"]])),
  field("position", "Words sit ", select("position", [["top", "at the top"], ["center", "in the middle"],
    ["bottom", "at the bottom"]])),
  field("text_colour", "Text colour ", colour("text_colour")),
  field("box_colour", "Box colour ", colour("box_colour")),
  el("button", { type: "submit", class: "secondary" }, "Save slide style"), problem);
  // while it is open, the page does not refresh under the person's hands
  return el("details", { class: "style", ontoggle: (event) => { editing = event.target.open; } },
    el("summary", {}, "Slide style"), form);
}

async function showAccounts(main) {
  const list = el("div", { class: "accounts" });
  main.replaceChildren(el("h1", {}, "Accounts"),
    el("p", {}, el("a", { class: "button", href: "/api/auth/tiktok/connect" },
      "Connect a TikTok account")), list);
  const budgets = new Map();  // account → what it can still publish, asked once per visit
  refresh = async () => {
    const accounts = await api("/api/auth/accounts");
    for (const a of accounts.filter((a) => !budgets.has(a.account_id))) {
      budgets.set(a.account_id, await api(`/api/publisher/accounts/${a.account_id}/budget`)
        .catch(() => null));
    }
    list.replaceChildren(...(accounts.length ? accounts.map((a) => el("div",
      { class: "card account", "data-account": a.account_id },
      el("img", { src: a.avatar_url, alt: "", width: 48, height: 48 }),
      el("div", {}, el("strong", {}, a.display_name),
        a.status === "needs_reauth" ? el("p", { class: "error" },
          a.reauth_reason || "TikTok ended this connection.", " ",
          el("a", { href: "/api/auth/tiktok/connect" }, "Reconnect"))
          : el("p", { class: "note" }, "Connected", a.refresh_expires_at
            ? ` until ${new Date(a.refresh_expires_at).toLocaleDateString()} (then reconnect)`
            : ""),
        accountBudget(budgets.get(a.account_id))),
      styleForm(a),
      el("button", { class: "secondary", onclick: async () => {
        if (!confirm(`Disconnect ${a.display_name}? Gatepost will revoke its access.`)) return;
        await api(`/api/auth/accounts/${a.account_id}`, { method: "DELETE" });
        await refresh();
      } }, "Disconnect"))) : [el("p", {}, "No TikTok account connected yet.")]));
  };
  await refresh();
}

function accountBudget(budget) {
  if (!budget) return "";
  return el("p", { class: "note budget" }, `Today: ${budget.posts_left} of ${budget.daily_cap} `
    + `posts left (TikTok allows ${budget.init_per_minute} a minute) · ${budget.drafts_left} of `
    + `${budget.inbox_cap} inbox drafts left in 24 hours`);
}

async function showPublications(main) {
  const list = el("table", { class: "publications" });
  const audit = el("div", { id: "audit" });
  main.replaceChildren(el("h1", {}, "Publications"), list, audit);
  refresh = async () => {
    const jobs = await api("/api/publisher/publications");
    list.replaceChildren(el("tr", {}, el("th", {}, "Post"), el("th", {}, "Status"),
      el("th", {}, "Details"), el("th", {}, "")),
    ...jobs.map((j) => el("tr", { "data-post": j.post_id }, el("td", {}, j.title || j.post_id),
      el("td", {}, status(j.status)),
      el("td", {}, j.fail_reason || j.deferred_reason || (j.post_ids.length
        ? `TikTok post ${j.post_ids.join(", ")}` : "")),
      el("td", {}, el("button", { class: "secondary", onclick: () => showAudit(audit, j.account_id) },
        "Audit log")))));
  };
  await refresh();
}

async function showAudit(box, accountId) {
  const entries = await api(`/api/publisher/accounts/${accountId}/audit`);
  box.replaceChildren(el("h2", {}, "Audit log"), el("table", {},
    el("tr", {}, el("th", {}, "#"), el("th", {}, "When"), el("th", {}, "What"), el("th", {}, "Details")),
    entries.map((e) => el("tr", {}, el("td", {}, e.seq), el("td", {}, e.at), el("td", {}, e.kind),
      el("td", {}, Object.entries(e.detail).map(([k, v]) => `${k}=${v}`).join(" "))))));
}

// ------------------------------------------------------------------------- routing

const VIEWS = { library: showLibrary, queue: showQueue, accounts: showAccounts,
  publications: showPublications };

async function confirmSignUp(token) {
  history.replaceState(null, "", location.pathname);  // a link works once: forget it
  try {
    await api("/api/auth/signup/confirm", { method: "POST", json: { token } });
    flash("Welcome to Gatepost. Connect a TikTok account to start.");
    location.hash = "#accounts";
  } catch (error) {
    flash(error.message, "error");
  }
}

async function route() {
  refresh = null;
  if (location.hash.startsWith("#confirm=")) {
    await confirmSignUp(location.hash.slice("#confirm=".length));
  }
  let me;
  try { me = await api("/api/auth/me"); } catch { return showSignIn(); }
  document.getElementById("nav").hidden = false;
  const name = location.hash.slice(1) || "queue";
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#${name}`);
  }
  const main = document.getElementById("main");
  main.dataset.user = me.email;
  try {
    await (VIEWS[name] || showQueue)(main);
  } catch (error) {
    flash(error.message, "error");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  window.addEventListener("hashchange", () => { flash(""); route(); });  // a message is the page's
  document.addEventListener("keydown", queueKeys);
  document.getElementById("signout").addEventListener("click", async () => {
    await api("/api/auth/signout", { method: "POST" });
    location.hash = "";
    await route();
  });
  const form = document.getElementById("approve-form");
  form.addEventListener("change", updateApprove);
  form.addEventListener("submit", submitApprove);
  document.getElementById("approve-cancel").addEventListener("click",
    () => document.getElementById("approve-dialog").close());
  setInterval(() => {
    if (refresh && !document.hidden && !editing) refresh().catch(() => {});
  }, 2000);
  route();
});
