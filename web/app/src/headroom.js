// @ts-check
// TikTok's app-wide cap: how many more creators this TikTok app may post for today.

/** "This app may post for 2 more creators today", with the cap and the audit state.
 * @param {import("./api.js").AppHeadroom} app */
export function headroomSentence(app) {
  const kind = app.audited ? "an audited" : "an unaudited";
  const cap = `(TikTok lets ${kind} app post for ${app.creator_cap} creators within 24 hours; `
    + `${app.creators_24h} ${app.creators_24h === 1 ? "has" : "have"} posted).`;
  if (!app.creators_left) return `This app may post for no more creators today ${cap}`;
  const creators = app.creators_left === 1 ? "creator" : "creators";
  return `This app may post for ${app.creators_left} more ${creators} today ${cap}`;
}
