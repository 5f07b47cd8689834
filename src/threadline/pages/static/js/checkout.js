// Checkout inside the cart drawer: how the order is received (delivery to an address, pickup
// or a reservation at a store with stock), the payment method, the decline-and-retry path with
// the alternatives the server suggests, and the order's confirmation.
//
// One Idempotency-Key per attempt.  When an attempt's outcome is unknown (no answer, or a 5xx)
// pressing Pay again sends the same key with the same body, so the server answers with what it
// did the first time; if the shopper changes something instead, the cart is looked at first: an
// empty cart means that order went through, and it is shown rather than paid for twice.

import { currentGeneration, get, isAbort, post } from "./api.js";
import { dateOf, h, money, nextId, sizeText, timeOf, uuid } from "./dom.js";
import { describe } from "./errors.js";

const METHODS = [
  ["upi", "UPI"],
  ["card", "Card"],
  ["wallet", "Wallet"],
  ["cod", "Cash on delivery"],
];
const FULFILMENT = [
  ["delivery", "Home delivery"],
  ["pickup", "Pick up at a store"],
  ["reserve_in_store", "Reserve in a store: try it on and pay there"],
];
const METHOD_NAMES = { upi: "UPI", card: "card", wallet: "wallet", cod: "cash" };
// An order this recent, found after an attempt whose outcome was unknown, is that attempt's.
const RECENT_MS = 15 * 60 * 1000;

/** No answer, or the server failed: the payment may or may not have gone through. */
const outcomeUnknown = (error) => error.status === 0 || error.status >= 500;

function radios(name, options, checked) {
  return options.map(([value, label]) =>
    h(
      "label",
      { class: "option" },
      h("input", { type: "radio", name, value, checked: value === checked }),
      h("span", {}, label),
    ),
  );
}

function field(label, attrs, hint) {
  const id = nextId("field");
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, ...attrs }),
    hint ? h("p", { class: "hint" }, hint) : null,
  );
}

export class Checkout {
  /** `cart` is the Cart whose drawer holds this form; `preferredStore` comes first for pickup. */
  constructor({ cart, preferredStore = null }) {
    this.cart = cart;
    this.preferredStore = preferredStore;
    this.stores = null;
    // The attempt being paid: {key, signature, body, unknown}.
    this.attempt = null;
    this.busy = false;
    // The order this checkout ended in: nothing that answers later replaces it.
    this.placed = null;
    this.build();
    this.orderView = h("section", { class: "order-view", hidden: true });
  }

  /** The cart as the server last answered. */
  get current() {
    return this.cart.cart;
  }

  /** Forget everything of this shopper's checkout (sign-out). */
  reset() {
    this.stores = null;
    this.attempt = null;
    this.placed = null;
    this.setBusy(false);
    this.checkoutForm.reset();
    for (const input of this.checkoutForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    this.hideDecline();
    this.checkoutError.textContent = "";
    this.notice.textContent = "";
    this.storeSelect.replaceChildren();
    this.storeHint.textContent = "";
    this.orderView.replaceChildren();
    delete this.orderView.dataset.orderId;
    this.syncFulfilment({ load: false });
  }

  build() {
    this.address = h(
      "fieldset",
      { class: "address" },
      h("legend", {}, "Delivery address"),
      field("Name", { name: "name", autocomplete: "name", maxlength: "120" }),
      field("House and street", {
        name: "line1",
        autocomplete: "address-line1",
        required: true,
        maxlength: "200",
      }),
      field("Area or landmark (optional)", {
        name: "line2",
        autocomplete: "address-line2",
        maxlength: "200",
      }),
      field("City", { name: "city", autocomplete: "address-level2", required: true, maxlength: "80" }),
      field("PIN code", {
        name: "pincode",
        autocomplete: "postal-code",
        inputmode: "numeric",
        required: true,
        pattern: "[1-9][0-9]{5}",
        maxlength: "6",
      }),
    );
    const storeId = nextId("store");
    this.storeSelect = h("select", { id: storeId, name: "store_id", required: true });
    this.storeHint = h("p", { class: "hint" });
    this.storeChoice = h(
      "div",
      { class: "field store-choice", hidden: true },
      h("label", { for: storeId }, "Store"),
      this.storeSelect,
      this.storeHint,
    );
    this.pointsBox = h("input", { type: "checkbox", name: "use_loyalty_points" });
    this.pointsLabel = h("span", {}, "Use my loyalty points");
    this.points = h("label", { class: "option check" }, this.pointsBox, this.pointsLabel);
    this.notice = h("p", { class: "notice", role: "status" });
    this.checkoutError = h("p", { class: "form-error", role: "alert" });
    // Focused when it appears, so its words are read before its buttons.
    this.decline = h("div", { class: "decline", hidden: true, role: "alert", tabindex: "-1" });
    this.payButton = h("button", { type: "submit", class: "button primary wide pay-button" }, "Pay");
    const back = h("button", { type: "button", class: "button" }, "Back to cart");
    back.addEventListener("click", () => {
      this.cart.showView("cart");
      this.cart.checkoutButton.focus();
    });
    // Disabled as a whole while a payment is on its way: nothing changes under it.
    this.fields = h(
      "fieldset",
      { class: "checkout-fields" },
      h(
        "fieldset",
        { class: "choices" },
        h("legend", {}, "How would you like to get it?"),
        radios("fulfillment", FULFILMENT, "delivery"),
      ),
      this.address,
      this.storeChoice,
      h("fieldset", { class: "choices methods" }, h("legend", {}, "Payment"), radios("payment_method", METHODS, "upi")),
      this.points,
      this.notice,
      this.checkoutError,
      this.decline,
      h("div", { class: "actions" }, back, this.payButton),
    );
    this.checkoutForm = h("form", { class: "checkout-form", novalidate: true }, this.fields);
    this.checkoutForm.addEventListener("change", (event) => {
      if (event.target.name === "fulfillment") this.syncFulfilment();
      if (event.target.name === "payment_method") this.updatePayLabel();
      // A changed form is a new attempt (a new Idempotency-Key): checkout() compares the body.
    });
    this.checkoutForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.checkout();
    });
    this.view = h("section", { class: "checkout-view", hidden: true }, this.checkoutForm);
  }

  setBusy(on) {
    this.busy = on;
    this.fields.disabled = on;
    this.checkoutForm.setAttribute("aria-busy", String(on));
  }

  async show() {
    if (!this.current.items.length) {
      this.cart.cartError.textContent = describe({ code: "empty_cart" });
      return;
    }
    this.placed = null;
    this.cart.showView("checkout");
    this.hideDecline();
    this.checkoutError.textContent = "";
    this.notice.textContent = "";
    const loyalty = this.current.loyalty;
    this.points.hidden = !(loyalty && loyalty.points_balance > 0);
    if (loyalty) {
      this.pointsLabel.textContent = `Use my loyalty points (${loyalty.points_balance.toLocaleString("en-IN")} available)`;
    }
    this.syncFulfilment();
    this.checkoutForm.querySelector("input[name=fulfillment]:checked").focus();
  }

  fulfilmentType() {
    return this.checkoutForm.querySelector("input[name=fulfillment]:checked").value;
  }

  paymentMethod() {
    return this.checkoutForm.querySelector("input[name=payment_method]:checked").value;
  }

  /** "Pay ₹1,999", or "Place order · ₹1,999" when the money changes hands later. */
  updatePayLabel() {
    const total = money(this.current.total);
    this.payButton.textContent = this.paymentMethod() === "cod" ? `Place order · ${total}` : `Pay ${total}`;
  }

  syncFulfilment({ load = true } = {}) {
    const type = this.fulfilmentType();
    this.address.hidden = type !== "delivery";
    this.storeChoice.hidden = type === "delivery";
    const cod = this.checkoutForm.querySelector("input[name=payment_method][value=cod] + span");
    cod.textContent = type === "delivery" ? "Cash on delivery" : "Pay at the store";
    this.updatePayLabel();
    return load && type !== "delivery" ? this.loadStores() : Promise.resolve();
  }

  /** The stores, each marked with whether it has every line of the cart in stock. */
  async loadStores() {
    const generation = currentGeneration();
    if (!this.stores) {
      this.storeHint.textContent = "Loading stores…";
      try {
        this.stores = await get("/stores");
      } catch (error) {
        if (!isAbort(error) && generation === currentGeneration()) this.storeHint.textContent = describe(error);
        return;
      }
      if (generation !== currentGeneration()) return;
    }
    const stores = this.stores;
    const stock = await Promise.all(
      this.current.items.map((line) =>
        get(
          `/products/${encodeURIComponent(line.sku)}/availability?size=${encodeURIComponent(line.size)}`,
        )
          .then((a) => ({ line, a }))
          .catch(() => null),
      ),
    );
    if (this.stores !== stores || generation !== currentGeneration()) return; // signed out meanwhile
    const complete = (store) =>
      stock.every((s) => s && (s.a.stores.find((x) => x.store_id === store.store_id)?.qty || 0) >= s.line.qty);
    const previous = this.storeSelect.value;
    const options = this.stores.map((store) => {
      const ok = complete(store);
      return h(
        "option",
        { value: store.store_id, dataset: { complete: String(ok) } },
        `${store.name}, ${store.city}${ok ? " (all items in stock)" : " (not all items in stock)"}`,
      );
    });
    this.storeSelect.replaceChildren(...options);
    const ids = this.stores.map((s) => s.store_id);
    const good = this.stores.filter(complete).map((s) => s.store_id);
    const pick =
      [previous, this.preferredStore].find((id) => id && good.includes(id)) ||
      good[0] ||
      [previous, this.preferredStore].find((id) => id && ids.includes(id)) ||
      ids[0];
    if (pick) this.storeSelect.value = pick;
    this.storeHint.textContent = good.length
      ? ""
      : "No single store has every item right now; choose home delivery, or a store and we'll tell you what's missing.";
  }

  hideDecline() {
    this.decline.hidden = true;
    this.decline.replaceChildren();
  }

  body() {
    const form = this.checkoutForm;
    const type = this.fulfilmentType();
    const fulfillment = { type };
    if (type === "delivery") {
      const value = (name) => form.querySelector(`[name=${name}]`).value.trim();
      fulfillment.address = { line1: value("line1"), city: value("city"), pincode: value("pincode") };
      for (const optional of ["name", "line2"]) if (value(optional)) fulfillment.address[optional] = value(optional);
    } else {
      fulfillment.store_id = this.storeSelect.value;
    }
    return {
      payment_method: this.paymentMethod(),
      fulfillment,
      use_loyalty_points: !this.points.hidden && this.pointsBox.checked,
    };
  }

  /** Check the visible required fields; say what is missing and focus the first one. */
  validate() {
    for (const input of this.checkoutForm.querySelectorAll("input, select")) {
      input.removeAttribute("aria-invalid");
    }
    const scope = this.fulfilmentType() === "delivery" ? this.address : this.storeChoice;
    const bad = [...scope.querySelectorAll("input, select")].find((el) => !el.checkValidity());
    if (!bad) return true;
    bad.setAttribute("aria-invalid", "true");
    const which = bad.name === "pincode" ? "fulfillment.address.pincode" : bad.name === "store_id" ? "store_id" : "address";
    this.checkoutError.textContent = describe({ code: "validation_error", field: which });
    bad.focus();
    return false;
  }

  async checkout() {
    if (this.busy || this.placed) return;
    this.checkoutError.textContent = "";
    this.notice.textContent = "";
    if (!this.validate()) return;
    const body = this.body();
    // The same attempt is the same body for the same cart.
    const lines = this.current.items.map((line) => [line.line_id, line.qty]);
    const signature = JSON.stringify({ body, lines, total: this.current.total });
    const generation = currentGeneration();
    const stale = () => generation !== currentGeneration() || this.placed !== null;
    this.setBusy(true);
    this.hideDecline();
    let focus = this.payButton;
    try {
      let attempt = this.attempt;
      if (attempt && attempt.unknown && attempt.signature !== signature) {
        // The last attempt may have gone through: look before paying again another way.
        const found = await this.reconcile();
        if (stale()) return;
        if (found.order) {
          this.finish(found.order);
          return;
        }
        if (found.empty) {
          this.attempt = null;
          this.checkoutError.textContent = describe({ code: "empty_cart" });
          this.cart.showView("cart");
          focus = this.cart.dialog.title;
          return;
        }
        attempt = null;
      }
      // One key per attempt; the same key again only to retry an attempt whose answer was lost.
      if (!attempt || !attempt.unknown) attempt = { key: uuid(), signature, body, unknown: false };
      this.attempt = attempt;
      let order;
      try {
        order = await post("/checkout", attempt.body, { headers: { "Idempotency-Key": attempt.key } });
      } catch (error) {
        if (isAbort(error) || stale()) return;
        focus = await this.failed(attempt, error);
        return;
      }
      if (stale()) return;
      this.finish(order);
      focus = null;
    } catch (error) {
      // Looking at the cart failed: the attempt stays unknown, Pay asks again.
      if (isAbort(error) || stale()) return;
      this.checkoutError.textContent = describe(error);
    } finally {
      if (generation === currentGeneration() && this.placed === null) {
        this.setBusy(false);
        if (focus && focus.isConnected) focus.focus();
      }
    }
  }

  /** After an unknown outcome: {order} when it went through, {empty} when the cart is gone. */
  async reconcile() {
    const cart = await get("/cart");
    this.cart.update(cart);
    if (cart.items.length) return {};
    const meta = {};
    const page = await get("/orders?limit=1", { meta });
    const latest = page.items[0];
    const now = Number.isFinite(meta.serverDate) ? meta.serverDate : Date.now();
    if (latest && now - Date.parse(latest.created_at) < RECENT_MS) return { order: latest };
    return { empty: true };
  }

  /** Show what went wrong; returns what to focus. */
  async failed(attempt, error) {
    if (outcomeUnknown(error)) {
      // Pressing Pay again with nothing changed repeats this attempt, with the same key.
      attempt.unknown = true;
      this.checkoutError.textContent = `${describe(error)} If you press ${this.payButton.textContent} again, you won't be charged twice.`;
      return this.payButton;
    }
    this.attempt = null;
    if (error.code === "payment_declined") {
      this.showDecline(error);
      return this.decline;
    }
    this.checkoutError.textContent = describe(error);
    if (error.code === "cart_changed" || error.code === "out_of_stock" || error.code === "empty_cart") {
      await this.cart.refresh();
      if (error.code === "empty_cart") {
        this.cart.showView("cart");
        this.cart.cartError.textContent = describe(error);
        return this.cart.dialog.title;
      }
    }
    return error.field && error.field.includes("store") ? this.storeSelect : this.payButton;
  }

  finish(order) {
    this.attempt = null;
    this.placed = order;
    this.setBusy(false);
    this.showOrder(order);
    this.cart.update(null);
    this.cart.refresh();
    this.cart.onOrder(order);
  }

  showDecline(error) {
    const alternatives = (error.body && error.body.alternatives) || [];
    const buttons = alternatives.map((alt) =>
      h(
        "button",
        {
          type: "button",
          class: "button alternative",
          dataset: { method: alt.payment_method, fulfillment: alt.fulfillment || "" },
          onclick: () => this.retryWith(alt, buttons),
        },
        alt.label,
      ),
    );
    this.decline.replaceChildren(
      ...[
        h("p", { class: "decline-title" }, "Payment declined"),
        h("p", {}, describe(error)),
        buttons.length ? h("p", {}, "You can try again another way:") : null,
        buttons.length ? h("div", { class: "alternatives" }, buttons) : null,
      ].filter(Boolean),
    );
    this.decline.hidden = false;
  }

  async retryWith(alt, buttons) {
    if (this.busy || this.placed) return;
    // One press: the alternatives are off at once, a second press (or a double click) is nothing.
    for (const button of buttons) button.disabled = true;
    const form = this.checkoutForm;
    const choose = (name, value) => {
      const input = form.querySelector(`input[name=${name}][value=${value}]`);
      if (input) input.checked = true;
    };
    choose("payment_method", alt.payment_method);
    this.updatePayLabel();
    if (alt.fulfillment && alt.fulfillment !== this.fulfilmentType()) {
      // Another way of receiving it: the shopper chooses (or confirms) the store first.
      choose("fulfillment", alt.fulfillment);
      this.hideDecline();
      const generation = currentGeneration();
      await this.syncFulfilment();
      if (generation !== currentGeneration()) return;
      this.notice.textContent = `Choose the store, then press ${this.payButton.textContent}: you pay when you get there.`;
      this.storeSelect.focus();
      return;
    }
    await this.checkout();
  }

  showOrder(order) {
    this.cart.showView("order");
    const f = order.fulfillment || {};
    const paid = order.payment || {};
    const lines = [];
    if (paid.status === "captured") lines.push(`Paid ${money(order.total)} by ${METHOD_NAMES[paid.method] || paid.method}.`);
    else if (f.type === "delivery") lines.push(`Please pay ${money(order.total)} in cash on delivery.`);
    else lines.push(`Please pay ${money(order.total)} at the store.`);
    if (f.type === "delivery") {
      lines.push(f.eta ? `It should arrive by ${dateOf(f.eta)}.` : "We'll let you know when it ships.");
    } else if (f.type === "pickup") {
      lines.push(`Collect it from ${f.store_name || "the store"}${f.eta ? `, ready from ${dateOf(f.eta)}` : ""}.`);
    } else {
      lines.push(
        `It's held for you at ${f.store_name || "the store"}${f.hold_expires_at ? ` until ${timeOf(f.hold_expires_at)}` : ""}.`,
      );
    }
    if (f.pickup_code) lines.push(`Your pickup code is ${f.pickup_code}.`);
    if (order.loyalty_points_earned) lines.push(`You earned ${order.loyalty_points_earned} loyalty points.`);
    const heading = h("h3", { class: "section-title", tabindex: "-1" }, `Thank you! Order ${order.order_id} is placed.`);
    const done = h("button", { type: "button", class: "button primary wide" }, "Continue shopping");
    done.addEventListener("click", () => this.cart.dialog.close());
    this.orderView.dataset.orderId = order.order_id;
    this.orderView.replaceChildren(
      heading,
      ...lines.map((text) => h("p", {}, text)),
      h(
        "ul",
        { class: "order-lines" },
        (order.items || []).map((item) =>
          h("li", {}, `${item.name}, ${sizeText(item.size)} × ${item.qty}: ${money(item.line_total)}`),
        ),
      ),
      done,
    );
    heading.focus();
  }
}
