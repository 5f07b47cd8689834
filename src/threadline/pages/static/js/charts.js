// Small inline-SVG charts for the staff dashboard: horizontal bars, stacked day columns and a
// funnel.  Each chart is an <svg role="img"> whose label says what it shows in one sentence,
// followed by the same numbers as a table (in a <details>), so nothing is only in a picture.
// A chart is laid out at the pixel width it is given (its container's), so its text keeps the
// page's size on a phone and on a wide screen alike; the page draws it again when that changes.

import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const count = new Intl.NumberFormat("en-IN");
export const number = (value) => count.format(Number(value) || 0);
/** "1 session", "2 sessions": a count with its noun in the right number. */
export const counted = (value, one, many) => `${number(value)} ${Number(value) === 1 ? one : many}`;

let ids = 0;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function figure(svg, summary, table, legend = null) {
  ids += 1;
  const id = `chart-summary-${ids}`;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", id);
  svg.prepend(s("title", { id }, summary));
  return h(
    "div",
    { class: "figure" },
    legend,
    svg,
    h("details", { class: "numbers" }, h("summary", {}, "Show the numbers"), table),
  );
}

/** A table of the numbers behind a chart; `rows` are arrays of cells (strings or numbers). */
export function dataTable(caption, head, rows) {
  return h(
    "table",
    { class: "data" },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, head.map((cell, i) => h("th", { scope: "col", class: i ? "num" : null }, cell)))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h("tr", {}, row.map((cell, i) => (i ? h("td", { class: "num" }, cell) : h("th", { scope: "row" }, cell)))),
      ),
    ),
  );
}

function legendOf(series) {
  return h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    series.map((item) => h("li", {}, h("span", { class: "swatch", style: `background:${item.colour}` }), item.name)),
  );
}

// Room for the longest label (about 7.6 pixels a character in the charts' 13px bold), at most
// 45% of the width.
function labelSpace(labels, width) {
  const longest = Math.max(0, ...labels.map((label) => String(label).length));
  return Math.min(Math.round(width * 0.45), Math.max(64, Math.ceil(longest * 7.6) + 16));
}

/**
 * Horizontal bars, one group per row: rows [{label, values: [n…]}], series [{name, colour}].
 * `format` writes a value; `summary` is the sentence a screen reader hears.
 */
export function barChart({ rows, series, format = number, summary, caption, width = 560 }) {
  const labelWidth = labelSpace(rows.map((row) => row.label), width);
  const valueSpace = 84;
  const bar = 16;
  const group = series.length * (bar + 3) + 12;
  const height = rows.length * group + 8;
  const max = Math.max(1, ...rows.flatMap((row) => row.values));
  const span = width - labelWidth - valueSpace;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart-svg bars" });
  rows.forEach((row, r) => {
    const top = 6 + r * group;
    svg.append(
      s("text", { x: labelWidth - 10, y: top + (series.length * (bar + 3)) / 2, class: "label", "text-anchor": "end", "dominant-baseline": "middle" }, row.label),
    );
    row.values.forEach((value, i) => {
      const y = top + i * (bar + 3);
      const length = value > 0 ? Math.max(2, (span * value) / max) : 0;
      svg.append(
        s("rect", { x: labelWidth, y, width: length, height: bar, rx: 3, fill: series[i].colour }, s("title", {}, `${row.label}, ${series[i].name}: ${format(value)}`)),
        s("text", { x: labelWidth + length + 6, y: y + bar / 2, class: "value", "dominant-baseline": "middle" }, format(value)),
      );
    });
  });
  svg.append(s("line", { x1: labelWidth, x2: labelWidth, y1: 0, y2: height, class: "axis" }));
  const table = dataTable(
    caption,
    ["", ...series.map((item) => item.name)],
    rows.map((row) => [row.label, ...row.values.map(format)]),
  );
  return figure(svg, summary, table, series.length > 1 ? legendOf(series) : null);
}

function niceCeiling(value) {
  if (value <= 10) return Math.max(1, Math.ceil(value));
  const step = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * step >= value) return factor * step;
  }
  return 10 * step;
}

/** Stacked columns, one per day: days [{label, full, values: {key: n}}], keys [{key, name, colour}]. */
export function columnChart({ days, keys, summary, caption, width = 720 }) {
  const height = 240;
  const left = 40;
  const bottom = 26;
  const top = 10;
  const plotHeight = height - top - bottom;
  const totals = days.map((day) => keys.reduce((sum, k) => sum + (day.values[k.key] || 0), 0));
  // Whole sessions: the middle gridline must be a whole number too.
  let max = niceCeiling(Math.max(0, ...totals));
  if (max > 1 && max % 2) max += 1;
  const slot = (width - left - 8) / Math.max(1, days.length);
  const columnWidth = Math.max(1, Math.min(44, slot * 0.7));
  // A day's label needs about 56 pixels; the others are left out (the table has them all).
  const every = Math.ceil(days.length / Math.max(1, Math.floor((width - left) / 56)));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart-svg columns" });
  for (const tick of max > 1 ? [0, max / 2, max] : [0, max]) {
    const y = top + plotHeight - (plotHeight * tick) / max;
    svg.append(
      s("line", { x1: left, x2: width - 4, y1: y, y2: y, class: tick ? "grid" : "axis" }),
      s("text", { x: left - 6, y, class: "tick", "text-anchor": "end", "dominant-baseline": "middle" }, number(tick)),
    );
  }
  days.forEach((day, d) => {
    const x = left + d * slot + (slot - columnWidth) / 2;
    let base = top + plotHeight;
    const parts = keys.filter((k) => day.values[k.key]).map((k) => `${k.name} ${number(day.values[k.key])}`);
    const column = s("g", {}, s("title", {}, `${day.full}: ${parts.length ? parts.join(", ") : "no sessions"}`));
    for (const k of keys) {
      const value = day.values[k.key] || 0;
      if (!value) continue;
      const size = (plotHeight * value) / max;
      base -= size;
      column.append(s("rect", { x, y: base, width: columnWidth, height: size, fill: k.colour }));
    }
    svg.append(column);
    if (d % every === 0) {
      svg.append(s("text", { x: x + columnWidth / 2, y: height - 8, class: "tick", "text-anchor": "middle" }, day.label));
    }
  });
  const table = dataTable(
    caption,
    ["Day", ...keys.map((k) => k.name), "All"],
    days.map((day, d) => [day.full, ...keys.map((k) => number(day.values[k.key] || 0)), number(totals[d])]),
  );
  return figure(svg, summary, table, legendOf(keys));
}

/** A funnel: steps [{label, value}], each bar as wide as its share of the first step. */
export function funnelChart({ steps, summary, caption, colour, width = 560 }) {
  const labelWidth = labelSpace(steps.map((step) => step.label), width);
  const bar = 30;
  const height = steps.length * (bar + 12) + 4;
  const first = steps[0].value;
  const span = width - labelWidth - 8;
  const share = (value) => (first ? `${Math.round((100 * value) / first)}%` : "–");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart-svg funnel" });
  steps.forEach((step, i) => {
    const y = 2 + i * (bar + 12);
    const length = first ? Math.max(step.value ? 2 : 0, (span * step.value) / first) : 0;
    const x = labelWidth + (span - length) / 2;
    const text = `${number(step.value)} · ${share(step.value)}`;
    svg.append(
      s("text", { x: labelWidth - 10, y: y + bar / 2, class: "label", "text-anchor": "end", "dominant-baseline": "middle" }, step.label),
      s("rect", { x, y, width: length, height: bar, rx: 4, fill: colour }),
      // On the bar when it is wide enough to hold the text, else beside it.
      length > 110
        ? s("text", { x: labelWidth + span / 2, y: y + bar / 2, class: "value inside", "text-anchor": "middle", "dominant-baseline": "middle" }, text)
        : s("text", { x: x + length + 8, y: y + bar / 2, class: "value", "dominant-baseline": "middle" }, text),
    );
  });
  const table = dataTable(
    caption,
    ["Step", "Sessions", "Of those who chatted"],
    steps.map((step) => [step.label, number(step.value), share(step.value)]),
  );
  return figure(svg, summary, table);
}
