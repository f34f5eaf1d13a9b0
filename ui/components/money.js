// What happened to the customer's money, in plain words: the core reads it from the provider's
// answers and serves it on every record (`money`, crates/core/src/money_state.rs); the window
// only words it in the agent's language.

import { h } from "../lib/dom.js";
import { register, t } from "../lib/i18n.js";
import { money } from "../lib/format.js";
import { toneIcon } from "./status.js";

register({
  en: {
    "money.sending": "Being sent to {provider}: not known yet whether the customer was charged.",
    "money.checking": "Not known yet whether the customer was charged: Farepoint is asking {provider}. Do not take this payment again.",
    "money.charged": "The customer was charged {amount}.",
    "money.part_refunded": "The customer was charged {amount}; {refunded} of it was refunded.",
    "money.refund_unclear": "A refund of {amount} has no clear answer: check {where}.",
    "money.refunded": "Refunded in full: {amount} was given back to the customer.",
    "money.not_charged": "The customer was not charged: {provider} refused the payment.",
    "money.not_ticketed_stated": "{provider} recorded the payment and states it took {stated} from the card, but no ticket was issued. Whether it comes back is for {provider} to say: check {where}.",
    "money.not_ticketed": "{provider} recorded the payment but no ticket was issued; whether the customer was charged is not known. Check {where}.",
    "money.unknown": "Not known whether the customer was charged. Check {where} and record what it shows.",
    "check.atrip_portal": "order {key} in the ATRIP portal",
    "check.smartpoint": "reservation {key} in Smartpoint",
    "check.holidayextras_portal": "booking {key} in the Holiday Extras portal",
    "check.heipay_portal": "the payment in the HeiPay portal",
  },
  es: {
    "money.sending": "Enviando a {provider}: aún no se sabe si se cobró al cliente.",
    "money.checking": "Aún no se sabe si se cobró al cliente: Farepoint lo está consultando a {provider}. No vuelva a cobrar este pago.",
    "money.charged": "Se cobró {amount} al cliente.",
    "money.part_refunded": "Se cobró {amount} al cliente; se devolvieron {refunded}.",
    "money.refund_unclear": "Una devolución de {amount} no tiene respuesta clara: consulte {where}.",
    "money.refunded": "Devuelto por completo: se reintegraron {amount} al cliente.",
    "money.not_charged": "No se cobró al cliente: {provider} rechazó el pago.",
    "money.not_ticketed_stated": "{provider} registró el pago e indica que cobró {stated} a la tarjeta, pero no se emitió ningún billete. Si se devuelve lo decide {provider}: consulte {where}.",
    "money.not_ticketed": "{provider} registró el pago pero no se emitió ningún billete; no se sabe si se cobró al cliente. Consulte {where}.",
    "money.unknown": "No se sabe si se cobró al cliente. Consulte {where} y registre lo que indique.",
    "check.atrip_portal": "el pedido {key} en el portal de ATRIP",
    "check.smartpoint": "la reserva {key} en Smartpoint",
    "check.holidayextras_portal": "la reserva {key} en el portal de Holiday Extras",
    "check.heipay_portal": "el pago en el portal de HeiPay",
  },
});

/** Each state's tone: good for money settled as asked, warn where a person must look. */
const TONE = { sending: "live", checking: "live", charged: "good", refunded: "muted", not_charged: "good", not_ticketed: "warn", unknown: "warn" };

/** The sentence for `record.money`, or "" while the core has served none. */
export function moneySentence(record) {
  const state = record.money;
  if (!state) return "";
  const provider = t(`provider.${record.payment.provider}`);
  const where = state.check ? t(`check.${state.check.place}`, { key: state.check.key }) : "";
  let text;
  if (state.state === "charged") {
    text = state.refunded.minor > 0
      ? t("money.part_refunded", { amount: money(state.amount), refunded: money(state.refunded) })
      : t("money.charged", { amount: money(state.amount) });
    if (state.refund_unclear) text += ` ${t("money.refund_unclear", { amount: money(state.refund_unclear), where })}`;
  } else if (state.state === "refunded") {
    text = t("money.refunded", { amount: money(state.amount) });
  } else if (state.state === "not_ticketed") {
    text = state.stated ? t("money.not_ticketed_stated", { provider, stated: money(state.stated), where }) : t("money.not_ticketed", { provider, where });
  } else {
    text = t(`money.${state.state}`, { provider, where });
  }
  return text;
}

/** The money's state as a line with its tone's icon (hidden while the core is asked anew); `id`
 *  names it for tests and labels. */
export function moneyLine(record, id) {
  const tone = TONE[record.money?.state] ?? "outline";
  return h("p", { class: `money-state tone-${tone}`, id, hidden: !record.money }, toneIcon(tone), h("span", { text: moneySentence(record) }));
}
