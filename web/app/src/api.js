// @ts-check
// The services behind the gateway, one typed call per route the UI uses. The types are generated
// from the services' OpenAPI documents (web/types, `npm run types`): a field the UI reads that a
// service does not answer, or a body it would refuse, fails `npm run check`.

/** @typedef {import("../../types/auth").components["schemas"]} AuthSchemas */
/** @typedef {import("../../types/generator").components["schemas"]} GeneratorSchemas */
/** @typedef {import("../../types/approval").components["schemas"]} ApprovalSchemas */
/** @typedef {import("../../types/publisher").components["schemas"]} PublisherSchemas */

/** @typedef {AuthSchemas["AccountView"]} Account */
/** @typedef {AuthSchemas["CreatorInfo"]} CreatorInfo */
/** @typedef {AuthSchemas["Style"]} Style */
/** @typedef {AuthSchemas["TokenView"]} ApiToken */
/** @typedef {GeneratorSchemas["TopicView"]} Topic */
/** @typedef {GeneratorSchemas["ImportResult"]} ImportResult */
/** @typedef {GeneratorSchemas["ImportProgress"]} ImportProgress */
/** @typedef {GeneratorSchemas["QuotaUsage"]} QuotaUsage */
/** @typedef {ApprovalSchemas["PostView"]} Post */
/** @typedef {ApprovalSchemas["ApprovalChoices"]} ApprovalChoices */
/** @typedef {ApprovalSchemas["PostEdit"]} PostEdit */
/** @typedef {ApprovalSchemas["PostingPage"]} PostingPage */
/** @typedef {ApprovalSchemas["EndpointView"]} WebhookEndpoint */
/** @typedef {ApprovalSchemas["DeliveryView"]} WebhookDelivery */
/** @typedef {PublisherSchemas["Publication"]} Publication */
/** @typedef {PublisherSchemas["AuditEntry"]} AuditEntry */
/** @typedef {PublisherSchemas["Budget"]} Budget */
/** @typedef {PublisherSchemas["AppHeadroom"]} AppHeadroom */
/** @typedef {PublisherSchemas["PostInsight"]} PostInsight */
/** @typedef {PublisherSchemas["Reading"]} Reading */
/** @typedef {PublisherSchemas["AccountInsight"]} AccountInsight */
/** @typedef {PublisherSchemas["SuggestedSlot"]} Suggestion */
/** @typedef {PublisherSchemas["SimilarAsk"]} SimilarAsk */
/** @typedef {PublisherSchemas["SimilarSummary"]} SimilarSummary */

/** @param {string} name */
export function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.split("=")[1]) : "";
}

/** What a refused request says: the service's reason, or each invalid field's.
 * @param {any} body @param {number} status */
export function problem(body, status) {
  const detail = body && body.detail;
  return Array.isArray(detail)
    ? detail.map((d) => `${d.loc.at(-1)}: ${d.msg}`).join("; ")
    : detail || `HTTP ${status}`;
}

/** A request refused by a service, with its status.  */
export class Refused extends Error {
  /** @param {string} message @param {number} status */
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} method @param {string} path
 * @param {{ json?: unknown, body?: BodyInit }} [send]
 * @returns {Promise<any>}
 */
async function call(method, path, send = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (send.json !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("gatepost_csrf");
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: send.json !== undefined ? JSON.stringify(send.json) : send.body,
  });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Refused(problem(body, response.status), response.status);
  return body;
}

/** @param {string} id */
const one = (id) => encodeURIComponent(id);

export const auth = {
  /** @returns {Promise<AuthSchemas["Me"]>} */
  me: () => call("GET", "/api/auth/me"),
  /** @param {"signin" | "signup"} mode @param {AuthSchemas["Credentials"]} credentials
   * @returns {Promise<AuthSchemas["Session"] | AuthSchemas["SignupAnswer"]>} */
  enter: (mode, credentials) => call("POST", `/api/auth/${mode}`, { json: credentials }),
  /** @param {string} token @returns {Promise<AuthSchemas["Session"]>} */
  confirm: (token) => call("POST", "/api/auth/signup/confirm", { json: { token } }),
  /** @returns {Promise<null>} */
  signOut: () => call("POST", "/api/auth/signout"),
  signOutEverywhere: () => call("POST", "/api/auth/signout/everywhere"),
  /** Every session of the person ends; this browser gets a new one (its cookies).
   * @param {AuthSchemas["PasswordChange"]} change @returns {Promise<AuthSchemas["Session"]>} */
  changePassword: (change) => call("POST", "/api/auth/me/password", { json: change }),
  /** @returns {Promise<Account[]>} */
  accounts: () => call("GET", "/api/auth/accounts"),
  /** @param {string} id @returns {Promise<CreatorInfo>} */
  creatorInfo: (id) => call("GET", `/api/auth/accounts/${one(id)}/creator-info`),
  /** @param {string} id @param {Style} style @returns {Promise<Account>} */
  setStyle: (id, style) => call("PUT", `/api/auth/accounts/${one(id)}/style`, { json: style }),
  /** Switch "what worked, fed back" on or off for an account.
   * @param {string} id @param {boolean} on @returns {Promise<Account>} */
  setLearning: (id, on) =>
    call("PUT", `/api/auth/accounts/${one(id)}/learning`, { json: { learn_from_posts: on } }),
  /** @param {string} id @returns {Promise<null>} */
  disconnect: (id) => call("DELETE", `/api/auth/accounts/${one(id)}`),
  /** @returns {Promise<AuthSchemas["Notifications"]>} */
  notifications: () => call("GET", "/api/auth/me/notifications"),
  /** @param {AuthSchemas["Notifications"]} chosen @returns {Promise<AuthSchemas["Notifications"]>} */
  setNotifications: (chosen) => call("PUT", "/api/auth/me/notifications", { json: chosen }),
  connectUrl: "/api/auth/tiktok/connect",
  /** @returns {Promise<ApiToken[]>} */
  apiTokens: () => call("GET", "/api/auth/api-tokens"),
  /** @param {AuthSchemas["NewToken"]} token @returns {Promise<AuthSchemas["MadeTokenView"]>} */
  makeApiToken: (token) => call("POST", "/api/auth/api-tokens", { json: token }),
  /** @param {string} id @returns {Promise<null>} */
  revokeApiToken: (id) => call("DELETE", `/api/auth/api-tokens/${one(id)}`),
};

export const generator = {
  /** @param {GeneratorSchemas["NewTopic"]} topic @returns {Promise<GeneratorSchemas["QueuedTopic"]>} */
  addTopic: (topic) => call("POST", "/api/generator/topics", { json: topic }),
  /** @param {FormData} csv @param {string} account @returns {Promise<ImportResult>} */
  bulk: (csv, account) =>
    call("POST", `/api/generator/topics/bulk?account_id=${one(account)}`, { body: csv }),
  /** @param {string} id @returns {Promise<ImportProgress>} */
  importProgress: (id) => call("GET", `/api/generator/imports/${one(id)}`),
  /** @param {string} query @returns {Promise<Topic[]>} */
  topics: (query) => call("GET", `/api/generator/topics?${query}`),
  /** @param {string} id @returns {Promise<GeneratorSchemas["QueuedTopic"]>} */
  retry: (id) => call("POST", `/api/generator/topics/${one(id)}/retry`),
  /** Today's topics, images and imports, and their daily limits.
   * @returns {Promise<GeneratorSchemas["Usage"]>} */
  usage: () => call("GET", "/api/generator/usage"),
};

export const webhooks = {
  /** @returns {Promise<WebhookEndpoint[]>} */
  list: () => call("GET", "/api/approval/webhooks"),
  /** @param {ApprovalSchemas["EndpointRequest"]} endpoint
   * @returns {Promise<ApprovalSchemas["RegisteredEndpoint"]>} */
  register: (endpoint) => call("POST", "/api/approval/webhooks", { json: endpoint }),
  /** @param {string} id @returns {Promise<null>} */
  remove: (id) => call("DELETE", `/api/approval/webhooks/${one(id)}`),
};

export const approval = {
  /** @param {string} query @returns {Promise<Post[]>} */
  posts: (query) => call("GET", `/api/approval/posts?${query}`),
  /** @returns {Promise<ApprovalSchemas["Languages"]>} */
  languages: () => call("GET", "/api/approval/posts/languages"),
  /** @param {string} id @returns {Promise<Post>} */
  post: (id) => call("GET", `/api/approval/posts/${one(id)}`),
  /** @param {string} id @param {PostEdit} changes @returns {Promise<Post>} */
  edit: (id, changes) => call("PATCH", `/api/approval/posts/${one(id)}`, { json: changes }),
  /** One change of the slide editor (words, a new picture, the cover, the order).
   * @param {string} id @param {string} path @param {"PUT" | "POST"} method
   * @param {ApprovalSchemas["SlideWords"] | ApprovalSchemas["Revised"]
   *   | ApprovalSchemas["CoverChoice"] | ApprovalSchemas["SlideOrder"]} change
   * @returns {Promise<Post>} */
  editSlides: (id, path, method, change) =>
    call(method, `/api/approval/posts/${one(id)}${path}`, { json: change }),
  /** The posting page's rules for these choices (TikTok's guidelines, kept by approval).
   * @param {ApprovalSchemas["PostingQuestion"]} question @returns {Promise<PostingPage>} */
  postingPage: (question) => call("POST", "/api/approval/posting-page", { json: question }),
  /** @param {string} id @param {ApprovalChoices} choices
   * @returns {Promise<ApprovalSchemas["Decision"]>} */
  approve: (id, choices) => call("POST", `/api/approval/posts/${one(id)}/approve`, { json: choices }),
  /** @param {string} id @param {ApprovalChoices} choices
   * @returns {Promise<ApprovalSchemas["Decision"]>} */
  publishAgain: (id, choices) =>
    call("POST", `/api/approval/posts/${one(id)}/publish-again`, { json: choices }),
  /** @param {string} id @returns {Promise<ApprovalSchemas["Decision"]>} */
  reject: (id) => call("POST", `/api/approval/posts/${one(id)}/reject`),
  uploadUrl: "/api/approval/uploads",
  /** Today's stored bytes of uploads, and their daily limit.
   * @returns {Promise<ApprovalSchemas["Usage"]>} */
  uploadUsage: () => call("GET", "/api/approval/uploads/usage"),
};

export const publisher = {
  /** @returns {Promise<Publication[]>} */
  publications: () => call("GET", "/api/publisher/publications"),
  /** @param {string} account @param {string} query @returns {Promise<AuditEntry[]>} */
  audit: (account, query) => call("GET", `/api/publisher/accounts/${one(account)}/audit?${query}`),
  /** @param {string} account @returns {Promise<Budget>} */
  budget: (account) => call("GET", `/api/publisher/accounts/${one(account)}/budget`),
  /** The TikTok app's creators of 24 hours (TikTok's app-wide cap). @returns {Promise<AppHeadroom>} */
  appHeadroom: () => call("GET", "/api/publisher/app/headroom"),
  /** Withdraw an approved post not yet sent to TikTok (409 once it may be on its way).
   * @param {string} id @returns {Promise<PublisherSchemas["Withdrawal"]>} */
  withdraw: (id) => call("POST", `/api/publisher/publications/${one(id)}/withdraw`),
};

/** @param {string | null | undefined} account */
const forAccount = (account) => (account ? `?account_id=${one(account)}` : "");

export const insights = {
  /** Newest first. @param {string | null} [account]
   * @returns {Promise<PublisherSchemas["PostInsights"]>} */
  posts: (account) => call("GET", `/api/publisher/insights/posts${forAccount(account)}`),
  /** @param {string} post @returns {Promise<PostInsight>} */
  post: (post) => call("GET", `/api/publisher/insights/posts/${one(post)}`),
  /** The heatmap and suggestions in the time zone given (the browser's).
   * @param {string} account @param {string} zone @returns {Promise<AccountInsight>} */
  account: (account, zone) =>
    call("GET", `/api/publisher/insights/accounts/${one(account)}?tz=${one(zone)}`),
  /** How each account's earlier similar posts did (up to 100 asks).
   * @param {SimilarAsk[]} items @returns {Promise<PublisherSchemas["SimilarSummaries"]>} */
  similar: (items) => call("POST", "/api/publisher/insights/similar", { json: { items } }),
  /** Every reading as CSV (a link, downloaded by the browser). @param {string | null} [account] */
  exportUrl: (account) => `/api/publisher/insights/export.csv${forAccount(account)}`,
};
