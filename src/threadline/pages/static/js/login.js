// Logging in by phone, shared by the kiosk and the website.
//
// A phone alone starts (or joins) the customer's session with POST /session/start; a customer
// who has a password is answered 401 invalid_credentials, and then the form asks for the
// password (POST /auth/login) or offers a one-time code (POST /auth/otp/request, then
// /auth/otp/verify).

import { isAbort, post } from "./api.js";
import { maskPhone } from "./dom.js";
import { describe } from "./errors.js";

export class Login {
  /**
   * `form` has inputs named phone, password and code, and elements with data-role
   * password-group, code-group, error, submit and send-code; `info` is a status line.
   * `passwordFirst` shows the password field from the start (the website).
   */
  constructor({ form, info, channel, tag, passwordFirst = false, onLoggedIn, onState = () => {} }) {
    this.form = form;
    this.info = info;
    this.channel = channel;
    this.tag = tag;
    this.passwordFirst = passwordFirst;
    this.onLoggedIn = onLoggedIn;
    this.onState = onState;
    const role = (name) => form.querySelector(`[data-role="${name}"]`);
    this.phone = form.elements.phone;
    this.password = form.elements.password;
    this.code = form.elements.code;
    this.passwordGroup = role("password-group");
    this.codeGroup = role("code-group");
    this.error = role("error");
    this.submitButton = role("submit");
    this.sendCodeButton = role("send-code");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.sendCodeButton.addEventListener("click", () => this.sendCode());
    // A different phone starts over: the password or code asked for belonged to the old one.
    this.phone.addEventListener("input", () => {
      if (this.state !== "phone") this.setState("phone");
    });
    this.lockTimer = null;
    this.working = false;
    this.reset();
  }

  reset() {
    this.unlock();
    this.form.reset();
    this.error.textContent = "";
    this.setState("phone");
  }

  /** After a 429: the buttons stay off until the server's Retry-After has passed. */
  lock(seconds) {
    clearTimeout(this.lockTimer);
    this.lockTimer = setTimeout(() => this.unlock(), Math.max(1, seconds) * 1000);
    this.syncButtons();
  }

  unlock() {
    clearTimeout(this.lockTimer);
    this.lockTimer = null;
    this.syncButtons();
  }

  syncButtons() {
    const off = this.working || this.lockTimer !== null;
    this.submitButton.disabled = off;
    this.sendCodeButton.disabled = off;
  }

  setState(state) {
    this.state = state;
    const askPassword = state === "password" || (state === "phone" && this.passwordFirst);
    this.passwordGroup.hidden = !askPassword;
    this.codeGroup.hidden = state !== "code";
    this.sendCodeButton.hidden = state === "phone" && !this.passwordFirst;
    this.sendCodeButton.textContent =
      state === "code" ? "Send a new code" : "Send me a one-time code instead";
    this.submitButton.textContent =
      state === "code" ? "Verify and log in" : askPassword ? "Log in" : "Continue";
    for (const input of [this.phone, this.password, this.code]) input.removeAttribute("aria-invalid");
    this.onState(state);
  }

  say(text) {
    this.info.textContent = text;
  }

  fail(error, input) {
    this.error.textContent = describe(error);
    const target =
      input ||
      { phone: this.phone, password: this.password, code: this.code }[error.field] ||
      (error.code === "invalid_credentials" && !this.passwordGroup.hidden ? this.password : null) ||
      this.phone;
    target.setAttribute("aria-invalid", "true");
    target.focus();
  }

  phoneValue() {
    const phone = this.phone.value.trim();
    if (phone.replace(/\D/g, "").length < 10) {
      this.fail({ code: "invalid_phone" }, this.phone);
      return null;
    }
    return phone;
  }

  async busy(work) {
    if (this.working || this.lockTimer !== null) return null;
    this.error.textContent = "";
    this.working = true;
    this.syncButtons();
    this.form.setAttribute("aria-busy", "true");
    try {
      return await work();
    } catch (error) {
      if (!isAbort(error)) this.handle(error);
      return null;
    } finally {
      this.working = false;
      this.syncButtons();
      this.form.removeAttribute("aria-busy");
    }
  }

  handle(error) {
    if (error.status === 429) {
      // Told how long to wait, and the buttons stay off until then.
      const seconds = error.retryAfter && error.retryAfter > 0 ? error.retryAfter : 30;
      error.retryAfter = seconds;
      this.error.textContent = describe(error);
      this.lock(seconds);
      return;
    }
    if (error.code === "invalid_credentials" && this.state === "phone" && !this.password.value) {
      // Not a mistake: this customer protects their account with a password.
      console.info(`${this.tag} This account has a password: asking for it`);
      this.setState("password");
      this.say("This account is protected by a password. Enter it, or get a one-time code sent to your phone.");
      this.password.focus();
      return;
    }
    this.fail(error);
  }

  async submit() {
    const phone = this.phoneValue();
    if (!phone) return;
    if (this.state === "code") return this.verify(phone);
    const password = this.password.value;
    if (!this.passwordGroup.hidden && this.state === "password" && !password) {
      this.fail({ code: "validation_error", field: "password" }, this.password);
      this.error.textContent = "Please enter your password, or get a one-time code instead.";
      return;
    }
    await this.busy(async () => {
      let envelope;
      if (password) {
        console.info(`${this.tag} Logging in with password:`, { phone: maskPhone(phone) });
        envelope = await post("/auth/login", { phone, password, channel: this.channel });
      } else {
        console.info(`${this.tag} Creating new session with:`, {
          phone: maskPhone(phone),
          channel: this.channel,
        });
        envelope = await post("/session/start", { phone, channel: this.channel });
      }
      this.done(envelope, password ? "password" : "phone");
    });
  }

  async sendCode() {
    const phone = this.phoneValue();
    if (!phone) return;
    await this.busy(async () => {
      const sent = await post("/auth/otp/request", { phone, channel: this.channel });
      this.setState("code");
      const minutes = Math.round((sent.expires_in_seconds || 300) / 60);
      this.say(`We've sent a 6-digit code to ${maskPhone(phone)}. It works for ${minutes} minutes.`);
      this.code.focus();
    });
  }

  async verify(phone) {
    const code = this.code.value.replace(/\s/g, "");
    if (!/^[0-9]{6}$/.test(code)) {
      this.fail({ code: "validation_error", field: "code" }, this.code);
      return;
    }
    await this.busy(async () => {
      const envelope = await post("/auth/otp/verify", { phone, code, channel: this.channel });
      this.done(envelope, "code");
    });
  }

  done(envelope, how) {
    console.info(`${this.tag} ✅ New session created:`, {
      customer_id: envelope.session.customer_id,
      session_id: envelope.session.session_id,
      channels: envelope.session.data.channels,
    });
    this.reset();
    this.say("");
    this.onLoggedIn(envelope, how);
  }
}
