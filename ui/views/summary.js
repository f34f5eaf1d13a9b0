// Summary: what was taken over a range — totals per currency as large figures, a stacked bar
// chart per day by provider (one currency at a time: amounts of different currencies are never
// added together), and how many payments are in each status, with the ones that call for
// attention (the core's catalog names them) called out as links into the filtered Payments table,
// and, once agents take payments, what each agent took (a link to their payments).

import { h, svg, fill, field } from "../lib/dom.js";
import { t, register, onLocaleChange, intlLocale } from "../lib/i18n.js";
import { call, onLiveEvent, onMissed } from "../lib/ipc.js";
import { money, exponent, minorToDecimal, date } from "../lib/format.js";
import { statusPill, statusIcon, toneIcon, toneOf } from "../components/status.js";
import { dateInput, parseDay, dayText, relabelDate } from "./payments/dates.js";
import { say } from "../lib/say.js";

register({
  en: {
    "sum.title": "Summary",
    "sum.range": "Range",
    "sum.today": "Today",
    "sum.7d": "7 days",
    "sum.30d": "30 days",
    "sum.month": "This month",
    "sum.custom": "Custom",
    "sum.from": "From",
    "sum.to": "To",
    "sum.apply": "Show",
    "sum.bad_range": "Choose a start and an end date; the start must come first",
    "sum.totals": "Money taken",
    "sum.count": "{n} payments",
    "sum.count_one": "1 payment",
    "sum.refunded": "Refunded: {amount} ({n})",
    "sum.nothing": "No money taken in this range.",
    "sum.chart": "Money taken per day",
    "sum.chart_label": "Money taken per day in {currency}, by provider",
    "sum.chart_currency": "Currency",
    "sum.bar": "{day} — {provider}: {amount} ({count})",
    "sum.day_total": "{day}: {amount}",
    "sum.no_chart": "Nothing to draw for this range.",
    "sum.statuses": "Payments by status",
    "sum.attention": "Needs a person",
    "sum.attn_link.NeedsReview": "{n} need review — check them",
    "sum.attn_one.NeedsReview": "1 needs review — check it",
    "sum.attn_link.Unknown": "{n} with no clear answer — see them",
    "sum.attn_one.Unknown": "1 with no clear answer — see it",
    "sum.attn_none.NeedsReview": "None needs review",
    "sum.refunds_link": "{n} refunds with no clear answer — check them",
    "sum.refunds_one": "1 refund with no clear answer — check it",
    "sum.attn_none.Unknown": "None without a clear answer",
    "sum.open_status": "Show {status} payments",
    "sum.loading": "Loading…",
    "sum.no_payments": "No payments in this range.",
    "sum.agents": "Money taken by agent",
    "sum.agent": "Agent",
    "sum.agent_count": "Payments",
    "sum.agent_amount": "Taken",
    "sum.no_agent": "No agent recorded",
    "sum.open_agent": "Show the payments {name} took",
  },
  es: {
    "sum.title": "Resumen",
    "sum.range": "Periodo",
    "sum.today": "Hoy",
    "sum.7d": "7 días",
    "sum.30d": "30 días",
    "sum.month": "Este mes",
    "sum.custom": "Personalizado",
    "sum.from": "Desde",
    "sum.to": "Hasta",
    "sum.apply": "Mostrar",
    "sum.bad_range": "Elija una fecha de inicio y una de fin; el inicio debe ir primero",
    "sum.totals": "Dinero cobrado",
    "sum.count": "{n} pagos",
    "sum.count_one": "1 pago",
    "sum.refunded": "Reembolsado: {amount} ({n})",
    "sum.nothing": "No se cobró dinero en este periodo.",
    "sum.chart": "Dinero cobrado por día",
    "sum.chart_label": "Dinero cobrado por día en {currency}, por proveedor",
    "sum.chart_currency": "Moneda",
    "sum.bar": "{day} — {provider}: {amount} ({count})",
    "sum.day_total": "{day}: {amount}",
    "sum.no_chart": "Nada que dibujar en este periodo.",
    "sum.statuses": "Pagos por estado",
    "sum.attention": "Requieren atención",
    "sum.attn_link.NeedsReview": "{n} por revisar — revisarlos",
    "sum.attn_one.NeedsReview": "1 por revisar — revisarlo",
    "sum.attn_link.Unknown": "{n} sin respuesta clara — verlos",
    "sum.attn_one.Unknown": "1 sin respuesta clara — verlo",
    "sum.attn_none.NeedsReview": "Ninguno por revisar",
    "sum.refunds_link": "{n} reembolsos sin respuesta clara — revisarlos",
    "sum.refunds_one": "1 reembolso sin respuesta clara — revisarlo",
    "sum.attn_none.Unknown": "Ninguno sin respuesta clara",
    "sum.open_status": "Ver los pagos en estado {status}",
    "sum.loading": "Cargando…",
    "sum.no_payments": "No hay pagos en este periodo.",
    "sum.agents": "Dinero cobrado por agente",
    "sum.agent": "Agente",
    "sum.agent_count": "Pagos",
    "sum.agent_amount": "Cobrado",
    "sum.no_agent": "Sin agente registrado",
    "sum.open_agent": "Ver los pagos que cobró {name}",
  },
});

const RANGES = ["today", "7d", "30d", "month", "custom"];

function midnight(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

function addDays(d, n) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

const dayKey = dayText;

/** The local days [from, to) of a named range. */
function rangeOf(name, custom) {
  const today = midnight(new Date());
  const tomorrow = addDays(today, 1);
  switch (name) {
    case "today":
      return { from: today, to: tomorrow };
    case "7d":
      return { from: addDays(today, -6), to: tomorrow };
    case "30d":
      return { from: addDays(today, -29), to: tomorrow };
    case "month":
      return { from: new Date(today.getFullYear(), today.getMonth(), 1), to: tomorrow };
    default:
      return custom;
  }
}

const axisFormats = new Map();
/** A short axis label ("£1.2K"); the exact amounts are in each bar's title. */
function axisMoney(minor, currency) {
  const key = `${intlLocale()}|${currency}`;
  if (!axisFormats.has(key)) {
    axisFormats.set(key, new Intl.NumberFormat(intlLocale(), { style: "currency", currency, notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 }));
  }
  return axisFormats.get(key).format(Number(minorToDecimal(minor, exponent(currency))));
}

const dayFormats = new Map();
function dayLabel(d, long = false) {
  const key = `${intlLocale()}|${long}`;
  if (!dayFormats.has(key)) {
    dayFormats.set(key, new Intl.DateTimeFormat(intlLocale(), long ? { weekday: "short", day: "numeric", month: "short" } : { day: "numeric", month: "short" }));
  }
  return dayFormats.get(key).format(d);
}

/** A round step for about `parts` gridlines up to `max` minor units. */
function niceStep(max, parts = 4) {
  const raw = Math.max(max / parts, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10;
  return unit * power;
}

export class SummaryView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.rangeName = "7d";
    this.custom = null;
    this.data = null;
    this.currency = null;
    this.seq = 0;
    this.build();
    onLiveEvent((event) => {
      if (event.status_after || event.kind === "created") this.loadSoon();
    });
    onMissed(() => this.loadSoon());
    onLocaleChange(() => this.relabel());
    this.resize = new ResizeObserver(() => {
      const width = this.chartHost.clientWidth;
      if (this.data && width && width !== this.drawnWidth) this.renderChart();
    });
    this.resize.observe(this.chartHost);
  }

  build() {
    this.heading = h("h1", { id: "h-summary" });
    this.rangeButtons = RANGES.map((name) =>
      h("button", { type: "button", class: "chip", id: `sum-range-${name}`, "aria-pressed": String(name === this.rangeName), onclick: () => this.pick(name) }),
    );
    this.rangeGroup = h("div", { class: "chips sum-ranges", role: "group" }, this.rangeButtons);
    this.fromInput = dateInput("sum-from");
    this.toInput = dateInput("sum-to");
    this.applyButton = h("button", { type: "submit", id: "sum-apply" });
    this.fromField = field("", this.fromInput);
    this.toField = field("", this.toInput);
    this.customError = h("p", { class: "field-error", role: "alert", hidden: true, id: "sum-custom-error" });
    this.customForm = h(
      "form",
      { class: "sum-custom", hidden: true, novalidate: true, onsubmit: (e) => this.applyCustom(e) },
      this.fromField,
      this.toField,
      this.applyButton,
      this.customError,
    );
    this.rangeLine = h("p", { class: "muted sum-range-line num", id: "sum-range-line" });
    this.error = h("p", { class: "form-alert", role: "alert", hidden: true, id: "sum-error" });

    this.totalsTitle = h("h2", { id: "sum-totals-title" });
    this.totals = h("div", { class: "sum-totals", id: "sum-totals" });
    this.attentionTitle = h("h2", { id: "sum-attention-title" });
    this.attention = h("div", { class: "sum-attention", id: "sum-attention" });
    this.chartTitle = h("h2", { id: "sum-chart-title" });
    this.currencyPicker = h("div", { class: "chips sum-currencies", role: "group", id: "sum-currencies" });
    this.chartHost = h("div", { class: "sum-chart", id: "sum-chart" });
    this.legend = h("ul", { class: "legend", id: "sum-legend" });
    this.statusTitle = h("h2", { id: "sum-status-title" });
    this.statusList = h("ul", { class: "sum-statuses", id: "sum-statuses" });
    this.agentsTitle = h("h2", { id: "sum-agents-title" });
    this.agentsBody = h("div", { class: "sum-agents" });
    this.agentsPanel = h("section", { class: "panel sum-agents-panel", id: "sum-agents", "aria-labelledby": "sum-agents-title", hidden: true }, this.agentsTitle, this.agentsBody);

    fill(
      this.root,
      h("header", { class: "view-head sum-head" }, this.heading, this.rangeGroup),
      this.customForm,
      this.rangeLine,
      this.error,
      h("div", { class: "sum-top" },
        h("section", { class: "panel sum-totals-panel", "aria-labelledby": "sum-totals-title" }, this.totalsTitle, this.totals),
        h("section", { class: "panel sum-attention-panel", "aria-labelledby": "sum-attention-title" }, this.attentionTitle, this.attention)),
      h("div", { class: "sum-grid" },
        h("section", { class: "panel sum-chart-panel", "aria-labelledby": "sum-chart-title" },
          h("div", { class: "sum-chart-head" }, this.chartTitle, this.currencyPicker), this.chartHost, this.legend),
        h("section", { class: "panel sum-status-panel", "aria-labelledby": "sum-status-title" }, this.statusTitle, this.statusList)),
      this.agentsPanel,
    );
    this.relabel();
  }

  relabel() {
    this.heading.textContent = t("sum.title");
    this.rangeGroup.setAttribute("aria-label", t("sum.range"));
    this.rangeButtons.forEach((b, i) => (b.textContent = t(`sum.${RANGES[i]}`)));
    this.fromField.querySelector("label").textContent = t("sum.from");
    this.toField.querySelector("label").textContent = t("sum.to");
    this.applyButton.textContent = t("sum.apply");
    relabelDate(this.fromInput);
    relabelDate(this.toInput);
    this.totalsTitle.textContent = t("sum.totals");
    this.attentionTitle.textContent = t("sum.attention");
    this.chartTitle.textContent = t("sum.chart");
    this.currencyPicker.setAttribute("aria-label", t("sum.chart_currency"));
    this.statusTitle.textContent = t("sum.statuses");
    this.agentsTitle.textContent = t("sum.agents");
    if (this.customError.textContent) this.customError.textContent = t("sum.bad_range");
    if (this.data) this.render();
  }

  shown() {
    this.load();
  }

  /** Where the keyboard lands when the view is chosen with its shortcut: the range chosen. */
  focusEntry() {
    (this.rangeButtons.find((b) => b.getAttribute("aria-pressed") === "true") ?? this.rangeButtons[0]).focus();
  }

  pick(name) {
    this.rangeName = name;
    this.rangeButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(RANGES[i] === name)));
    this.customForm.hidden = name !== "custom";
    if (name === "custom") {
      const current = this.range();
      if (!this.fromInput.value) this.fromInput.value = dayKey(current?.from ?? addDays(midnight(new Date()), -6));
      if (!this.toInput.value) this.toInput.value = dayKey(addDays(current?.to ?? addDays(midnight(new Date()), 1), -1));
      this.fromInput.focus();
      return;
    }
    this.load();
  }

  applyCustom(event) {
    event.preventDefault();
    const from = parseDay(this.fromInput.value);
    const to = parseDay(this.toInput.value);
    const ok = from && to && from <= to;
    this.customError.textContent = ok ? "" : t("sum.bad_range");
    this.customError.hidden = Boolean(ok);
    if (!ok) return;
    this.custom = { from, to: addDays(to, 1) };
    this.load();
  }

  range() {
    return rangeOf(this.rangeName, this.custom);
  }

  loadSoon() {
    clearTimeout(this.loadTimer);
    if (this.root.hidden) return;
    this.loadTimer = setTimeout(() => this.load(), 400);
  }

  async load() {
    const range = this.range();
    if (!range) return;
    const seq = ++this.seq;
    const from_ms = range.from.getTime();
    const to_ms = range.to.getTime();
    if (!this.data) fill(this.totals, h("p", { class: "muted", text: t("sum.loading") }));
    try {
      const data = await call("payment_summary", { range: { from_ms, to_ms, utc_offset_minutes: -range.from.getTimezoneOffset() } });
      if (seq !== this.seq) return;
      this.error.hidden = true;
      this.data = data;
      this.shownRange = range;
      this.render();
    } catch (error) {
      if (seq !== this.seq) return;
      this.error.textContent = say(null, error);
      this.error.hidden = false;
    }
  }

  link(statuses, refunds = [], agent = null) {
    const { from, to } = this.shownRange;
    this.ctx.filterPayments({ statuses, refunds, agent, from_ms: from.getTime(), to_ms: to.getTime() });
  }

  render() {
    const { from, to } = this.shownRange;
    const last = addDays(to, -1);
    this.rangeLine.textContent = from.getTime() === last.getTime() ? date(from.getTime()) : `${date(from.getTime())} – ${date(last.getTime())}`;
    this.renderTotals();
    this.renderAttention();
    this.renderStatuses();
    this.renderAgents();
    const currencies = this.chartCurrencies();
    if (!currencies.includes(this.currency)) this.currency = currencies[0] ?? null;
    fill(
      this.currencyPicker,
      currencies.length > 1
        ? currencies.map((c) =>
            h("button", { type: "button", class: "chip", "aria-pressed": String(c === this.currency), dataset: { currency: c }, onclick: () => { this.currency = c; this.render(); } }, c))
        : null,
    );
    this.renderChart();
  }

  chartCurrencies() {
    return [...new Set(this.data.days.map((d) => d.currency))].sort((a, b) => {
      const total = (c) => this.data.totals.find((x) => x.currency === c)?.count ?? 0;
      return total(b) - total(a) || a.localeCompare(b);
    });
  }

  renderTotals() {
    const { totals, refunded = [] } = this.data;
    if (!totals.length && !refunded.length) {
      fill(this.totals, h("p", { class: "empty", text: t("sum.nothing") }));
      return;
    }
    const currencies = [...new Set([...totals.map((x) => x.currency), ...refunded.map((x) => x.currency)])];
    fill(
      this.totals,
      currencies.map((currency) => {
        const taken = totals.find((x) => x.currency === currency) ?? { count: 0, total_minor: 0 };
        const back = refunded.find((x) => x.currency === currency);
        return h(
          "div",
          { class: "total", dataset: { currency } },
          h("p", { class: "total-currency", text: currency }),
          h("p", { class: "total-amount num", text: money({ minor: taken.total_minor, currency }) }),
          h("p", { class: "muted num", text: taken.count === 1 ? t("sum.count_one") : t("sum.count", { n: taken.count }) }),
          back && back.count ? h("p", { class: "muted num total-refunded", text: t("sum.refunded", { amount: money({ minor: back.total_minor, currency }), n: back.count }) }) : null,
        );
      }),
    );
  }

  countOf(status) {
    return this.data.by_status.find((s) => s.status === status)?.count ?? 0;
  }

  renderAttention() {
    const item = (status) => {
      const n = this.countOf(status);
      if (!n) return h("p", { class: "callout none", id: `sum-callout-${status}` }, statusIcon(status), h("span", { text: t(`sum.attn_none.${status}`) }));
      return h(
        "p",
        { class: `callout tone-${toneOf(status)}`, id: `sum-callout-${status}` },
        statusIcon(status),
        h("button", { type: "button", class: "link", id: `sum-link-${status}`, dataset: { count: n }, onclick: () => this.link([status]) }, n === 1 ? t(`sum.attn_one.${status}`) : t(`sum.attn_link.${status}`, { n })),
      );
    };
    // Only when there are any: an unclear refund is rare, and a line saying "none" every day is noise.
    const refunds = this.data.unclear_refunds ?? 0;
    const unclear = refunds
      ? h(
          "p",
          { class: "callout tone-warn", id: "sum-callout-refunds" },
          toneIcon("warn"),
          h("button", { type: "button", class: "link", id: "sum-link-refunds", dataset: { count: refunds }, onclick: () => this.link([], ["Unclear"]) }, refunds === 1 ? t("sum.refunds_one") : t("sum.refunds_link", { n: refunds })),
        )
      : null;
    fill(this.attention, this.ctx.status.catalog.attention.map(item), unclear);
  }

  renderStatuses() {
    // In the core's order; those calling for attention are listed even at nought.
    const { summary_statuses: order, attention } = this.ctx.status.catalog;
    const rows = order.map((status) => [status, this.countOf(status)]).filter(([status, n]) => n > 0 || attention.includes(status));
    const any = rows.some(([, n]) => n > 0);
    fill(
      this.statusList,
      any
        ? rows.map(([status, n]) =>
            h(
              "li",
              { dataset: { status } },
              h("button", { type: "button", class: "status-row", id: `sum-status-${status}`, disabled: n === 0, onclick: () => this.link([status]) },
                // Named by what it shows (status, count), then what it does, for a screen reader.
                statusPill(status), h("span", { class: "num status-count", text: String(n) }),
                h("span", { class: "sr-only", text: `. ${t("sum.open_status", { status: t(`status.${status}`) })}` })),
            ),
          )
        : h("li", { class: "empty", text: t("sum.no_payments") }),
    );
  }

  /** What each agent took, per currency, as the core totals it; shown once any agent took one. */
  renderAgents() {
    const rows = this.data.by_agent ?? [];
    this.agentsPanel.hidden = rows.length === 0;
    if (!rows.length) return fill(this.agentsBody);
    fill(
      this.agentsBody,
      h(
        "table",
        { class: "sum-agents-table", id: "sum-agents-table" },
        h("thead", {}, h("tr", {}, ["sum.agent", "sum.agent_count", "sum.agent_amount"].map((key, i) => h("th", { scope: "col", class: i ? "num" : "", text: t(key) })))),
        h(
          "tbody",
          {},
          rows.map((r) =>
            h(
              "tr",
              { dataset: { agent: r.agent?.id ?? "", currency: r.currency } },
              h(
                "th",
                { scope: "row" },
                r.agent
                  ? h("button", { type: "button", class: "link", title: t("sum.open_agent", { name: r.agent.name }), onclick: () => this.link([], [], r.agent) }, r.agent.name)
                  : h("span", { class: "muted", text: t("sum.no_agent") }),
              ),
              h("td", { class: "num", text: String(r.count) }),
              h("td", { class: "num amount", text: money({ minor: r.total_minor, currency: r.currency }) }),
            ),
          ),
        ),
      ),
    );
  }

  renderChart() {
    const currency = this.currency;
    const { from, to } = this.shownRange;
    fill(this.legend);
    if (!currency) {
      fill(this.chartHost, h("p", { class: "empty", text: t("sum.no_chart") }));
      this.drawnWidth = null;
      return;
    }
    const days = [];
    for (let d = from; d < to; d = addDays(d, 1)) days.push(d);
    const byDay = new Map(days.map((d) => [dayKey(d), new Map()]));
    for (const row of this.data.days) {
      if (row.currency !== currency || !byDay.has(row.day)) continue;
      byDay.get(row.day).set(row.provider, row);
    }
    const providers = this.ctx.status.catalog.providers.filter((p) => [...byDay.values()].some((m) => m.has(p)));
    const dayTotal = (key) => [...byDay.get(key).values()].reduce((sum, r) => sum + r.total_minor, 0);
    const max = Math.max(0, ...days.map((d) => dayTotal(dayKey(d))));

    const width = Math.max(this.chartHost.clientWidth || 640, 320);
    this.drawnWidth = this.chartHost.clientWidth;
    const height = 260;
    const m = { left: 64, right: 8, top: 12, bottom: 28 };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const step = niceStep(max);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const y = (minor) => m.top + plotH - (minor / top) * plotH;
    const band = plotW / days.length;
    const barW = Math.max(2, Math.min(36, band * 0.68));
    const every = Math.max(1, Math.ceil(52 / band));

    const grid = [];
    for (let v = 0; v <= top + 0.5; v += step) {
      grid.push(
        svg("line", { class: v === 0 ? "axis" : "grid-line", x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }),
        svg("text", { x: m.left - 8, y: y(v) + 4, "text-anchor": "end", class: "num" }, axisMoney(v, currency)),
      );
    }
    const bars = days.map((d, i) => {
      const key = dayKey(d);
      const x = m.left + band * i + (band - barW) / 2;
      let base = 0;
      const segments = this.ctx.status.catalog.providers.filter((p) => byDay.get(key).has(p)).map((p) => {
        const r = byDay.get(key).get(p);
        const y0 = y(base);
        base += r.total_minor;
        const y1 = y(base);
        const count = r.count === 1 ? t("sum.count_one") : t("sum.count", { n: r.count });
        return svg(
          "rect",
          { class: `bar bar-${p}`, x, y: y1, width: barW, height: Math.max(1, y0 - y1), dataset: { day: key, provider: p, minor: r.total_minor } },
          svg("title", {}, t("sum.bar", { day: dayLabel(d, true), provider: t(`provider.${p}`), amount: money({ minor: r.total_minor, currency }), count })),
        );
      });
      const label = i % every === 0
        ? svg("text", { x: m.left + band * i + band / 2, y: height - 8, "text-anchor": "middle" }, dayLabel(d))
        : null;
      return svg("g", { class: "day", dataset: { day: key } },
        base ? svg("title", {}, t("sum.day_total", { day: dayLabel(d, true), amount: money({ minor: base, currency }) })) : null,
        segments, label);
    });
    const chart = svg(
      "svg",
      { class: "chart", id: "sum-chart-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("sum.chart_label", { currency }) },
      svg("g", { class: "grid" }, grid),
      svg("g", { class: "bars" }, bars),
    );
    fill(this.chartHost, chart);
    fill(
      this.legend,
      providers.map((p) => h("li", { dataset: { provider: p } }, h("span", { class: `swatch swatch-${p}`, "aria-hidden": "true" }), h("span", { text: t(`provider.${p}`) }))),
    );
  }

  onKey() {}
}

