// @ts-check
// Webhooks: a person's endpoints, the events each hears, and its newest deliveries with their
// last attempts (docs/webhooks.md).
import { auth, webhooks } from "./api.js";
import { el, flash, newest, patch, refresh, view, when } from "./dom.js";

/** @typedef {import("./api.js").WebhookEndpoint} Endpoint */
/** @typedef {import("./api.js").WebhookDelivery} Delivery */

/** The events a person may choose, as the service names them, in the words of the page. */
export const EVENTS = /** @type {const} */ ([
  ["post.awaiting_approval", "A post awaits approval"],
  ["post.approved", "A post was approved"],
  ["post.published", "A post was published (with its link)"],
  ["post.failed", "A post failed (with the reason)"],
  ["post.measured", "A live post's numbers were read again"],
]);

const STATES = { pending: "retrying", delivered: "delivered", gave_up: "given up" };

/** @param {HTMLElement} main */
export async function showWebhooks(main) {
  const list = el("div", { class: "webhooks" });
  const secret = el("div", { id: "webhook-secret", role: "status" });
  main.replaceChildren(el("h1", {}, "Webhooks"),
    el("p", { class: "note" }, "Gatepost calls these URLs when something happens to your posts, "
      + "signed with each endpoint's secret. Only https URLs on public addresses are accepted."),
    await reviewMail(), registerForm(secret), secret, el("h2", {}, "Your endpoints"), list);
  view.refresh = newest(() => webhooks.list(), (endpoints) => patch(list, endpoints.length
    ? endpoints.map(endpointCard)
    : [el("p", { "data-key": "none" }, "No endpoint yet.")]));
  await refresh();
}

/** The person's choice: a mail (at most one an hour) when posts await their approval. */
async function reviewMail() {
  const chosen = await auth.notifications();
  const box = el("input", { type: "checkbox", checked: chosen.review_mail });
  box.addEventListener("change", async () => {
    try {
      await auth.setNotifications({ review_mail: box.checked });
      flash(box.checked ? "You will be e-mailed when posts await your approval."
        : "No more e-mails about posts awaiting approval.");
    } catch (error) {
      box.checked = !box.checked;
      flash(/** @type {Error} */ (error).message, "error");
    }
  });
  return el("div", { class: "card review-mail" }, el("label", {}, box,
    " E-mail me when posts await my approval (at most one mail an hour)"));
}

/** @param {HTMLElement} secret where the new endpoint's secret is shown, once */
function registerForm(secret) {
  const problem = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "card webhook-form", "aria-labelledby": "webhook-form-title" },
    el("h2", { id: "webhook-form-title" }, "Add an endpoint"),
    el("label", {}, "URL ", el("input", { name: "url", type: "url", required: true,
      placeholder: "https://example.com/gatepost", maxlength: 2000 })),
    el("label", {}, "Description ", el("input", { name: "description", maxlength: 200 })),
    el("fieldset", {}, el("legend", {}, "Events"),
      EVENTS.map(([value, label]) => el("label", {},
        el("input", { type: "checkbox", name: "events", value, checked: true }), ` ${label}`))),
    problem,
    el("button", { type: "submit" }, "Add endpoint"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const events = /** @type {Endpoint["events"]} */ (data.getAll("events").map(String));
    problem.textContent = "";
    try {
      const made = await webhooks.register({ url: String(data.get("url")), events,
        description: String(data.get("description") || "") });
      form.reset();
      secret.replaceChildren(el("p", { class: "card" }, "Endpoint added. Its secret, shown only "
        + "now: ", el("code", {}, made.secret)));
      flash("Endpoint added.");
      await refresh();
    } catch (error) {
      problem.textContent = /** @type {Error} */ (error).message;
    }
  });
  return form;
}

/** @param {Endpoint} e */
function endpointCard(e) {
  const names = new Map(EVENTS.map(([value, label]) => [value, label]));
  return el("section", { class: "card endpoint", "data-key": e.id,
    "data-version": JSON.stringify(e), "aria-label": `Endpoint ${e.url}` },
  el("h3", {}, el("code", {}, e.url)),
  e.description ? el("p", {}, e.description) : "",
  el("p", { class: "note" }, "Hears: ", e.events.map((v) => names.get(v) || v).join(", ")),
  el("h4", { id: `deliveries-${e.id}` }, "Newest deliveries"),
  e.deliveries.length ? deliveries(e.deliveries, `deliveries-${e.id}`)
    : el("p", { class: "note" }, "Nothing sent yet."),
  el("button", { class: "secondary", onclick: async () => {
    if (!confirm(`Remove the endpoint ${e.url}? Deliveries not sent yet are dropped.`)) return;
    await webhooks.remove(e.id);
    await refresh();
  } }, "Remove"));
}

/** @param {Delivery[]} list @param {string} heading the id of the table's heading */
function deliveries(list, heading) {
  return el("table", { class: "deliveries", "aria-labelledby": heading },
    el("thead", {}, el("tr", {}, ["Event", "Created", "State", "Last attempts"].map(
      (h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.map((d) => el("tr", {},
      el("td", {}, d.event, el("br"), el("small", {}, d.event_id)),
      el("td", {}, when(d.created_at)),
      el("td", {}, STATES[d.state], d.next_attempt_at
        ? el("small", {}, ` · next ${when(d.next_attempt_at)}`) : ""),
      el("td", {}, el("ul", { class: "attempts" }, d.last_attempts.map((a) =>
        el("li", {}, `${when(a.at)}: ${a.result}`))))))));
}
