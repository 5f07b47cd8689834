// The kiosk's idle timer: after `seconds` without a touch or a key press the shopper is signed
// out; `warnSeconds` before that, "Are you still there?" appears with a countdown.

const ACTIVITY = ["pointerdown", "keydown", "input", "wheel", "touchstart"];

export class IdleTimer {
  constructor({ seconds, warnSeconds, onWarn, onTick, onActive, onTimeout }) {
    Object.assign(this, { seconds, warnSeconds, onWarn, onTick, onActive, onTimeout });
    this.warning = false;
    this.timers = [];
    const poke = () => this.poke();
    for (const type of ACTIVITY) {
      document.addEventListener(type, poke, { capture: true, passive: true });
    }
  }

  clear() {
    for (const timer of this.timers) clearTimeout(timer);
    clearInterval(this.ticker);
    this.timers = [];
  }

  /** Activity: start counting again (and take the warning away). */
  poke() {
    this.clear();
    if (this.warning) {
      this.warning = false;
      this.onActive();
    }
    const warnAt = (this.seconds - this.warnSeconds) * 1000;
    this.timers.push(setTimeout(() => this.warn(), warnAt));
    this.timers.push(setTimeout(() => this.expire(), this.seconds * 1000));
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
