// English and Spanish. Each view registers its own strings beside its code; the frame's static
// markup carries `data-i18n` keys. Switching the language re-renders in place.

const dictionaries = { en: {}, es: {} };
const changeListeners = new Set();
let locale = "en";

export const LOCALES = { en: "English", es: "Español" };

/** Adds strings: register({ en: { key: "text" }, es: { key: "texto" } }). */
export function register(strings) {
  for (const [lang, entries] of Object.entries(strings)) Object.assign(dictionaries[lang], entries);
}

/** The text for `key`, with `{name}` placeholders filled from `vars`. English if untranslated. */
export function t(key, vars) {
  const text = dictionaries[locale][key] ?? dictionaries.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Whether `key` has words (English at least): what the core sends is said by code only then. */
export function has(key) {
  return key in dictionaries.en;
}

export function currentLocale() {
  return locale;
}

/** The BCP 47 tag used for numbers and dates. */
export function intlLocale() {
  return locale === "es" ? "es-ES" : "en-GB";
}

export function setLocale(next) {
  if (!(next in dictionaries) || next === locale) return;
  locale = next;
  document.documentElement.lang = next;
  translateStatic(document);
  for (const listener of changeListeners) listener(next);
}

export function onLocaleChange(listener) {
  changeListeners.add(listener);
}

/** Fills every `data-i18n` element (text) and `data-i18n-label` (aria-label) under `root`. */
export function translateStatic(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

register({
  en: {
    "nav.take": "Take payment",
    "nav.payments": "Payments",
    "nav.summary": "Summary",
    "nav.settings": "Settings",
    "nav.main": "Main",
    "banner.sandbox": "Sandbox — no real money moves",
    "profile.sandbox": "Sandbox",
    "profile.production": "Production",
    "profile.label": "Active profile",
    "status.Draft": "Draft",
    "status.Submitting": "Submitting",
    "status.Paid": "Paid",
    "status.Ticketing": "Ticketing",
    "status.Ticketed": "Ticketed",
    "status.TicketingFailed": "Ticketing failed",
    "status.Declined": "Declined",
    "status.Unknown": "Unknown",
    "status.NeedsReview": "Needs review",
    "status.Refunded": "Refunded",
    "provider.atrip": "ATRIP",
    "provider.travelport": "Travelport",
    "provider.holidayextras": "Holiday Extras",
    "provider.heipay": "HeiPay",
    "kind.created": "Created",
    "kind.journaled": "Journaled",
    "kind.sent": "Sent",
    "kind.provider_answer": "Provider answer",
    "kind.transition": "Status",
    "kind.ticket": "Ticket",
    "kind.reconciled": "Reconciled",
    "kind.note": "Note",
    "common.cancel": "Cancel",
    "common.back": "Back",
    "common.close": "Close",
    "common.working": "Working…",
    "common.details": "Details",
    "common.none": "—",
    "error.unexpected": "Something went wrong: {message}",
    "startup.title": "Farepoint cannot open",
  },
  es: {
    "nav.take": "Cobrar",
    "nav.payments": "Pagos",
    "nav.summary": "Resumen",
    "nav.settings": "Ajustes",
    "nav.main": "Principal",
    "banner.sandbox": "Sandbox — no se mueve dinero real",
    "profile.sandbox": "Sandbox",
    "profile.production": "Producción",
    "profile.label": "Perfil activo",
    "status.Draft": "Borrador",
    "status.Submitting": "Enviando",
    "status.Paid": "Pagado",
    "status.Ticketing": "Emitiendo",
    "status.Ticketed": "Emitido",
    "status.TicketingFailed": "Emisión fallida",
    "status.Declined": "Rechazado",
    "status.Unknown": "Sin confirmar",
    "status.NeedsReview": "Revisar",
    "status.Refunded": "Reembolsado",
    "provider.atrip": "ATRIP",
    "provider.travelport": "Travelport",
    "provider.holidayextras": "Holiday Extras",
    "provider.heipay": "HeiPay",
    "kind.created": "Creado",
    "kind.journaled": "Registrado",
    "kind.sent": "Enviado",
    "kind.provider_answer": "Respuesta del proveedor",
    "kind.transition": "Estado",
    "kind.ticket": "Billete",
    "kind.reconciled": "Conciliado",
    "kind.note": "Nota",
    "common.cancel": "Cancelar",
    "common.back": "Volver",
    "common.close": "Cerrar",
    "common.working": "Procesando…",
    "common.details": "Detalles",
    "common.none": "—",
    "error.unexpected": "Algo salió mal: {message}",
    "startup.title": "Farepoint no puede abrirse",
  },
});
