// The in-store kiosk: log in by phone, chat, cart and checkout, a QR code to carry on on a
// phone, and an idle timeout that clears the screen for the next shopper.
//
// Query parameters: ?idle=<seconds> (default 120) shortens or lengthens the idle timeout;
// ?store=<store_id> is the store the kiosk stands in (first choice for pickup).

import { $, announce, h } from "./dom.js";
import { Cart } from "./cart.js";
import { Chat, welcomeBack } from "./chat.js";
import { Dialog } from "./dialog.js";
import { Handoff } from "./handoff.js";
import { IdleTimer } from "./idle.js";
import { Login } from "./login.js";
import { Shell } from "./shell.js";

const TAG = "[KioskChat]";
const params = new URLSearchParams(location.search);
const IDLE_SECONDS = Math.min(3600, Math.max(4, Number(params.get("idle")) || 120));
// The warning comes 20 s before the end (half the timeout when that is shorter).
const WARN_SECONDS = Math.min(20, IDLE_SECONDS / 2);

const cart = new Cart({
  button: $("#cart-button"),
  preferredStore: params.get("store"),
  focusAfter: () => chat.focus(),
  onOrder: (order) => {
    if (order) chat.note(`Order ${order.order_id} is placed. Thank you for shopping with us!`);
  },
});
const chat = new Chat({ root: $("#chat-view"), cart, channel: "kiosk" });
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
    channel: "kiosk",
    tag: TAG,
    onLoggedIn: (envelope, how) => shell.enter(envelope, how),
    // The number pad is for the phone and the code; a password needs the screen keyboard.
    onState: (state) => {
      document.getElementById("keypad").hidden = state === "password";
    },
  }),
  onEnter: (envelope, how, turns) => {
    const name = envelope.customer && envelope.customer.name ? envelope.customer.name.split(" ")[0] : "";
    greeting.textContent = name ? `Hello, ${name}` : "Hello!";
    const hasCart = cart.cart.items.length > 0;
    if (how !== "restored" && (turns.length || hasCart)) {
      chat.add("assistant", welcomeBack({ name, turns, cart: cart.cart, channel: "kiosk" }));
    } else if (!turns.length) {
      chat.add(
        "assistant",
        "Hi! I'm your Threadline style assistant. Tell me what you're looking for, or tap a suggestion below.",
      );
    }
    chat.setSuggestions(hasCart ? ["Show my cart", "Show me shirts", "Kurtas for women", "Sneakers under ₹3000"] : null);
  },
  onLeave: () => {
    greeting.textContent = "";
    handoff.reset();
  },
});
$("#finish-button").addEventListener("click", () =>
  shell.signOut("Thanks for visiting! You're signed out."),
);

// ---- the number pad (a kiosk may have no keyboard) -----------------------------------------

let padTarget = $("#phone");
for (const input of [$("#phone"), $("#code")]) {
  input.addEventListener("focus", () => {
    padTarget = input;
  });
}
const keypad = $("#keypad");
// Keep the caret in the field: a pad button must not take the focus.
keypad.addEventListener("pointerdown", (event) => event.preventDefault());
keypad.addEventListener("click", (event) => {
  const key = event.target.closest("button")?.dataset.key;
  if (!key) return;
  const input = padTarget.closest("[hidden]") ? $("#phone") : padTarget;
  if (key === "clear") input.value = "";
  else if (key === "back") input.value = input.value.slice(0, -1);
  else if (input.value.length < Number(input.maxLength || 20)) input.value += key;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.focus();
});

// ---- idle timeout ---------------------------------------------------------------------------

const idleDialog = new Dialog({ title: "Are you still there?", alert: true, closeLabel: "I'm still here" });
idleDialog.el.classList.add("idle-dialog");
const idleText = h("p", { class: "countdown" });
const stay = h("button", { type: "button", class: "button primary wide" }, "I'm still here");
stay.addEventListener("click", () => idleDialog.close());
idleDialog.body.append(
  h("p", {}, "For your privacy, we'll sign you out and clear this screen soon."),
  idleText,
  stay,
);
const countdown = (seconds) => {
  idleText.textContent = `Signing out in ${seconds} second${seconds === 1 ? "" : "s"}.`;
};

const idle = new IdleTimer({
  seconds: IDLE_SECONDS,
  warnSeconds: WARN_SECONDS,
  onWarn: (seconds) => {
    if (!shell.signedIn) return;
    countdown(seconds);
    idleDialog.open(stay);
  },
  onTick: (seconds) => {
    if (idleDialog.isOpen) countdown(seconds);
  },
  onActive: () => idleDialog.close(),
  onTimeout: () => {
    if (shell.signedIn) {
      console.info(`${TAG} Idle for ${IDLE_SECONDS} s: signing out`);
      shell.signOut("The last session ended after a period of inactivity. Log in to start.");
      announce("Signed out after inactivity.");
    } else {
      // Someone typed a number and walked away: it is not left for the next person.
      shell.login.reset();
      shell.login.say("");
    }
  },
});
idle.poke();

// ---- continue on a phone ---------------------------------------------------------------------

const handoff = new Handoff({
  button: $("#handoff-button"),
  idle,
  onSignOut: (used) =>
    shell.signOut(
      used
        ? "Thanks for visiting! Your conversation carries on on your phone."
        : "Thanks for visiting! You're signed out.",
    ),
});

shell.boot();
