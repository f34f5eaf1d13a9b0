// The one way the window says what the core sends — a command's error, one of its field problems,
// a settings problem — by its code in the current language (docs/ui.md, "Languages"). A code
// with no words here shows the core's English message. The words of Settings' own codes are in
// views/settings/strings.js; these are the rest (farepoint_core::codes::ErrorCode), and
// tests/ui_strings.rs checks both languages hold every one.

import { t, has, register } from "./i18n.js";

register({
  en: {
    "code.not_configured": "{provider} is not set up in this profile — add its address and credentials in Settings",
    "code.busy": "payment {reference} for {subject} is still {status} — finish or resolve it before taking another",
    "code.wrong_state": "payment {reference} is {status}; this action needs it to be {needed}",
    "code.unsaved_taken": "{provider} took payment {reference}, but Farepoint could not save that ({reason}). Do not take this payment again. Farepoint keeps trying to save it — free some disk space or fix what stops it writing — and if it closes first, it checks the payment when it next starts.",
    "code.unsaved_answered": "{provider} answered about payment {reference}, but Farepoint could not save that ({reason}). Do not take this payment again. Farepoint keeps trying to save it — free some disk space or fix what stops it writing — and if it closes first, it checks the payment when it next starts.",
    "code.unsaved_refund_made": "{provider} made the refund of payment {reference}, but Farepoint could not save that ({reason}). Do not refund it again. Farepoint keeps trying to save it — free some disk space or fix what stops it writing — and if it closes first, it checks the payment when it next starts.",
    "code.unsaved_refund_answered": "{provider} answered about the refund of payment {reference}, but Farepoint could not save that ({reason}). Do not refund it again. Farepoint keeps trying to save it — free some disk space or fix what stops it writing — and if it closes first, it checks the payment when it next starts.",
    "code.provider_config": "The provider is not set up: {reason}",
    "code.credentials_missing": "{provider} credentials are missing: {detail}",
    "code.provider_invalid": "{reason}",
    "code.provider_refused": "{provider_code}: {provider_message} — {advice}",
    "code.unreachable": "could not reach {provider}: {detail} — check the network and the {provider} address in Settings",
    "code.unclear": "no clear answer from {provider}: {detail}",
    "code.no_answer": "{provider} gave no usable answer: {detail}",
    "code.card_not_digits": "The card number may contain only digits, spaces and dashes",
    "code.card_length": "A card number has 12 to 19 digits — this one has {got}",
    "code.card_brand_unknown": "We don't accept this kind of card — use Visa, Mastercard, American Express, Discover, Diners Club, JCB or UnionPay",
    "code.card_brand_length": "A {brand} card number has {expected} digits — this one has {got}",
    "code.card_not_luhn": "This card number has a typo — check the digits",
    "code.cvv_format": "The security code is {expected} digits on the back of the card (4 on the front for American Express)",
    "code.expiry_month": "The expiry month must be 01 to 12",
    "code.expiry_year": "The expiry year must be written as YY or YYYY",
    "code.expiry_past": "This card expired at the end of {month}/{year} — ask for another card",
    "code.holder_empty": "Enter the cardholder's name as printed on the card",
    "code.holder_characters": "The cardholder's name may use Latin letters, spaces, apostrophes, dots and dashes only",
    "code.holder_length": "The cardholder's name is at most 26 characters, as printed on the card",
    "code.unknown_currency": "'{value}' is not an ISO 4217 currency code — use three letters such as EUR, USD or GBP",
    "code.no_minor_unit": "{currency} has no minor unit defined (it is a metal, fund or test code) — use a currency",
    "code.amount_invalid": "'{input}' is not an amount — write digits with an optional decimal point, e.g. 12.34",
    "code.too_many_decimals": "{input} has more decimals than {currency} allows ({max}) — remove the extra digits",
    "code.amount_negative": "{input} is negative — enter the amount without a minus sign",
    "code.amount_too_large": "{input} is too large to be an amount",
    "code.currency_mismatch": "cannot combine {left} with {right} — amounts must be in the same currency",
    "code.filter_invalid": "{reason}",
    "code.invalid": "{reason}",
    "code.not_found": "no {what} with id {id}",
    "code.export_failed": "could not write the export: {reason}",
    "code.internal": "Something went wrong inside Farepoint: {reason}",
    "code.unknown_profile": "unknown profile '{value}' — expected {expected}",
    "code.unknown_provider": "unknown provider '{value}' — expected {expected}",
    "code.profile_busy": "{reason}",
    "code.keyring_check_lost": "the keyring check stopped unexpectedly",
    "code.voucher_unreadable": "HeiPay sent a voucher that is not text",
  },
  es: {
    "code.not_configured": "{provider} no está configurado en este perfil — añada su dirección y sus credenciales en Ajustes",
    "code.busy": "el pago {reference} de {subject} sigue en estado {status} — termínelo o resuélvalo antes de cobrar otro",
    "code.wrong_state": "el pago {reference} está en estado {status}; esta acción necesita que esté en {needed}",
    "code.unsaved_taken": "{provider} cobró el pago {reference}, pero Farepoint no pudo guardarlo ({reason}). No vuelva a cobrar este pago. Farepoint sigue intentando guardarlo — libere espacio en disco o corrija lo que le impide escribir — y si se cierra antes, comprueba el pago al volver a abrirse.",
    "code.unsaved_answered": "{provider} respondió sobre el pago {reference}, pero Farepoint no pudo guardarlo ({reason}). No vuelva a cobrar este pago. Farepoint sigue intentando guardarlo — libere espacio en disco o corrija lo que le impide escribir — y si se cierra antes, comprueba el pago al volver a abrirse.",
    "code.unsaved_refund_made": "{provider} hizo el reembolso del pago {reference}, pero Farepoint no pudo guardarlo ({reason}). No lo reembolse de nuevo. Farepoint sigue intentando guardarlo — libere espacio en disco o corrija lo que le impide escribir — y si se cierra antes, comprueba el pago al volver a abrirse.",
    "code.unsaved_refund_answered": "{provider} respondió sobre el reembolso del pago {reference}, pero Farepoint no pudo guardarlo ({reason}). No lo reembolse de nuevo. Farepoint sigue intentando guardarlo — libere espacio en disco o corrija lo que le impide escribir — y si se cierra antes, comprueba el pago al volver a abrirse.",
    "code.provider_config": "El proveedor no está configurado: {reason}",
    "code.credentials_missing": "Faltan las credenciales de {provider}: {detail}",
    "code.provider_invalid": "{reason}",
    "code.provider_refused": "{provider_code}: {provider_message} — {advice}",
    "code.unreachable": "no se pudo contactar con {provider}: {detail} — compruebe la red y la dirección de {provider} en Ajustes",
    "code.unclear": "sin respuesta clara de {provider}: {detail}",
    "code.no_answer": "{provider} no dio una respuesta utilizable: {detail}",
    "code.card_not_digits": "El número de tarjeta solo puede contener dígitos, espacios y guiones",
    "code.card_length": "Un número de tarjeta tiene de 12 a 19 dígitos — este tiene {got}",
    "code.card_brand_unknown": "No aceptamos este tipo de tarjeta — use Visa, Mastercard, American Express, Discover, Diners Club, JCB o UnionPay",
    "code.card_brand_length": "Un número de tarjeta {brand} tiene {expected} dígitos — este tiene {got}",
    "code.card_not_luhn": "Este número de tarjeta tiene un error — revise los dígitos",
    "code.cvv_format": "El código de seguridad son {expected} dígitos en el reverso de la tarjeta (4 en el anverso en American Express)",
    "code.expiry_month": "El mes de caducidad debe ser de 01 a 12",
    "code.expiry_year": "El año de caducidad se escribe AA o AAAA",
    "code.expiry_past": "Esta tarjeta caducó a finales de {month}/{year} — pida otra tarjeta",
    "code.holder_empty": "Escriba el nombre del titular tal como figura en la tarjeta",
    "code.holder_characters": "El nombre del titular solo puede llevar letras latinas, espacios, apóstrofos, puntos y guiones",
    "code.holder_length": "El nombre del titular tiene como mucho 26 caracteres, tal como figura en la tarjeta",
    "code.unknown_currency": "'{value}' no es un código de divisa ISO 4217 — use tres letras, como EUR, USD o GBP",
    "code.no_minor_unit": "{currency} no tiene unidad fraccionaria (es un metal, un fondo o un código de prueba) — use una divisa",
    "code.amount_invalid": "'{input}' no es un importe — escriba dígitos con un separador decimal opcional, p. ej. 12,34",
    "code.too_many_decimals": "{input} tiene más decimales de los que admite {currency} ({max}) — quite los dígitos de más",
    "code.amount_negative": "{input} es negativo — escriba el importe sin signo menos",
    "code.amount_too_large": "{input} es demasiado grande para ser un importe",
    "code.currency_mismatch": "no se puede combinar {left} con {right} — los importes deben estar en la misma divisa",
    "code.filter_invalid": "{reason}",
    "code.invalid": "{reason}",
    "code.not_found": "no hay ningún {what} con id {id}",
    "code.export_failed": "no se pudo escribir la exportación: {reason}",
    "code.internal": "Algo salió mal dentro de Farepoint: {reason}",
    "code.unknown_profile": "perfil desconocido '{value}' — se esperaba {expected}",
    "code.unknown_provider": "proveedor desconocido '{value}' — se esperaba {expected}",
    "code.profile_busy": "{reason}",
    "code.keyring_check_lost": "la comprobación del llavero se detuvo de forma inesperada",
    "code.voucher_unreadable": "HeiPay envió un bono que no es texto",
  },
});

const capital = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** A field's or secret's label by its schema key, in the current language; the core's if unknown. */
export function label(provider, key, fallback) {
  const id = `field.${provider}.${key}`;
  return has(id) ? t(id) : fallback ?? key;
}

/** A field's help by its schema key, in the current language; the core's if unknown. */
export function help(provider, key, fallback) {
  const id = `help.${provider}.${key}`;
  return has(id) ? t(id) : fallback;
}

/** A status the core names by its id, in the current language. */
const statusWords = (status) => (has(`status.${status}`) ? t(`status.${status}`) : status);

/** A code and its parameters as words, not capitalised (a cause sits inside a sentence). */
function words(provider, coded) {
  const id = `code.${coded.code}`;
  if (!has(id)) return coded.message ?? "";
  const vars = { ...(coded.params ?? {}) };
  if (vars.field !== undefined) vars.label = label(provider, vars.field);
  for (const name of ["status", "needed"]) if (vars[name] !== undefined) vars[name] = statusWords(vars[name]);
  if (coded.cause) vars.cause = words(provider, coded.cause);
  return t(id, vars);
}

/**
 * What the core sent — a command's error, one of its field problems, a settings problem — said
 * by its code in the current language, capitalised. `provider` names the schema a `field`
 * parameter belongs to (Settings), or is null. A form's refusal (`invalid` with field problems)
 * is said as its first problem, as the core's message is; a code without words here, or
 * anything else thrown, shows its own message.
 */
export function say(provider, coded) {
  if (!coded) return "";
  if (typeof coded !== "object") return String(coded);
  if (coded.code === "invalid" && coded.fields?.length && !Object.keys(coded.params ?? {}).length) {
    return say(provider, coded.fields[0]);
  }
  return capital(words(provider, coded));
}

