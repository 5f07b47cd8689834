// The kiosk's idle timer: after `seconds` without a touch or a key press the shopper is signed
// out; `warnSeconds` before that, "Are you still there?" appears with a countdown.
//
// `hold(until)` pauses it (a QR code is on screen and signing out would void it) until
// `release()`, or at the latest until `until` (ms since the epoch on this device's clock); then
// the normal countdown starts again from the beginning.

const ACTIVITY = ["pointerdown", "keydown", "input", "wheel", "touchstart"];

export class IdleTimer {
  constructor({ seconds, warnSeconds, onWarn, onTick, onActive, onTimeout }) {
    Object.assign(this, { seconds, warnSeconds, onWarn, onTick, onActive, onTimeout });
    this.warning = false;
    this.timers = [];
    this.held = false;
    this.holdTimer = null;
    const poke = () => this.poke();
    for (const type of ACTIVITY) {
      document.addEventListener(type, poke, { capture: true, passive: true });
    }
  }

  clear() {
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.ticker);
    this.ticker = null;
    this.timers = [];
  }

  /** Activity: start counting again (and take the warning away). */
  poke() {
    this.clear();
    if (this.warning) {
      this.warning = false;
      this.onActive();
    }
    if (this.held) return;
    const warnAt = (this.seconds - this.warnSeconds) * 1000;
    this.timers.push(setTimeout(() => this.warn(), warnAt));
    this.timers.push(setTimeout(() => this.expire(), this.seconds * 1000));
  }

  /** No idle sign-out until `release()`, and never past `until`. */
  hold(until) {
    this.held = true;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), Math.max(0, until - Date.now()));
    this.poke();
  }

  release() {
    if (!this.held) return;
    clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.held = false;
    this.poke();
  }

  warn() {
    this.warning = true;
    const ends = Date.now() + this.warnSeconds * 1000;
    const left = () => Math.max(0, Math.ceil((ends - Date.now()) / 1000));
    this.onWarn(left());
    this.ticker = setInterval(() => this.onTick(left()), 250);
  }

  expire() {
    this.clear();
    this.warning = false;
    this.onTimeout();
    this.poke();
  }
}
