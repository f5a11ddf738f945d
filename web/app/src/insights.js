// @ts-check
// What each post did after it went live: a post's own curve (#post?id=…) and an account's page
// (#account?id=…) with its totals, views per post over time, the best-time heatmap and when to
// post next. Every figure is also said in words; no figure, a plain reason.
import { auth, insights } from "./api.js";
import { curve, viewsPerPost } from "./charts.js";
import { el } from "./dom.js";
import { count, moment, titleOf, zone } from "./figures.js";
import { heatmap, suggestions } from "./heatmap.js";

/** @typedef {import("./api.js").PostInsight} PostInsight */

/** The TikTok link, exactly as the server sent it (the public id is a string: it exceeds 2^53).
 * @param {PostInsight} p */
export function liveLink(p) {
  if (p.taken_down_at) {
    return el("span", { class: "warning" }, `Taken down on TikTok ${moment(p.taken_down_at)}`);
  }
  if (!p.link) return el("span", { class: "note" }, p.published_at ? "Link not yet given by TikTok" : "");
  return el("a", { href: p.link, target: "_blank", rel: "noopener", class: "live-link",
    "data-public-id": p.public_id ?? "" }, "View on TikTok");
}

/** The four numbers as tiles. @param {[string, number | null][]} figures */
export function tiles(figures) {
  return el("dl", { class: "tiles" }, figures.map(([name, value]) =>
    el("div", { class: "tile" }, el("dt", {}, name), el("dd", {}, count(value)))));
}

/** @param {HTMLElement} main @param {URLSearchParams} params */
export async function showPost(main, params) {
  const p = await insights.post(params.get("id") || "");
  main.replaceChildren(
    el("p", {}, el("a", { href: "#publications" }, "← Publications")),
    el("div", { class: "post-head" },
      p.cover_url ? el("img", { src: p.cover_url, alt: "", width: 90, height: 160,
        class: "cover", onerror: (/** @type {Event} */ e) => {
          /** @type {HTMLElement} */ (e.target).remove();  // TikTok's cover links expire
        } }) : "",
      el("div", {}, el("h1", {}, titleOf(p)),
        el("p", {}, p.published_at ? `Went out ${moment(p.published_at)} · ` : "", liveLink(p)),
        p.public_id ? el("p", { class: "note" }, "TikTok post ", el("code", {}, p.public_id)) : "",
        el("p", {}, el("a", { href: `#account?id=${encodeURIComponent(p.account_id)}` },
          "The account's numbers")))),
    tiles([["Views", p.views], ["Likes", p.likes], ["Comments", p.comments], ["Shares", p.shares]]),
    p.read_at ? el("p", { class: "note" }, `Read from TikTok ${moment(p.read_at)}.`) : "",
    p.no_numbers_reason ? el("p", { class: "no-numbers", role: "note" }, p.no_numbers_reason) : "",
    p.series.length ? el("section", { "aria-labelledby": "curve-title" },
      el("h2", { id: "curve-title" }, "Over time"), curve(p.series, titleOf(p))) : "");
}

/** @param {HTMLElement} main @param {URLSearchParams} params */
export async function showAccount(main, params) {
  const id = params.get("id") || "";
  const here = zone();
  const [accounts, insight, { posts }] = await Promise.all([auth.accounts(), insights.account(id, here),
    insights.posts(id)]);
  const account = accounts.find((a) => a.account_id === id);
  main.replaceChildren(
    el("p", {}, el("a", { href: "#publications" }, "← Publications")),
    el("h1", {}, account ? account.display_name : "Account"),
    tiles([["Followers", insight.followers], ["Likes, all posts", insight.likes_total],
      ["Posts on TikTok", insight.video_count], ["Views of posts from Gatepost", insight.views_total]]),
    insight.followers === null ? el("p", { class: "note" }, "TikTok has not given this account's "
      + "totals: they come with its user.info.stats permission.") : "",
    el("p", { class: "note" }, `${insight.posts_with_numbers} of ${posts.length} posts from Gatepost `
      + "have numbers. ", el("a", { href: insights.exportUrl(id), download: "" },
      "Download every reading (CSV)")),
    insight.no_numbers_reason
      ? el("p", { class: "no-numbers", role: "note" }, insight.no_numbers_reason) : "",
    suggestions(insight, here),
    el("section", { "aria-labelledby": "heatmap-title" },
      el("h2", { id: "heatmap-title" }, "Best time to post"), heatmap(insight, here)),
    el("section", { "aria-labelledby": "per-post-title" },
      el("h2", { id: "per-post-title" }, "Views per post over time"),
      posts.some((p) => p.views !== null) ? viewsPerPost(posts)
        : el("p", {}, "No post has numbers yet.")));
}
