// The conversation with the sales agent: messages, product cards and suggestion buttons.
//
// The visible log is not a live region: a screen reader is told about each new message through
// a separate, visually hidden log that gets one line per message ("Assistant: … 4 products
// shown.").  So earlier turns drawn in bulk (after a login or a restore) are not read out, and
// neither are the product cards, which the shopper can browse in the visible log.

import { currentGeneration, get, isAbort, post } from "./api.js";
import { CHANNEL_NAMES, h, money, timeOf } from "./dom.js";
import { describe } from "./errors.js";
import { productList } from "./products.js";

const STARTERS = ["Show me shirts", "Kurtas for women", "Sneakers under ₹3000", "My cart"];

/**
 * The greeting for a shopper who comes back: where the conversation was (the channel of its
 * last turn) and what is still in the cart.  `channel` is this page's own.
 */
export function welcomeBack({ name, turns, cart, channel }) {
  const last = turns.at(-1);
  const parts = [`Welcome back${name ? `, ${name}` : ""}!`];
  if (last && last.channel !== channel) {
    parts.push(`We were talking on ${CHANNEL_NAMES[last.channel] || last.channel}; here's where we left off.`);
  } else if (last) {
    parts.push("Here's where we left off.");
  }
  const count = cart.item_count || 0;
  if (count) {
    parts.push(`You still have ${count} item${count === 1 ? "" : "s"} in your cart (${money(cart.total)}).`);
  }
  return parts.join(" ");
}

export class Chat {
  /** `root` holds .chat-log, .suggestions, and the composer form with its input. */
  constructor({ root, cart, channel }) {
    this.cart = cart;
    this.channel = channel;
    this.log = root.querySelector(".chat-log");
    this.spoken = root.querySelector(".chat-announcer");
    this.suggestions = root.querySelector(".suggestions");
    this.form = root.querySelector(".composer");
    this.input = this.form.querySelector("input, textarea");
    this.sendButton = this.form.querySelector("button[type=submit]");
    this.typing = root.querySelector(".typing");
    this.pending = 0;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send(this.input.value);
    });
  }

  focus() {
    this.input.focus();
  }

  clear() {
    this.log.replaceChildren();
    this.spoken.replaceChildren();
    this.suggestions.replaceChildren();
    this.input.value = "";
    this.pending = 0;
    this.setTyping(false);
  }

  setTyping(on) {
    this.typing.hidden = !on;
  }

  /** One line for screen readers (the last few are kept; only additions are read). */
  speak(text) {
    this.spoken.append(h("p", {}, text));
    while (this.spoken.childElementCount > 5) this.spoken.firstElementChild.remove();
  }

  /**
   * Append one message; `who` is "user", "assistant" or "note" (a line from the page).
   * `speak: false` draws it without telling a screen reader (earlier turns, the shopper's own).
   */
  add(who, text, { products = [], channel = null, at = null, tone = "", speak = who !== "user" } = {}) {
    const label = { user: "You", assistant: "Assistant", note: "Note" }[who];
    const meta = [];
    if (channel && channel !== this.channel) meta.push(`on ${CHANNEL_NAMES[channel] || channel}`);
    if (at) meta.push(timeOf(at));
    const message = h(
      "div",
      { class: `message ${who} ${tone}`.trim() },
      h(
        "p",
        { class: "message-who" },
        h("span", {}, label),
        meta.length ? h("span", { class: "message-meta" }, ` · ${meta.join(" · ")}`) : null,
      ),
      h("p", { class: "message-text" }, text),
      products.length ? productList(products, this.cart) : null,
    );
    this.log.append(message);
    if (speak) {
      const shown = products.length ? ` ${products.length} product${products.length === 1 ? "" : "s"} shown.` : "";
      this.speak(`${label}: ${text}${shown}`);
    }
    this.scrollTo(message, products.length > 0);
    return message;
  }

  /** Show a new message: all of it when it fits, else from its product cards' first row. */
  scrollTo(message, withProducts) {
    const list = message.querySelector(".product-list");
    if (withProducts && list && message.offsetHeight > this.log.clientHeight) {
      const top = list.getBoundingClientRect().top - this.log.getBoundingClientRect().top;
      this.log.scrollTop += top - 8;
    } else {
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  note(text, tone = "") {
    return this.add("note", text, { tone });
  }

  setSuggestions(list) {
    const items = (list && list.length ? list : STARTERS).slice(0, 4);
    this.suggestions.replaceChildren(
      ...items.map((text) =>
        h(
          "button",
          {
            type: "button",
            class: "button suggestion",
            // The button is replaced by the next suggestions: the focus waits in the message box.
            onclick: () => {
              this.input.focus();
              this.send(text);
            },
          },
          text,
        ),
      ),
    );
  }

  /** Send a message and show the agent's reply, products, suggestions and cart. */
  async send(raw) {
    const text = String(raw || "").trim();
    if (!text) {
      this.input.focus();
      return;
    }
    if (text.length > 2000) {
      this.note("That message is too long: please keep it under 2,000 characters.", "error");
      return;
    }
    this.add("user", text);
    if (this.input.value.trim() === text) this.input.value = "";
    const generation = currentGeneration();
    this.pending += 1;
    this.setTyping(true);
    try {
      const reply = await post("/chat", { message: text });
      if (generation !== currentGeneration()) return;
      this.add("assistant", reply.reply, { products: reply.products || [] });
      this.setSuggestions(reply.suggestions);
      if (reply.cart) this.cart.update(reply.cart);
      if (reply.action === "order_placed") this.cart.onOrderPlaced(null);
    } catch (error) {
      // Signed out meanwhile: nothing of it is written for the next shopper.
      if (isAbort(error) || generation !== currentGeneration()) return;
      this.note(describe(error), "error");
      // Nothing is lost: the words go back into the box to send again.
      if (!this.input.value) this.input.value = text;
    } finally {
      if (generation === currentGeneration()) {
        this.pending = Math.max(0, this.pending - 1);
        if (!this.pending) this.setTyping(false);
      }
    }
  }

  /**
   * Draw the recent turns (from every channel), oldest first, with the products of the latest
   * turn that showed any.  Returns the turns drawn.
   */
  async loadHistory(limit = 20) {
    const generation = currentGeneration();
    let page;
    try {
      page = await get(`/chat/history?limit=${limit}`);
    } catch (error) {
      if (isAbort(error) || generation !== currentGeneration()) return [];
      this.note(describe(error), "error");
      return [];
    }
    const turns = [...page.items].reverse();
    const latest = [...turns].reverse().find((t) => t.skus && t.skus.length && t.reply);
    const products = latest ? await this.products(latest.skus) : [];
    if (generation !== currentGeneration()) return [];
    // Drawn without a word to screen readers: the greeting after it says where we left off.
    const quiet = { speak: false };
    if (page.next_before) this.add("note", "Earlier messages are not shown.", quiet);
    for (const turn of turns) {
      this.add("user", turn.message, { ...quiet, channel: turn.channel, at: turn.created_at });
      if (turn.reply) {
        this.add("assistant", turn.reply, {
          ...quiet,
          channel: turn.channel,
          products: turn === latest ? products : [],
        });
      }
    }
    this.log.scrollTop = this.log.scrollHeight;
    return turns;
  }

  async products(skus) {
    const found = await Promise.all(
      skus.slice(0, 8).map((sku) => get(`/products/${encodeURIComponent(sku)}`).catch(() => null)),
    );
    return found.filter(Boolean);
  }
}
