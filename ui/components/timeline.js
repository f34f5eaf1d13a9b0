// A payment's timeline: newest at the bottom, one row per committed event, with the redacted
// exchange behind a disclosure; above it, one line saying where the payment stands and what to
// do next.

import { h, fill } from "../lib/dom.js";
import { t, register } from "../lib/i18n.js";
import { time } from "../lib/format.js";
import { statusPill, toneOf } from "./status.js";
import { catalog } from "../lib/catalog.js";

register({
  en: {
    "timeline.exchange": "Request and response",
    "timeline.empty": "Events appear here as the payment moves.",
    "timeline.by": "{kind} · {name}",
    "next.Submitting": "Sending to the provider — keep this window open.",
    "next.Unknown": "The provider gave no clear answer. Farepoint is checking with it — it will not pay again by itself.",
    "next.Paid": "Paid.",
    "next.Ticketing": "Paid — waiting for the tickets to be issued.",
    "next.Ticketed": "Paid and ticketed.",
    "next.NeedsReview": "Check this payment in the provider's portal, then record what it shows (Payments → Resolve review).",
    "next.Refunded": "Refunded.",
  },
  es: {
    "timeline.exchange": "Petición y respuesta",
    "timeline.empty": "Los eventos aparecen aquí a medida que avanza el pago.",
    "timeline.by": "{kind} · {name}",
    "next.Submitting": "Enviando al proveedor — no cierre esta ventana.",
    "next.Unknown": "El proveedor no dio una respuesta clara. Farepoint lo está consultando — no volverá a cobrar por su cuenta.",
    "next.Paid": "Pagado.",
    "next.Ticketing": "Pagado — esperando la emisión de los billetes.",
    "next.Ticketed": "Pagado y emitido.",
    "next.NeedsReview": "Compruebe este pago en el portal del proveedor y registre lo que muestra (Pagos → Resolver revisión).",
    "next.Refunded": "Reembolsado.",
  },
});

function hasDetail(data) {
  return data && typeof data === "object" && Object.keys(data).length > 0;
}

/** The event's kind, and who did it when the event records an agent (docs/agents.md). */
function kindLine(event) {
  const kind = t(`kind.${event.kind}`);
  const name = event.data?.agent?.name;
  return name ? t("timeline.by", { kind, name }) : kind;
}

function row(event) {
  const status = event.status_after;
  const tone = status ? toneOf(status) : "neutral";
  const exchange = JSON.stringify(event.data ?? {}).includes('"request"');
  const detail = hasDetail(event.data)
    ? h("details", { class: "exchange" }, h("summary", { text: t(exchange ? "timeline.exchange" : "common.details") }), h("pre", { text: JSON.stringify(event.data, null, 2) }))
    : null;
  return h(
    "li",
    { class: `event tone-${tone}`, dataset: { seq: event.seq, kind: event.kind } },
    h("time", { class: "num", datetime: new Date(event.at_ms).toISOString(), text: time(event.at_ms) }),
    h("span", { class: "dot", "aria-hidden": "true" }),
    h("div", { class: "event-body" }, h("p", { class: "event-text", text: event.message }), h("p", { class: "event-kind", text: kindLine(event) }), detail),
  );
}

/**
 * The sentence above the timeline: the last word from the provider and what to do next. For the
 * statuses the core says are told by their event (a refusal, why a person is needed), that
 * event's own words.
 */
export function outcomeLine(status, events) {
  const last = [...events].reverse().find((e) => e.status_after === status);
  if (last && catalog()?.told_by_event.includes(status)) return last.message;
  return t(`next.${status}`);
}

/**
 * A live timeline bound to one payment: `set` replaces its events (a stored record), `add`
 * appends one streamed event (ignoring duplicates and events of other payments).
 */
export class Timeline {
  /** `title`: an optional heading kept, with the outcome line, at the top while events scroll. */
  constructor({ title } = {}) {
    this.events = [];
    this.paymentId = null;
    this.status = null;
    this.head = h("div", { class: "timeline-head" });
    this.list = h("ol", { class: "events", "aria-live": "polite" });
    this.element = h("div", { class: "timeline-view" }, h("div", { class: "timeline-top" }, title, this.head), this.list);
    this.render();
  }

  reset(paymentId = null) {
    this.paymentId = paymentId;
    this.events = [];
    this.status = null;
    this.render();
  }

  set(record) {
    this.paymentId = record.payment.id;
    this.events = [...record.timeline];
    this.status = record.payment.status;
    this.render();
  }

  add(event) {
    if (event.payment_id !== this.paymentId) return false;
    if (this.events.some((e) => e.seq === event.seq)) return false;
    this.events.push(event);
    this.events.sort((a, b) => a.seq - b.seq);
    if (event.status_after) this.status = event.status_after;
    this.render();
    return true;
  }

  render() {
    if (!this.status) {
      fill(this.head);
    } else {
      fill(this.head, statusPill(this.status), h("p", { class: "outcome", text: outcomeLine(this.status, this.events) }));
    }
    if (this.events.length === 0) {
      fill(this.list, h("li", { class: "empty", text: t("timeline.empty") }));
      return;
    }
    fill(this.list, this.events.map(row));
    // Newest at the bottom: keep it in view as events stream in. (Reading the height forces a
    // layout, so an empty timeline — the first paint — never asks.)
    const scroller = this.element.closest(".timeline, .detail-scroll");
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }
}
