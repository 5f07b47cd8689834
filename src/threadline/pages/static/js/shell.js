// What both pages do around the conversation: restore the session on load, enter the chat
// after a login, and clear everything when the shopper signs out or the session is gone.

import { abortAll, currentGeneration, isAbort, logoutInBackground, onSessionLost, post, token } from "./api.js";
import { silence } from "./dom.js";
import { describe } from "./errors.js";

export class Shell {
  /**
   * `views` are the page's sections ({loading, login, chat}); `nav` is what only a signed-in
   * shopper sees; `onEnter(envelope, how, turns)` and `onLeave()` are the page's own steps.
   */
  constructor({ tag, views, nav, chat, cart, login, onEnter = () => {}, onLeave = () => {} }) {
    Object.assign(this, { tag, views, nav, chat, cart, login, onEnter, onLeave });
    this.session = null;
    this.customer = null;
    onSessionLost((error) => this.lost(error));
  }

  get signedIn() {
    return this.session !== null;
  }

  show(name) {
    for (const [key, view] of Object.entries(this.views)) view.hidden = key !== name;
    for (const el of this.nav) el.hidden = name !== "chat";
  }

  showLogin(message = "") {
    this.session = null;
    this.show("login");
    this.login.say(message);
    this.login.phone.focus();
  }

  /** On load: continue the stored session if the server still knows it, else log in. */
  async boot() {
    if (!token.get()) {
      console.info(`${this.tag} No stored session: showing the login form`);
      this.showLogin();
      return;
    }
    console.info(`${this.tag} Attempting to restore session…`);
    try {
      const envelope = await post("/session/restore", undefined, { lost: false });
      console.info(`${this.tag} ✅ Session restored successfully:`, {
        customer_id: envelope.session.customer_id,
        session_id: envelope.session.session_id,
      });
      await this.enter(envelope, "restored");
    } catch (error) {
      if (isAbort(error)) return;
      if (error.code === "session_not_found") {
        console.info(`${this.tag} The stored session has ended: showing the login form`);
        token.clear();
        this.showLogin("Your last session has ended. Please log in again.");
      } else {
        this.showLogin(describe(error));
      }
    }
  }

  /** Into the conversation: keep the token, show the cart and the recent turns. */
  async enter(envelope, how) {
    const generation = currentGeneration();
    token.set(envelope.session_token);
    this.session = envelope.session;
    this.customer = envelope.customer || null;
    this.chat.clear();
    this.show("chat");
    this.chat.focus();
    await this.cart.refresh();
    const turns = await this.chat.loadHistory();
    if (generation !== currentGeneration()) return; // signed out while loading
    await this.onEnter(envelope, how, turns);
    // The conversation is drawn and usable (tests and tools wait for this).
    document.body.dataset.session = "ready";
  }

  /** Take everything of the shopper off the screen: conversation, cart, order, dialogs. */
  clearScreen() {
    delete document.body.dataset.session;
    this.session = null;
    this.customer = null;
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
    this.chat.clear();
    this.cart.reset();
    this.login.reset();
    silence();
    this.onLeave();
  }

  /** Forget the token, clear the screen for the next shopper, then tell the server. */
  signOut(message = "") {
    const previous = token.get();
    abortAll();
    token.clear();
    try {
      sessionStorage.clear();
    } catch {
      // Storage disabled: nothing was kept there.
    }
    this.clearScreen();
    this.showLogin(message);
    if (previous) {
      // In the background: a slow or unreachable server must not keep the previous shopper's
      // conversation on screen.  The token is already gone from this device either way.
      logoutInBackground(previous).then((status) => {
        console.info(`${this.tag} Sign-out answered ${status || "nothing"}`);
      });
    }
  }

  lost(error) {
    if (!this.signedIn) return;
    console.info(`${this.tag} The session ended on the server: back to the login form`);
    abortAll();
    token.clear();
    try {
      sessionStorage.clear();
    } catch {
      // Storage disabled: nothing was kept there.
    }
    this.clearScreen();
    this.showLogin(describe(error));
  }
}
