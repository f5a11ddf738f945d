// @ts-check
// A post as TikTok will show it: on a phone, one slide at a time (or the video), the caption and
// hashtags under it, the cover marked.
import { el } from "./dom.js";

/** @typedef {import("./api.js").Post} Post */

/** post id → the slide its preview shows, kept across refreshes */
export const shown = new Map();

/** @param {Post} post */
export function current(post) {
  return Math.min(shown.get(post.post_id) ?? 0, (post.slides || [0]).length - 1);
}

/** @param {Post} post @param {number} position */
export function turnTo(post, position) {
  const count = (post.slides || []).length || 1;
  shown.set(post.post_id, (position + count) % count);
}

/**
 * @param {Post} post
 * @param {(position: number) => void} go  what the arrows do
 */
export function phone(post, go) {
  if (post.media_type === "VIDEO") return videoPhone(post);
  const slides = post.slides || [];
  const at = current(post);
  const slide = slides[at];
  const cover = (post.cover_index ?? 0) === at;
  const screen = el("div", { class: "screen", tabindex: 0,
    "aria-label": "Slides: left and right arrows turn them",
    onkeydown: (/** @type {KeyboardEvent} */ event) => {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        go(at + (event.key === "ArrowLeft" ? -1 : 1));
        event.preventDefault();
        event.stopPropagation();
      }
    } },
  el("img", { src: slide.image_url, alt: `Slide ${at + 1} of ${slides.length}: ${slide.text}`,
    onload: (/** @type {Event} */ event) => {  // the link says the slide's true size
      const img = /** @type {HTMLImageElement} */ (event.target);
      img.parentElement?.querySelector(".full-size")?.setAttribute("aria-label",
        `Slide ${at + 1} at full size (${img.naturalWidth} × ${img.naturalHeight}), in a new tab`);
    } }),
  cover ? el("span", { class: "cover-badge" }, "Cover") : "",
  el("button", { class: "nav prev", "aria-label": "Previous slide", onclick: () => go(at - 1) }, "‹"),
  el("button", { class: "nav next", "aria-label": "Next slide", onclick: () => go(at + 1) }, "›"),
  el("a", { class: "full-size", href: slide.image_url, target: "_blank", rel: "noopener",
    "aria-label": `Slide ${at + 1} at full size, in a new tab` }, "⤢"),
  el("p", { class: "counter" }, `${at + 1} / ${slides.length}`));
  swipe(screen, go, at);
  return el("div", { class: "phone", role: "group", "aria-label": `Preview of ${post.title}` },
    screen, under(post));
}

/** A finger's swipe turns the slides, as on a phone.
 * @param {HTMLElement} screen @param {(position: number) => void} go @param {number} at */
function swipe(screen, go, at) {
  let from = /** @type {number | null} */ (null);
  screen.addEventListener("pointerdown", (event) => { from = event.clientX; });
  screen.addEventListener("pointerup", (event) => {
    if (from !== null && Math.abs(event.clientX - from) > 40) go(at + (event.clientX < from ? 1 : -1));
    from = null;
  });
}

/** @param {Post} post */
function videoPhone(post) {
  const video = post.video;
  if (!video) return el("p", { class: "error" }, "This video post has no video.");
  const seconds = Math.round(video.duration_s);
  return el("div", { class: "phone", role: "group", "aria-label": `Preview of ${post.title}` },
    el("div", { class: "screen video" },
      el("video", { src: video.url, poster: video.poster_url, controls: true, preload: "none",
        playsinline: true, "aria-label": `${post.title}, ${seconds} s` }),
      el("p", { class: "counter" }, `${seconds} s`)),
    under(post));
}

/** @param {Post} post */
function under(post) {
  return el("div", { class: "under" },
    // a long caption scrolls: reachable by keyboard too
    el("p", { class: "caption", tabindex: 0, "aria-label": "The caption, as TikTok shows it" },
      post.caption),
    el("p", { class: "hashtags" }, (post.hashtags || []).join(" ")));
}
