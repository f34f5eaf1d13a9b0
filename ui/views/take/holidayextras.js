// Holiday Extras: charge a card token (from the Holiday Extras payment form) for a booking
// reference. Refunds are made from the payment in Payments.

import { h, field, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money } from "../../lib/format.js";
import { input, typeInto, showFieldErrors, clearErrors, payCommand, readAmount } from "./common.js";

register({
  en: {
    "hx.token": "Card token",
    "hx.token_hint": "The token Holiday Extras gave for the customer's card — never the card number",
    "hx.reference": "Booking reference",
    "hx.amount": "Amount",
    "hx.currency": "Currency",
    "hx.customer": "Customer name",
    "hx.postal": "Postcode",
    "hx.country": "Country (2 letters)",
    "hx.v2_hint": "Sent with API version 2 only",
    "hx.method": "Card token {token}",
    "hx.need": "Fill in this field",
    "hx.ref_label": "Booking",
  },
  es: {
    "hx.token": "Token de tarjeta",
    "hx.token_hint": "El token que dio Holiday Extras para la tarjeta del cliente — nunca el número",
    "hx.reference": "Referencia de la reserva",
    "hx.amount": "Importe",
    "hx.currency": "Moneda",
    "hx.customer": "Nombre del cliente",
    "hx.postal": "Código postal",
    "hx.country": "País (2 letras)",
    "hx.v2_hint": "Solo se envía con la versión 2 de la API",
    "hx.method": "Token de tarjeta {token}",
    "hx.need": "Rellene este campo",
    "hx.ref_label": "Reserva",
  },
});

/** `catalog`: what the core serves (`app_status`): the currencies this desk's HX version takes. */
export function holidayExtrasForm(catalog) {
  const currencies = catalog?.currencies?.holidayextras ?? [];
  const max = catalog.forms.holidayextras.max_len;
  const controls = {
    token: input("token", { class: "num", inputmode: "numeric", maxlength: max.token, id: "hx-token" }),
    payment_reference: input("payment_reference", { class: "caps", maxlength: max.payment_reference, id: "hx-reference" }),
    amount: input("amount", { class: "num", inputmode: "decimal", id: "hx-amount" }),
    currency: h("select", { name: "currency", id: "hx-currency" }, currencies.map((c) => h("option", { value: c, text: c }))),
    customer: input("customer", { id: "hx-customer" }),
    postal_code: input("postal_code", { class: "caps", maxlength: max.postal_code, id: "hx-postal" }),
    country_code: input("country_code", { class: "caps", maxlength: max.country_code, id: "hx-country" }),
  };
  const fields = {
    token: field("", controls.token, { hint: "", wide: true }),
    payment_reference: field("", controls.payment_reference),
    customer: field("", controls.customer),
    amount: field("", controls.amount),
    currency: field("", controls.currency),
    postal_code: field("", controls.postal_code, { hint: "" }),
    country_code: field("", controls.country_code, { hint: "" }),
  };
  const element = h("div", { class: "provider-form grid" }, Object.values(fields));

  function relabel() {
    const labels = { token: "hx.token", payment_reference: "hx.reference", amount: "hx.amount", currency: "hx.currency", customer: "hx.customer", postal_code: "hx.postal", country_code: "hx.country" };
    for (const [name, key] of Object.entries(labels)) fields[name].querySelector("label").textContent = t(key);
    fields.token.querySelector(".hint").textContent = t("hx.token_hint");
    fields.postal_code.querySelector(".hint").textContent = t("hx.v2_hint");
    fields.country_code.querySelector(".hint").textContent = t("hx.v2_hint");
  }
  relabel();

  return {
    id: "holidayextras",
    element,
    relabel,
    focus: () => controls.token.focus(),
    async prepare() {
      clearErrors(controls);
      let first = null;
      for (const name of ["token", "payment_reference", "customer", "amount"]) {
        if (!controls[name].value.trim()) {
          setFieldError(controls[name], t("hx.need"));
          first ??= controls[name];
        }
      }
      const amount = controls.amount.value.trim() ? await readAmount(controls.amount, controls.currency.value) : null;
      if (controls.amount.value.trim() && !amount) first ??= controls.amount;
      if (first) {
        first.focus();
        return null;
      }
      const token = controls.token.value.replace(/\s/g, "");
      return {
        request: {
          token,
          payment_reference: controls.payment_reference.value.trim(),
          amount: controls.amount.value,
          currency: controls.currency.value,
          customer: controls.customer.value.trim(),
          postal_code: controls.postal_code.value.trim() || null,
          country_code: controls.country_code.value.trim().toUpperCase() || null,
        },
        confirm: {
          amount: money(amount),
          method: t("hx.method", { token: `•••• ${token.slice(-4)}` }),
          card: null,
          lines: [[t("hx.ref_label"), controls.payment_reference.value.trim()], [t("hx.customer"), controls.customer.value.trim()]],
        },
      };
    },
    send: (request, onStarted) => payCommand("pay_holidayextras", request, onStarted),
    retry: (paymentId) => call("retry_holidayextras", { paymentId }),
    showErrors: (problems) => showFieldErrors(controls, null, problems),
    fillDemo: (value) => typeInto(controls.token, value),
    clearCard() {},
    reset() {
      for (const [name, control] of Object.entries(controls)) if (name !== "currency") control.value = "";
      clearErrors(controls);
    },
  };
}
