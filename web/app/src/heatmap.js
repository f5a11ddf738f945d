// @ts-check
// The best-time heatmap: weekdays × hours in the person's zone, a table (so it reads as one),
// each cell shaded by how posts that went out then did, with how many posts stand behind it.
import { el } from "./dom.js";
import { confidenceName, count, heatmapRows, hourName, moment, weekdays } from "./figures.js";

/** @typedef {import("./api.js").AccountInsight} AccountInsight */

/**
 * The heatmap as two tables of the same cells: weekdays as rows on a wide screen, hours as rows
 * on a phone (the stylesheet shows one; the other is display: none, so no one hears it twice).
 * @param {AccountInsight} insight @param {string} zone
 */
export function heatmap(insight, zone) {
  const rows = heatmapRows(insight.heatmap);
  const suggested = new Set(insight.suggestions.map((s) => `${s.weekday}:${s.hour}`));
  /** @param {number} day @param {number} hour */
  const cell = (day, hour) => {
    const { posts, score, shade } = rows[day][hour];
    return el("td", {
      class: `shade-${shade}${suggested.has(`${day}:${hour}`) ? " suggested" : ""}`,
      title: `${weekdays("long")[day]} ${hourName(hour)}: ${posts} ${posts === 1 ? "post" : "posts"}`
        + (score === null ? "" : `, score ${count(Math.round(score))}`),
    }, posts ? String(posts) : "");
  };
  const caption = `When your posts did best, in your time zone (${zone})`;
  return el("div", { class: "heatmap-wrap" },
    table("week-rows", caption, DAYS, HOURS, (day, hour) => cell(day, hour), dayName, hourHead),
    table("hour-rows", caption, HOURS, DAYS, (hour, day) => cell(day, hour), hourName, dayName),
    el("p", { class: "legend note" }, "Each number is how many of your posts went out in that "
      + "hour; the darker the cell, the more views they got. An outlined cell is a suggested time.",
    " ", el("span", { class: "key", "aria-hidden": "true" }, "no posts ",
      [0, 1, 2, 3, 4].map((s) => el("span", { class: `swatch shade-${s}` }, "")), " the best")));
}

const DAYS = [0, 1, 2, 3, 4, 5, 6];
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
/** @param {number} day */
const dayName = (day) => el("span", { title: weekdays("long")[day] }, weekdays("short")[day]);
/** every hour is named for a screen reader; every third is shown */
const hourHead = (/** @type {number} */ hour) => (hour % 3 === 0 ? hourName(hour)
  : el("span", { class: "visually-hidden" }, hourName(hour)));

/**
 * @param {string} kind @param {string} caption @param {number[]} across @param {number[]} down
 * @param {(row: number, column: number) => HTMLElement} cell
 * @param {(row: number) => Node | string} rowHead @param {(column: number) => Node | string} columnHead
 */
function table(kind, caption, across, down, cell, rowHead, columnHead) {
  return el("div", { class: `scroll ${kind}`, tabindex: "0", role: "region",
    "aria-label": `Best-time heatmap, ${kind === "week-rows" ? "a row a weekday" : "a row an hour"}` },
  el("table", { class: `heatmap ${kind}` }, el("caption", {}, caption),
    el("thead", {}, el("tr", {}, el("td", {}, ""),
      down.map((column) => el("th", { scope: "col" }, columnHead(column))))),
    el("tbody", {}, across.map((row) => el("tr", {}, el("th", { scope: "row" }, rowHead(row)),
      down.map((column) => cell(row, column)))))));
}

/** The next best slots, with their confidence and the basis (own posts or a stated default).
 * @param {AccountInsight} insight @param {string} zone */
export function suggestions(insight, zone) {
  return el("section", { class: "suggestions", "aria-labelledby": "next-slots" },
    el("h2", { id: "next-slots" }, "When to post next"),
    insight.suggestions.length
      ? el("ol", {}, insight.suggestions.map((s) => el("li", {},
        el("time", { datetime: s.at }, el("strong", {}, moment(s.at, zone))),
        ` · ${confidenceName(s.confidence)}`)))
      : el("p", {}, "No time to suggest yet."),
    el("p", { class: "note" }, insight.suggestion_basis === "default"
      ? `A general default until this account has enough posts of its own: ${insight.suggestion_note}`
      : insight.suggestion_note));
}
