// @ts-check
// Gatepost's web UI: ES modules over the services' APIs behind the gateway. Signing in, the
// pages, and what runs on every page (the posting dialog, the keyboard, refreshing).
import { auth } from "./api.js";
import { showAccounts } from "./accounts.js";
import { showApiTokens } from "./api-tokens.js";
import { byId, el, flash, view } from "./dom.js";
import { showHome } from "./home.js";
import { showAccount, showPost } from "./insights.js";
import { showLibrary } from "./library.js";
import { timeTyped } from "./posting-time.js";
import { submitPosting, updatePosting } from "./posting.js";
import { showPublications } from "./publications.js";
import { queueKeys, showQueue } from "./queue.js";
import { showWebhooks } from "./webhooks.js";

/** @type {Record<string, (main: HTMLElement, params: URLSearchParams) => Promise<void>>} */
const VIEWS = { home: showHome, library: showLibrary, queue: showQueue, accounts: showAccounts,
  publications: showPublications, post: showPost, account: showAccount, api: showApiTokens,
  webhooks: showWebhooks };
/** the pages under another's link in the menu: a post's and an account's numbers */
const UNDER = { post: "publications", account: "publications" };

async function showSignIn() {
  byId("nav", HTMLElement).hidden = true;
  const main = byId("main", HTMLElement);
  main.replaceChildren(byId("signin-view", HTMLTemplateElement).content.cloneNode(true));
  main.querySelector("form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
    const submitter = /** @type {HTMLButtonElement | null} */ (event.submitter);
    const mode = submitter?.value === "signup" ? "signup" : "signin";
    try {
      const answer = await auth.enter(mode, {
        email: String(form.get("email")), password: String(form.get("password")) });
      if ("detail" in answer) {  // signing up: the link that finishes it comes by e-mail
        flash(answer.detail);
        if (answer.mailbox) {  // a local run: its mail is a page
          byId("flash", HTMLElement).append(" ",
            el("a", { href: answer.mailbox, target: "_blank" }, "Open the local mailbox"));
        }
        return;
      }
      flash("Signed in.");
      location.hash = "#home";
      await route();
    } catch (error) {
      flash(/** @type {Error} */ (error).message, "error");
    }
  });
}

/** @param {string} token */
async function confirmSignUp(token) {
  history.replaceState(null, "", location.pathname);  // a link works once: forget it
  try {
    await auth.confirm(token);
    flash("Welcome to Gatepost. Connect a TikTok account to start.");
    location.hash = "#accounts";
  } catch (error) {
    flash(/** @type {Error} */ (error).message, "error");
  }
}

async function route() {
  view.refresh = null;
  view.editing = false;
  if (location.hash.startsWith("#confirm=")) {
    await confirmSignUp(location.hash.slice("#confirm=".length));
  }
  let me;
  try { me = await auth.me(); } catch { return showSignIn(); }
  byId("nav", HTMLElement).hidden = false;
  const [name, query] = (location.hash.slice(1) || "home").split("?");
  const menu = /** @type {Record<string, string>} */ (UNDER)[name] || name;
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#${menu}`);
  }
  const main = byId("main", HTMLElement);
  main.dataset.user = me.email;
  try {
    await (VIEWS[name] || showHome)(main, new URLSearchParams(query || ""));
  } catch (error) {
    flash(/** @type {Error} */ (error).message, "error");
  }
}

function start() {
  window.addEventListener("hashchange", () => { flash(""); route(); });  // a message is the page's
  document.addEventListener("keydown", queueKeys);
  byId("signout", HTMLButtonElement).addEventListener("click", async () => {
    await auth.signOut();
    location.hash = "";
    await route();
  });
  const form = byId("approve-form", HTMLFormElement);
  form.addEventListener("change", updatePosting);
  form.addEventListener("submit", submitPosting);
  byId("publish-after", HTMLInputElement).addEventListener("input", timeTyped);
  byId("approve-cancel", HTMLButtonElement).addEventListener("click",
    () => byId("approve-dialog", HTMLDialogElement).close());
  setInterval(() => {
    if (view.refresh && !document.hidden && !view.editing) view.refresh().catch(() => {});
  }, 2000);
  route();
}

start();  // a module runs after the document is parsed
