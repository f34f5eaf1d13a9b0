// The printable receipt of one payment: read from `payment_receipt`, laid out here, previewed
// in a dialog, printed alone (the frame is hidden by the print rules in payments.css).

import { h, svg, fill } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money, dateTime } from "../../lib/format.js";
import { statusPill } from "../../components/status.js";
import { openDialog } from "../../components/dialog.js";

register({
  en: {
    "receipt.title": "Receipt",
    "receipt.heading": "Payment receipt",
    "receipt.print": "Print",
    "receipt.hint": "Enter or Ctrl+P prints · Esc closes",
    "receipt.reference": "Reference",
    "receipt.date": "Date",
    "receipt.provider": "Paid through",
    "receipt.customer": "Customer",
    "receipt.card": "Card",
    "receipt.holder": "Cardholder",
    "receipt.expiry": "Expires",
    "receipt.status": "Status",
    "receipt.attempts": "Attempts",
    "receipt.tickets": "Tickets",
    "receipt.number": "Number",
    "receipt.passenger": "Passenger",
    "receipt.kind": "Type",
    "receipt.kind.ticket": "Ticket",
    "receipt.kind.emd": "EMD",
    "receipt.sandbox": "Sandbox — no real money moved",
    "receipt.loading": "Preparing the receipt…",
    "receipt.l.ATRIP order": "ATRIP order",
    "receipt.l.PNR": "PNR",
    "receipt.l.Paid by": "Paid by",
    "receipt.l.Locator": "Locator",
    "receipt.l.Offers": "Offers",
    "receipt.l.Form of payment": "Form of payment",
    "receipt.l.Payment reference": "Payment reference",
    "receipt.l.Hotel": "Hotel",
    "receipt.l.Detail": "Detail",
    "receipt.l.Installments": "Installments",
    "receipt.l.ATRIP service fee": "ATRIP service fee",
    "receipt.l.Airline price": "Airline price",
    "receipt.l.Airline price (VCC reference)": "Airline price (VCC reference)",
    "receipt.l.Charged to the card": "Charged to the card",
  },
  es: {
    "receipt.title": "Recibo",
    "receipt.heading": "Recibo de pago",
    "receipt.print": "Imprimir",
    "receipt.hint": "Intro o Ctrl+P imprime · Esc cierra",
    "receipt.reference": "Referencia",
    "receipt.date": "Fecha",
    "receipt.provider": "Cobrado con",
    "receipt.customer": "Cliente",
    "receipt.card": "Tarjeta",
    "receipt.holder": "Titular",
    "receipt.expiry": "Caduca",
    "receipt.status": "Estado",
    "receipt.attempts": "Intentos",
    "receipt.tickets": "Billetes",
    "receipt.number": "Número",
    "receipt.passenger": "Pasajero",
    "receipt.kind": "Tipo",
    "receipt.kind.ticket": "Billete",
    "receipt.kind.emd": "EMD",
    "receipt.sandbox": "Sandbox — no se movió dinero real",
    "receipt.loading": "Preparando el recibo…",
    "receipt.l.ATRIP order": "Pedido ATRIP",
    "receipt.l.PNR": "PNR",
    "receipt.l.Paid by": "Pagado con",
    "receipt.l.Locator": "Localizador",
    "receipt.l.Offers": "Ofertas",
    "receipt.l.Form of payment": "Forma de pago",
    "receipt.l.Payment reference": "Referencia de pago",
    "receipt.l.Hotel": "Hotel",
    "receipt.l.Detail": "Concepto",
    "receipt.l.Installments": "Cuotas",
    "receipt.l.ATRIP service fee": "Cargo por servicio de ATRIP",
    "receipt.l.Airline price": "Precio de la aerolínea",
    "receipt.l.Airline price (VCC reference)": "Precio de la aerolínea (referencia de la VCC)",
    "receipt.l.Charged to the card": "Cobrado a la tarjeta",
  },
});

function label(text) {
  const key = `receipt.l.${text}`;
  const translated = t(key);
  return translated === key ? text : translated;
}

/** The receipt as an element (the same one is shown in the preview and printed). */
export function receiptElement(r) {
  const facts = [
    [t("receipt.reference"), r.reference, "receipt-reference"],
    [t("receipt.date"), dateTime(r.created_at_ms)],
    [t("receipt.provider"), r.provider_name],
    [t("receipt.customer"), r.customer],
    ...(r.card ? [[t("receipt.card"), r.card.masked, "receipt-card"], [t("receipt.holder"), r.card.holder], [t("receipt.expiry"), r.card.expiry]] : []),
    ...r.paid_for.map((line) => [label(line.label), line.value]),
    [t("receipt.attempts"), String(r.attempts)],
  ];
  return h(
    "article",
    { class: "receipt", id: "receipt", "aria-label": t("receipt.heading") },
    h("header", { class: "receipt-head" },
      svg("svg", { viewBox: "0 0 32 32", width: 32, height: 32, class: "receipt-logo", "aria-hidden": "true" }, svg("use", { href: "#logo" })),
      h("div", {}, h("p", { class: "receipt-brand", text: "Farepoint" }), h("h3", { text: t("receipt.heading") }))),
    h("div", { class: "receipt-amount" }, h("p", { class: "amount-big num", id: "receipt-amount", text: money(r.amount) }), statusPill(r.status)),
    h("dl", { class: "facts receipt-facts" }, facts.map(([k, v, id]) => [h("dt", { text: k }), h("dd", { class: "num", id, text: v || t("common.none") })])),
    r.tickets.length
      ? h("table", { class: "receipt-tickets" },
          h("caption", { text: t("receipt.tickets") }),
          h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("receipt.number") }), h("th", { scope: "col", text: t("receipt.passenger") }), h("th", { scope: "col", text: t("receipt.kind") }))),
          h("tbody", {}, r.tickets.map((tk) => h("tr", {}, h("td", { class: "num", text: tk.number }), h("td", { text: tk.passenger }), h("td", { text: t(`receipt.kind.${tk.kind}`) })))))
      : null,
    h("footer", { class: "receipt-foot" },
      r.last_message ? h("p", { text: r.last_message }) : null,
      r.profile === "sandbox" ? h("p", { class: "receipt-sandbox", text: t("receipt.sandbox") }) : null),
  );
}

/** Puts a copy of the receipt where only the printer sees it, and prints. */
export function printReceipt(element) {
  let area = document.getElementById("print-area");
  if (!area) {
    area = h("div", { id: "print-area", class: "print-area", "aria-hidden": "true" });
    document.body.append(area);
  }
  const copy = element.cloneNode(true);
  copy.removeAttribute("id");
  for (const el of copy.querySelectorAll("[id]")) el.removeAttribute("id");
  fill(area, copy);
  window.print();
}

/** Reads the receipt of `paymentId` and previews it in a dialog with a Print button. */
export async function showReceipt(paymentId) {
  const receipt = await call("payment_receipt", { paymentId });
  const element = receiptElement(receipt);
  const handle = openDialog({
    id: "dialog-receipt",
    title: t("receipt.title"),
    body: element,
    confirm: t("receipt.print"),
    cancelLabel: t("common.close"),
    wide: true,
    hint: t("receipt.hint"),
    onConfirm: () => {
      printReceipt(element);
      return false; // the preview stays open after printing
    },
  });
  handle.dialog.addEventListener("keydown", (event) => {
    if (event.ctrlKey && (event.key === "p" || event.key === "P")) {
      event.preventDefault();
      printReceipt(element);
    }
  }, true);
  return handle;
}
