// @ts-check
// Accounts: each TikTok account's connection health, what it can still publish, its slide style,
// and whether what worked is fed back; the person's password and sign-ins.
import { auth, publisher } from "./api.js";
import { el, flash, newest, patch, refresh, view, when } from "./dom.js";
import { headroomSentence } from "./headroom.js";

/** @typedef {import("./api.js").Account} Account */
/** @typedef {import("./api.js").Budget} Budget */

/** @param {HTMLElement} main */
export async function showAccounts(main) {
  const list = el("div", { class: "accounts" });
  const app = el("section", { class: "card app-headroom", "aria-labelledby": "app-headroom-title" });
  main.replaceChildren(el("h1", {}, "Accounts"),
    el("p", {}, el("a", { class: "button", href: auth.connectUrl }, "Connect a TikTok account")),
    app, list, passwordForm(), everywhere());
  publisher.appHeadroom().then((h) => app.replaceChildren(
    el("h2", { id: "app-headroom-title" }, "This TikTok app today"),
    el("p", { class: "headroom", role: "status" }, headroomSentence(h),
      !h.creators_left && h.next_creator_place_at
        ? ` A new creator's post waits until ${when(h.next_creator_place_at)}.` : "")),
  () => app.remove());
  /** @type {Map<string, Budget | null>} account → what it can still publish, asked once a visit */
  const budgets = new Map();
  view.refresh = newest(async () => {
    const accounts = await auth.accounts();
    for (const a of accounts.filter((a) => !budgets.has(a.account_id))) {
      budgets.set(a.account_id, await publisher.budget(a.account_id).catch(() => null));
    }
    return accounts;
  }, (accounts) => patch(list, accounts.length
    ? accounts.map((a) => accountCard(a, budgets.get(a.account_id) ?? null))
    : [el("p", {}, "No TikTok account connected yet.")]));
  await refresh();
}

/** Changing the password (the current one is asked for): every other browser and device is
 * signed out, this one goes on with a new session. */
function passwordForm() {
  const problem = el("p", { class: "error", role: "alert" });
  const done = el("p", { class: "note", role: "status" });
  /** @param {string} name @param {string} label @param {string} autocomplete @param {string} [note] */
  const field = (name, label, autocomplete, note) => [el("label", { for: name }, label,
    el("input", { type: "password", id: name, name, autocomplete, required: true,
      minlength: autocomplete === "new-password" ? 8 : null, maxlength: 256,
      "aria-describedby": note ? `${name}-note` : null })),
  note ? el("p", { class: "note", id: `${name}-note` }, note) : ""];
  const form = el("form", { class: "password-form", onsubmit: async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    problem.textContent = done.textContent = "";
    const data = new FormData(form);
    const current = String(data.get("current-password")), chosen = String(data.get("new-password"));
    if (chosen !== String(data.get("repeat-password"))) {
      problem.textContent = "The new password and its repetition differ: type them again.";
      return;
    }
    try {
      await auth.changePassword({ current_password: current, new_password: chosen });
      form.reset();
      done.textContent = "Password changed. Every other browser and device was signed out; "
        + "this one stays signed in.";
    } catch (error) { problem.textContent = /** @type {Error} */ (error).message; }
  } },
  field("current-password", "Current password", "current-password"),
  field("new-password", "New password", "new-password", "At least 8 characters."),
  field("repeat-password", "New password again", "new-password"),
  el("button", { type: "submit", class: "secondary" }, "Change password"), problem, done);
  return el("section", { class: "card password", "aria-labelledby": "password-title" },
    el("h2", { id: "password-title" }, "Your password"),
    el("p", {}, "Changing it signs out every other browser and device at once."), form);
}

/** Signing out of every browser and device at once (a lost phone, a shared computer). */
function everywhere() {
  return el("section", { class: "card", "aria-labelledby": "sessions-title" },
    el("h2", { id: "sessions-title" }, "Your sign-ins"),
    el("p", {}, "Signed in somewhere you no longer trust? End every session of yours, this one "
      + "included; each browser must sign in again."),
    el("button", { type: "button", class: "secondary", onclick: async () => {
      if (!confirm("Sign out of every browser and device?")) return;
      await auth.signOutEverywhere();
      location.hash = "";
      location.reload();
    } }, "Sign out everywhere"));
}

/** @param {Account} a @param {Budget | null} budget */
function accountCard(a, budget) {
  return el("div", { class: "card account", "data-account": a.account_id, "data-key": a.account_id,
    "data-version": JSON.stringify([a, budget]) },
  el("img", { src: a.avatar_url, alt: "", width: 48, height: 48,
    onerror: (/** @type {Event} */ e) => { /** @type {HTMLImageElement} */ (e.target).removeAttribute("src"); } }),
  el("div", {}, el("strong", {}, a.display_name), health(a), accountBudget(budget)),
  learning(a),
  styleForm(a),
  el("button", { class: "secondary", onclick: async () => {
    if (!confirm(`Disconnect ${a.display_name}? Gatepost will revoke its access.`)) return;
    await auth.disconnect(a.account_id);
    await refresh();
  } }, "Disconnect"));
}

/** The connection's health: working (and since when), struggling, or ended (and why).
 * @param {Account} a */
function health(a) {
  if (a.status === "needs_reauth") {
    return el("p", { class: "error health" }, "Needs reconnecting: ",
      a.reauth_reason || "TikTok ended this connection.", " ",
      el("a", { href: auth.connectUrl }, "Reconnect"));
  }
  const failures = a.refresh_failures || 0;
  if (failures) {
    return el("p", { class: "warning health" }, `TikTok could not be reached to renew the access `
      + `(${failures} ${failures > 1 ? "tries" : "try"}); next try ${when(a.next_refresh_at)}. `
      + "Posts wait meanwhile.");
  }
  return el("p", { class: "note health" }, "Connected",
    a.tokens_at ? ` · access renewed ${when(a.tokens_at)}` : "",
    a.access_expires_at ? `; next renewal before ${when(a.access_expires_at)}` : "",
    a.refresh_expires_at
      ? ` · reconnect by ${new Date(a.refresh_expires_at).toLocaleDateString()}` : "");
}

/** "What worked, fed back" (off until the person switches it on): the library and the queue
 * say how this account's earlier similar posts did, and new posts take its best titles as
 * style examples. @param {Account} a */
function learning(a) {
  const id = `learning-${a.account_id}`;
  const problem = el("p", { class: "error", role: "alert" });
  const box = el("input", { type: "checkbox", id, checked: a.learn_from_posts,
    "aria-describedby": `${id}-note`, onchange: async () => {
      problem.textContent = "";
      try {
        await auth.setLearning(a.account_id, box.checked);
        flash(box.checked ? "What worked is fed back for this account."
          : "What worked is no longer fed back for this account.");
        await refresh();
      } catch (error) {
        box.checked = !box.checked;
        problem.textContent = /** @type {Error} */ (error).message;
      }
    } });
  return el("div", { class: "learning" },
    el("label", { for: id }, box, " What worked, fed back"),
    el("p", { class: "note", id: `${id}-note` }, "The library and the queue show how this "
      + "account's earlier posts in the same language and with the same kind of hook did, and "
      + "new posts take its best-viewed titles as style examples (each post says which)."),
    problem);
}

/** @param {Budget | null} budget */
function accountBudget(budget) {
  if (!budget) return "";
  return el("p", { class: "note budget" }, `${budget.posts_left} of ${budget.daily_cap} posts left `
    + `in 24 hours (TikTok allows ${budget.init_per_minute} a minute) · ${budget.drafts_left} of `
    + `${budget.inbox_cap} inbox drafts left in 24 hours`);
}

/** The account's slide style ("brand kit"): applied to slides composed from now on.
 * @param {Account} account */
function styleForm(account) {
  const style = account.style;
  /** @param {string} name */
  const id = (name) => `${name}-${account.account_id}`;
  const problem = el("p", { class: "error", role: "alert" });
  /** @param {string} name @param {string} label @param {HTMLElement} input */
  const field = (name, label, input) => el("label", { for: id(name) }, label, input);
  /** @param {"family" | "position" | "format"} name @param {string[][]} options */
  const select = (name, options) => {
    const box = el("select", { id: id(name), name },
      options.map(([value, text]) => el("option", { value }, text)));
    box.value = style[name] ?? options[0][0];
    return box;
  };
  /** @param {"text_colour" | "box_colour"} name */
  const colour = (name) => el("input", { type: "color", id: id(name), name, value: style[name] });
  const form = el("form", { class: "style-form", onsubmit: async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    problem.textContent = "";
    const data = new FormData(/** @type {HTMLFormElement} */ (event.target));
    try {
      await auth.setStyle(account.account_id, {
        family: /** @type {any} */ (data.get("family")),
        position: /** @type {any} */ (data.get("position")),
        format: /** @type {any} */ (data.get("format")),
        text_colour: String(data.get("text_colour")).toUpperCase(),
        box_colour: String(data.get("box_colour")).toUpperCase() });
      flash("Slide style saved: new slides use it.");
    } catch (error) { problem.textContent = /** @type {Error} */ (error).message; }
  } },
  field("family", "Font ", select("family", [["Noto Sans", "Noto Sans"], ["Noto Serif", "Noto Serif"]])),
  field("position", "Words sit ", select("position", [["top", "at the top"],
    ["center", "in the middle"], ["bottom", "at the bottom"]])),
  // the shape new slides are drawn in: TikTok shows a photo across a 9:16 phone's width
  field("format", "Slide shape ", select("format", [["1080x1080", "Square, 1080 × 1080"],
    ["1080x1350", "Portrait, 1080 × 1350"], ["1080x1920", "Full screen, 1080 × 1920"]])),
  field("text_colour", "Text colour ", colour("text_colour")),
  field("box_colour", "Box colour ", colour("box_colour")),
  el("button", { type: "submit", class: "secondary" }, "Save slide style"), problem);
  // while it is open, the page does not refresh under the person's hands
  return el("details", { class: "style",
    ontoggle: (/** @type {Event} */ event) => {
      view.editing = /** @type {HTMLDetailsElement} */ (event.target).open;
    } },
  el("summary", {}, "Slide style"), form);
}
