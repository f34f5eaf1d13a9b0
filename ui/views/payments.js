// Payments: every payment in this installation's history, newest first, searchable and
// filterable offline; the detail of one opens in a side pane while the table keeps its place.
// Export (CSV / JSON) and "Verify history" run here with their progress.

import { h, fill, field, setFieldError } from "../lib/dom.js";
import { t, register, onLocaleChange, intlLocale } from "../lib/i18n.js";
import { call, channel, onLiveEvent, onMissed } from "../lib/ipc.js";
import { money, dateTime } from "../lib/format.js";
import { statusPill } from "../components/status.js";
import { dialogOpen } from "../components/dialog.js";
import { busy } from "./take/common.js";
import { PaymentDetail, brandName } from "./payments/detail.js";
import { dateInput, parseDay, dayText, relabelDate, badDate } from "./payments/dates.js";
import { say } from "../lib/say.js";
import { desk, onDeskChange } from "../lib/desk.js";

register({
  en: {
    "pay.title": "Payments",
    "pay.search": "Search",
    "pay.search_placeholder": "Reference, name, agent, order, locator, ticket…",
    "pay.search_hint": "Press / to search",
    "pay.from": "From",
    "pay.to": "To",
    "pay.currency": "Currency",
    "pay.any_currency": "Any",
    "pay.agent": "Agent",
    "pay.any_agent": "Any",
    "pay.min": "Amount from",
    "pay.max": "Amount to",
    "pay.clear": "Clear filters",
    "pay.providers": "Provider",
    "pay.statuses": "Status",
    "pay.refund_unclear": "Refund unclear",
    "pay.col.time": "Time",
    "pay.col.reference": "Reference",
    "pay.col.provider": "Provider",
    "pay.col.customer": "Customer",
    "pay.col.agent": "Agent",
    "pay.col.what": "Paid for",
    "pay.col.tickets": "Tickets",
    "pay.col.card": "Card",
    "pay.col.amount": "Amount",
    "pay.col.status": "Status",
    "pay.table": "Payments, newest first",
    "pay.empty": "No payments yet — the payments you take appear here.",
    "pay.no_match": "No payment matches these filters.",
    "pay.loading": "Loading…",
    "pay.more": "Load more",
    "pay.shown": "{n} shown",
    "pay.all_shown": "{n} shown — that is all",
    "pay.all_shown_one": "1 shown — that is all",
    "pay.new_rows": "New payments — show them",
    "pay.export_csv": "Export CSV",
    "pay.export_json": "Export JSON",
    "pay.exporting": "Exporting the payments of the current filter…",
    "pay.exported": "Saved {rows} payments to",
    "pay.verify": "Verify history",
    "pay.verifying": "Checking every payment's timeline against its seals…",
    "pay.verified_ok": "{n} payments checked, no break",
    "pay.verified_bad": "{n} payments checked — {b} with a broken history:",
    "pay.break": "{reference}, event {seq}: {problem}",
    "pay.break_open": "Open",
    "pay.break_whole": "The history as a whole: {problem}",
    "pay.unanchored": "This computer keeps no record of the history's newest event, so a cut-off end could not be checked.",
    "pay.task_close": "Dismiss",
    "pay.progress": "{done} of {total}",
    "pay.filters": "Filters",
  },
  es: {
    "pay.title": "Pagos",
    "pay.search": "Buscar",
    "pay.search_placeholder": "Referencia, nombre, agente, pedido, localizador, billete…",
    "pay.search_hint": "Pulse / para buscar",
    "pay.from": "Desde",
    "pay.to": "Hasta",
    "pay.currency": "Moneda",
    "pay.any_currency": "Todas",
    "pay.agent": "Agente",
    "pay.any_agent": "Todos",
    "pay.min": "Importe desde",
    "pay.max": "Importe hasta",
    "pay.clear": "Quitar filtros",
    "pay.providers": "Proveedor",
    "pay.statuses": "Estado",
    "pay.refund_unclear": "Reembolso sin respuesta",
    "pay.col.time": "Hora",
    "pay.col.reference": "Referencia",
    "pay.col.provider": "Proveedor",
    "pay.col.customer": "Cliente",
    "pay.col.agent": "Agente",
    "pay.col.what": "Pago de",
    "pay.col.tickets": "Billetes",
    "pay.col.card": "Tarjeta",
    "pay.col.amount": "Importe",
    "pay.col.status": "Estado",
    "pay.table": "Pagos, los más recientes primero",
    "pay.empty": "Aún no hay pagos — aquí aparecen los pagos que cobre.",
    "pay.no_match": "Ningún pago coincide con estos filtros.",
    "pay.loading": "Cargando…",
    "pay.more": "Cargar más",
    "pay.shown": "{n} mostrados",
    "pay.all_shown": "{n} mostrados — no hay más",
    "pay.all_shown_one": "1 mostrado — no hay más",
    "pay.new_rows": "Pagos nuevos — mostrarlos",
    "pay.export_csv": "Exportar CSV",
    "pay.export_json": "Exportar JSON",
    "pay.exporting": "Exportando los pagos del filtro actual…",
    "pay.exported": "{rows} pagos guardados en",
    "pay.verify": "Verificar historial",
    "pay.verifying": "Comprobando la cronología de cada pago con sus sellos…",
    "pay.verified_ok": "{n} pagos comprobados, sin ninguna rotura",
    "pay.verified_bad": "{n} pagos comprobados — {b} con el historial roto:",
    "pay.break": "{reference}, evento {seq}: {problem}",
    "pay.break_open": "Abrir",
    "pay.break_whole": "El historial en su conjunto: {problem}",
    "pay.unanchored": "Este equipo no guarda constancia del último evento del historial, así que no se pudo comprobar si falta el final.",
    "pay.task_close": "Cerrar",
    "pay.progress": "{done} de {total}",
    "pay.filters": "Filtros",
  },
});

const COLUMNS = ["time", "reference", "provider", "customer", "agent", "what", "tickets", "card", "amount", "status"];
const PAGE = 50;

const stampFormats = new Map();
function stamp(ms) {
  const locale = intlLocale();
  if (!stampFormats.has(locale)) {
    stampFormats.set(locale, new Intl.DateTimeFormat(locale, { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", hour12: false }));
  }
  return stampFormats.get(locale).format(new Date(ms));
}

export class PaymentsView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.rows = [];
    this.next = null;
    this.seq = 0;
    this.loaded = false;
    this.stale = false;
    this.loadingMore = false;
    this.selectedId = null;
    this.providers = new Set();
    this.statuses = new Set();
    this.refundStates = new Set();
    this.range = { from_ms: null, to_ms: null };
    this.detail = new PaymentDetail({ onRecord: (record) => this.updateRow(record.payment), onClose: () => this.closeDetail(), onPayNew: ctx.payNew });
    this.build();
    onLiveEvent((event) => this.onEvent(event));
    onMissed(() => this.refresh());
    onLocaleChange(() => this.relabel());
    onDeskChange(() => this.relabelAgents());
  }

  build() {
    this.heading = h("h1", { id: "h-payments" });
    this.exportCsv = h("button", { type: "button", id: "pay-export-csv", onclick: () => this.export("csv", this.exportCsv) });
    this.exportJson = h("button", { type: "button", id: "pay-export-json", onclick: () => this.export("json", this.exportJson) });
    this.verifyButton = h("button", { type: "button", id: "pay-verify", onclick: () => this.verify() });
    this.task = h("div", { class: "task", id: "pay-task", role: "status", "aria-live": "polite", hidden: true });

    this.search = h("input", { type: "search", id: "pay-search", autocomplete: "off", spellcheck: "false", "aria-keyshortcuts": "/", oninput: () => this.searchSoon(), onkeydown: (e) => this.searchKeys(e) });
    this.fromInput = dateInput("pay-from");
    this.toInput = dateInput("pay-to");
    for (const input of [this.fromInput, this.toInput]) input.addEventListener("change", () => this.onDates());
    this.currency = h("select", { id: "pay-currency", onchange: () => this.onAmounts() });
    this.agent = h("select", { id: "pay-agent", onchange: () => this.refresh({ top: true }) });
    this.linkedAgent = null; // an agent a Summary link named, until the lists know them
    this.minInput = h("input", { id: "pay-min", class: "num", inputmode: "decimal", autocomplete: "off", disabled: true, onchange: () => this.onAmounts() });
    this.maxInput = h("input", { id: "pay-max", class: "num", inputmode: "decimal", autocomplete: "off", disabled: true, onchange: () => this.onAmounts() });
    this.clearButton = h("button", { type: "button", id: "pay-clear", class: "link", hidden: true, onclick: () => this.clearFilters() });
    this.fields = {
      search: field("", this.search),
      from: field("", this.fromInput),
      to: field("", this.toInput),
      agent: field("", this.agent),
      currency: field("", this.currency),
      min: field("", this.minInput),
      max: field("", this.maxInput),
    };
    this.fields.search.classList.add("pay-search");
    for (const name of ["min", "max"]) this.fields[name].classList.add("pay-amount");

    this.providerLabel = h("span", { class: "chip-label", id: "pay-providers-label" });
    this.statusLabel = h("span", { class: "chip-label", id: "pay-statuses-label" });
    // The lists come from the core (`app_status`'s catalog); the window keeps no copy.
    this.catalog = this.ctx.status.catalog;
    this.providerChips = this.catalog.providers.map((p) => this.chip(p, this.providers, "provider"));
    this.statusChips = this.catalog.statuses.map((s) => this.chip(s, this.statuses, "status"));
    // A payment whose refund may or may not have been made waits for a person, whatever its status.
    this.refundChip = this.chip("Unclear", this.refundStates, "refund");
    this.filterError = h("p", { class: "form-alert", role: "alert", id: "pay-error", hidden: true });

    this.headRow = h("tr", {});
    this.tbody = h("tbody", {});
    this.table = h("table", { class: "pay-table", id: "pay-table" }, h("caption", { class: "sr-only" }), h("colgroup", {}, COLUMNS.map((c) => h("col", { class: `col-${c}` }))), h("thead", {}, this.headRow), this.tbody);
    this.newRows = h("button", { type: "button", class: "new-rows", id: "pay-new", hidden: true, onclick: () => this.refresh({ top: true }) });
    this.moreButton = h("button", { type: "button", id: "pay-more", hidden: true, onclick: () => this.loadMore() });
    this.countLine = h("span", { class: "muted num", id: "pay-count" });
    this.tableFoot = h("div", { class: "table-foot" }, this.countLine, this.moreButton);
    this.wrap = h("div", { class: "table-wrap pay-wrap", id: "pay-wrap", onkeydown: (e) => this.tableKeys(e) }, this.newRows, this.table, this.tableFoot);

    this.body = h("div", { class: "pay-body" }, this.wrap, this.detail.element);
    fill(
      this.root,
      h("header", { class: "view-head pay-head" }, this.heading, h("div", { class: "head-actions no-print" }, this.exportCsv, this.exportJson, this.verifyButton)),
      this.task,
      h("div", { class: "pay-filters", role: "search" },
        h("div", { class: "pay-fields" }, Object.values(this.fields), this.clearButton),
        h("div", { class: "chips pay-chips" },
          h("div", { class: "chip-group", role: "group", "aria-labelledby": "pay-providers-label" }, this.providerLabel, this.providerChips),
          h("div", { class: "chip-group", role: "group", "aria-labelledby": "pay-statuses-label" }, this.statusLabel, this.statusChips, this.refundChip))),
      this.filterError,
      this.body,
    );
    // Infinite scroll: the "Load more" button loads by itself when it scrolls into view.
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.loadMore();
    }, { root: this.wrap, rootMargin: "120px" });
    this.observer.observe(this.moreButton);
    this.relabel();
  }

  chip(value, set, kind) {
    const button = h("button", { type: "button", class: "chip", "aria-pressed": "false", dataset: { [kind]: value } });
    button.addEventListener("click", () => {
      if (set.has(value)) set.delete(value);
      else set.add(value);
      button.setAttribute("aria-pressed", String(set.has(value)));
      this.refresh({ top: true });
    });
    return button;
  }

  relabel() {
    this.heading.textContent = t("pay.title");
    this.exportCsv.textContent = t("pay.export_csv");
    this.exportJson.textContent = t("pay.export_json");
    this.verifyButton.textContent = t("pay.verify");
    const labels = { search: "pay.search", from: "pay.from", to: "pay.to", agent: "pay.agent", currency: "pay.currency", min: "pay.min", max: "pay.max" };
    for (const [name, key] of Object.entries(labels)) this.fields[name].querySelector("label").textContent = t(key);
    this.search.placeholder = t("pay.search_placeholder");
    this.search.title = t("pay.search_hint");
    relabelDate(this.fromInput);
    relabelDate(this.toInput);
    const chosen = this.currency.value;
    fill(this.currency, h("option", { value: "", text: t("pay.any_currency") }), this.currencies().map((c) => h("option", { value: c, text: c })));
    this.currency.value = chosen;
    this.relabelAgents();
    this.clearButton.textContent = t("pay.clear");
    this.providerLabel.textContent = t("pay.providers");
    this.statusLabel.textContent = t("pay.statuses");
    this.providerChips.forEach((b, i) => (b.textContent = t(`provider.${this.catalog.providers[i]}`)));
    this.statusChips.forEach((b, i) => (b.textContent = t(`status.${this.catalog.statuses[i]}`)));
    this.refundChip.textContent = t("pay.refund_unclear");
    this.table.querySelector("caption").textContent = t("pay.table");
    fill(this.headRow, COLUMNS.map((c) => h("th", { scope: "col", class: `col-${c}${c === "amount" ? " amount" : ""}`, text: t(`pay.col.${c}`) })));
    this.newRows.textContent = t("pay.new_rows");
    this.moreButton.textContent = t("pay.more");
    this.detail.relabel();
    if (this.loaded) this.renderRows();
  }

  /** The agent filter's choices; the field shows only once there is someone to choose. */
  relabelAgents() {
    const chosen = this.agent.value;
    const agents = this.agents();
    fill(this.agent, h("option", { value: "", text: t("pay.any_agent") }), agents.map((a) => h("option", { value: a.id, text: a.name })));
    this.agent.value = agents.some((a) => a.id === chosen) ? chosen : "";
    this.fields.agent.hidden = agents.length === 0;
  }

  /** The core's (everyone in the history and at the desk), the desk's as it is now, and anyone
   *  on the rows or a link named since — by id, under the desk's name for someone still there. */
  agents() {
    const byId = new Map();
    const add = (a) => a && !byId.has(a.id) && byId.set(a.id, { id: a.id, name: a.name });
    (desk()?.agents ?? []).forEach(add);
    (this.catalog.filter_agents ?? []).forEach(add);
    add(this.linkedAgent);
    this.rows.forEach((r) => add(r.agent));
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, intlLocale()));
  }

  /** The core's (every currency in the history, and the set-up providers'), with any taken since. */
  currencies() {
    return [...new Set([...this.catalog.filter_currencies, ...this.rows.map((r) => r.amount.currency)])].sort();
  }

  // ---- the query -------------------------------------------------------------------------

  query() {
    const q = {};
    const text = this.search.value.trim();
    if (text) q.text = text;
    if (this.providers.size) q.providers = [...this.providers];
    if (this.statuses.size) q.statuses = [...this.statuses];
    if (this.refundStates.size) q.refunds = [...this.refundStates];
    if (this.agent.value) q.agents = [this.agent.value];
    if (this.currency.value) q.currency = this.currency.value;
    // Amounts compare only within one currency; the core reads what was typed (and says which
    // field is wrong).
    if (this.currency.value) {
      if (this.minInput.value.trim()) q.amount_min = this.minInput.value;
      if (this.maxInput.value.trim()) q.amount_max = this.maxInput.value;
    }
    if (this.range.from_ms !== null) q.from_ms = this.range.from_ms;
    if (this.range.to_ms !== null) q.to_ms = this.range.to_ms;
    return q;
  }

  filtered() {
    const q = this.query();
    return Object.keys(q).length > 0;
  }

  searchSoon() {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.refresh({ top: true }), 200);
  }

  onDates() {
    const from = parseDay(this.fromInput.value);
    const to = parseDay(this.toInput.value);
    setFieldError(this.fromInput, from === null ? badDate() : null);
    setFieldError(this.toInput, to === null ? badDate() : null);
    if (from === null || to === null) return;
    this.range.from_ms = from ? from.getTime() : null;
    this.range.to_ms = to ? new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).getTime() : null;
    this.refresh({ top: true });
  }

  onAmounts() {
    // Amounts compare only within one currency: the range fields wait until one is chosen.
    const chosen = Boolean(this.currency.value);
    this.minInput.disabled = !chosen;
    this.maxInput.disabled = !chosen;
    this.refresh({ top: true });
  }

  clearFilters() {
    this.search.value = "";
    this.providers.clear();
    this.statuses.clear();
    this.refundStates.clear();
    this.agent.value = "";
    this.currency.value = "";
    this.minInput.value = "";
    this.maxInput.value = "";
    this.minInput.disabled = true;
    this.maxInput.disabled = true;
    this.fromInput.value = "";
    this.toInput.value = "";
    for (const input of [this.minInput, this.maxInput, this.fromInput, this.toInput]) setFieldError(input, null);
    this.range = { from_ms: null, to_ms: null };
    this.syncChips();
    this.refresh({ top: true });
    this.search.focus();
  }

  syncChips() {
    this.providerChips.forEach((b, i) => b.setAttribute("aria-pressed", String(this.providers.has(this.catalog.providers[i]))));
    this.statusChips.forEach((b, i) => b.setAttribute("aria-pressed", String(this.statuses.has(this.catalog.statuses[i]))));
    this.refundChip.setAttribute("aria-pressed", String(this.refundStates.has("Unclear")));
  }

  /** Summary's links: `{statuses, refunds, providers, agent, from_ms, to_ms, text}`; the rest is
   *  cleared. `agent` is one agent as the Summary names them (`{id, name}`). */
  applyFilter(filter = {}) {
    this.linkedAgent = filter.agent ?? null;
    this.relabelAgents();
    this.agent.value = filter.agent?.id ?? "";
    this.search.value = filter.text ?? "";
    this.providers = new Set(filter.providers ?? []);
    this.statuses = new Set(filter.statuses ?? []);
    this.refundStates = new Set(filter.refunds ?? []);
    this.currency.value = filter.currency ?? "";
    this.minInput.value = "";
    this.maxInput.value = "";
    this.range = { from_ms: filter.from_ms ?? null, to_ms: filter.to_ms ?? null };
    this.fromInput.value = this.range.from_ms !== null ? dayText(new Date(this.range.from_ms)) : "";
    this.toInput.value = this.range.to_ms !== null ? dayText(new Date(this.range.to_ms - 1)) : "";
    for (const input of [this.minInput, this.maxInput, this.fromInput, this.toInput]) setFieldError(input, null);
    this.syncChips();
    this.closeDetail({ focus: false });
    this.refresh({ top: true });
  }

  // ---- loading ---------------------------------------------------------------------------

  shown() {
    if (!this.loaded || this.stale) this.refresh();
  }

  /** Reads the first page again; keeps the scroll position unless `top`. */
  async refresh({ top = false } = {}) {
    const seq = ++this.seq;
    this.stale = false;
    this.newRows.hidden = true;
    this.clearButton.hidden = !this.filtered();
    this.wrap.setAttribute("aria-busy", "true");
    if (!this.loaded) fill(this.tbody, this.messageRow(t("pay.loading")));
    const keep = top ? PAGE : Math.max(PAGE, this.rows.length);
    try {
      const page = await call("search_payments", { query: { ...this.query(), limit: Math.min(keep, 500) } });
      if (seq !== this.seq) return;
      this.filterError.hidden = true;
      setFieldError(this.minInput, null);
      setFieldError(this.maxInput, null);
      this.rows = page.rows;
      this.next = page.next;
      this.loaded = true;
      this.relabelAgents();
      this.renderRows();
      if (top) this.wrap.scrollTop = 0;
      if (this.reveal) {
        this.reveal = false;
        this.rowOf(this.selectedId)?.scrollIntoView({ block: "nearest" });
      }
      if (this.detail.record) this.updateRow(this.detail.record.payment, { fromList: true });
    } catch (error) {
      if (seq !== this.seq) return;
      // A typed bound the core could not read is marked at its field, in its words.
      const at = { amount_min: this.minInput, amount_max: this.maxInput };
      const marked = (error.fields ?? []).filter((f) => at[f.field]);
      marked.forEach((f) => setFieldError(at[f.field], say(null, f)));
      this.filterError.textContent = say(null, error);
      this.filterError.hidden = marked.length > 0;
      if (!this.loaded) fill(this.tbody, this.messageRow(t("pay.no_match")));
    } finally {
      if (seq === this.seq) this.wrap.removeAttribute("aria-busy");
    }
  }

  async loadMore() {
    if (!this.next || this.loadingMore) return;
    const seq = this.seq;
    this.loadingMore = true;
    try {
      const page = await busy(this.moreButton, t("pay.loading"), () => call("search_payments", { query: { ...this.query(), after: this.next, limit: PAGE } }));
      if (seq !== this.seq) return;
      const known = new Set(this.rows.map((r) => r.id));
      const fresh = page.rows.filter((r) => !known.has(r.id));
      this.rows.push(...fresh);
      this.next = page.next;
      this.tbody.append(...fresh.map((r) => this.rowElement(r)));
      this.renderFoot();
    } catch (error) {
      this.filterError.textContent = say(null, error);
      this.filterError.hidden = false;
    } finally {
      this.loadingMore = false;
    }
  }

  // ---- the table -------------------------------------------------------------------------

  messageRow(text) {
    return h("tr", { class: "message-row" }, h("td", { colspan: COLUMNS.length, class: "empty" }, text));
  }

  renderRows() {
    if (!this.rows.length) {
      fill(this.tbody, this.messageRow(this.filtered() ? t("pay.no_match") : t("pay.empty")));
    } else {
      fill(this.tbody, this.rows.map((r) => this.rowElement(r)));
    }
    this.renderFoot();
    this.markSelected();
  }

  renderFoot() {
    this.moreButton.hidden = !this.next;
    const n = this.rows.length;
    this.countLine.textContent = !n ? "" : this.next ? t("pay.shown", { n }) : n === 1 ? t("pay.all_shown_one") : t("pay.all_shown", { n });
    this.tableFoot.hidden = !n;
  }

  rowElement(r) {
    const card = r.card ? `${brandName(r.card.brand)} •••• ${r.card.last4}` : "";
    const tickets = r.tickets.length > 1 ? `${r.tickets[0]} +${r.tickets.length - 1}` : r.tickets[0] ?? "";
    const cell = (c, text, cls = "", title = text) => h("td", { class: `col-${c} ${cls}`.trim(), title: title || undefined, text });
    const tr = h(
      "tr",
      { tabindex: "-1", "aria-selected": "false", dataset: { id: r.id, reference: r.reference, status: r.status }, onclick: () => this.select(r.id) },
      cell("time", stamp(r.created_at_ms), "num", dateTime(r.created_at_ms)),
      cell("reference", r.reference, "num ref"),
      cell("provider", t(`provider.${r.provider}`)),
      cell("customer", r.customer),
      cell("agent", r.agent?.name ?? ""),
      cell("what", r.subject_key, "num"),
      cell("tickets", tickets, "num", r.tickets.join(", ")),
      cell("card", card, "num"),
      cell("amount", money(r.amount), "amount num"),
      h("td", { class: "col-status" }, statusPill(r.status)),
    );
    return tr;
  }

  rowOf(id) {
    return [...this.tbody.rows].find((tr) => tr.dataset.id === id) ?? null;
  }

  markSelected() {
    let tabbable = null;
    for (const tr of this.tbody.rows) {
      if (!tr.dataset.id) continue;
      const on = tr.dataset.id === this.selectedId;
      tr.setAttribute("aria-selected", String(on));
      tr.tabIndex = -1;
      if (on) tabbable = tr;
    }
    tabbable ??= [...this.tbody.rows].find((tr) => tr.dataset.id);
    if (tabbable) tabbable.tabIndex = 0;
  }

  /** A payment's new status (live event or action) in its row, and in the detail. */
  updateRow(payment, { fromList = false } = {}) {
    const row = this.rows.find((r) => r.id === payment.id);
    if (!row) return;
    if (!fromList) {
      row.status = payment.status;
      row.updated_at_ms = payment.updated_at_ms ?? row.updated_at_ms;
    }
    const tr = this.rowOf(payment.id);
    if (tr && tr.dataset.status !== row.status) {
      tr.dataset.status = row.status;
      fill(tr.querySelector(".col-status"), statusPill(row.status));
    }
  }

  /** From the search box, `↓` goes to the first result and `Enter` opens it. */
  searchKeys(event) {
    if (event.key !== "ArrowDown" && event.key !== "Enter") return;
    const first = [...this.tbody.rows].find((r) => r.dataset.id);
    if (!first) return;
    event.preventDefault();
    first.focus();
    if (event.key === "Enter") this.select(first.dataset.id, { focusRow: true });
  }

  /** Where the keyboard lands when the view is chosen with its shortcut. */
  focusEntry() {
    this.search.focus();
  }

  tableKeys(event) {
    const tr = event.target.closest?.("tbody tr");
    if (!tr || !tr.dataset.id) return;
    const rows = [...this.tbody.rows].filter((r) => r.dataset.id);
    const at = rows.indexOf(tr);
    const target = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1, PageDown: at + 10, PageUp: at - 10 }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      const next = rows[Math.max(0, Math.min(rows.length - 1, target))];
      if (next) {
        next.focus();
        this.select(next.dataset.id, { focusRow: true });
      }
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.select(tr.dataset.id, { focusRow: true });
    }
  }

  // ---- the detail ------------------------------------------------------------------------

  select(id, { focusRow = false } = {}) {
    if (this.selectedId === id && !this.detail.element.hidden) return;
    this.open(id, { focusRow });
  }

  /** Selects a payment and shows its detail (Take payment's "Open in Payments" too). */
  async open(paymentId, { focusRow = false } = {}) {
    this.selectedId = paymentId;
    this.markSelected();
    const tr = this.rowOf(paymentId);
    if (tr) {
      tr.scrollIntoView({ block: "nearest" });
      if (focusRow) tr.focus();
    } else if (this.loaded) {
      // Not on the first pages: a new payment, or one further down. Read the list again.
      this.stale = true;
      this.reveal = true;
      if (!this.root.hidden) this.refresh();
    }
    this.body.classList.add("with-detail");
    this.detail.element.hidden = false;
    this.detail.loading();
    const seq = (this.detailSeq = (this.detailSeq ?? 0) + 1);
    try {
      const record = await call("payment_detail", { paymentId });
      if (seq !== this.detailSeq) return;
      this.detail.set(record);
      this.updateRow(record.payment);
    } catch (error) {
      if (seq !== this.detailSeq) return;
      this.detail.showError(error);
      fill(this.detail.head);
    }
  }

  closeDetail({ focus = true } = {}) {
    const id = this.selectedId;
    this.detailSeq = (this.detailSeq ?? 0) + 1;
    this.selectedId = null;
    this.detail.record = null;
    this.detail.timeline.reset(null);
    this.detail.element.hidden = true;
    this.body.classList.remove("with-detail");
    this.markSelected();
    if (focus) {
      const tr = id && this.rowOf(id);
      if (tr) tr.focus();
    }
  }

  async refreshDetail() {
    const id = this.detail.record?.payment.id;
    if (!id) return;
    try {
      const record = await call("payment_detail", { paymentId: id });
      if (this.detail.record?.payment.id === id) this.detail.set(record);
    } catch {
      /* the live events already on screen stay */
    }
  }

  onEvent(event) {
    if (event.status_after) this.updateRow({ id: event.payment_id, status: event.status_after, updated_at_ms: event.at_ms });
    if (this.detail.add(event) && (event.kind === "ticket" || event.status_after)) {
      // Tickets and attempts come with the record: read it again shortly after.
      clearTimeout(this.detailTimer);
      this.detailTimer = setTimeout(() => this.refreshDetail(), 300);
    }
    if (event.kind === "created" && !this.rows.some((r) => r.id === event.payment_id)) {
      this.stale = true;
      if (this.loaded && !this.root.hidden) this.newRows.hidden = false;
    }
  }

  // ---- keys ------------------------------------------------------------------------------

  onKey(event) {
    if (dialogOpen()) return;
    const typing = event.target.matches?.("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      this.search.focus();
      this.search.select();
    } else if ((event.ctrlKey || event.metaKey) && (event.key === "p" || event.key === "P")) {
      event.preventDefault();
      if (this.detail.record) this.detail.printReceipt();
    } else if (event.key === "Escape" && !this.detail.element.hidden) {
      if (event.target === this.search && this.search.value) return;
      event.preventDefault();
      this.closeDetail();
    }
  }

  // ---- export and verify -----------------------------------------------------------------

  taskProgress(label) {
    const bar = h("progress", { max: 1, value: 0, "aria-label": label });
    const figures = h("span", { class: "num muted task-figures" });
    fill(this.task, h("div", { class: "task-line" }, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", { text: label }), bar, figures));
    this.task.className = "task";
    this.task.hidden = false;
    return channel(({ done, total }) => {
      bar.max = Math.max(total, 1);
      bar.value = Math.min(done, bar.max);
      figures.textContent = t("pay.progress", { done, total });
    });
  }

  taskDone(tone, ...content) {
    const dismiss = h("button", { type: "button", class: "link task-close", onclick: () => (this.task.hidden = true) }, t("pay.task_close"));
    fill(this.task, h("div", { class: "task-result" }, content), dismiss);
    this.task.className = `task tone-${tone}`;
    this.task.hidden = false;
  }

  async export(format, button) {
    const query = this.query();
    const onProgress = this.taskProgress(t("pay.exporting"));
    try {
      const result = await busy(button, t("common.working"), () => call("export_payments", { request: { query, format }, onProgress }));
      this.taskDone("good", h("span", { text: t("pay.exported", { rows: result.rows }) }), " ", h("code", { class: "mono task-path", id: "pay-export-path", text: result.path }));
    } catch (error) {
      this.taskDone("bad", h("span", { text: say(null, error) }));
    }
  }

  async verify() {
    const onProgress = this.taskProgress(t("pay.verifying"));
    try {
      const report = await busy(this.verifyButton, t("common.working"), () => call("verify_history", { onProgress }));
      const unanchored = report.anchored ? [] : [h("p", { class: "muted", id: "pay-verify-unanchored", text: t("pay.unanchored") })];
      if (!report.broken.length) {
        this.taskDone("good", h("span", { id: "pay-verify-result", text: t("pay.verified_ok", { n: report.checked }) }), ...unanchored);
      } else {
        // A break of the whole history (a deleted payment, a cut-off end) has no payment to open.
        const line = (b) => b.payment_id
          ? h("li", { "data-kind": b.kind }, h("span", { text: t("pay.break", { reference: b.reference, seq: b.seq, problem: b.problem }) }), " ",
            h("button", { type: "button", class: "link", onclick: () => this.open(b.payment_id) }, t("pay.break_open")))
          : h("li", { "data-kind": b.kind }, h("span", { text: t("pay.break_whole", { problem: b.problem }) }));
        this.taskDone(
          "bad",
          h("span", { id: "pay-verify-result", text: t("pay.verified_bad", { n: report.checked, b: report.broken.length }) }),
          h("ul", { class: "breaks" }, report.broken.map(line)),
          ...unanchored,
        );
      }
    } catch (error) {
      this.taskDone("bad", h("span", { text: say(null, error) }));
    }
  }
}
