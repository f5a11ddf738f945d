// @ts-check
// API: the person's personal API tokens (made, named, given an expiry and revoked here, in the
// browser only), and where other systems and agents reach Gatepost with one. A token never
// approves: every post still waits for a person in the queue.
import { auth } from "./api.js";
import { el, flash, newest, patch, refresh, view, when } from "./dom.js";

/** @typedef {import("./api.js").ApiToken} ApiToken */

const SCOPES = {
  "topics:write": "Add and import topics, follow their generation",
  "posts:read": "Read posts in the queue",
  "posts:edit": "Edit posts awaiting approval (words, pictures, order, cover, title, caption)",
  "insights:read": "Read accounts' budgets, numbers and suggested slots",
  "webhooks:manage": "Register webhooks",
};
const LIFETIMES = [["7", "7 days"], ["30", "30 days"], ["90", "90 days"], ["365", "a year"]];

/** @param {HTMLElement} main */
export async function showApiTokens(main) {
  const rows = el("tbody");
  const table = el("table", { class: "api-tokens" },
    el("caption", { class: "note" }, "Your tokens, newest first"),
    el("thead", {}, el("tr", {}, el("th", {}, "Name"), el("th", {}, "Scopes"),
      el("th", {}, "Expires"), el("th", {}, "Last used"), el("th", {}, "State"),
      el("th", {}, el("span", { class: "visually-hidden" }, "Revoke")))),
    rows);
  const shown = el("div", { id: "new-token", role: "status" });
  const origin = location.origin;
  main.replaceChildren(el("h1", {}, "API"),
    el("p", {}, "Other systems and AI agents can add topics, follow them and edit posts with a "
      + "personal API token. They cannot approve: each post still waits for a person here."),
    el("dl", { class: "api-where" },
      el("dt", {}, "REST"), el("dd", {}, el("code", {}, `${origin}/api/v1/`)),
      el("dt", {}, "MCP (Streamable HTTP)"), el("dd", {}, el("code", {}, `${origin}/api/v1/mcp`)),
      el("dt", {}, "Send the token as"), el("dd", {}, el("code", {}, "Authorization: Bearer …"))),
    newTokenForm(shown), shown, el("h2", {}, "Tokens"), table);
  view.refresh = newest(() => auth.apiTokens(), (tokens) => patch(rows, tokens.length
    ? tokens.map(tokenRow)
    : [el("tr", {}, el("td", { colspan: 6 }, "No token yet."))]));
  await refresh();
}

/** @param {HTMLElement} shown */
function newTokenForm(shown) {
  const form = el("form", { class: "card", id: "new-token-form" },
    el("h2", {}, "New token"),
    el("label", {}, "Name", el("input", { name: "name", type: "text", required: true,
      maxlength: 80, placeholder: "e.g. research agent" })),
    el("fieldset", {}, el("legend", {}, "What it may do"),
      Object.entries(SCOPES).map(([scope, says]) => el("label", { class: "check" },
        el("input", { type: "checkbox", name: "scopes", value: scope }),
        el("span", {}, el("code", {}, scope), " ", el("span", { class: "says" }, says))))),
    el("label", {}, "Expires after", el("select", { name: "days" },
      LIFETIMES.map(([days, says]) => el("option", { value: days, selected: days === "30" }, says)))),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Create token")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const scopes = /** @type {ApiToken["scopes"]} */ (data.getAll("scopes").map(String));
    if (!scopes.length) return flash("Choose at least one thing the token may do.", "error");
    try {
      const made = await auth.makeApiToken({ name: String(data.get("name")), scopes,
        days: Number(data.get("days")) });
      form.reset();
      shown.replaceChildren(el("div", { class: "card token-once" },
        el("p", {}, el("strong", {}, `“${made.name}” is ready. `),
          "Copy it now: Gatepost keeps only its hash and will not show it again."),
        el("label", {}, "Token", el("input", { type: "text", readonly: true, value: made.token,
          class: "token", onfocus: (/** @type {FocusEvent} */ e) =>
            /** @type {HTMLInputElement} */ (e.target).select() }))));
      await refresh();
    } catch (error) {
      flash(/** @type {Error} */ (error).message, "error");
    }
  });
  return form;
}

/** @param {ApiToken} t */
function state(t) {
  if (t.revoked_at) return `revoked ${when(t.revoked_at)}`;
  if (new Date(t.expires_at) <= new Date()) return "expired";
  return "active";
}

/** @param {ApiToken} t */
function tokenRow(t) {
  const live = state(t) === "active";
  return el("tr", { "data-token": t.token_id, "data-key": t.token_id,
    "data-version": JSON.stringify(t) },
  el("td", {}, t.name),
  el("td", {}, t.scopes.map((s) => el("code", { class: "scope" }, s))),
  el("td", {}, when(t.expires_at)),
  el("td", {}, t.last_used_at ? when(t.last_used_at) : "never"),
  el("td", { class: live ? "" : "note" }, state(t)),
  el("td", {}, live ? el("button", { class: "secondary", "aria-label": `Revoke ${t.name}`,
    onclick: async () => {
      if (!confirm(`Revoke “${t.name}”? Whatever uses it is refused from now on.`)) return;
      await auth.revokeApiToken(t.token_id);
      flash(`“${t.name}” is revoked.`);
      await refresh();
    } }, "Revoke") : ""));
}
