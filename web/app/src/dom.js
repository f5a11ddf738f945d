// @ts-check
// Building the page: elements, the message line, status words, pages of a list.

/** The page's current view: its refresher (polled, so statuses update without reloading) and
 * whether a person is typing in it (then it waits). */
export const view = {
  /** @type {(() => Promise<void>) | null} */
  refresh: null,
  editing: false,
};

export async function refresh() {
  if (view.refresh) await view.refresh();
}

/**
 * A refresher that draws only the newest answer: one asked before a page was turned (or a filter
 * changed) and answered after is dropped, so an older page never overwrites the one asked for.
 * @template T @param {() => Promise<T>} load @param {(loaded: T) => void} draw
 * @returns {() => Promise<void>}
 */
export function newest(load, draw) {
  let asked = 0;
  return async () => {
    const mine = ++asked;
    const loaded = await load();
    if (mine === asked) draw(loaded);
  };
}

/**
 * An element with attributes (`on…` are listeners; false, null and undefined are left out).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attributes]
 * @param {...any} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {  // lists of lists read as one list
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  }
  return node;
}

/** An element of the page's skeleton (index.html), by id and kind.
 * @template {HTMLElement} T @param {string} id @param {new () => T} kind @returns {T} */
export function byId(id, kind) {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`#${id} is not a ${kind.name}`);
  return found;
}

/** @param {string} message @param {"info" | "error"} [kind] */
export function flash(message, kind = "info") {
  const box = byId("flash", HTMLElement);
  box.textContent = message;
  box.className = kind;
}

/** Every status a person sees, in their words: the queue's, the publisher's, the library's. */
export const STATUS_NAMES = {
  awaiting_approval: "Awaiting approval", approved: "Approved, publishing…",
  published: "Published", failed: "Failed", in_inbox: "In the creator's TikTok inbox",
  unknown: "Unknown: check TikTok", rejected: "Rejected", withdrawn: "Withdrawn",
  WITHDRAWN: "Withdrawn",
  PUBLISH_COMPLETE: "Published", SEND_TO_USER_INBOX: "In TikTok inbox", FAILED: "Failed",
  UNKNOWN: "Unknown: check TikTok", queued: "Waiting", initiating: "Sending to TikTok",
  processing: "TikTok is processing", generating: "Generating", generated: "Generated",
};

/** @param {string} value */
export function statusName(value) {
  return /** @type {Record<string, string>} */ (STATUS_NAMES)[value] || value;
}

/** @param {string} value */
export function status(value) {
  return el("span", { class: `status status-${value}` }, statusName(value));
}

/** @param {string | null | undefined} at */
export function when(at) {
  return at ? new Date(at).toLocaleString() : "";
}

/**
 * Lists are pages, newest first: everything stays reachable after a bulk import. One more item
 * than a page is asked for, to know whether there is an older page.
 * @param {string} noun @param {number} size @param {string} name
 * @param {() => Promise<void>} [moved] what shows the new page (the view's refresh)
 */
export function pager(noun, size, name, moved = refresh) {
  let offset = 0;
  const label = el("span", { class: "note", role: "status" });
  /** @param {number} by */
  const move = async (by) => { offset = Math.max(0, offset + by); await moved(); };
  const newer = el("button", { class: "secondary", onclick: () => move(-size) }, "Newer");
  const older = el("button", { class: "secondary", onclick: () => move(size) }, "Older");
  return {
    controls: el("div", { class: "row pager", role: "navigation", "aria-label": name }, newer,
      label, older),
    query: () => `limit=${size + 1}&offset=${offset}`,
    first: () => { offset = 0; },
    /** @template T @param {T[]} items @returns {T[]} */
    shown(items) {
      const page = items.slice(0, size);
      newer.disabled = offset === 0;
      older.disabled = items.length <= size;
      label.textContent = page.length
        ? `${noun} ${offset + 1}–${offset + page.length}` : `no ${noun} here`;
      return page;
    },
  };
}

/** Replace a list's children only where they changed, keyed by `data-key`: focus, open details
 * and a playing video survive a refresh.
 * @param {HTMLElement} list @param {HTMLElement[]} items */
export function patch(list, items) {
  const old = new Map([...list.children].map((c) => [c.getAttribute("data-key"), c]));
  items.forEach((item, at) => {
    const key = item.getAttribute("data-key");
    const kept = key === null ? undefined : old.get(key);
    const node = kept && kept.getAttribute("data-version") === item.getAttribute("data-version")
      ? kept : item;
    if (kept && node !== kept) kept.replaceWith(node);
    if (list.children[at] !== node) list.insertBefore(node, list.children[at] || null);
  });
  while (list.children.length > items.length) list.lastElementChild?.remove();
}
