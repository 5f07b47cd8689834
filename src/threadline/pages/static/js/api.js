// The JSON API client shared by the kiosk and the website.
//
// Every call goes through `api()`: it sends the session token kept in sessionStorage, turns an
// error body ({"error": {"code", "message", "field"}}) into an ApiError, and aborts whatever is
// still in flight when the shopper signs out, so a late answer never lands on the next
// shopper's screen.

const TOKEN_KEY = "session_token";

export class ApiError extends Error {
  constructor(status, body, headers) {
    const error = (body && body.error) || {};
    super(error.message || `The server answered ${status}.`);
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || (status ? `http_${status}` : "network_error");
    this.field = error.field || null;
    this.body = body || {};
    const retry = headers ? Number.parseInt(headers.get("Retry-After") || "", 10) : Number.NaN;
    this.retryAfter = Number.isFinite(retry) ? retry : null;
  }
}

export const token = {
  get() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

let controller = new AbortController();
let sessionLost = () => {};
// Bumped at every sign-out: an answer to a request made before it belongs to the previous
// shopper and is dropped (the caller sees an AbortError, which it already ignores).
let generation = 0;

/** Called once per lost session (a token the server no longer knows), whatever call found out. */
export function onSessionLost(handler) {
  sessionLost = handler;
}

/** Abort every request still running (sign-out); later calls start afresh. */
export function abortAll() {
  generation += 1;
  controller.abort();
  controller = new AbortController();
}

/** Which sign-in the page is on: compare before and after an await to drop stale answers. */
export function currentGeneration() {
  return generation;
}

export function isAbort(error) {
  return Boolean(error) && error.name === "AbortError";
}

function aborted() {
  return new DOMException("The request belongs to a session that has ended.", "AbortError");
}

const LOST = new Set(["session_not_found", "session_token_required"]);

/**
 * Call the API. `body` is sent as JSON; `headers` are added; `lost: false` keeps a
 * session_not_found answer from signing the page out (restore and logout handle it themselves);
 * `meta`, an object, receives `serverDate` (the answer's Date header, ms) and `receivedAt`
 * (this device's clock then), to count down to a time the server gave.
 *
 * An answer that arrives after a sign-out, and an answer that itself ends the session (the
 * page then shows the login form), reject with an AbortError: nothing of it reaches the screen.
 */
export async function api(method, path, { body, headers = {}, lost = true, meta = null } = {}) {
  const started = generation;
  const sent = { Accept: "application/json", ...headers };
  const current = token.get();
  if (current) sent["X-Session-Token"] = current;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  let text;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
    text = response.status === 204 ? "" : await response.text();
  } catch (error) {
    if (isAbort(error) || generation !== started) throw aborted();
    throw new ApiError(0, {
      error: { code: "network_error", message: "Threadline could not be reached." },
    });
  }
  if (generation !== started) throw aborted();
  if (meta) {
    meta.serverDate = Date.parse(response.headers.get("Date") || "");
    meta.receivedAt = Date.now();
  }
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, response.headers);
    if (lost && LOST.has(error.code)) {
      sessionLost(error);
      throw aborted();
    }
    throw error;
  }
  return data;
}

/**
 * Sign a token out on the server without waiting for it: the screen is already clear.  The
 * request outlives the page (keepalive) and gives up after `timeoutMs`.
 */
export function logoutInBackground(value, timeoutMs = 10_000) {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  return fetch("/auth/logout", {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-Session-Token": value },
    body: "{}",
    keepalive: true,
    signal: stop.signal,
    credentials: "same-origin",
  })
    .then((response) => response.status)
    .catch(() => 0)
    .finally(() => clearTimeout(timer));
}

export const get = (path, options) => api("GET", path, options);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body });
