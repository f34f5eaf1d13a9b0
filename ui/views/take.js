// Take payment: a tab per provider on the left, the live timeline of the payment being taken on
// the right. Edit → confirm (Enter confirms, Esc goes back) → sending → the outcome, without
// leaving the view. The card fields are cleared the moment they are sent.

import { h, fill } from "../lib/dom.js";
import { t, register, onLocaleChange } from "../lib/i18n.js";
import { CommandError, onLiveEvent, onMissed, call } from "../lib/ipc.js";
import { money as formatMoney } from "../lib/format.js";
import { Timeline } from "../components/timeline.js";
import { statusPill } from "../components/status.js";
import { moneyLine } from "../components/money.js";
import { busy } from "./take/common.js";
import { atripForm } from "./take/atrip.js";
import { travelportForm } from "./take/travelport.js";
import { holidayExtrasForm } from "./take/holidayextras.js";
import { heipayForm } from "./take/heipay.js";
import { say } from "../lib/say.js";

register({
  en: {
    "take.title": "Take payment",
    "take.provider": "Provider",
    "take.continue": "Continue",
    "take.confirm_title": "Confirm payment",
    "take.pay": "Pay now",
    "take.pay_hint": "Enter to pay · Esc to go back",
    "take.method": "Method",
    "take.card": "Card",
    "take.sending": "Sending…",
    "take.timeline": "Timeline",
    "take.timeline_idle": "The live timeline of the payment you take appears here.",
    "take.new": "New payment",
    "take.open": "Open in Payments",
    "take.try_again": "Try again",
    "take.regenerate": "New order and pay",
    "take.regenerating": "Asking ATRIP…",
    "take.retry_note": "New attempt for payment {reference}: the order stays the same.",
    "take.reference": "Reference",
    "take.demo": "Sandbox data to try",
    "take.demo_fill": "Fill in {value}",
    "take.not_set_up": "{provider} is not set up in this profile — open Settings to add its address and credentials. Farepoint takes its payments once it restarts with them.",
    "take.open_settings": "Open Settings",
  },
  es: {
    "take.title": "Cobrar",
    "take.provider": "Proveedor",
    "take.continue": "Continuar",
    "take.confirm_title": "Confirmar el pago",
    "take.pay": "Cobrar ahora",
    "take.pay_hint": "Intro para cobrar · Esc para volver",
    "take.method": "Método",
    "take.card": "Tarjeta",
    "take.sending": "Enviando…",
    "take.timeline": "Cronología",
    "take.timeline_idle": "Aquí aparece en directo la cronología del pago que está cobrando.",
    "take.new": "Nuevo pago",
    "take.open": "Abrir en Pagos",
    "take.try_again": "Reintentar",
    "take.regenerate": "Nuevo pedido y pagar",
    "take.regenerating": "Consultando a ATRIP…",
    "take.retry_note": "Nuevo intento del pago {reference}: el pedido no cambia.",
    "take.reference": "Referencia",
    "take.demo": "Datos de prueba del Sandbox",
    "take.demo_fill": "Rellenar con {value}",
    "take.not_set_up": "{provider} no está configurado en este perfil — abra Ajustes para añadir su dirección y sus credenciales. Farepoint cobra con él cuando se reinicia con ellas.",
    "take.open_settings": "Abrir Ajustes",
  },
});

export class TakeView {
  constructor(root, { openPayment, openSettings, status }) {
    this.root = root;
    this.demo = status?.demo ?? [];
    this.catalog = status?.catalog;
    this.openPayment = openPayment;
    this.openSettings = openSettings;
    // Each provider's form is built the first time its tab opens: the first paint builds one.
    this.providers = [
      ["atrip", atripForm],
      ["travelport", travelportForm],
      ["holidayextras", holidayExtrasForm],
      ["heipay", heipayForm],
    ];
    this.built = new Map();
    this.active = null;
    this.mode = "edit";
    this.prepared = null;
    this.retryOf = null; // the declined payment a new attempt belongs to
    this.record = null;
    this.pending = []; // live events that arrived before the payment's id was known
    this.timelineTitle = h("h2", { id: "take-timeline-title" });
    this.timeline = new Timeline({ title: this.timelineTitle });
    this.build();
    onLiveEvent((event) => this.onEvent(event));
    onMissed(() => this.refresh());
    onLocaleChange(() => this.relabel());
  }

  build() {
    this.tabs = h("div", { class: "tabs", role: "tablist", "aria-label": t("take.provider") });
    this.tabButtons = this.providers.map(([id], i) =>
      h("button", {
        type: "button",
        role: "tab",
        id: `tab-${id}`,
        "aria-controls": `form-${id}`,
        dataset: { provider: id },
        onclick: () => this.select(i),
        onkeydown: (e) => this.tabKeys(e, i),
      }),
    );
    fill(this.tabs, this.tabButtons);
    this.formHost = h("div", { class: "form-host" });
    this.error = h("div", { class: "form-alert", role: "alert", hidden: true });
    this.continueButton = h("button", { type: "submit", class: "primary", id: "take-continue" });
    this.retryNote = h("p", { class: "retry-note", hidden: true });
    this.demoEl = h("details", { class: "demo no-print", id: "take-demo" });
    this.formEl = h("form", { class: "take-form", novalidate: true, onsubmit: (e) => this.onContinue(e) }, this.retryNote, this.formHost, this.error, h("div", { class: "actions" }, this.continueButton), this.demoEl);
    this.confirmEl = h("div", { class: "confirm", hidden: true, tabindex: "-1", id: "take-confirm" });
    this.resultEl = h("div", { class: "result", hidden: true, id: "take-result" });
    const timelinePanel = h("aside", { class: "panel timeline", id: "take-timeline", "aria-labelledby": "take-timeline-title" }, this.timeline.element);
    this.heading = h("h1", { id: "h-take" });
    fill(
      this.root,
      h("header", { class: "view-head" }, this.heading),
      h("div", { class: "split" }, h("div", { class: "panel take-panel" }, this.tabs, this.formEl, this.confirmEl, this.resultEl), timelinePanel),
    );
    this.root.addEventListener("keydown", (e) => this.keys(e));
    this.relabel();
    this.select(0, { focus: false });
  }

  relabel() {
    this.heading.textContent = t("take.title");
    this.timelineTitle.textContent = t("take.timeline");
    this.tabs.setAttribute("aria-label", t("take.provider"));
    this.tabButtons.forEach((b, i) => (b.textContent = t(`provider.${this.providers[i][0]}`)));
    this.continueButton.textContent = t("take.continue");
    for (const form of this.built.values()) form.relabel?.();
    this.renderDemo?.();
    if (this.mode === "confirm") this.showConfirm();
    if (this.mode === "done") this.showResult();
    this.timeline.render();
  }

  tabKeys(event, index) {
    const delta = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (delta === undefined) return;
    event.preventDefault();
    this.select((index + delta + this.providers.length) % this.providers.length);
  }

  /** Whether the core set this provider up in the active profile (`app_status`' catalog). */
  setUp(id) {
    return !this.catalog?.set_up || this.catalog.set_up.includes(id);
  }

  /** In place of a provider's form, when it is not set up: where to set it up. */
  notSetUp(id) {
    const text = h("p", { class: "not-set-up-text" });
    const open = h("button", { type: "button", class: "primary", id: `take-settings-${id}`, onclick: () => this.openSettings?.(id) });
    const relabel = () => {
      text.textContent = t("take.not_set_up", { provider: t(`provider.${id}`) });
      open.textContent = t("take.open_settings");
    };
    relabel();
    const element = h("div", { class: "not-set-up" }, text, open);
    return { id, element, notSetUp: true, relabel, focus: () => open.focus(), reset() {}, clearCard() {}, prepare: async () => null };
  }

  /** The form of provider `index`, built on first use. */
  form(index) {
    const [id, make] = this.providers[index];
    if (!this.built.has(id)) {
      const form = this.setUp(id) ? make(this.catalog) : this.notSetUp(id);
      form.element.id = `form-${id}`;
      form.element.setAttribute("role", "tabpanel");
      form.element.setAttribute("aria-labelledby", `tab-${id}`);
      this.built.set(id, form);
    }
    return this.built.get(id);
  }

  /** Where the keyboard lands when the view is chosen with its shortcut: the form's first field. */
  focusEntry() {
    if (this.mode === "edit") this.active?.focus();
  }

  /** Opens `provider`'s form on `key` (a new ATRIP order to pay), where the form can load one. */
  async load(provider, key) {
    const index = this.providers.findIndex(([id]) => id === provider);
    if (index < 0) return;
    this.select(index, { focus: false });
    if (this.active.id === provider) await this.active.load?.(key);
    this.active.focus();
  }

  select(index, { focus = true } = {}) {
    if (this.mode !== "edit" && this.mode !== "done") return;
    if (this.mode === "done") this.startOver();
    const form = this.form(index);
    this.active = form;
    this.retryOf = null;
    this.retryNote.hidden = true;
    this.tabButtons.forEach((b, i) => {
      const on = i === index;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    });
    fill(this.formHost, form.element);
    this.continueButton.hidden = Boolean(form.notSetUp);
    this.renderDemo();
    this.hideError();
    if (focus) this.tabButtons[index].focus();
  }

  /** In the Sandbox: the demo orders, locators, tokens and test cards, one click to fill in. */
  renderDemo() {
    if (!this.active) return;
    const hints = this.demo.filter((d) => d.provider === this.active.id || (d.provider === "card" && this.active.fillCard));
    this.demoEl.hidden = hints.length === 0;
    if (!hints.length) return;
    const open = this.demoEl.open;
    fill(
      this.demoEl,
      h("summary", { text: t("take.demo") }),
      h("ul", {}, hints.map((d) => h("li", {},
        h("button", {
          type: "button",
          class: "link num",
          "aria-label": t("take.demo_fill", { value: d.value }),
          onclick: () => (d.provider === "card" ? this.active.fillCard(d.value) : this.active.fillDemo(d.value)),
          text: d.value,
        }),
        ` — ${d.label}`))),
    );
    this.demoEl.open = open;
  }

  /** Whether the Take view shows a usable form (the start-up bench waits for this). */
  ready() {
    return this.active.ready ? this.active.ready() : Promise.resolve();
  }

  keys(event) {
    if (event.key === "Escape") {
      if (this.mode === "confirm") {
        event.preventDefault();
        this.backToEdit();
      }
    } else if (event.key === "Enter" && this.mode === "confirm" && !event.target.matches("button, textarea")) {
      event.preventDefault();
      this.pay();
    }
  }

  showError(error) {
    // A network fault is said in plain words; the network library's own stay behind "Details".
    const detail = error?.params?.why ? error.params.detail : null;
    fill(
      this.error,
      h("span", { text: say(null, error) }),
      detail ? h("details", { class: "error-details" }, h("summary", { text: t("common.details") }), h("pre", { text: detail })) : null,
    );
    this.error.hidden = false;
  }

  hideError() {
    this.error.hidden = true;
    this.error.textContent = "";
  }

  async onContinue(event) {
    event.preventDefault();
    if (this.mode !== "edit") return;
    this.hideError();
    try {
      const prepared = await this.active.prepare({ retry: Boolean(this.retryOf) });
      if (!prepared) return;
      this.prepared = prepared;
      this.mode = "confirm";
      this.showConfirm();
    } catch (error) {
      this.showError(error);
    }
  }

  showConfirm() {
    const c = this.prepared.confirm;
    const lines = [[t("take.method"), c.method], ...(c.card ? [[t("take.card"), c.card]] : []), ...(c.lines ?? [])];
    this.payButton = h("button", { type: "button", class: "primary big", id: "take-pay", onclick: () => this.pay() }, t("take.pay"));
    fill(
      this.confirmEl,
      h("h2", { text: t("take.confirm_title") }),
      h("p", { class: "amount-big num", id: "confirm-amount", text: c.amount }),
      h("dl", { class: "facts" }, lines.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])),
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => this.backToEdit() }, t("common.back")), this.payButton),
      h("p", { class: "hint", text: t("take.pay_hint") }),
    );
    this.formEl.hidden = true;
    this.confirmEl.hidden = false;
    this.payButton.focus();
  }

  backToEdit() {
    this.mode = "edit";
    this.confirmEl.hidden = true;
    this.formEl.hidden = false;
    this.active.focus();
  }

  async pay() {
    if (this.mode !== "confirm") return;
    this.mode = "sending";
    this.payButton.disabled = true;
    this.payButton.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), t("take.sending"));
    const { request } = this.prepared;
    this.prepared.request = null;
    // The card leaves the page now: the form forgets it before the answer comes back.
    this.active.clearCard();
    this.pending = [];
    const form = this.active;
    try {
      let record;
      if (this.retryOf) {
        this.timeline.reset(this.retryOf.payment.id);
        this.timeline.set(this.retryOf);
        record = await form.retry(this.retryOf.payment.id, request);
      } else {
        this.timeline.reset(null);
        record = await form.send(request, (paymentId) => this.follow(paymentId));
      }
      this.finish(record);
    } catch (error) {
      this.mode = "edit";
      this.confirmEl.hidden = true;
      this.formEl.hidden = false;
      if (error instanceof CommandError && error.fields.length) form.showErrors(error.fields);
      this.showError(error);
      if (!this.timeline.paymentId) this.timeline.reset(null);
    }
  }

  follow(paymentId) {
    this.timeline.paymentId = paymentId;
    for (const event of this.pending) this.timeline.add(event);
    this.pending = [];
  }

  onEvent(event) {
    if (this.timeline.paymentId) {
      if (this.timeline.add(event) && this.record?.payment.id === event.payment_id && event.status_after) {
        // A new status allows other actions and tells the money anew: the core serves both with
        // the record.
        this.record.payment.status = event.status_after;
        this.record.actions = null;
        this.record.money = null;
        if (this.mode === "done") this.showResult();
        this.readActions(this.record.payment.id);
      }
    } else if (this.mode === "sending") {
      this.pending.push(event);
    }
  }

  /** The actions the core allows now and the money's state, for the payment still shown. */
  async readActions(paymentId) {
    const read = await call("payment_detail", { paymentId }).catch(() => null);
    if (!read || this.record?.payment.id !== paymentId) return;
    this.record.actions = read.actions;
    this.record.money = read.money;
    if (this.mode === "done") this.showResult();
  }

  async refresh() {
    if (!this.record) return;
    this.record = await call("payment_detail", { paymentId: this.record.payment.id });
    this.timeline.set(this.record);
    if (this.mode === "done") this.showResult();
  }

  finish(record) {
    this.record = record;
    const seen = this.timeline.events;
    this.timeline.set(record);
    // Events streamed after the record was read stay on screen.
    for (const event of seen) this.timeline.add(event);
    this.mode = "done";
    this.confirmEl.hidden = true;
    this.showResult();
  }

  showResult() {
    const { payment } = this.record;
    // Re-rendered on every streamed status: the agent's focus stays on the button it was on.
    const focused = this.resultEl.contains(document.activeElement) ? document.activeElement.id : null;
    const arriving = this.resultEl.hidden;
    const buttons = [];
    if (this.record.actions?.retry) buttons.push(h("button", { type: "button", id: "take-retry", onclick: () => this.retry() }, t("take.try_again")));
    if (this.record.actions?.regenerate) {
      const regenerate = h("button", { type: "button", id: "take-regenerate" }, t("take.regenerate"));
      regenerate.addEventListener("click", () => this.regenerate(regenerate));
      buttons.push(regenerate);
    }
    buttons.push(h("button", { type: "button", id: "take-open", onclick: () => this.openPayment(payment.id) }, t("take.open")));
    buttons.push(h("button", { type: "button", class: "primary", id: "take-new", onclick: () => this.startOver() }, t("take.new")));
    fill(
      this.resultEl,
      h("div", { class: "result-head" }, statusPill(payment.status), h("span", { class: "muted" }, `${t("take.reference")} `, h("strong", { class: "num", id: "result-reference", text: payment.reference }))),
      h("p", { class: "amount-big num", text: formatMoney(payment.amount) }),
      h("p", { class: "muted", text: payment.customer }),
      moneyLine(this.record, "take-money"),
      h("p", { class: "form-alert", role: "alert", id: "take-result-error", hidden: true }),
      h("div", { class: "actions" }, buttons),
    );
    this.formEl.hidden = true;
    this.resultEl.hidden = false;
    if (focused) (buttons.find((b) => b.id === focused) ?? buttons.at(-1)).focus();
    else if (arriving) buttons.at(-1).focus();
  }

  /** ATRIP makes a new order replacing this one, and the form opens on it to be paid anew. */
  async regenerate(button) {
    const { payment } = this.record;
    try {
      const orderNo = await busy(button, t("take.regenerating"), () => call("regenerate_atrip", { paymentId: payment.id }));
      this.startOver();
      await this.load(payment.provider, orderNo);
    } catch (error) {
      const alert = document.getElementById("take-result-error");
      alert.textContent = say(null, error);
      alert.hidden = false;
    }
  }

  retry() {
    this.retryOf = this.record;
    this.mode = "edit";
    this.resultEl.hidden = true;
    this.formEl.hidden = false;
    this.retryNote.textContent = t("take.retry_note", { reference: this.record.payment.reference });
    this.retryNote.hidden = false;
    this.active.focus();
  }

  startOver() {
    this.mode = "edit";
    this.record = null;
    this.retryOf = null;
    this.retryNote.hidden = true;
    this.resultEl.hidden = true;
    this.confirmEl.hidden = true;
    this.formEl.hidden = false;
    this.hideError();
    for (const form of this.built.values()) form.reset();
    this.timeline.reset(null);
    this.active.focus();
  }
}
