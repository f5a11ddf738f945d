// @ts-check
// Charts (uPlot, vendored in web/app/vendor) with their text alternative: each chart says its
// figures in an aria-label, and the larger ones also in a table a person can open.
import uPlot from "../vendor/uplot/uPlot.esm.js";
import { el } from "./dom.js";
import { count, moment, titleOf } from "./figures.js";

/** @typedef {import("./api.js").Reading} Reading */

export const COLOURS = { views: "#d3173b", likes: "#2563eb", comments: "#14804a",
  shares: "#8a5300" };
/** @type {(keyof typeof COLOURS)[]} */
const MEASURES = ["views", "likes", "comments", "shares"];
const NAMES = { views: "Views", likes: "Likes", comments: "Comments", shares: "Shares" };

/** @param {Reading[]} series */
const seconds = (series) => series.map((r) => Date.parse(r.at) / 1000);

/**
 * A post's views as a small line, with its figures for a screen reader; a dash under two readings.
 * @param {Reading[]} series @param {string} title
 */
export function sparkline(series, title) {
  const views = series.filter((r) => r.views !== null);
  const label = `Views of ${title} over ${views.length} readings: `
    + views.map((r) => count(r.views)).join(", ");
  if (views.length < 2) return el("span", { class: "spark none", "aria-hidden": "true" }, "");
  const box = el("span", { class: "spark", role: "img", "aria-label": label });
  new uPlot({ width: 96, height: 28, legend: { show: false }, cursor: { show: false },
    axes: [{ show: false }, { show: false }], scales: { x: { time: false } },
    series: [{}, { stroke: COLOURS.views, width: 1.5, fill: "rgb(211 23 59 / .12)",
      points: { show: false } }],
  }, [seconds(views), views.map((r) => r.views)], box);
  return box;
}

/**
 * A chart that follows its box's width (drawn once attached; redrawn as the page changes width).
 * @param {string} label what it shows, with its figures (the chart's text alternative)
 * @param {(width: number) => uPlot.Options} options @param {uPlot.AlignedData} data
 */
function chart(label, options, data) {
  const box = el("div", { class: "chart", role: "img", "aria-label": label });
  /** @type {uPlot | null} */
  let drawn = null;
  new ResizeObserver(([entry]) => {
    const width = Math.floor(entry.contentRect.width);
    if (!width) return;
    if (drawn) drawn.setSize({ width, height: drawn.height });
    else drawn = new uPlot(options(width), data, box);
  }).observe(box);
  return box;
}

/** A table of readings (the charts' figures, for anyone who would rather read them).
 * @param {string} summary @param {string[]} head @param {(string | Node)[][]} rows */
export function figures(summary, head, rows) {
  return el("details", { class: "figures" }, el("summary", {}, summary),
    el("table", {}, el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c)))))));
}

/** A post's own curve: views on the left axis, likes, comments and shares on the right.
 * @param {Reading[]} series @param {string} title */
export function curve(series, title) {
  const last = series.at(-1);
  const label = `${title}: ${series.length} readings`
    + (last ? `; at the latest, ${MEASURES.map((m) => `${count(last[m])} ${m}`).join(", ")}` : "");
  const draw = chart(label, (width) => ({ width, height: 280,
    series: [{}, ...MEASURES.map((m) => ({ label: NAMES[m], stroke: COLOURS[m], width: 2,
      scale: m === "views" ? "views" : "engagement" }))],
    axes: [{}, { scale: "views", size: 64, label: "Views", labelSize: 20 },
      { scale: "engagement", side: 1, size: 56, label: "Likes, comments, shares", labelSize: 20,
        grid: { show: false } }],
  }), [seconds(series), ...MEASURES.map((m) => series.map((r) => r[m]))]);
  return el("figure", { class: "curve" }, draw,
    figures("The readings as a table", ["When", ...MEASURES.map((m) => NAMES[m])],
      series.map((r) => [el("time", { datetime: r.at }, moment(r.at)),
        ...MEASURES.map((m) => count(r[m]))])));
}

/**
 * Views per post over time: a bar for each post, in the order they went out, under its date.
 * @param {import("./api.js").PostInsight[]} posts
 */
export function viewsPerPost(posts) {
  const shown = posts.filter((p) => p.published_at && p.views !== null)
    .sort((a, b) => Date.parse(String(a.published_at)) - Date.parse(String(b.published_at)));
  const label = `Views per post, in the order they went out: ${shown.map((p) =>
    `${titleOf(p)} ${count(p.views)}`).join("; ")}`;
  const day = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 48] }) : undefined;
  const every = Math.max(1, Math.ceil(shown.length / 12));  // at most a dozen dates under it
  const draw = chart(label, (width) => ({ width, height: 240, legend: { show: false },
    scales: { x: { time: false, range: () => [0.4, shown.length + 0.6] },
      y: { range: (_, __, high) => [0, Math.max(10, high * 1.1)] } },
    series: [{}, { label: "Views", stroke: COLOURS.views, fill: "rgb(211 23 59 / .35)",
      paths: bars, points: { show: false } }],
    axes: [{ splits: () => shown.map((_, i) => i + 1).filter((i) => (i - 1) % every === 0),
      values: (_, splits) => splits.map((i) => day.format(new Date(String(shown[i - 1].published_at)))),
    }, { size: 64 }],
  }), [shown.map((_, i) => i + 1), shown.map((p) => p.views)]);
  return el("figure", { class: "per-post" }, draw,
    figures("Views per post as a table", ["Went out", "Post", "Views"],
      shown.map((p) => [moment(p.published_at),
        el("a", { href: `#post?id=${encodeURIComponent(p.post_id)}` }, titleOf(p)),
        count(p.views)])));
}
