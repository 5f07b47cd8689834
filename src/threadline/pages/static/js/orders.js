// Order history and returns: the list (GET /orders), one order (GET /orders/{id}) and a return
// of chosen lines with a reason (POST /orders/{id}/return).

import { currentGeneration, get, isAbort, post } from "./api.js";
import { Dialog } from "./dialog.js";
import { announce, dateOf, h, money, nextId, sizeText } from "./dom.js";
import { describe } from "./errors.js";

const STATUS = {
  confirmed: "Confirmed",
  reserved: "Reserved in store",
  ready_for_pickup: "Ready for pickup",
  shipped: "On its way",
  delivered: "Delivered",
  collected: "Collected",
  cancelled: "Cancelled",
  returned: "Returned",
  partially_returned: "Partly returned",
  return_requested: "Return requested",
};
const FULFILMENT = { delivery: "Home delivery", pickup: "Store pickup", reserve_in_store: "Reserved in store" };
const REASONS = [
  "It doesn't fit",
  "It's not as described",
  "It arrived damaged",
  "I changed my mind",
  "Something else",
];

const statusText = (status) => STATUS[status] || String(status || "").replace(/_/g, " ");
const METHODS = { upi: "UPI", card: "Card", wallet: "Wallet", cod: "Cash" };
const PAYMENT = {
  captured: "paid",
  pending: "to pay",
  refunded: "refunded",
  partially_refunded: "partly refunded",
};

function paymentText(payment) {
  const p = payment || {};
  const method = METHODS[p.method] || String(p.method || "").toUpperCase();
  const state = PAYMENT[p.status] || String(p.status || "").replace(/_/g, " ");
  return [method, state].filter(Boolean).join(", ") || "Not recorded";
}

export class Orders {
  constructor({ button }) {
    this.dialog = new Dialog({ title: "Your orders", className: "drawer" });
    this.dialog.el.classList.add("orders-dialog");
    this.view = h("div", { class: "orders-view" });
    this.dialog.body.append(this.view);
    button.addEventListener("click", () => this.open());
  }

  open() {
    this.dialog.open(this.dialog.title);
    this.showList();
  }

  reset() {
    this.dialog.close();
    this.view.replaceChildren();
    this.dialog.title.textContent = "Your orders";
  }

  /** An error, unless the shopper who asked has signed out since. */
  failed(error, generation) {
    if (isAbort(error) || generation !== currentGeneration()) return;
    this.view.replaceChildren(h("p", { class: "form-error", role: "alert" }, describe(error)));
  }

  async showList(focusId = null) {
    this.dialog.title.textContent = "Your orders";
    this.view.replaceChildren(h("p", { class: "hint", role: "status" }, "Loading your orders…"));
    const generation = currentGeneration();
    let page;
    try {
      page = await get("/orders?limit=50");
    } catch (error) {
      this.failed(error, generation);
      return;
    }
    if (generation !== currentGeneration()) return;
    if (!page.items.length) {
      this.view.replaceChildren(h("p", {}, "You haven't ordered anything yet. When you do, it will appear here."));
      return;
    }
    const list = h(
      "ul",
      { class: "order-list" },
      page.items.map((order) => {
        const count = order.items.reduce((n, line) => n + line.qty, 0);
        return h(
          "li",
          { class: "order-summary", dataset: { orderId: order.order_id } },
          h(
            "div",
            {},
            h("p", { class: "order-id" }, `Order ${order.order_id}`),
            h(
              "p",
              { class: "hint" },
              `${dateOf(order.created_at)} · ${count} item${count === 1 ? "" : "s"} · ${money(order.total)}`,
            ),
            h("p", { class: `status-pill status-${order.status}` }, statusText(order.status)),
          ),
          h(
            "button",
            {
              type: "button",
              class: "button",
              dataset: { open: order.order_id },
              onclick: () => this.showOrder(order.order_id),
            },
            "View",
            h("span", { class: "visually-hidden" }, ` order ${order.order_id}`),
          ),
        );
      }),
    );
    this.view.replaceChildren(list);
    const again = focusId && list.querySelector(`[data-open="${CSS.escape(focusId)}"]`);
    (again || this.dialog.title).focus();
  }

  async showOrder(orderId, notice = "") {
    const generation = currentGeneration();
    let order;
    try {
      order = await get(`/orders/${encodeURIComponent(orderId)}`);
    } catch (error) {
      this.failed(error, generation);
      return;
    }
    if (generation !== currentGeneration()) return;
    this.dialog.title.textContent = `Order ${order.order_id}`;
    const back = h("button", { type: "button", class: "link-button" }, "← All orders");
    back.addEventListener("click", () => this.showList(order.order_id));
    const f = order.fulfillment || {};
    const facts = [
      ["Status", statusText(order.status)],
      ["Placed", dateOf(order.created_at)],
      ["Total", money(order.total)],
      ["Payment", paymentText(order.payment)],
      ["Receiving", `${FULFILMENT[f.type] || f.type}${f.store_name ? `, ${f.store_name}` : ""}`],
    ];
    if (f.pickup_code) facts.push(["Pickup code", f.pickup_code]);
    const summary = h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    const returnable = order.items.filter((line) => line.returned_qty < line.qty);
    const status = h("p", { class: "notice", role: "status" }, notice);
    const error = h("p", { class: "form-error", role: "alert" });
    const boxes = order.items.map((line) => {
      const done = line.returned_qty >= line.qty;
      return h(
        "li",
        { class: "order-line" },
        h(
          "label",
          { class: "option check" },
          h("input", { type: "checkbox", name: "line_ids", value: line.line_id, disabled: done }),
          h(
            "span",
            {},
            `${line.name}, ${sizeText(line.size)} × ${line.qty}: ${money(line.line_total)}`,
            done ? h("strong", { class: "returned" }, " (returned)") : null,
          ),
        ),
      );
    });
    const reasonId = nextId("reason");
    const detailsId = nextId("details");
    const form = h(
      "form",
      { class: "return-form", novalidate: true },
      h("fieldset", {}, h("legend", {}, returnable.length ? "Choose items to return" : "Items"), h("ul", { class: "plain" }, boxes)),
      returnable.length
        ? [
            h(
              "div",
              { class: "field" },
              h("label", { for: reasonId }, "Reason for the return"),
              h("select", { id: reasonId, name: "reason" }, REASONS.map((r) => h("option", { value: r }, r))),
            ),
            h(
              "div",
              { class: "field" },
              h("label", { for: detailsId }, "Anything else we should know? (optional)"),
              h("textarea", { id: detailsId, name: "details", rows: "2", maxlength: "500" }),
            ),
            error,
            h("button", { type: "submit", class: "button primary" }, "Return selected items"),
          ]
        : null,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.requestReturn(order, form, error);
    });
    const history = (order.returns || []).map((r) =>
      h("li", {}, `${dateOf(r.created_at)}: ${r.kind === "exchange" ? "exchange" : "return"} of ${r.line_ids.length} item${r.line_ids.length === 1 ? "" : "s"} (${r.reason}). Refund ${money(r.refund)}, ${r.status}.`),
    );
    this.view.replaceChildren(
      ...[
        back,
        status,
        summary,
        form,
        history.length ? h("section", {}, h("h3", { class: "section-title" }, "Returns"), h("ul", { class: "plain" }, history)) : null,
      ].filter(Boolean),
    );
    this.dialog.title.focus();
  }

  async requestReturn(order, form, error) {
    error.textContent = "";
    const lineIds = [...form.querySelectorAll("input[name=line_ids]:checked")].map((x) => x.value);
    if (!lineIds.length) {
      error.textContent = describe({ code: "validation_error", field: "line_ids" });
      form.querySelector("input[name=line_ids]:not(:disabled)").focus();
      return;
    }
    const details = form.elements.details.value.trim();
    const reason = details ? `${form.elements.reason.value}: ${details}` : form.elements.reason.value;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const generation = currentGeneration();
    try {
      const updated = await post(`/orders/${encodeURIComponent(order.order_id)}/return`, {
        line_ids: lineIds,
        reason,
      });
      const latest = (updated.returns || []).at(-1);
      const text = latest
        ? `Return requested. We'll refund ${money(latest.refund)} to your original payment method.`
        : "Return requested.";
      announce(text);
      await this.showOrder(order.order_id, text);
    } catch (e) {
      if (isAbort(e) || generation !== currentGeneration()) return;
      error.textContent = describe(e);
      button.focus();
    } finally {
      button.disabled = false;
    }
  }
}
