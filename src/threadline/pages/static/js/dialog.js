// Modal dialogs on the native <dialog> element: the rest of the page is inert while one is
// open, Escape closes it, and focus goes back to the control that opened it.

import { h, nextId } from "./dom.js";

export class Dialog {
  /**
   * `title` is the dialog's heading (its accessible name); `alert` makes it an alertdialog
   * (the idle warning); `className` styles it (e.g. "drawer").
   */
  constructor({ title, className = "", alert = false, closeLabel = "Close" }) {
    const titleId = nextId("dialog-title");
    this.title = h("h2", { id: titleId, class: "dialog-title", tabindex: "-1" }, title);
    this.closeButton = h(
      "button",
      { type: "button", class: "icon-button dialog-close", "aria-label": closeLabel },
      h("span", { "aria-hidden": "true" }, "×"),
    );
    this.body = h("div", { class: "dialog-body" });
    this.el = h(
      "dialog",
      {
        class: `dialog ${className}`.trim(),
        role: alert ? "alertdialog" : "dialog",
        "aria-modal": "true",
        "aria-labelledby": titleId,
      },
      h("div", { class: "dialog-head" }, this.title, this.closeButton),
      this.body,
    );
    this.opener = null;
    this.closeButton.addEventListener("click", () => this.close());
    this.el.addEventListener("close", () => this.restoreFocus());
    document.body.append(this.el);
  }

  get isOpen() {
    return this.el.open;
  }

  /** Open, then focus `focus` (an element), else the first field or button in the body. */
  open(focus) {
    if (!this.el.open) {
      this.opener = document.activeElement;
      this.el.showModal();
    }
    const target =
      focus ||
      this.body.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button") ||
      this.title;
    target.focus();
  }

  close() {
    if (this.el.open) this.el.close();
  }

  restoreFocus() {
    const opener = this.opener;
    this.opener = null;
    if (opener && opener.isConnected && opener.offsetParent !== null) opener.focus();
  }
}
