// HeiPay hotel virtual terminal: hotel, guest, what the charge is for, amount in pesos,
// installments, tax and service rates, contact fields, and the guest's card (encrypted by the
// core with the hotel's key before it leaves this machine).

import { h, field, fill, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money } from "../../lib/format.js";
import { CardEntry } from "../../components/card-entry.js";
import { input, showFieldErrors, clearErrors, payCommand, readAmount } from "./common.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "hp.hotel": "Hotel",
    "hp.first": "Guest first name",
    "hp.last": "Guest last name",
    "hp.detail": "What it is for",
    "hp.detail_hint": "Up to 99 characters, shown on the voucher",
    "hp.amount": "Amount ({currency})",
    "hp.installments": "Installments",
    "hp.tax": "Tax rate",
    "hp.service": "Service rate",
    "hp.rate_hint": "0 to 1, e.g. 0.19 for 19%",
    "hp.email": "Guest email",
    "hp.phone": "Guest phone",
    "hp.address": "Guest address",
    "hp.fiscal": "Fiscal number",
    "hp.contact": "Contact (optional)",
    "hp.need": "Fill in this field",
    "hp.no_hotels": "No hotel has a card key in this profile — add one in Settings",
    "hp.method": "Card, encrypted for {hotel}",
    "hp.guest": "Guest",
    "hp.times": "{n} installments",
  },
  es: {
    "hp.hotel": "Hotel",
    "hp.first": "Nombre del huésped",
    "hp.last": "Apellidos del huésped",
    "hp.detail": "Concepto",
    "hp.detail_hint": "Hasta 99 caracteres, aparece en el comprobante",
    "hp.amount": "Importe ({currency})",
    "hp.installments": "Cuotas",
    "hp.tax": "Tasa de impuesto",
    "hp.service": "Tasa de servicio",
    "hp.rate_hint": "De 0 a 1, p. ej. 0.19 para el 19 %",
    "hp.email": "Correo del huésped",
    "hp.phone": "Teléfono del huésped",
    "hp.address": "Dirección del huésped",
    "hp.fiscal": "Número fiscal",
    "hp.contact": "Contacto (opcional)",
    "hp.need": "Rellene este campo",
    "hp.no_hotels": "Ningún hotel tiene clave de tarjeta en este perfil — añádala en Ajustes",
    "hp.method": "Tarjeta, cifrada para {hotel}",
    "hp.guest": "Huésped",
    "hp.times": "{n} cuotas",
  },
});

/** `catalog`: what the core serves (`app_status`): the currency HeiPay charges in. */
export function heipayForm(catalog) {
  const currency = catalog.currencies.heipay[0];
  const { max_len: max, installments_max: plans } = catalog.forms.heipay;
  const controls = {
    hotel_id: h("select", { name: "hotel_id", id: "hp-hotel" }),
    guest_first_name: input("guest_first_name", { maxlength: max.guest_first_name, id: "hp-first" }),
    guest_last_name: input("guest_last_name", { maxlength: max.guest_last_name, id: "hp-last" }),
    detail: input("detail", { maxlength: max.detail, id: "hp-detail" }),
    amount: input("amount", { class: "num", inputmode: "decimal", id: "hp-amount" }),
    installments: h("select", { name: "installments", id: "hp-installments" }, Array.from({ length: plans }, (_, i) => h("option", { value: i + 1, text: String(i + 1) }))),
    tax_percent: input("tax_percent", { class: "num", inputmode: "decimal", id: "hp-tax", placeholder: "0.19" }),
    service_percent: input("service_percent", { class: "num", inputmode: "decimal", id: "hp-service", placeholder: "0.10" }),
    email: input("email", { type: "email", id: "hp-email" }),
    phone: input("phone", { type: "tel", id: "hp-phone" }),
    address: input("address", { maxlength: max.address, id: "hp-address" }),
    fiscal_number: input("fiscal_number", { maxlength: max.fiscal_number, id: "hp-fiscal" }),
  };
  const labels = {
    hotel_id: "hp.hotel", guest_first_name: "hp.first", guest_last_name: "hp.last", detail: "hp.detail", amount: "hp.amount",
    installments: "hp.installments", tax_percent: "hp.tax", service_percent: "hp.service", email: "hp.email", phone: "hp.phone",
    address: "hp.address", fiscal_number: "hp.fiscal",
  };
  const hints = { detail: "hp.detail_hint", tax_percent: "hp.rate_hint", service_percent: "hp.rate_hint" };
  const fields = Object.fromEntries(
    Object.entries(controls).map(([name, control]) => [name, field("", control, { hint: hints[name] ? "" : undefined, wide: name === "hotel_id" || name === "detail" || name === "address" })]),
  );
  const contactLegend = h("legend");
  const contact = h("fieldset", { class: "grid contact" }, contactLegend, fields.email, fields.phone, fields.address, fields.fiscal_number);
  const card = new CardEntry();
  const noHotels = h("p", { class: "form-alert", hidden: true });
  const element = h(
    "div",
    { class: "provider-form" },
    noHotels,
    h("div", { class: "grid" }, fields.hotel_id, fields.guest_first_name, fields.guest_last_name, fields.detail, fields.amount, fields.installments, fields.tax_percent, fields.service_percent),
    card.element,
    contact,
  );

  let hotels = [];
  const loaded = call("heipay_hotels")
    .then((list) => {
      hotels = list;
      fill(controls.hotel_id, list.map((hotel) => h("option", { value: hotel.id, text: hotel.name })));
    })
    .catch((error) => {
      noHotels.textContent = error.code === "not_configured" ? t("hp.no_hotels") : say(null, error);
      noHotels.hidden = false;
    });

  function relabel() {
    for (const [name, key] of Object.entries(labels)) fields[name].querySelector("label").textContent = t(key, { currency });
    for (const [name, key] of Object.entries(hints)) fields[name].querySelector(".hint").textContent = t(key);
    contactLegend.textContent = t("hp.contact");
  }
  relabel();

  function hotelName() {
    return hotels.find((x) => String(x.id) === controls.hotel_id.value)?.name ?? controls.hotel_id.value;
  }

  return {
    id: "heipay",
    element,
    relabel,
    ready: () => loaded,
    focus: () => controls.guest_first_name.focus(),
    async prepare() {
      clearErrors(controls);
      let first = null;
      for (const name of ["hotel_id", "guest_first_name", "guest_last_name", "amount"]) {
        if (!String(controls[name].value).trim()) {
          setFieldError(controls[name], t("hp.need"));
          first ??= controls[name];
        }
      }
      const amount = controls.amount.value.trim() ? await readAmount(controls.amount, currency) : null;
      if (controls.amount.value.trim() && !amount) first ??= controls.amount;
      const cardOk = card.validate();
      if (first) {
        first.focus();
        return null;
      }
      if (!cardOk) return null;
      const text = (name) => controls[name].value.trim() || null;
      const installments = Number(controls.installments.value);
      return {
        request: {
          hotel_id: Number(controls.hotel_id.value),
          guest_first_name: controls.guest_first_name.value.trim(),
          guest_last_name: controls.guest_last_name.value.trim(),
          detail: text("detail"),
          amount: controls.amount.value,
          installments,
          tax_percent: text("tax_percent"),
          service_percent: text("service_percent"),
          email: text("email"),
          phone: text("phone"),
          address: text("address"),
          fiscal_number: text("fiscal_number"),
          card: card.value(),
        },
        confirm: {
          amount: money(amount),
          method: t("hp.method", { hotel: hotelName() }),
          card: card.masked(),
          lines: [
            [t("hp.guest"), `${controls.guest_first_name.value.trim()} ${controls.guest_last_name.value.trim()}`],
            ...(installments > 1 ? [[t("hp.installments"), t("hp.times", { n: installments })]] : []),
          ],
        },
      };
    },
    send: (request, onStarted) => payCommand("pay_heipay", request, onStarted),
    retry: (paymentId, request) => call("retry_heipay", { paymentId, cardEntry: request.card }),
    showErrors: (problems) => showFieldErrors(controls, card, problems),
    fillCard: (number) => card.fill(number),
    clearCard: () => card.clear(),
    reset() {
      card.clear();
      for (const [name, control] of Object.entries(controls)) {
        if (name === "installments") control.value = "1";
        else if (name !== "hotel_id") control.value = "";
      }
      clearErrors(controls);
    },
  };
}
