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
    "code.provider_refused": "{provider_code}: {provider_message} — {advice}",
    "code.unreachable": "could not reach {provider}: {detail} — check the network and the {provider} address in Settings",
    "code.unclear": "no clear answer from {provider}: {detail}",
    "code.no_answer": "{provider} gave no usable answer: {detail}",
    "code.note_required": "write what the provider portal shows, so the next person knows why",
    "code.outcome_no_tickets": "{provider} issues no tickets — record whether the payment was paid or declined",
    "code.outcome_choose": "Choose what the provider portal shows: paid, declined, ticketed or ticketing failed",
    "code.amount_required": "enter the amount to charge",
    "code.amount_not_positive": "the amount must be more than 0",
    "code.card_needed": "{method} payments need a card",
    "code.card_number_in_text": "this looks like a card number — card details go only in the card fields; remove it from here",
    "code.text_too_long": "use plain text of at most {max} characters",
    "code.locator_format": "a record locator is 6 letters or digits, e.g. {example}",
    "code.offers_none": "tick at least one offer to pay (the itinerary, an ancillary …)",
    "code.offer_twice": "offer {offer} is ticked twice — tick it once",
    "code.offer_unknown": "reservation {locator} has no offer {offer} — its offers are: {offers}",
    "code.offers_currencies": "cannot combine {left} with {right} — amounts must be in the same currency: pay them separately",
    "code.offers_too_large": "{input} is too large to be an amount: pay them separately",
    "code.offers_repriced": "the offers now cost {amount}, not {was} — take a new payment instead",
    "code.fop_none_stored": "reservation {locator} has no stored form of payment — enter a card or take cash",
    "code.fop_unknown": "reservation {locator} has no form of payment {fop} — its stored ones are: {fops}",
    "code.fop_choose": "choose one of the reservation's stored forms of payment",
    "code.refund_sending": "the refund of {amount} is still being sent — wait for its answer",
    "code.refund_unclear": "the refund of {amount} has no clear answer yet — check it in the provider's portal and record what it shows before refunding again",
    "code.refund_none_unclear": "this payment has no unclear refund to resolve",
    "code.refund_resolved_meanwhile": "this refund was resolved meanwhile",
    "code.refund_currency": "the refund must be in {currency}, the payment's currency",
    "code.refunded_all": "all of {charged} has been refunded already",
    "code.refund_range": "refund more than 0 and at most {refundable}",
    "code.refund_range_left": "refund more than 0 and at most {refundable} (what is left of {charged})",
    "code.refund_running": "a refund or check of this payment is already running — wait for it",
    "code.refund_hx_only": "only a Holiday Extras payment can be refunded here",
    "code.customer_name": "enter the customer's name (up to {max} characters)",
    "code.voucher_not_heipay": "payment {reference} has no HeiPay voucher: it was not taken through HeiPay",
    "code.voucher_no_link": "payment {reference} has no HeiPay voucher: HeiPay gave no voucher link — look it up in the HeiPay portal",
    "code.stored_not_hx": "the stored request is not Holiday Extras'",
    "code.stored_no_version": "the stored request does not say its API version",
    "code.hx_version_changed": "it was sent with API {sent} and this profile now uses {now}",
    "code.order_no_format": "an ATRIP order number is letters and digits, e.g. {example}",
    "code.atrip_no_regenerate": "ATRIP's code {provider_code} ({meaning}) does not allow a new order to be paid: {advice}",
    "code.atrip_holder": "ATRIP needs the cardholder's given name and surname, in letters and hyphens",
    "code.rate": "a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
    "code.rate_format": "'{value}' is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
    "code.rate_range": "{value} is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
    "code.guest_first_name_required": "enter the guest's first name",
    "code.guest_last_name_required": "enter the guest's last name",
    "code.guest_first_name_text": "the guest's first name must be plain text of at most {max} characters",
    "code.guest_last_name_text": "the guest's last name must be plain text of at most {max} characters",
    "code.hotel_required": "choose the hotel (HeiPay hotel ids are positive numbers)",
    "code.detail_too_long": "HeiPay takes at most {max} characters of detail; this has {got} — shorten it",
    "code.installments_range": "choose 1 to {max} installments (1 = a single payment)",
    "code.heipay_currency": "HeiPay charges Colombian pesos with two decimals; {amount} is in {currency} — enter the amount in COP",
    "code.email_format": "'{value}' is not an email address (name@example.com)",
    "code.phone_format": "'{value}' is not a phone number: use 7 to 15 digits, e.g. 3012104578",
    "code.fiscal_number_format": "use the tax id as letters, digits, '-' and '.', at most {max} characters (e.g. 900123456-7)",
    "code.ip_format": "'{value}' is not an IPv4 address (four numbers 0–255, e.g. 181.204.153.195)",
    "code.hx_token_digits": "a Holiday Extras card token is digits only (up to {max})",
    "code.hx_token_card_number": "this looks like a card number, not a Holiday Extras token — tokenise the card with the Holiday Extras payment form and enter the token it gives",
    "code.hx_reference_format": "up to {max} letters, digits, '-' or '_' (the booking reference), e.g. HXB12345",
    "code.hx_gbp_only": "Holiday Extras v1 charges pence (GBP) only, not {currency} — use a v2 profile",
    "code.hx_currency": "Holiday Extras charges GBP or EUR, not {currency}",
    "code.hx_no_address": "Holiday Extras v1 cannot carry a postal or country code — leave it empty or use a v2 profile",
    "code.postal_code_format": "up to {max} letters, digits, spaces or '-', e.g. SW1A 1AA",
    "code.country_code_format": "two letters (ISO 3166-1), e.g. GB or DE",
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
    "code.profile_busy": "These payments are still being sent, checked or ticketed: {payments}. Wait until they finish (or resolve them in Payments), then switch profile.",
    "code.keyring_check_lost": "the keyring check stopped unexpectedly",
    "code.voucher_unreadable": "HeiPay sent a voucher that is not text",
    // The window's own (ui/lib/ipc.js, ui/lib/tauri.js with isolation/hook.js's refusals).
    "code.ipc": "The window could not reach Farepoint: {reason}",
    "code.refused": "The window refused this call before it reached Farepoint: {cause}",
    "code.refused_command": "{command} is not a command this window may call",
    "code.refused_unserializable": "the message to {command} cannot be serialized",
    "code.refused_too_large": "the message to {command} is {bytes} bytes; at most {max} may be sent",
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
    "code.provider_refused": "{provider_code}: {provider_message} — {advice}",
    "code.unreachable": "no se pudo contactar con {provider}: {detail} — compruebe la red y la dirección de {provider} en Ajustes",
    "code.unclear": "sin respuesta clara de {provider}: {detail}",
    "code.no_answer": "{provider} no dio una respuesta utilizable: {detail}",
    "code.note_required": "escriba lo que muestra el portal del proveedor, para que quien venga después sepa por qué",
    "code.outcome_no_tickets": "{provider} no emite billetes — registre si el pago se cobró o se rechazó",
    "code.outcome_choose": "Elija lo que muestra el portal del proveedor: cobrado, rechazado, emitido o emisión fallida",
    "code.amount_required": "escriba el importe que se cobra",
    "code.amount_not_positive": "el importe debe ser mayor que 0",
    "code.card_needed": "los pagos {method} necesitan una tarjeta",
    "code.card_number_in_text": "esto parece un número de tarjeta — los datos de la tarjeta van solo en sus campos; quítelo de aquí",
    "code.text_too_long": "use texto sencillo de como mucho {max} caracteres",
    "code.locator_format": "un localizador son 6 letras o dígitos, p. ej. {example}",
    "code.offers_none": "marque al menos una oferta que pagar (el itinerario, un servicio adicional …)",
    "code.offer_twice": "la oferta {offer} está marcada dos veces — márquela una sola vez",
    "code.offer_unknown": "la reserva {locator} no tiene la oferta {offer} — sus ofertas son: {offers}",
    "code.offers_currencies": "no se puede combinar {left} con {right} — los importes deben estar en la misma divisa: páguelas por separado",
    "code.offers_too_large": "{input} es demasiado grande para ser un importe: páguelas por separado",
    "code.offers_repriced": "las ofertas cuestan ahora {amount}, no {was} — cobre un pago nuevo en su lugar",
    "code.fop_none_stored": "la reserva {locator} no tiene ninguna forma de pago guardada — introduzca una tarjeta o cobre en efectivo",
    "code.fop_unknown": "la reserva {locator} no tiene la forma de pago {fop} — las guardadas son: {fops}",
    "code.fop_choose": "elija una de las formas de pago guardadas en la reserva",
    "code.refund_sending": "el reembolso de {amount} aún se está enviando — espere su respuesta",
    "code.refund_unclear": "el reembolso de {amount} aún no tiene una respuesta clara — compruébelo en el portal del proveedor y registre lo que muestra antes de reembolsar de nuevo",
    "code.refund_none_unclear": "este pago no tiene ningún reembolso dudoso que resolver",
    "code.refund_resolved_meanwhile": "este reembolso se resolvió mientras tanto",
    "code.refund_currency": "el reembolso debe ser en {currency}, la divisa del pago",
    "code.refunded_all": "ya se ha reembolsado la totalidad de {charged}",
    "code.refund_range": "reembolse más de 0 y como mucho {refundable}",
    "code.refund_range_left": "reembolse más de 0 y como mucho {refundable} (lo que queda de {charged})",
    "code.refund_running": "ya hay un reembolso o una comprobación de este pago en curso — espere a que termine",
    "code.refund_hx_only": "aquí solo se puede reembolsar un pago de Holiday Extras",
    "code.customer_name": "escriba el nombre del cliente (hasta {max} caracteres)",
    "code.voucher_not_heipay": "el pago {reference} no tiene bono de HeiPay: no se cobró a través de HeiPay",
    "code.voucher_no_link": "el pago {reference} no tiene bono de HeiPay: HeiPay no dio el enlace del bono — búsquelo en el portal de HeiPay",
    "code.stored_not_hx": "la solicitud guardada no es de Holiday Extras",
    "code.stored_no_version": "la solicitud guardada no indica su versión de la API",
    "code.hx_version_changed": "se envió con la API {sent} y este perfil usa ahora {now}",
    "code.order_no_format": "un número de pedido de ATRIP son letras y dígitos, p. ej. {example}",
    "code.atrip_no_regenerate": "el código {provider_code} de ATRIP ({meaning}) no permite pagar un pedido nuevo: {advice}",
    "code.atrip_holder": "ATRIP necesita el nombre y el apellido del titular, en letras y guiones",
    "code.rate": "una tasa entre 0.00 y 1.00 con como mucho dos decimales, p. ej. 0.19 para el 19 %",
    "code.rate_format": "'{value}' no es una tasa entre 0.00 y 1.00 con como mucho dos decimales, p. ej. 0.19 para el 19 %",
    "code.rate_range": "{value} no es una tasa entre 0.00 y 1.00 con como mucho dos decimales, p. ej. 0.19 para el 19 %",
    "code.guest_first_name_required": "escriba el nombre del huésped",
    "code.guest_last_name_required": "escriba el apellido del huésped",
    "code.guest_first_name_text": "el nombre del huésped debe ser texto sencillo de como mucho {max} caracteres",
    "code.guest_last_name_text": "el apellido del huésped debe ser texto sencillo de como mucho {max} caracteres",
    "code.hotel_required": "elija el hotel (los identificadores de hotel de HeiPay son números positivos)",
    "code.detail_too_long": "HeiPay admite como mucho {max} caracteres de detalle; este tiene {got} — acórtelo",
    "code.installments_range": "elija de 1 a {max} cuotas (1 = un solo pago)",
    "code.heipay_currency": "HeiPay cobra pesos colombianos con dos decimales; {amount} está en {currency} — escriba el importe en COP",
    "code.email_format": "'{value}' no es una dirección de correo (nombre@ejemplo.com)",
    "code.phone_format": "'{value}' no es un número de teléfono: use de 7 a 15 dígitos, p. ej. 3012104578",
    "code.fiscal_number_format": "escriba el NIF con letras, dígitos, '-' y '.', como mucho {max} caracteres (p. ej. 900123456-7)",
    "code.ip_format": "'{value}' no es una dirección IPv4 (cuatro números de 0 a 255, p. ej. 181.204.153.195)",
    "code.hx_token_digits": "un token de tarjeta de Holiday Extras son solo dígitos (hasta {max})",
    "code.hx_token_card_number": "esto parece un número de tarjeta, no un token de Holiday Extras — tokenice la tarjeta con el formulario de pago de Holiday Extras y escriba el token que le dé",
    "code.hx_reference_format": "hasta {max} letras, dígitos, '-' o '_' (la referencia de la reserva), p. ej. HXB12345",
    "code.hx_gbp_only": "Holiday Extras v1 solo cobra peniques (GBP), no {currency} — use un perfil v2",
    "code.hx_currency": "Holiday Extras cobra GBP o EUR, no {currency}",
    "code.hx_no_address": "Holiday Extras v1 no admite código postal ni de país — déjelo vacío o use un perfil v2",
    "code.postal_code_format": "hasta {max} letras, dígitos, espacios o '-', p. ej. SW1A 1AA",
    "code.country_code_format": "dos letras (ISO 3166-1), p. ej. GB o DE",
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
    "code.profile_busy": "Estos pagos aún se están enviando, comprobando o emitiendo: {payments}. Espere a que terminen (o resuélvalos en Pagos) y cambie de perfil después.",
    "code.keyring_check_lost": "la comprobación del llavero se detuvo de forma inesperada",
    "code.voucher_unreadable": "HeiPay envió un bono que no es texto",
    "code.ipc": "La ventana no pudo comunicarse con Farepoint: {reason}",
    "code.refused": "La ventana rechazó esta llamada antes de que llegara a Farepoint: {cause}",
    "code.refused_command": "{command} no es un comando que esta ventana pueda llamar",
    "code.refused_unserializable": "el mensaje para {command} no se puede serializar",
    "code.refused_too_large": "el mensaje para {command} ocupa {bytes} bytes; se pueden enviar como mucho {max}",
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

