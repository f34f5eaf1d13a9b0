// The side pane of one payment: amount large, status, the facts, attempts, tickets, the full
// timeline (live), and the actions the core serves on its record (`actions`). The engine decides
// whether an action is allowed; a refusal is shown here in its own words.

import { h, fill } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money, dateTime } from "../../lib/format.js";
import { statusPill, refundPill } from "../../components/status.js";
import { moneyLine } from "../../components/money.js";
import { Timeline } from "../../components/timeline.js";
import { busy } from "../take/common.js";
import { resolveReview, newAttempt, refund, resolveRefund, voucher } from "./actions.js";
import { showReceipt } from "./receipt.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "pd.label": "Payment detail",
    "pd.close": "Close detail",
    "pd.reference": "Reference",
    "pd.customer": "Customer",
    "pd.agent": "Taken by",
    "pd.by": "by {name}",
    "pd.provider": "Provider",
    "pd.subject": "Paid for",
    "pd.card": "Card",
    "pd.created": "Created",
    "pd.updated": "Last change",
    "pd.attempts": "Attempts",
    "pd.attempt": "Attempt {n}",
    "pd.tickets": "Tickets",
    "pd.ticket_number": "Number",
    "pd.passenger": "Passenger",
    "pd.kind": "Type",
    "pd.kind.ticket": "Ticket",
    "pd.kind.emd": "EMD",
    "pd.timeline": "Timeline",
    "pd.poll": "Poll now",
    "pd.polling": "Asking the provider…",
    "pd.resolve": "Resolve review",
    "pd.retry": "New attempt",
    "pd.regenerate": "New order and pay",
    "pd.regenerating": "Asking ATRIP…",
    "pd.refund": "Refund",
    "pd.resolve_refund": "Resolve refund",
    "pd.refunds": "Refunds",
    "pd.refunded_of": "Refunded {refunded} of {charged} · {left} left to refund",
    "pd.refund_n": "Refund {n}",
    "pd.refund_pending": "{amount} not settled yet",
    "refund.Sending": "Being sent",
    "refund.Refunded": "Refunded",
    "refund.Declined": "Not made",
    "refund.Unclear": "Unclear — check the portal",
    "pd.voucher": "Voucher",
    "pd.opening": "Opening…",
    "pd.receipt": "Print receipt",
    "pd.preparing": "Preparing…",
    "pd.loading": "Loading the payment…",
    "pd.actions": "Actions",
  },
  es: {
    "pd.label": "Detalle del pago",
    "pd.close": "Cerrar el detalle",
    "pd.reference": "Referencia",
    "pd.customer": "Cliente",
    "pd.agent": "Cobrado por",
    "pd.by": "por {name}",
    "pd.provider": "Proveedor",
    "pd.subject": "Pago de",
    "pd.card": "Tarjeta",
    "pd.created": "Creado",
    "pd.updated": "Último cambio",
    "pd.attempts": "Intentos",
    "pd.attempt": "Intento {n}",
    "pd.tickets": "Billetes",
    "pd.ticket_number": "Número",
    "pd.passenger": "Pasajero",
    "pd.kind": "Tipo",
    "pd.kind.ticket": "Billete",
    "pd.kind.emd": "EMD",
    "pd.timeline": "Cronología",
    "pd.poll": "Consultar ahora",
    "pd.polling": "Consultando al proveedor…",
    "pd.resolve": "Resolver revisión",
    "pd.retry": "Nuevo intento",
    "pd.regenerate": "Nuevo pedido y pagar",
    "pd.regenerating": "Consultando a ATRIP…",
    "pd.refund": "Reembolsar",
    "pd.resolve_refund": "Resolver reembolso",
    "pd.refunds": "Reembolsos",
    "pd.refunded_of": "Reembolsado {refunded} de {charged} · quedan {left} por reembolsar",
    "pd.refund_n": "Reembolso {n}",
    "pd.refund_pending": "{amount} aún sin resolver",
    "refund.Sending": "Enviándose",
    "refund.Refunded": "Reembolsado",
    "refund.Declined": "No realizado",
    "refund.Unclear": "Sin respuesta clara — revise el portal",
    "pd.voucher": "Comprobante",
    "pd.opening": "Abriendo…",
    "pd.receipt": "Imprimir recibo",
    "pd.preparing": "Preparando…",
    "pd.loading": "Cargando el pago…",
    "pd.actions": "Acciones",
  },
});

const BRANDS = { visa: "Visa", mastercard: "Mastercard", amex: "American Express", discover: "Discover", diners: "Diners Club", jcb: "JCB", unionpay: "UnionPay" };

export function brandName(brand) {
  return BRANDS[brand] ?? brand ?? "";
}

/** "1762345678901" → "176-2345678901", as tickets are printed. */
export function ticketNumber(number) {
  return /^\d{13}$/.test(number) ? `${number.slice(0, 3)}-${number.slice(3)}` : number;
}

export class PaymentDetail {
  /** `onRecord(record)` hears every new record (after an action or a refresh); `onClose()` the close button;
   *  `onPayNew(provider, key)` takes the agent to pay a new subject (ATRIP's new order). */
  constructor({ onRecord, onClose, onPayNew }) {
    this.onRecord = onRecord;
    this.onPayNew = onPayNew;
    this.onClose = onClose;
    this.record = null;
    this.timelineTitle = h("h3", { id: "pd-timeline-title" });
    this.timeline = new Timeline({ title: this.timelineTitle });
    this.closeButton = h("button", { type: "button", class: "icon-button", id: "pd-close", onclick: () => this.onClose() }, "×");
    this.head = h("div", { class: "pd-head" });
    this.error = h("p", { class: "form-alert", role: "alert", id: "pd-error", hidden: true });
    this.actions = h("div", { class: "pd-actions", role: "group" });
    this.facts = h("dl", { class: "facts pd-facts" });
    this.attempts = h("section", { class: "pd-section" });
    this.tickets = h("section", { class: "pd-section" });
    this.refunds = h("section", { class: "pd-section" });
    this.timelineSection = h("section", { class: "pd-section pd-timeline", "aria-labelledby": "pd-timeline-title" }, this.timeline.element);
    this.body = h("div", { class: "pd-body" }, this.head, this.actions, this.error, this.facts, this.attempts, this.tickets, this.refunds, this.timelineSection);
    this.element = h("aside", { class: "panel payment-detail", id: "payment-detail", tabindex: "-1", hidden: true }, this.closeButton, this.body);
    this.relabel();
  }

  relabel() {
    this.element.setAttribute("aria-label", t("pd.label"));
    this.closeButton.setAttribute("aria-label", t("pd.close"));
    this.closeButton.title = `${t("pd.close")} (Esc)`;
    this.timelineTitle.textContent = t("pd.timeline");
    this.actions.setAttribute("aria-label", t("pd.actions"));
    this.timeline.render();
    if (this.record) this.render();
  }

  loading() {
    this.record = null;
    this.hideError();
    this.timeline.reset(null);
    fill(this.head, h("p", { class: "muted loading-line" }, h("span", { class: "spinner", "aria-hidden": "true" }), " ", t("pd.loading")));
    for (const part of [this.actions, this.facts, this.attempts, this.tickets, this.refunds]) fill(part);
    this.timelineSection.hidden = true;
  }

  /** Shows `record`; events that streamed in since it was read stay on the timeline. */
  set(record) {
    const sameEvents = this.record?.payment.id === record.payment.id ? this.timeline.events : [];
    this.record = record;
    this.timeline.set(record);
    for (const event of sameEvents) this.timeline.add(event);
    if (this.timeline.status) this.record.payment.status = this.timeline.status;
    this.render();
  }

  /** A live event: appended when it belongs to the payment shown. True if it did. */
  add(event) {
    if (!this.record || event.payment_id !== this.record.payment.id) return false;
    if (!this.timeline.add(event)) return false;
    if (event.status_after && event.status_after !== this.record.payment.status) {
      // The actions and money served were for the old status: none until the core serves anew.
      this.record.payment.status = event.status_after;
      this.record.actions = null;
      this.record.money = null;
      this.render();
      this.refresh(this.record.payment.id);
    }
    return true;
  }

  /** Reads the payment again (its actions with it), if it is still the one shown. */
  async refresh(id) {
    let record;
    try {
      record = await call("payment_detail", { paymentId: id });
    } catch {
      return;
    }
    if (this.record?.payment.id !== id) return;
    this.set(record);
    this.onRecord(record);
  }

  showError(error) {
    this.error.textContent = say(null, error);
    this.error.hidden = false;
  }

  hideError() {
    this.error.hidden = true;
    this.error.textContent = "";
  }

  render() {
    const r = this.record;
    const p = r.payment;
    this.timelineSection.hidden = false;
    fill(
      this.head,
      h("h2", { class: "pd-kicker muted", id: "pd-title" }, h("span", { text: t(`provider.${p.provider}`) }), " · ", h("span", { class: "num", text: p.reference })),
      h("p", { class: "amount-big num", id: "pd-amount", text: money(p.amount) }),
      h("div", { class: "pd-status", id: "pd-status" }, statusPill(p.status)),
      moneyLine(r, "pd-money"),
    );
    const card = p.card ? `${brandName(p.card.brand)} •••• ${p.card.last4}` : null;
    const facts = [
      ["pd.reference", p.reference, "pd-reference", "num"],
      ["pd.customer", p.customer, "pd-customer"],
      // Who took it, as the payment recorded them then.
      ...(p.agent ? [["pd.agent", p.agent.name, "pd-agent"]] : []),
      ["pd.provider", t(`provider.${p.provider}`)],
      ["pd.subject", p.subject_key, "pd-subject", "num"],
      ...(card ? [["pd.card", card, "pd-card", "num"]] : []),
      ["pd.created", dateTime(p.created_at_ms), null, "num"],
      ["pd.updated", dateTime(p.updated_at_ms), null, "num"],
    ];
    // What the provider states beside the amount (fees, the airline's price), as the core words it.
    const stated = (this.record.paid_for ?? []).filter((line) => line.value !== p.subject_key);
    fill(
      this.facts,
      facts.map(([key, value, id, cls]) => [h("dt", { text: t(key) }), h("dd", { id, class: cls, text: value || t("common.none") })]),
      stated.map((line) => [h("dt", { text: line.label }), h("dd", { class: "num pd-stated", text: line.value })]),
    );
    this.renderAttempts();
    this.renderTickets();
    this.renderRefunds();
    this.renderActions();
  }

  /** " · £32.50 not settled yet" while a refund is being sent or unclear. */
  pendingRefund() {
    const open = this.record.open_refund;
    return open ? [" · ", h("strong", { text: t("pd.refund_pending", { amount: money(open.amount) }) })] : [];
  }

  renderRefunds() {
    const r = this.record;
    if (!r.refunds.length) return fill(this.refunds);
    fill(
      this.refunds,
      h("h3", { text: t("pd.refunds") }),
      h("p", { class: "num", id: "pd-refunded" }, t("pd.refunded_of", { refunded: money(r.refunded), charged: money(r.payment.amount), left: money(r.refundable) }), ...this.pendingRefund()),
      h(
        "ol",
        { class: "pd-attempts", id: "pd-refunds" },
        r.refunds.map((f) =>
          h(
            "li",
            {},
            h(
              "div",
              { class: "pd-attempt-head" },
              h("span", { text: t("pd.refund_n", { n: f.seq }) }),
              h("span", { class: "num", text: money(f.amount) }),
              refundPill(f.status),
              f.agent ? h("span", { class: "muted pd-by", text: t("pd.by", { name: f.agent.name }) }) : null,
              h("time", { class: "num muted", text: dateTime(f.updated_at_ms) }),
            ),
            f.note ? h("p", { class: "pd-attempt-error", text: f.note }) : null,
          ),
        ),
      ),
    );
  }

  renderAttempts() {
    const list = this.record.attempts;
    if (!list.length) return fill(this.attempts);
    fill(
      this.attempts,
      h("h3", { text: t("pd.attempts") }),
      h(
        "ol",
        { class: "pd-attempts", id: "pd-attempts" },
        list.map((a) =>
          h(
            "li",
            {},
            h(
              "div",
              { class: "pd-attempt-head" },
              h("span", { text: t("pd.attempt", { n: a.seq }) }),
              statusPill(a.status),
              a.agent ? h("span", { class: "muted pd-by", dataset: { agent: a.agent.id }, text: t("pd.by", { name: a.agent.name }) }) : null,
              h("time", { class: "num muted", text: dateTime(a.created_at_ms) }),
            ),
            a.error_message ? h("p", { class: "pd-attempt-error", text: a.error_code ? `${a.error_code} — ${a.error_message}` : a.error_message }) : null,
          ),
        ),
      ),
    );
  }

  renderTickets() {
    const list = this.record.tickets;
    if (!list.length) return fill(this.tickets);
    fill(
      this.tickets,
      h("h3", { text: t("pd.tickets") }),
      h(
        "table",
        { class: "pd-tickets", id: "pd-tickets" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("pd.ticket_number") }), h("th", { scope: "col", text: t("pd.passenger") }), h("th", { scope: "col", text: t("pd.kind") }))),
        h("tbody", {}, list.map((tk) => h("tr", {}, h("td", { class: "num", text: ticketNumber(tk.number) }), h("td", { text: tk.passenger }), h("td", { text: t(`pd.kind.${tk.kind}`) })))),
      ),
    );
  }

  renderActions() {
    const p = this.record.payment;
    // What the core allows now; null while a new status's actions are being read.
    const allowed = this.record.actions;
    const buttons = [];
    const action = (id, label, busyLabel, work, primary = false) => {
      const button = h("button", { type: "button", id, class: primary ? "primary" : undefined });
      button.textContent = label;
      button.addEventListener("click", () => this.run(button, busyLabel, work));
      buttons.push(button);
    };
    if (allowed?.poll) action("pd-poll", t("pd.poll"), t("pd.polling"), () => call("poll_now", { paymentId: p.id }), true);
    if (allowed?.review_outcomes.length) action("pd-resolve", t("pd.resolve"), null, () => resolveReview(this.record), true);
    if (allowed?.retry) action("pd-retry", t("pd.retry"), null, () => newAttempt(this.record), true);
    if (allowed?.regenerate) action("pd-regenerate", t("pd.regenerate"), t("pd.regenerating"), () => this.regenerate(p), true);
    if (allowed?.resolve_refund) action("pd-resolve-refund", t("pd.resolve_refund"), null, () => resolveRefund(this.record), true);
    if (allowed?.refund) action("pd-refund", t("pd.refund"), null, () => refund(this.record));
    if (allowed?.voucher) action("pd-voucher", t("pd.voucher"), t("pd.opening"), async () => (await voucher(this.record), null));
    action("pd-receipt", t("pd.receipt"), t("pd.preparing"), async () => (await showReceipt(p.id), null));
    buttons.at(-1).setAttribute("aria-keyshortcuts", "Control+P");
    buttons.at(-1).title = "Ctrl+P";
    // The same actions stay the same buttons: a record read again while the agent clicks (a live
    // status, the answer to an action) must not swallow the click or a busy button's state.
    const key = JSON.stringify([p.id, buttons.map((b) => [b.id, b.textContent])]);
    if (key === this.actionsKey && this.actions.isConnected) return;
    this.actionsKey = key;
    fill(this.actions, buttons);
  }

  /** Runs an action (its button busy while `label` is given); a record it answers replaces the one shown. */
  /** ATRIP makes a new order replacing this one; the Take view opens on it, to be paid anew. */
  async regenerate(p) {
    const orderNo = await call("regenerate_atrip", { paymentId: p.id });
    this.onPayNew?.(p.provider, orderNo);
    return null;
  }

  async run(button, label, work) {
    this.hideError();
    let record = null;
    try {
      record = label ? await busy(button, label, work) : await work();
    } catch (error) {
      this.showError(error);
    }
    // A dialog closed without an answer may still have changed the payment (a refund that got
    // no clear answer): read it again, so the pane offers what the core now allows.
    if (!record?.payment && this.record) {
      try {
        record = await call("payment_detail", { paymentId: this.record.payment.id });
      } catch {
        record = null;
      }
    }
    if (record?.payment) {
      const focused = this.element.contains(document.activeElement) ? document.activeElement.id : null;
      this.set(record);
      this.onRecord(record);
      const again = focused ? document.getElementById(focused) : null;
      (again && this.element.contains(again) ? again : this.element.querySelector(".pd-actions button"))?.focus();
    }
  }

  /** Ctrl+P: the receipt of the payment shown. */
  printReceipt() {
    const button = this.actions.querySelector("#pd-receipt");
    if (button && !button.disabled) button.click();
  }
}
