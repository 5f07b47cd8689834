// The cart drawer: lines with quantity and remove, totals and offers, a coupon, and the way to
// checkout (checkout.js), which ends in the order's confirmation.

import { api, currentGeneration, get, isAbort, post } from "./api.js";
import { Checkout } from "./checkout.js";
import { Dialog } from "./dialog.js";
import { announce, h, money, nextId, sizeText } from "./dom.js";
import { describe } from "./errors.js";

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const EMPTY = { items: [], subtotal: 0, discount: 0, total: 0, applied_offers: [], item_count: 0 };

export class Cart {
  /**
   * `button` is the header's cart button (its badge shows the count); `preferredStore` is
   * the kiosk's own store; `onOrder(order)` runs after a successful checkout.
   */
  constructor({ button, preferredStore = null, onOrder = () => {}, focusAfter = () => {} }) {
    this.button = button;
    this.onOrder = onOrder;
    this.focusAfter = focusAfter;
    this.cart = EMPTY;
    this.dialog = new Dialog({ title: "Your cart", className: "drawer", closeLabel: "Close cart" });
    this.dialog.el.classList.add("cart-dialog");
    this.buildCartView();
    this.checkout = new Checkout({ cart: this, preferredStore });
    this.orderView = this.checkout.orderView;
    this.dialog.body.append(this.cartView, this.checkout.view, this.orderView);
    // After an order, the shopper carries on in the conversation rather than at the cart button.
    this.dialog.el.addEventListener("close", () => {
      if (!this.orderView.hidden) this.focusAfter();
    });
    button.addEventListener("click", () => this.open());
    this.renderBadge();
  }

  // ---- cart -------------------------------------------------------------------------------

  buildCartView() {
    this.lines = h("ul", { class: "cart-lines", "aria-label": "Items in your cart" });
    this.emptyNote = h("p", { class: "cart-empty" }, "Your cart is empty. Ask the assistant for ideas!");
    this.totals = h("dl", { class: "totals" });
    this.loyalty = h("p", { class: "loyalty" });
    const couponId = nextId("coupon");
    this.couponInput = h("input", {
      id: couponId,
      name: "coupon",
      autocomplete: "off",
      autocapitalize: "characters",
      maxlength: "32",
      spellcheck: "false",
    });
    this.couponState = h("p", { class: "coupon-state" });
    this.couponRemove = h("button", { type: "button", class: "link-button", hidden: true }, "Remove coupon");
    this.couponRemove.addEventListener("click", () =>
      this.change(() => api("DELETE", "/cart/coupon"), "Coupon removed.").then(() => this.couponInput.focus()),
    );
    this.couponForm = h(
      "form",
      { class: "coupon-form", novalidate: true },
      h("label", { for: couponId }, "Coupon code"),
      h(
        "div",
        { class: "inline" },
        this.couponInput,
        h("button", { type: "submit", class: "button" }, "Apply"),
      ),
      h("div", { class: "inline coupon-status" }, this.couponState, this.couponRemove),
    );
    this.couponForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.applyCoupon();
    });
    this.cartError = h("p", { class: "form-error", role: "alert" });
    this.checkoutButton = h(
      "button",
      { type: "button", class: "button primary wide checkout-button" },
      "Checkout",
    );
    this.checkoutButton.addEventListener("click", () => this.checkout.show());
    this.cartView = h(
      "section",
      { class: "cart-view" },
      this.emptyNote,
      this.lines,
      this.totals,
      this.loyalty,
      this.couponForm,
      this.cartError,
      this.checkoutButton,
    );
  }

  renderBadge() {
    const count = this.cart.item_count || this.cart.items.reduce((n, x) => n + x.qty, 0);
    const badge = this.button.querySelector(".badge");
    const spoken = this.button.querySelector(".count-text");
    if (badge) badge.textContent = String(count);
    if (spoken) spoken.textContent = `, ${count} item${count === 1 ? "" : "s"}`;
    this.button.dataset.count = String(count);
  }

  /** Show a cart the server answered with (from /cart, /cart/items, /chat …). */
  update(cart) {
    this.cart = cart || EMPTY;
    // A good answer: whatever went wrong before is over.
    this.cartError.textContent = "";
    this.renderBadge();
    this.render();
  }

  reset() {
    this.cart = EMPTY;
    this.dialog.close();
    this.checkout.reset();
    this.cartError.textContent = "";
    this.couponInput.value = "";
    this.couponState.textContent = "";
    this.showView("cart");
    this.renderBadge();
    this.render();
  }

  /** The agent placed an order in the chat: the cart is empty now. */
  onOrderPlaced(order) {
    this.refresh();
    this.onOrder(order);
  }

  async refresh() {
    const generation = currentGeneration();
    try {
      this.update(await get("/cart"));
    } catch (error) {
      // Nothing is written for a shopper who has signed out meanwhile.
      if (!isAbort(error) && generation === currentGeneration()) this.cartError.textContent = describe(error);
    }
  }

  async add(sku, size) {
    const cart = await post("/cart/items", { sku, size, qty: 1 });
    this.update(cart);
    announce(`Added to cart. ${cart.item_count} item${cart.item_count === 1 ? "" : "s"}, total ${money(cart.total)}.`);
    return cart;
  }

  open() {
    this.showView("cart");
    this.dialog.open(this.dialog.title);
    this.refresh();
  }

  render() {
    const cart = this.cart;
    const focusedKey = document.activeElement && document.activeElement.dataset.key;
    this.emptyNote.hidden = cart.items.length > 0;
    this.lines.replaceChildren(...cart.items.map((line) => this.lineItem(line)));
    const rows = [["Subtotal", money(cart.subtotal)]];
    for (const offer of cart.applied_offers || []) {
      const label = offer.kind === "coupon" ? `Coupon ${offer.code}: ${offer.label}` : offer.label;
      rows.push([label, `− ${money(offer.amount)}`]);
    }
    if ((cart.applied_offers || []).length > 1) rows.push(["You save", `− ${money(cart.discount)}`]);
    rows.push(["Total", money(cart.total)]);
    this.totals.replaceChildren(
      ...rows.flatMap(([term, value], i) => [
        h("dt", { class: i === rows.length - 1 ? "total" : "" }, term),
        h("dd", { class: i === rows.length - 1 ? "total" : "" }, value),
      ]),
    );
    this.totals.hidden = cart.items.length === 0;
    const loyalty = cart.loyalty;
    this.loyalty.textContent =
      loyalty && cart.items.length
        ? `You'll earn ${loyalty.points_to_earn} loyalty points. Balance: ${loyalty.points_balance.toLocaleString("en-IN")} points${loyalty.tier ? ` (${loyalty.tier[0].toUpperCase()}${loyalty.tier.slice(1)} member)` : ""}.`
        : "";
    const coupon = cart.coupon;
    this.couponState.textContent = coupon
      ? coupon.applied
        ? `Coupon ${coupon.code} applied.`
        : `Coupon ${coupon.code} is saved but doesn't apply yet${coupon.message ? `: ${coupon.message}` : "."}`
      : "";
    this.couponRemove.hidden = !coupon;
    this.couponForm.hidden = cart.items.length === 0;
    this.checkoutButton.hidden = cart.items.length === 0;
    this.checkoutButton.textContent = `Checkout · ${money(cart.total)}`;
    this.checkout.updatePayLabel();
    if (focusedKey) {
      const again = this.lines.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
      (again || this.dialog.title).focus();
    }
  }

  lineItem(line) {
    const nameId = nextId("line");
    const control = (key, label, text, action) =>
      h(
        "button",
        {
          type: "button",
          class: "icon-button qty-button",
          "aria-label": label,
          dataset: { key: `${line.line_id}:${key}` },
          onclick: action,
        },
        h("span", { "aria-hidden": "true" }, text),
      );
    return h(
      "li",
      { class: "cart-line", dataset: { sku: line.sku } },
      line.image_url ? h("img", { src: line.image_url, alt: "", width: "64", height: "80" }) : null,
      h(
        "div",
        { class: "cart-line-body" },
        h("p", { class: "cart-line-name", id: nameId }, line.name),
        h("p", { class: "hint" }, `${capital(sizeText(line.size))} · ${money(line.unit_price)} each`),
        h(
          "div",
          { class: "qty", role: "group", "aria-label": `Quantity of ${line.name}` },
          control("minus", `One fewer: ${line.name}, ${sizeText(line.size)}`, "−", () =>
            this.setQty(line, line.qty - 1),
          ),
          h("span", { class: "qty-value" }, String(line.qty)),
          control("plus", `One more: ${line.name}, ${sizeText(line.size)}`, "+", () =>
            this.setQty(line, line.qty + 1),
          ),
          h(
            "button",
            {
              type: "button",
              class: "link-button",
              dataset: { key: `${line.line_id}:remove` },
              onclick: () => this.remove(line),
            },
            "Remove",
            h("span", { class: "visually-hidden" }, ` ${line.name}, ${sizeText(line.size)}`),
          ),
        ),
      ),
      h("p", { class: "cart-line-total" }, money(line.line_total)),
    );
  }

  async change(call, spoken) {
    this.cartError.textContent = "";
    try {
      this.update(await call());
      announce(spoken);
    } catch (error) {
      if (isAbort(error)) return;
      if (error.code === "cart_line_not_found") await this.refresh();
      this.cartError.textContent = describe(error);
    }
  }

  setQty(line, qty) {
    if (qty < 1) return this.remove(line);
    return this.change(
      () => api("PATCH", `/cart/items/${encodeURIComponent(line.line_id)}`, { body: { qty } }),
      `${line.name}: quantity ${qty}.`,
    );
  }

  remove(line) {
    return this.change(
      () => api("DELETE", `/cart/items/${encodeURIComponent(line.line_id)}`),
      `${line.name} removed from your cart.`,
    );
  }

  async applyCoupon() {
    const code = this.couponInput.value.trim();
    this.couponState.textContent = "";
    if (!code) {
      this.couponState.textContent = "Type a coupon code first.";
      this.couponInput.focus();
      return;
    }
    try {
      this.update(await post("/cart/coupon", { code }));
      this.couponInput.value = "";
      announce(this.couponState.textContent);
    } catch (error) {
      if (isAbort(error)) return;
      this.couponState.textContent = describe(error);
      this.couponInput.focus();
    }
  }

  showView(name) {
    this.cartView.hidden = name !== "cart";
    this.checkout.view.hidden = name !== "checkout";
    this.orderView.hidden = name !== "order";
    this.dialog.title.textContent = { cart: "Your cart", checkout: "Checkout", order: "Order placed" }[name];
  }
}
