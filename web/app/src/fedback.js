// @ts-check
// What worked, fed back: how an account's earlier posts like this one did (same language, same
// hook style), shown on queue cards and library rows; or, in a sentence, why nothing is shown.
import { insights } from "./api.js";
import { el } from "./dom.js";
import { count } from "./figures.js";

/** @typedef {import("./api.js").SimilarAsk} SimilarAsk */
/** @typedef {import("./api.js").SimilarSummary} SimilarSummary */

const HOOKS = { question: "question", number: "number", how_to: "how-to", statement: "statement" };

/**
 * The summaries of these asks by their key (none when the publisher cannot answer now: the
 * cards and rows then show nothing rather than fail).
 * @param {(SimilarAsk | null)[]} asks @returns {Promise<Map<string, SimilarSummary>>}
 */
export async function summariesOf(asks) {
  const items = /** @type {SimilarAsk[]} */ (asks.filter(Boolean));
  if (!items.length) return new Map();
  try {
    const { summaries } = await insights.similar(items.slice(0, 100));
    return new Map(summaries.map((s) => [s.key, s]));
  } catch {
    return new Map();
  }
}

/** A language's name in the person's language ("es" → "Spanish"). @param {string} code */
function languageName(code) {
  try {
    const names = new Intl.DisplayNames([navigator.language || "en"], { type: "language" });
    return names.of(code) || code;
  } catch {
    return code;
  }
}

/** "3 earlier Spanish question-hook posts: median 1,200 views, best “…” (4,100 views)".
 * @param {SimilarSummary | undefined} summary */
export function fedBack(summary) {
  if (!summary) return "";
  if (summary.state !== "shown" || !summary.best || summary.median_views === null) {
    return el("p", { class: "note fed-back", "data-state": summary.state }, summary.reason || "");
  }
  const best = summary.best;
  const hook = summary.hook ? HOOKS[summary.hook] : "";
  const language = summary.language ? languageName(summary.language) : "";
  const posts = summary.count === 1 ? "post" : "posts";
  const onTopic = summary.on_topic ? ` (${summary.on_topic} on a similar topic)` : "";
  const title = `“${best.title}”`;
  return el("p", { class: "fed-back", "data-state": "shown" },
    el("strong", {}, "What worked: "),
    `${summary.count} earlier ${language} ${hook}-hook ${posts}${onTopic}: median `
    + `${count(summary.median_views)} views, best `,
    best.link ? el("a", { href: best.link, target: "_blank", rel: "noopener" }, title) : title,
    ` (${count(best.views)} views)`);
}
