// Product cards: picture, price (MRP struck through when higher), rating, sizes and an add
// button.  Adding goes through the cart (POST /cart/items), which updates the drawer.

import { isAbort } from "./api.js";
import { describe } from "./errors.js";
import { announce, h, money, nextId, sizeText } from "./dom.js";

function priceLine(product) {
  const price = Number(product.price);
  const mrp = Number(product.mrp);
  const parts = [h("span", { class: "price-now" }, money(price))];
  if (mrp > price) {
    parts.push(
      " ",
      h("s", { class: "price-mrp" }, h("span", { class: "visually-hidden" }, "MRP "), money(mrp)),
      " ",
      h(
        "span",
        { class: "price-off" },
        `${product.discount_percent || Math.round((1 - price / mrp) * 100)}% off`,
      ),
    );
  }
  return h("p", { class: "price" }, parts);
}

function ratingLine(product) {
  if (!product.rating) return null;
  const count = product.rating_count ? ` (${product.rating_count.toLocaleString("en-IN")})` : "";
  return h(
    "p",
    { class: "rating" },
    h("span", { "aria-hidden": "true" }, "★ "),
    `${Number(product.rating).toFixed(1)}`,
    h("span", { class: "visually-hidden" }, " out of 5 stars"),
    count,
  );
}

/** One product as an <li>; `cart` is the Cart that adds it. */
export function productCard(product, cart, number = null) {
  const id = nextId("product");
  const sizes = product.sizes || [];
  // Not a live region: the cart says "Added to cart" once, for every way of adding.
  const status = h("p", { class: "card-status" });
  const radios = sizes.map((size) =>
    h(
      "label",
      { class: "chip" },
      h("input", {
        type: "radio",
        name: `${id}-size`,
        value: size,
        checked: sizes.length === 1,
      }),
      h("span", {}, size),
    ),
  );
  const sizeGroup = sizes.length
    ? h("fieldset", { class: "sizes" }, h("legend", {}, "Size"), radios)
    : null;
  const add = h(
    "button",
    { type: "button", class: "button primary add-button", "aria-label": `Add ${product.name} to cart` },
    "Add to cart",
  );
  add.addEventListener("click", async () => {
    const chosen = sizeGroup && sizeGroup.querySelector("input:checked");
    if (sizes.length && !chosen) {
      status.className = "card-status error";
      status.textContent = "Please choose a size first.";
      announce(status.textContent);
      sizeGroup.querySelector("input").focus();
      return;
    }
    add.disabled = true;
    status.className = "card-status";
    status.textContent = "Adding…";
    try {
      await cart.add(product.sku, chosen ? chosen.value : null);
      status.textContent = chosen ? `Added to your cart in ${sizeText(chosen.value)}.` : "Added to your cart.";
    } catch (error) {
      if (isAbort(error)) return;
      status.className = "card-status error";
      status.textContent = describe(error);
      announce(status.textContent);
    } finally {
      add.disabled = false;
    }
  });
  const image = h("img", {
    src: product.image_url,
    alt: "",
    width: "400",
    height: "500",
    loading: "lazy",
    decoding: "async",
  });
  // A photo that cannot be loaded leaves a plain tile, not a broken-image icon.
  image.addEventListener("error", () => image.classList.add("missing"), { once: true });
  return h(
    "li",
    { class: "product", dataset: { sku: product.sku } },
    h(
      "article",
      { "aria-labelledby": `${id}-name` },
      h(
        "div",
        { class: "product-image" },
        image,
        // The number the reply uses ("add the second one"); the reply itself reads it out.
        number ? h("span", { class: "product-number", "aria-hidden": "true" }, String(number)) : null,
      ),
      h(
        "div",
        { class: "product-body" },
        h("p", { class: "product-brand" }, product.brand),
        h("h3", { class: "product-name", id: `${id}-name` }, product.name),
        priceLine(product),
        ratingLine(product),
        sizeGroup,
        add,
        status,
      ),
    ),
  );
}

export function productList(products, cart) {
  return h(
    "ul",
    { class: "product-list", "aria-label": `${products.length} products` },
    products.map((p, i) => productCard(p, cart, i + 1)),
  );
}
