// The website: log in, sign up or use a one-time code; the conversation continued from any
// channel; cart and checkout; order history and returns; and ?handoff=<token> from a kiosk's
// QR code.

import { isAbort, post, token } from "./api.js";
import { $ } from "./dom.js";
import { Cart } from "./cart.js";
import { Chat, welcomeBack } from "./chat.js";
import { describe } from "./errors.js";
import { Login } from "./login.js";
import { Orders } from "./orders.js";
import { Shell } from "./shell.js";

const TAG = "[WebChat]";

const orders = new Orders({ button: $("#orders-button") });
const cart = new Cart({
  button: $("#cart-button"),
  focusAfter: () => chat.focus(),
  onOrder: (order) => {
    if (order) chat.note(`Order ${order.order_id} is placed. You can follow it in My orders.`);
  },
});
const chat = new Chat({ root: $("#chat-view"), cart, channel: "web" });
const greeting = $("#greeting");

const shell = new Shell({
  tag: TAG,
  views: { loading: $("#loading-view"), login: $("#login-view"), chat: $("#chat-view") },
  nav: [$("#nav"), greeting],
  chat,
  cart,
  login: new Login({
    form: $("#login-form"),
    info: $("#login-info"),
    channel: "web",
    tag: TAG,
    passwordFirst: true,
    onLoggedIn: (envelope, how) => shell.enter(envelope, how),
  }),
  onEnter: (envelope, how, turns) => {
    const name = envelope.customer && envelope.customer.name ? envelope.customer.name.split(" ")[0] : "";
    greeting.textContent = name ? `Hello, ${name}` : "";
    greeting.hidden = !name;
    if (how === "restored") {
      if (!turns.length) chat.add("assistant", "Hi! What are you shopping for today?");
    } else if (turns.length || cart.cart.items.length) {
      chat.add("assistant", welcomeBack({ name, turns, cart: cart.cart, channel: "web" }));
    } else {
      chat.add("assistant", "Hi! I'm your Threadline style assistant. Tell me what you're looking for, or pick a suggestion below.");
    }
    chat.setSuggestions(cart.cart.items.length ? ["Show my cart", "Show me shirts", "Kurtas for women", "Sneakers under ₹3000"] : null);
  },
  onLeave: () => {
    greeting.textContent = "";
    greeting.hidden = true;
    orders.reset();
    signupForm.reset();
    signupError.textContent = "";
    for (const input of signupForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    showPanel("login");
  },
});

$("#logout-button").addEventListener("click", () => shell.signOut("You're logged out. See you soon!"));

// ---- login or sign up ------------------------------------------------------------------------

function showPanel(which) {
  $("#login-panel").hidden = which !== "login";
  $("#signup-panel").hidden = which !== "signup";
}
$("#show-signup").addEventListener("click", () => {
  showPanel("signup");
  $("#signup-name").focus();
});
$("#show-login").addEventListener("click", () => {
  showPanel("login");
  $("#phone").focus();
});

const signupForm = $("#signup-form");
const signupError = $("#signup-error");
signupForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  signupError.textContent = "";
  const fields = signupForm.elements;
  for (const input of signupForm.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  const problem = (input, code, field) => {
    signupError.textContent = describe({ code, field });
    input.setAttribute("aria-invalid", "true");
    input.focus();
  };
  if (!fields.name.value.trim()) return problem(fields.name, "validation_error", "name");
  if (fields.phone.value.replace(/\D/g, "").length < 10) return problem(fields.phone, "invalid_phone");
  if (fields.email.value && !fields.email.checkValidity()) return problem(fields.email, "validation_error", "email");
  if (fields.password.value.length < 8) {
    return problem(fields.password, "weak_password");
  }
  const body = {
    name: fields.name.value.trim(),
    phone: fields.phone.value.trim(),
    password: fields.password.value,
    channel: "web",
  };
  if (fields.email.value.trim()) body.email = fields.email.value.trim();
  const button = signupForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    console.info(`${TAG} Creating an account`);
    const envelope = await post("/auth/signup", body);
    console.info(`${TAG} ✅ New session created:`, { customer_id: envelope.session.customer_id });
    signupForm.reset();
    showPanel("login");
    await shell.enter(envelope, "signup");
  } catch (error) {
    if (isAbort(error)) return;
    const input = { phone: fields.phone, password: fields.password, email: fields.email, name: fields.name }[error.field];
    problem(input || fields.phone, error.code, error.field);
    signupError.textContent = describe(error);
    if (error.code === "already_registered") {
      // Straight to the login form with the number filled in.
      showPanel("login");
      $("#phone").value = body.phone;
      shell.login.say(describe(error));
      $("#password").focus();
    }
  } finally {
    button.disabled = false;
  }
});

// ---- on load: a kiosk's QR code, else the stored session --------------------------------------

async function boot() {
  const url = new URL(location.href);
  const ticket = url.searchParams.get("handoff");
  if (!ticket) return shell.boot();
  // The ticket is single use: it leaves the address bar (and the history) straight away.
  url.searchParams.delete("handoff");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  try {
    console.info(`${TAG} Opening the conversation handed over from another device…`);
    const envelope = await post("/session/handoff/redeem", { handoff_token: ticket, channel: "web" }, { lost: false });
    console.info(`${TAG} ✅ Session continued from ${envelope.session.data.channels.join(", ")}`);
    await shell.enter(envelope, "handoff");
    chat.note("You're now continuing on this phone. Your cart came with you.");
  } catch (error) {
    if (isAbort(error)) return;
    if (token.get()) {
      await shell.boot();
      chat.note(describe(error), "error");
    } else {
      shell.showLogin(describe(error));
    }
  }
}

boot();
