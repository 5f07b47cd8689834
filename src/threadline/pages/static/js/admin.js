// The staff dashboard: sign in (the server keeps the sign-in in an HttpOnly cookie this script
// never sees), choose a period, read the figures.  The chosen period is kept in the address
// (?preset=30d or ?from=…&to=…), so a reload or a shared link shows the same figures.

import { ApiError } from "./api.js";
import { $, announce } from "./dom.js";
import { drawCharts, periodText, render } from "./admin-figures.js";

const views = { loading: $("#loading-view"), login: $("#login-view"), dashboard: $("#dashboard-view") };
const loginForm = $("#login-form");
const loginError = $("#login-error");
const loginInfo = $("#login-info");
const periodForm = $("#period-form");
const periodError = $("#period-error");
const customRange = $("#custom-range");
const panels = $("#panels");
const PRESETS = new Set(["today", "7d", "30d"]);
// Bumped by every load and sign-out: an answer to an older request is dropped.
let loading = 0;
// The figures on screen, drawn again when the charts' boxes change width.
let shown = null;
let lastWidth = 0;
new ResizeObserver(() => {
  const width = panels.clientWidth;
  if (!shown || views.dashboard.hidden || Math.abs(width - lastWidth) < 8) return;
  lastWidth = width;
  drawCharts(shown);
}).observe(panels);

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, { error: { code: "network_error", message: "Threadline could not be reached." } });
  }
  const text = response.status === 204 ? "" : await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers);
  return data;
}

function say(error) {
  switch (error.code) {
    case "invalid_credentials":
      return "That username or password is not right.";
    case "too_many_attempts":
      return `Too many attempts. Try again in ${error.retryAfter || 30} seconds.`;
    case "staff_login_required":
      return "Your sign-in has ended. Please sign in again.";
    case "network_error":
      return "Threadline could not be reached. Check the connection and try again.";
    default:
      return error.message || "Something went wrong. Please try again.";
  }
}

function show(name) {
  for (const [key, view] of Object.entries(views)) view.hidden = key !== name;
  $("#staff-nav").hidden = name !== "dashboard";
  document.body.dataset.view = name;
}

function showLogin(info = "") {
  loading += 1; // any figures still on their way are for the signed-out user: drop them
  show("login");
  loginInfo.textContent = info;
  loginError.textContent = "";
  $("#password").value = "";
  $("#username").focus();
}

// --- the period ------------------------------------------------------------------------------

function fromAddress() {
  const params = new URLSearchParams(location.search);
  const preset = params.get("preset");
  if (params.get("from") || params.get("to")) return { from: params.get("from") || "", to: params.get("to") || "" };
  return { preset: PRESETS.has(preset) ? preset : "7d" };
}

function choose(query) {
  const preset = query.preset || "custom";
  for (const radio of periodForm.elements.preset) radio.checked = radio.value === preset;
  customRange.hidden = preset !== "custom";
  if (query.from !== undefined) {
    $("#from").value = query.from;
    $("#to").value = query.to;
  }
}

async function load(query) {
  const mine = ++loading;
  periodError.textContent = "";
  for (const input of customRange.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  panels.setAttribute("aria-busy", "true");
  document.body.dataset.state = "loading";
  const params = new URLSearchParams(query);
  try {
    const body = await call("GET", `/admin/api/overview?${params}`);
    if (mine !== loading) return;
    shown = body;
    render(body);
    lastWidth = panels.clientWidth;
    const text = periodText(body.period);
    $("#period-text").textContent = `Showing ${text}`;
    // The dates the server settled on, ready for a custom range starting from them.
    if (query.preset) {
      $("#from").value = body.period.from;
      $("#to").value = body.period.to;
    }
    history.replaceState(null, "", `${location.pathname}?${params}`);
    document.body.dataset.state = "ready";
  } catch (error) {
    if (mine !== loading) return;
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "staff_login_required") {
      showLogin(say(error));
      return;
    }
    periodError.textContent = say(error);
    if (error.field === "from" || error.field === "to") $(`#${error.field}`).setAttribute("aria-invalid", "true");
    document.body.dataset.state = "error";
  } finally {
    if (mine === loading) panels.removeAttribute("aria-busy");
  }
}

periodForm.addEventListener("change", (event) => {
  if (event.target.name !== "preset") return;
  const preset = event.target.value;
  customRange.hidden = preset !== "custom";
  if (preset === "custom") {
    $("#from").focus();
    return;
  }
  load({ preset });
});

periodForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const from = $("#from").value;
  const to = $("#to").value;
  const missing = [!from && $("#from"), !to && $("#to")].filter(Boolean);
  if (missing.length) {
    for (const input of missing) input.setAttribute("aria-invalid", "true");
    periodError.textContent = "Choose both the first and the last day.";
    missing[0].focus();
    return;
  }
  load({ from, to });
});

// --- signing in and out ----------------------------------------------------------------------

function enter(staff, how) {
  $("#staff-name").textContent = `Signed in as ${staff.username}`;
  show("dashboard");
  const query = fromAddress();
  choose(query);
  load(query);
  if (how === "signed-in") {
    $("#dashboard-title").setAttribute("tabindex", "-1");
    $("#dashboard-title").focus();
    announce(`Signed in as ${staff.username}.`);
  }
}

loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("#username");
  const password = $("#password");
  loginError.textContent = "";
  loginInfo.textContent = "";
  const missing = [!username.value.trim() && username, !password.value && password].filter(Boolean);
  for (const input of [username, password]) input.toggleAttribute("aria-invalid", missing.includes(input));
  if (missing.length) {
    loginError.textContent = "Enter your username and password.";
    missing[0].focus();
    return;
  }
  const button = loginForm.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const staff = await call("POST", "/admin/api/login", { username: username.value.trim(), password: password.value });
    password.value = "";
    enter(staff, "signed-in");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    loginError.textContent = say(error);
    password.value = "";
    password.focus();
  } finally {
    button.disabled = false;
  }
});

$("#sign-out").addEventListener("click", async () => {
  try {
    await call("POST", "/admin/api/logout");
  } catch {
    // The cookie is cleared by the answer; without one the sign-in still ends at its time.
  }
  showLogin("You have signed out.");
});

async function start() {
  try {
    enter(await call("GET", "/admin/api/me"), "restored");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showLogin(error.code === "staff_login_required" ? "" : say(error));
  }
}

start();
