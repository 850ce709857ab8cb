// The dashboard's calls: the same REST API as everyone else, with the session cookie (sent by
// the browser, same origin) and the CSRF token on every mutating call.
let csrf = "";

export function setCsrf(token) {
  csrf = token || "";
}

/** An API error with the flat body's fields. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.details = (body && body.details) || {};
    this.retryAfter = body && body.retry_after;
  }
}

/** `method path [body]` → the parsed JSON (null for 204). */
export async function api(method, path, body) {
  const headers = {};
  if (method !== "GET") headers["X-Botect-CSRF"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** A query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
