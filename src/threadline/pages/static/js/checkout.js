// Checkout inside the cart drawer: how the order is received (delivery to an address, pickup
// or a reservation at a store with stock), the payment method, the decline-and-retry path with
// the alternatives the server suggests, and the order's confirmation.

import { get, isAbort, post } from "./api.js";
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
    this.attempt = null;
    this.build();
    this.orderView = h("section", { class: "order-view", hidden: true, "aria-live": "polite" });
  }

  /** The cart as the server last answered. */
  get current() {
    return this.cart.cart;
  }

  reset() {
    this.stores = null;
    this.attempt = null;
    this.checkoutForm.reset();
    this.hideDecline();
    this.checkoutError.textContent = "";
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
    this.checkoutError = h("p", { class: "form-error", role: "alert" });
    this.decline = h("div", { class: "decline", hidden: true, role: "alert" });
    this.payButton = h("button", { type: "submit", class: "button primary wide pay-button" }, "Pay");
    const back = h("button", { type: "button", class: "button" }, "Back to cart");
    back.addEventListener("click", () => {
      this.cart.showView("cart");
      this.cart.checkoutButton.focus();
    });
    this.checkoutForm = h(
      "form",
      { class: "checkout-form", novalidate: true },
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
      this.checkoutError,
      this.decline,
      h("div", { class: "actions" }, back, this.payButton),
    );
    this.checkoutForm.addEventListener("change", (event) => {
      if (event.target.name === "fulfillment") this.syncFulfilment();
      // Any change makes the next press a new attempt with a new Idempotency-Key.
      this.attempt = null;
    });
    this.checkoutForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.checkout();
    });
    this.view = h("section", { class: "checkout-view", hidden: true }, this.checkoutForm);
  }

  async show() {
    if (!this.current.items.length) {
      this.cart.cartError.textContent = describe({ code: "empty_cart" });
      return;
    }
    this.cart.showView("checkout");
    this.hideDecline();
    this.checkoutError.textContent = "";
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

  syncFulfilment() {
    const type = this.fulfilmentType();
    this.address.hidden = type !== "delivery";
    this.storeChoice.hidden = type === "delivery";
    const cod = this.checkoutForm.querySelector("input[name=payment_method][value=cod] + span");
    cod.textContent = type === "delivery" ? "Cash on delivery" : "Pay at the store";
    if (type !== "delivery") this.loadStores();
  }

  /** The stores, each marked with whether it has every line of the cart in stock. */
  async loadStores() {
    if (!this.stores) {
      this.storeHint.textContent = "Loading stores…";
      try {
        this.stores = await get("/stores");
      } catch (error) {
        if (!isAbort(error)) this.storeHint.textContent = describe(error);
        return;
      }
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
    if (this.stores !== stores) return; // signed out meanwhile
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
      payment_method: form.querySelector("input[name=payment_method]:checked").value,
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
    this.checkoutError.textContent = "";
    if (!this.validate()) return;
    const body = this.body();
    const signature = JSON.stringify(body);
    // One key per attempt; the same key again only to retry an attempt whose answer was lost.
    if (!this.attempt || this.attempt.signature !== signature || !this.attempt.unknown) {
      this.attempt = { key: uuid(), signature, unknown: false };
    }
    this.payButton.disabled = true;
    this.payButton.setAttribute("aria-busy", "true");
    this.hideDecline();
    try {
      const order = await post("/checkout", body, { headers: { "Idempotency-Key": this.attempt.key } });
      this.attempt = null;
      this.showOrder(order);
      this.cart.update(null);
      this.cart.refresh();
      this.cart.onOrder(order);
    } catch (error) {
      if (isAbort(error)) return;
      this.attempt.unknown = error.code === "network_error";
      if (error.code === "payment_declined") {
        this.showDecline(error);
      } else {
        this.checkoutError.textContent = describe(error);
        if (error.code === "cart_changed" || error.code === "out_of_stock" || error.code === "empty_cart") {
          await this.cart.refresh();
          if (error.code === "empty_cart") this.cart.showView("cart");
        }
        const target = error.field && error.field.includes("store") ? this.storeSelect : null;
        (target || this.payButton).focus();
      }
    } finally {
      this.payButton.disabled = false;
      this.payButton.removeAttribute("aria-busy");
    }
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
          onclick: () => this.retryWith(alt),
        },
        alt.label,
      ),
    );
    this.decline.replaceChildren(
      h("p", { class: "decline-title" }, "Payment declined"),
      h("p", {}, describe(error)),
      buttons.length ? h("p", {}, "You can try again another way:") : null,
      buttons.length ? h("div", { class: "alternatives" }, buttons) : null,
    );
    this.decline.hidden = false;
    (buttons[0] || this.payButton).focus();
  }

  async retryWith(alt) {
    const form = this.checkoutForm;
    const choose = (name, value) => {
      const input = form.querySelector(`input[name=${name}][value=${value}]`);
      if (input) input.checked = true;
    };
    choose("payment_method", alt.payment_method);
    if (alt.fulfillment) {
      choose("fulfillment", alt.fulfillment);
      this.syncFulfilment();
      await this.loadStores();
    }
    this.attempt = null;
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
        order.items.map((item) => h("li", {}, `${item.name}, ${sizeText(item.size)} × ${item.qty}: ${money(item.line_total)}`)),
      ),
      done,
    );
    heading.focus();
  }
}
