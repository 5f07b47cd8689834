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

/** Called once per lost session (a token the server no longer knows), whatever call found out. */
export function onSessionLost(handler) {
  sessionLost = handler;
}

/** Abort every request still running (sign-out); later calls start afresh. */
export function abortAll() {
  controller.abort();
  controller = new AbortController();
}

export function isAbort(error) {
  return error && error.name === "AbortError";
}

const LOST = new Set(["session_not_found", "session_token_required"]);

/**
 * Call the API. `body` is sent as JSON; `headers` are added; `lost: false` keeps a
 * session_not_found answer from signing the page out (restore and logout handle it themselves).
 */
export async function api(method, path, { body, headers = {}, lost = true } = {}) {
  const sent = { Accept: "application/json", ...headers };
  const current = token.get();
  if (current) sent["X-Session-Token"] = current;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, {
      error: { code: "network_error", message: "The server could not be reached." },
    });
  }
  const text = response.status === 204 ? "" : await response.text();
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
    if (lost && LOST.has(error.code)) sessionLost(error);
    throw error;
  }
  return data;
}

export const get = (path, options) => api("GET", path, options);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body });
