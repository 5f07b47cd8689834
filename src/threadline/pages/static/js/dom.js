// Small DOM helpers: building elements without innerHTML, money, ids and announcements.

/** Build an element: h("button", {class: "x", onclick: fn}, "Text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

const whole = new Intl.NumberFormat("en-IN", {
  style: "currency",
  currency: "INR",
  maximumFractionDigits: 0,
});
const paise = new Intl.NumberFormat("en-IN", {
  style: "currency",
  currency: "INR",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** Rupees as the shopper reads them: ₹1,999 or ₹664.05. */
export function money(value) {
  const amount = Number(value) || 0;
  return Number.isInteger(amount) ? whole.format(amount) : paise.format(amount);
}

/** A random UUID, also where crypto.randomUUID is missing (a kiosk served over plain http). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let counter = 0;
export function nextId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

let announcing = null;

/** Say something to screen readers without moving focus (the page's polite status region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  clearTimeout(announcing);
  // A fresh text node after a tick, so repeating the same words is announced again.
  announcing = setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Forget what was said (sign-out): nothing about the last shopper is said after it. */
export function silence() {
  clearTimeout(announcing);
  const region = document.getElementById("announcer");
  if (region) region.textContent = "";
}

/** "+919876543210" → "+91 ••••• 43210": enough to recognise, not enough to read aloud. */
export function maskPhone(phone) {
  const digits = String(phone || "").replace(/\D/g, "");
  if (digits.length < 5) return phone || "";
  return `+${digits.slice(0, digits.length - 10) || "91"} ••••• ${digits.slice(-5)}`;
}

/** "M" → "size M"; "Free Size" stays as it is. */
export function sizeText(size) {
  return /size/i.test(String(size)) ? String(size) : `size ${size}`;
}

export const CHANNEL_NAMES = {
  kiosk: "the store kiosk",
  web: "the website",
  app: "the app",
  whatsapp: "WhatsApp",
  telegram: "Telegram",
};

export function timeOf(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString("en-IN", {
    day: "numeric",
    month: "short",
    hour: "numeric",
    minute: "2-digit",
  });
}

export function dateOf(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString("en-IN", { day: "numeric", month: "short", year: "numeric" });
}
