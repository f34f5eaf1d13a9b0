// ATRIP: the agent types an order number; the order's amount, payment deadline and supported
// methods come back; card fields appear only for VCC and MoR.

import { h, fill, field, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money, countdown, dateTime } from "../../lib/format.js";
import { CardEntry } from "../../components/card-entry.js";
import { input, typeInto, showFieldErrors, clearErrors, payCommand, busy } from "./common.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "atrip.order_no": "ATRIP order number",
    "atrip.order_hint": "22 characters, from the ATRIP booking. Enter looks it up.",
    "atrip.lookup": "Look up",
    "atrip.looking": "Looking up…",
    "atrip.amount": "Amount due",
    "atrip.deadline": "Pay before",
    "atrip.left": "{left} left",
    "atrip.expired": "The payment deadline has passed",
    "atrip.pnr": "PNR",
    "atrip.passengers": "Passengers",
    "atrip.methods": "Pay by",
    "atrip.no_methods": "ATRIP offers no way to pay this order",
    "atrip.not_unpaid": "This order is not waiting for payment ({status})",
    "atrip.ip": "Card holder's IP address (3-D Secure)",
    "atrip.ip_hint": "Optional — the device the card holder pays from",
    "atrip.need_lookup": "Look up the order first",
    "atrip.need_method": "Choose how to pay",
    "atrip.m.deposit": "Deposit — the agency's ATRIP balance",
    "atrip.m.vcc": "Virtual card (VCC) — passed to the airline",
    "atrip.m.byoa": "Airline account (BYOA)",
    "atrip.m.mor": "Card — ATRIP charges as merchant (MoR)",
    "atrip.order": "Order",
  },
  es: {
    "atrip.order_no": "Número de pedido ATRIP",
    "atrip.order_hint": "22 caracteres, de la reserva ATRIP. Intro lo busca.",
    "atrip.lookup": "Buscar",
    "atrip.looking": "Buscando…",
    "atrip.amount": "Importe",
    "atrip.deadline": "Pagar antes de",
    "atrip.left": "quedan {left}",
    "atrip.expired": "El plazo de pago ha vencido",
    "atrip.pnr": "PNR",
    "atrip.passengers": "Pasajeros",
    "atrip.methods": "Pagar con",
    "atrip.no_methods": "ATRIP no ofrece forma de pago para este pedido",
    "atrip.not_unpaid": "Este pedido no está pendiente de pago ({status})",
    "atrip.ip": "IP del titular (3-D Secure)",
    "atrip.ip_hint": "Opcional — el dispositivo desde el que paga el titular",
    "atrip.need_lookup": "Busque primero el pedido",
    "atrip.need_method": "Elija cómo pagar",
    "atrip.m.deposit": "Depósito — saldo ATRIP de la agencia",
    "atrip.m.vcc": "Tarjeta virtual (VCC) — se pasa a la aerolínea",
    "atrip.m.byoa": "Cuenta de la aerolínea (BYOA)",
    "atrip.m.mor": "Tarjeta — ATRIP cobra como comercio (MoR)",
    "atrip.order": "Pedido",
  },
});

/** `catalog`: what the core serves (`app_status`): what each ATRIP method needs. */
export function atripForm(catalog) {
  const needs = (m) => catalog.forms.atrip.methods.find((f) => f.method === m) ?? { card: false, three_ds_ip: false };
  const orderNo = input("order_no", { class: "num caps", id: "atrip-order-no" });
  const lookupButton = h("button", { type: "button", id: "atrip-lookup" });
  const orderField = field("", orderNo, { hint: "" });
  orderField.classList.add("with-action");
  orderField.append(lookupButton);
  const orderBox = h("div", { class: "order-box", id: "atrip-order", hidden: true, "aria-live": "polite" });
  const methodsBox = h("fieldset", { class: "methods", id: "atrip-methods", hidden: true });
  const methodError = h("p", { class: "field-error", role: "alert", hidden: true });
  const card = new CardEntry();
  card.element.hidden = true;
  const ip = input("three_ds_ip", { class: "num", inputmode: "decimal", id: "atrip-ip" });
  const ipField = field("", ip, { hint: "" });
  ipField.hidden = true;
  const element = h("div", { class: "provider-form" }, orderField, orderBox, methodsBox, methodError, card.element, ipField);
  const controls = { order_no: orderNo, three_ds_ip: ip };

  let order = null;
  let method = null;
  let ticker = null;

  function methodLabel(m) {
    return t(`atrip.m.${m}`);
  }

  function renderOrder() {
    if (!order) {
      orderBox.hidden = true;
      methodsBox.hidden = true;
      return;
    }
    const deadlineMs = order.deadline ? Date.parse(order.deadline) : null;
    const left = deadlineMs ? countdown(deadlineMs) : null;
    const notPayable = order.status !== "Unpaid";
    fill(
      orderBox,
      h("div", { class: "order-amount" }, h("span", { class: "label", text: t("atrip.amount") }), h("span", { class: "amount-big num", id: "atrip-amount", text: money(order.total) })),
      h("dl", { class: "facts" },
        deadlineMs ? [h("dt", { text: t("atrip.deadline") }), h("dd", {}, h("span", { text: dateTime(deadlineMs) }), " ", h("span", { class: left ? "countdown num" : "countdown num late", id: "atrip-countdown", text: left ? t("atrip.left", { left }) : t("atrip.expired") }))] : null,
        order.pnr_code ? [h("dt", { text: t("atrip.pnr") }), h("dd", { class: "num", text: order.pnr_code })] : null,
        order.passengers.length ? [h("dt", { text: t("atrip.passengers") }), h("dd", { text: order.passengers.map((p) => p.name).join(", ") })] : null,
      ),
      notPayable ? h("p", { class: "form-alert", role: "status", text: t("atrip.not_unpaid", { status: typeof order.status === "string" ? order.status : JSON.stringify(order.status) }) }) : null,
    );
    orderBox.hidden = false;
    const supported = order.supported_methods;
    if (!supported.includes(method)) method = supported.length === 1 ? supported[0] : null;
    fill(
      methodsBox,
      h("legend", { text: t("atrip.methods") }),
      supported.length === 0
        ? h("p", { class: "hint", text: t("atrip.no_methods") })
        : supported.map((m) =>
            h("label", { class: "choice" },
              h("input", { type: "radio", name: "atrip-method", value: m, checked: m === method, onchange: () => { method = m; methodError.hidden = true; showCard(); } }),
              h("span", { text: methodLabel(m) })),
          ),
    );
    methodsBox.hidden = false;
    showCard();
  }

  function showCard() {
    card.element.hidden = !needs(method).card;
    ipField.hidden = !needs(method).three_ds_ip;
  }

  function tick() {
    const el = orderBox.querySelector("#atrip-countdown");
    if (!el || !order?.deadline) return;
    const left = countdown(Date.parse(order.deadline));
    el.textContent = left ? t("atrip.left", { left }) : t("atrip.expired");
    el.classList.toggle("late", !left);
  }

  async function lookup() {
    clearErrors(controls);
    const wanted = orderNo.value.trim().toUpperCase();
    orderNo.value = wanted;
    if (!wanted) {
      setFieldError(orderNo, t("atrip.need_lookup"));
      orderNo.focus();
      return false;
    }
    try {
      order = await busy(lookupButton, t("atrip.looking"), () => call("atrip_order", { orderNo: wanted }));
      renderOrder();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
      const first = methodsBox.querySelector("input:checked") ?? methodsBox.querySelector("input");
      first?.focus();
      return true;
    } catch (error) {
      order = null;
      renderOrder();
      if (error.fields?.length) showFieldErrors(controls, null, error.fields);
      else setFieldError(orderNo, say(null, error));
      orderNo.focus();
      return false;
    }
  }

  lookupButton.addEventListener("click", lookup);
  orderNo.addEventListener("input", () => {
    if (order && orderNo.value.trim().toUpperCase() !== order.order_no) {
      order = null;
      renderOrder();
    }
  });

  function relabel() {
    orderField.querySelector("label").textContent = t("atrip.order_no");
    orderField.querySelector(".hint").textContent = t("atrip.order_hint");
    lookupButton.textContent = t("atrip.lookup");
    ipField.querySelector("label").textContent = t("atrip.ip");
    ipField.querySelector(".hint").textContent = t("atrip.ip_hint");
    renderOrder();
  }
  relabel();

  return {
    id: "atrip",
    element,
    relabel,
    focus: () => (order ? (methodsBox.querySelector("input:checked") ?? orderNo) : orderNo).focus(),
    async prepare({ retry }) {
      clearErrors(controls);
      if (!retry && (!order || order.order_no !== orderNo.value.trim().toUpperCase())) {
        await lookup();
        return null;
      }
      if (!method) {
        methodError.textContent = t("atrip.need_method");
        methodError.hidden = false;
        methodsBox.querySelector("input")?.focus();
        return null;
      }
      const { card: needsCard, three_ds_ip: needsIp } = needs(method);
      if (needsCard && !card.validate()) return null;
      return {
        request: { order_no: order?.order_no ?? "", method, card: needsCard ? card.value() : null, three_ds_ip: needsIp ? ip.value.trim() || null : null },
        confirm: {
          amount: order ? money(order.total) : "",
          method: methodLabel(method),
          card: needsCard ? card.masked() : null,
          lines: [[t("atrip.order"), order?.order_no ?? ""]],
        },
      };
    },
    send: (request, onStarted) => payCommand("pay_atrip", request, onStarted),
    retry: (paymentId, request) => call("retry_atrip", { paymentId, request: { method: request.method, card: request.card, three_ds_ip: request.three_ds_ip } }),
    showErrors: (problems) => showFieldErrors(controls, card, problems),
    fillDemo: (value) => typeInto(orderNo, value),
    /** Opens the form on order `value` and reads it, as if the agent had typed it and pressed Enter. */
    async load(value) {
      typeInto(orderNo, value);
      await lookup();
    },
    fillCard: (number) => card.fill(number),
    clearCard: () => card.clear(),
    reset() {
      card.clear();
      orderNo.value = "";
      order = null;
      method = null;
      clearInterval(ticker);
      renderOrder();
      clearErrors(controls);
    },
  };
}
