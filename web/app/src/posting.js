// @ts-check
// The posting page ("Post to TikTok"), in the order of TikTok's content sharing guidelines: who
// posts, the preview, where it goes, the words (editable), who can view it, interactions,
// disclosure, when, the declaration, and the button.
import { approval, auth, publisher } from "./api.js";
import { byId, el, flash, refresh, when } from "./dom.js";
import { zone } from "./figures.js";
import { headroomSentence } from "./headroom.js";
import { forgetSlot, publishAfter, suggestSlot } from "./posting-time.js";
import { current, phone, turnTo } from "./preview.js";

/** @typedef {import("./api.js").Post} Post */
/** @typedef {import("./api.js").Budget} Budget */
/** @typedef {import("./api.js").ApprovalChoices} ApprovalChoices */

const MUSIC = "https://www.tiktok.com/legal/page/global/music-usage-confirmation/en";
const BRANDED = "https://www.tiktok.com/legal/page/global/bc-policy/en";
const PRIVACY_NAMES = {
  PUBLIC_TO_EVERYONE: "Everyone",
  MUTUAL_FOLLOW_FRIENDS: "Friends",
  FOLLOWER_OF_CREATOR: "Followers",
  SELF_ONLY: "Only me",
};

/** the post the page is about, and what its account can still publish (the publisher's count) */
const page = {
  /** @type {Post | null} */ post: null,
  /** @type {Budget | null} */ budget: null,
  /** @type {import("./api.js").CreatorInfo | null} */ creator: null,
  asked: 0,  // the latest question to approval: an answer to an older one is dropped
};

/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
const box = (id) => byId(id, HTMLElement);
const dialog = () => byId("approve-dialog", HTMLDialogElement);
const inboxChosen = () => {
  const mode = document.querySelector("input[name=post_mode]:checked");
  return mode instanceof HTMLInputElement && mode.value === "MEDIA_UPLOAD";
};

/** @param {Post} post */
export async function openPosting(post) {
  byId("approve-form", HTMLFormElement).reset();
  const privacy = byId("privacy", HTMLSelectElement);
  privacy.replaceChildren(el("option", { value: "", disabled: true, selected: true },
    "Choose who can view this post"));
  box("approve-error").textContent = "";
  box("disclosure-options").hidden = true;
  const postingAs = box("posting-as");
  const cannot = box("cannot-post");
  postingAs.textContent = "Loading the account's current TikTok settings…";
  dialog().dataset.post = post.post_id;
  page.post = post;
  page.creator = null;  // until this account's creator_info is here, nothing can be posted
  // what will be posted, as TikTok will show it, and its words, editable (guidelines 5a, 2a)
  const preview = box("approve-preview");
  const video = post.media_type === "VIDEO";
  /** @param {number} position */
  const go = (position) => {
    turnTo(post, position);
    preview.replaceChildren(phone(post, go));
  };
  go(current(post));
  box("video-interactions").hidden = !video;
  box("cover-wrap").hidden = !video;
  box("music-wrap").hidden = video;
  box("hashtags-wrap").hidden = post.origin === "uploaded";
  const duration = box("duration-note");
  duration.hidden = true;
  input("post-title").value = post.title;
  byId("post-caption", HTMLTextAreaElement).value = post.caption;
  input("post-hashtags").value = post.hashtags.join(" ");
  // publishing a failed (or withdrawn) post again sends what was approved: its words stay
  const again = post.status === "failed" || post.status === "withdrawn";
  input("post-title").readOnly = again;
  byId("post-caption", HTMLTextAreaElement).readOnly = again;
  input("post-hashtags").readOnly = again;
  box("sandbox-note").hidden = true;
  // the person's own clock: the time is sent as UTC
  box("time-zone").textContent = `In your time zone (${zone()}); Gatepost keeps it in UTC.`;
  forgetSlot();
  dialog().showModal();
  let info;
  try {
    info = await auth.creatorInfo(post.account_id);
  } catch (error) {
    postingAs.textContent = "";
    cannot.textContent = /** @type {Error} */ (error).message;
    cannot.hidden = false;
    return;
  }
  postingAs.replaceChildren("Posting as ", el("strong", {}, info.creator_nickname),
    ` (@${info.creator_username})`);
  cannot.hidden = !info.posting_blocked;
  cannot.textContent = info.posting_blocked
    ? "TikTok says this account cannot post more right now. Please try again later." : "";
  const levels = info.privacy_level_options || [];
  for (const level of levels) {
    privacy.append(el("option", { value: level }, PRIVACY_NAMES[level] || level));
  }
  // An app TikTok has not audited yet may only post privately: say so once, plainly.
  const sandbox = box("sandbox-note");
  sandbox.hidden = !(levels.length === 1 && levels[0] === "SELF_ONLY");
  sandbox.textContent = "TikTok has not audited this Gatepost app yet, so TikTok accepts only "
    + "private posts: this one can be seen only by the account (\u201cOnly me\u201d), and the "
    + "account itself must be private. Once TikTok audits the app, every option appears here.";
  if (video && post.video) {  // the creator's own limit, asked just now (guidelines 1c)
    const seconds = Math.round(post.video.duration_s);
    duration.hidden = false;
    duration.textContent = `This video is ${seconds} s long (this account can post up to `
      + `${info.max_video_post_duration_sec ?? 0} s).`;
  }
  page.creator = info;
  page.budget = null;
  updatePosting();
  try {  // what the account can still publish: a post over it waits, and the page says until when
    page.budget = await publisher.budget(post.account_id);
  } catch { page.budget = null; }
  updatePosting();
  if (page.post === post) await suggestSlot(post.account_id, page.budget);
}

/** After every change the person makes: the page's layout for where the post goes, then the
 * posting rules for these choices, asked of approval (the rules live there, in one place). */
export async function updatePosting() {
  const inbox = inboxChosen();
  // a draft takes only its title and caption: the creator makes every other choice in TikTok
  box("direct-only").hidden = inbox;
  box("inbox-hint").hidden = !inbox;
  box("processing-note").hidden = inbox;
  box("budget-note").replaceChildren(budgetLine(inbox));
  byId("privacy", HTMLSelectElement).required = !inbox;  // a hidden required field blocks sending
  const disclosure = input("disclosure").checked;
  box("disclosure-options").hidden = !disclosure;
  if (!disclosure) { input("your-brand").checked = false; input("branded-content").checked = false; }
  const submit = byId("approve-submit", HTMLButtonElement);
  const again = page.post && (page.post.status === "failed" || page.post.status === "withdrawn");
  submit.textContent = inbox ? "Approve and send to inbox"
    : again ? "Publish again" : "Approve and publish";
  const post = page.post;
  if (!post || !page.creator) { submit.disabled = true; return; }
  const asked = ++page.asked;
  let rules;
  try {
    rules = await approval.postingPage({
      choices: choices(post), creator: page.creator, media_type: post.media_type ?? "PHOTO",
      video_duration_s: post.video ? post.video.duration_s : null,
      ai_generated: post.ai_generated,
    });
  } catch (error) {
    if (asked !== page.asked) return;
    submit.disabled = true;
    box("approve-error").textContent = /** @type {Error} */ (error).message;
    return;
  }
  if (asked === page.asked) show(rules, post);
}

/** What the rules allow, on the page. @param {import("./api.js").PostingPage} rules
 * @param {Post} post */
function show(rules, post) {
  const privacy = byId("privacy", HTMLSelectElement);
  const onlyMe = [...privacy.options].find((o) => o.value === "SELF_ONLY");
  if (onlyMe) {  // branded content cannot be private: whichever side would conflict is disabled
    onlyMe.disabled = !rules.private_offered;
    onlyMe.title = rules.private_offered ? "" : rules.exclusion || "";
  }
  const branded = input("branded-content");
  branded.disabled = !rules.branded_offered;
  if (branded.parentElement) {
    branded.parentElement.title = branded.disabled ? rules.exclusion || "" : "";
  }
  // what the creator turned off on TikTok is greyed out (guidelines 2c, 3c)
  input("allow-comment").disabled = !rules.comment_offered;
  box("comment-off").hidden = rules.comment_offered;
  input("allow-duet").disabled = !rules.duet_offered;
  input("allow-stitch").disabled = !rules.stitch_offered;
  const off = [["Duet", rules.duet_offered], ["Stitch", rules.stitch_offered]]
    .filter(([, offered]) => !offered).map(([name]) => name);
  const offNote = box("interactions-off");
  offNote.hidden = !off.length;
  offNote.textContent = `${off.join(" and ")} ${off.length > 1 ? "are" : "is"} turned off for `
    + "this account on TikTok.";
  const note = box("label-note");
  note.hidden = !rules.label;
  note.textContent = `Your ${post.media_type === "VIDEO" ? "video" : "photo"} will be labeled as `
    + `'${rules.label}'.`;
  const declaration = box("declaration");
  declaration.hidden = !rules.agreements.length;
  const links = rules.agreements.map((agreement) => agreement === "branded_content_policy"
    ? el("a", { href: BRANDED, target: "_blank" }, "Branded Content Policy")
    : el("a", { href: MUSIC, target: "_blank" }, "Music Usage Confirmation"));
  declaration.replaceChildren("By posting, you agree to TikTok's ",
    ...links.flatMap((link, i) => (i ? [" and ", link] : [link])), ".");
  byId("approve-submit", HTMLButtonElement).disabled = !rules.can_post;
  box("publish-wrap").title = rules.problem || "";
}

/** @param {boolean} inbox */
function budgetLine(inbox) {
  const budget = page.budget;
  if (!budget) return "";
  /** @param {string | null | undefined} at */
  const until = (at) => when(at) || "soon";
  if (inbox) {
    return budget.drafts_left
      ? `${budget.drafts_left} of ${budget.inbox_cap} inbox drafts left in 24 hours.`
      : `TikTok allows ${budget.inbox_cap} drafts in 24 hours: this one will wait until `
        + `${until(budget.next_draft_place_at)}.`;
  }
  const account = budget.posts_left
    ? `${budget.posts_left} of ${budget.daily_cap} posts left in 24 hours on this account; `
      + `TikTok allows ${budget.init_per_minute} a minute.`
    : `No posts left on this account (${budget.daily_cap} in any 24 hours): this one will wait `
      + `until ${until(budget.next_post_place_at)}.`;
  return `${account} ${appLine(budget)}`;
}

/** TikTok's app-wide cap of creators within 24 hours, as it bears on this account's post.
 * @param {import("./api.js").Budget} budget */
function appLine(budget) {
  const app = budget.app;
  if (budget.creator_counted) {
    return `This account has posted in the last 24 hours, so TikTok's cap of ${app.creator_cap} `
      + "creators a day for this app does not hold it back.";
  }
  return app.creators_left
    ? `${headroomSentence(app)}`
    : `${headroomSentence(app)} This post will wait until `
      + `${when(app.next_creator_place_at) || "soon"}.`;
}

/** What the person chose, as approval takes it. @param {Post} post @returns {ApprovalChoices} */
function choices(post) {
  const publish_after = publishAfter();
  if (inboxChosen()) return { post_mode: "MEDIA_UPLOAD", publish_after };
  const checked = (/** @type {string} */ id) => input(id).checked;
  const privacy = /** @type {ApprovalChoices["privacy_level"]} */ (
    byId("privacy", HTMLSelectElement).value || null);
  return {
    post_mode: "DIRECT_POST",
    privacy_level: privacy,
    allow_comment: checked("allow-comment"),
    disclosure: checked("disclosure"),
    your_brand: checked("your-brand"),
    branded_content: checked("branded-content"),
    music_usage_consent: true,  // the declaration above the button: posting is consenting
    publish_after,
    ...(post.media_type === "VIDEO" ? {
      allow_duet: checked("allow-duet"),
      allow_stitch: checked("allow-stitch"),
      video_cover_timestamp_ms: Math.round(1000 * Number(input("cover-s").value)),
    } : { auto_add_music: checked("auto-music") }),
  };
}

/** @param {SubmitEvent} event */
export async function submitPosting(event) {
  event.preventDefault();
  const post = page.post;
  if (!post) return;
  const chosen = choices(post);
  const tags = input("post-hashtags").value.split(/\s+/).filter(Boolean);
  /** @type {import("./api.js").PostEdit} */
  const changed = {};
  const title = input("post-title").value.trim();
  const caption = byId("post-caption", HTMLTextAreaElement).value;
  // only what the person changed is sent (an uploaded post has no hashtags to keep to 3–5)
  if (title !== post.title) changed.title = title;
  if (caption !== post.caption) changed.caption = caption;
  if (tags.join(" ") !== (post.hashtags || []).join(" ")) changed.hashtags = tags;
  try {
    if (post.status === "failed" || post.status === "withdrawn") {  // a new attempt
      await approval.publishAgain(post.post_id, { ...chosen, revision: post.revision ?? 0 });
      dialog().close();
      flash("Publishing again. It may take a few minutes to appear on the TikTok profile.");
      await refresh();
      return;
    }
    let revision = post.revision ?? 0;
    if (Object.keys(changed).length) {
      // the person's own words first (the cover is set again under a new title)
      const edited = await approval.edit(post.post_id, { ...changed, revision });
      revision = edited.revision ?? revision;
    }
    // approve exactly what the person saw
    await approval.approve(post.post_id, { ...chosen, revision });
    dialog().close();
    flash(chosen.post_mode === "MEDIA_UPLOAD"
      ? "Approved. TikTok will notify the creator to finish the draft in the TikTok app."
      : "Approved. It may take a few minutes to appear on the TikTok profile.");
    await refresh();
  } catch (error) {
    box("approve-error").textContent = /** @type {Error} */ (error).message;
  }
}
