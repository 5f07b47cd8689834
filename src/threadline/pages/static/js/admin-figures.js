// The dashboard's panels drawn from one GET /admin/api/overview answer.

import { barChart, columnChart, counted, dataTable, funnelChart, number } from "./charts.js";
import { $, h, money } from "./dom.js";

export const CHANNELS = [
  { key: "web", name: "Website", colour: "#0f4c5c" },
  { key: "kiosk", name: "Kiosk", colour: "#b4460b" },
  { key: "app", name: "App", colour: "#6a4c9c" },
  { key: "whatsapp", name: "WhatsApp", colour: "#1e7a45" },
  { key: "telegram", name: "Telegram", colour: "#1f6fb2" },
];
const NAMES = Object.fromEntries(CHANNELS.map((c) => [c.key, c.name]));
const TIER_NAMES = { bronze: "Bronze", silver: "Silver", gold: "Gold", platinum: "Platinum" };
const channelName = (key) => NAMES[key] || key;
const day = new Intl.DateTimeFormat("en-IN", { day: "numeric", month: "short", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat("en-IN", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dateOf = (iso) => new Date(`${iso}T00:00:00Z`);
export const shortDay = (iso) => day.format(dateOf(iso));
export const fullDay = (iso) => longDay.format(dateOf(iso));

/** "18 Nov – 24 Nov 2026 (7 days)", or "24 Nov 2026" for one day. */
export function periodText(period) {
  if (period.from === period.to) return fullDay(period.from);
  return `${shortDay(period.from)} – ${fullDay(period.to)} (${period.days} days)`;
}

function fill(id, ...content) {
  $(id).replaceChildren(...content);
}

// The width a chart is drawn at: its box's, less nothing (the panel's padding is outside it).
function widthOf(id) {
  return Math.max(280, Math.floor($(id).clientWidth || 560));
}

function empty(text) {
  return h("p", { class: "empty" }, text);
}

function kpis(totals, funnel) {
  const rate = funnel.chatted ? `${Math.round((100 * funnel.ordered) / funnel.chatted)}%` : "–";
  const tiles = [
    ["Sessions", number(totals.sessions)],
    ["Active customers", number(totals.customers)],
    ["Messages answered", number(totals.messages)],
    ["Orders", number(totals.orders)],
    ["Revenue", money(totals.revenue)],
    ["Average order", money(totals.average_order_value)],
    ["Chat → order", rate],
  ];
  return h(
    "dl",
    { class: "kpi-list" },
    tiles.map(([label, value]) => h("div", { class: "kpi", dataset: { kpi: label } }, h("dt", {}, label), h("dd", {}, value))),
  );
}

function daily(days, width) {
  const total = days.reduce((sum, d) => sum + Object.values(d.sessions).reduce((a, b) => a + b, 0), 0);
  const busiest = days.reduce((best, d) => {
    const n = Object.values(d.sessions).reduce((a, b) => a + b, 0);
    return n > best.n ? { n, day: d.day } : best;
  }, { n: 0, day: null });
  const summary = total
    ? `Sessions per day by channel, ${days.length} days; the busiest was ${fullDay(busiest.day)} with ${number(busiest.n)}.`
    : `Sessions per day by channel: none in these ${days.length} days.`;
  return columnChart({
    days: days.map((d) => ({ label: shortDay(d.day), full: fullDay(d.day), values: d.sessions })),
    keys: CHANNELS,
    summary,
    caption: "Sessions per day, by channel",
    width,
  });
}

function byChannel(channels, width) {
  const parts = channels.map((c) => `${channelName(c.channel)} ${counted(c.sessions, "session", "sessions")}, ${counted(c.customers, "customer", "customers")}`);
  return barChart({
    rows: channels.map((c) => ({ label: channelName(c.channel), values: [c.sessions, c.customers] })),
    series: [
      { name: "Sessions", colour: "#0f4c5c" },
      { name: "Customers", colour: "#b4460b" },
    ],
    summary: `By channel: ${parts.join("; ")}.`,
    caption: "Sessions and customers by channel",
    width,
  });
}

const activeSessions = (n) => `${counted(n, "session", "sessions")} ${Number(n) === 1 ? "was" : "were"} active`;

function funnel(f, width) {
  const steps = [
    { label: "Chatted", value: f.chatted },
    { label: "Added to cart", value: f.carted },
    { label: "Ordered", value: f.ordered },
  ];
  const summary = `Of ${counted(f.chatted, "session", "sessions")} that chatted, ${number(f.carted)} added to the cart and ${number(f.ordered)} ordered (${activeSessions(f.active)}).`;
  return h(
    "div",
    {},
    funnelChart({ steps, summary, caption: "Conversion funnel", colour: "#0f4c5c", width }),
    h("p", { class: "hint" }, `${activeSessions(f.active)} in the period.`),
  );
}

function switches(rows, width) {
  if (!rows.length) return empty("No shopper moved from one channel to another in this period.");
  const top = rows.slice(0, 8);
  return barChart({
    rows: top.map((r) => ({ label: `${channelName(r.from)} → ${channelName(r.to)}`, values: [r.switches] })),
    series: [{ name: "Switches", colour: "#6a4c9c" }],
    summary: `Channel switches: ${top.map((r) => `${channelName(r.from)} to ${channelName(r.to)} ${number(r.switches)}`).join("; ")}.`,
    caption: "Channel switches",
    width,
  });
}

function orderValues(rows, key, names, width) {
  const label = (row) => names[row[key]] || row[key];
  const sold = rows.filter((r) => r.orders);
  const summary = sold.length
    ? `Average order value: ${sold.map((r) => `${label(r)} ${money(r.average)} over ${counted(r.orders, "order", "orders")}`).join("; ")}.`
    : "No orders in this period.";
  const chart = barChart({
    rows: rows.map((r) => ({ label: label(r), values: [r.average] })),
    series: [{ name: "Average order", colour: "#1e6b3a" }],
    format: money,
    summary,
    caption: `Average order value by ${key}`,
    width,
  });
  const table = chart.querySelector("table");
  table.replaceWith(
    dataTable(`Average order value by ${key}`, ["", "Orders", "Revenue", "Average"], rows.map((r) => [label(r), number(r.orders), money(r.revenue), money(r.average)])),
  );
  return chart;
}

function searches(rows) {
  if (!rows.length) return empty("No search came back empty in this period.");
  return h(
    "table",
    { class: "data list" },
    h("caption", { class: "visually-hidden" }, "Top searches with no results"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Request"), h("th", { scope: "col", class: "num" }, "Times"), h("th", { scope: "col" }, "Channels"), h("th", { scope: "col" }, "Last"))),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, r.query),
          h("td", { class: "num" }, number(r.count)),
          h("td", {}, Object.entries(r.channels).map(([c, n]) => `${c === "unknown" ? "Catalog" : channelName(c)} ${number(n)}`).join(", ")),
          h("td", {}, shortDay(r.last_day)),
        ),
      ),
    ),
  );
}

function stock(alerts) {
  $("#stock-hint").textContent = `Sizes with ${alerts.threshold} or fewer left in a store, now; what sold in the last 30 days first.`;
  if (!alerts.items.length) return [empty(`No size is down to ${alerts.threshold} or fewer anywhere.`)];
  const summary = h(
    "p",
    { class: "stock-summary" },
    h("strong", {}, `${number(alerts.out_of_stock)} out of stock`),
    `, ${number(alerts.low)} nearly (1 to ${alerts.threshold} left) in ${alerts.by_store.length} locations.`,
  );
  const stores = h(
    "details",
    { class: "numbers" },
    h("summary", {}, "By store"),
    dataTable("Stock alerts by store", ["Store", "Out of stock", "Nearly"], alerts.by_store.map((s) => [s.name, number(s.out_of_stock), number(s.low)])),
  );
  const table = h(
    "table",
    { class: "data list" },
    h("caption", { class: "visually-hidden" }, `The ${alerts.items.length} most urgent stock alerts`),
    h(
      "thead",
      {},
      h("tr", {}, ["Product", "Size", "Store", "Left", "Sold, 30 days"].map((t, i) => h("th", { scope: "col", class: i >= 3 ? "num" : null }, t))),
    ),
    h(
      "tbody",
      {},
      alerts.items.map((a) =>
        h(
          "tr",
          { class: a.qty === 0 ? "out" : null },
          h("th", { scope: "row" }, h("span", { class: "sku" }, a.sku), " ", a.name),
          h("td", {}, a.size),
          h("td", {}, a.store_name),
          h("td", { class: "num left" }, a.qty === 0 ? "None" : number(a.qty)),
          h("td", { class: "num" }, number(a.sold_30_days)),
        ),
      ),
    ),
  );
  return [summary, stores, h("div", { class: "scroll" }, table)];
}

/** Draw the charts at the width their boxes have now (again after a resize). */
export function drawCharts(body) {
  fill("#daily-chart", daily(body.daily, widthOf("#daily-chart")));
  fill("#channels-chart", byChannel(body.channels, widthOf("#channels-chart")));
  fill("#funnel-chart", funnel(body.funnel, widthOf("#funnel-chart")));
  fill("#switches-chart", switches(body.switches, widthOf("#switches-chart")));
  fill("#aov-channel-chart", orderValues(body.order_value.by_channel, "channel", NAMES, widthOf("#aov-channel-chart")));
  fill("#aov-tier-chart", orderValues(body.order_value.by_tier, "tier", TIER_NAMES, widthOf("#aov-tier-chart")));
}

/** Draw every panel from the overview. */
export function render(body) {
  fill("#kpis", kpis(body.totals, body.funnel));
  drawCharts(body);
  fill("#searches", searches(body.searches_without_results));
  fill("#stock", ...stock(body.stock_alerts));
}
