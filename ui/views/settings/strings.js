// The Settings view's words in English and Spanish, and the Spanish for the labels, help and
// "what is missing" lines that the core sends in English (docs/ui.md §10).

import { t, register, currentLocale } from "../../lib/i18n.js";

register({
  en: {
    "set.title": "Settings",
    "set.profile": "Profile",
    "set.providers": "Providers",
    "set.installation": "This installation",
    "set.language": "Language",
    "set.active": "Active profile",
    "set.about_sandbox": "Demo providers run on this computer with built-in credentials. No real money moves.",
    "set.about_production": "Payments go to the real providers, with the credentials stored in the OS keyring.",
    "set.switch_to": "Switch to {profile}…",
    "set.switch_title": "Switch to {profile}?",
    "set.switch_body_production": "Farepoint closes and opens again in the Production profile. From then on payments go to the real providers and real money moves.",
    "set.switch_body_sandbox": "Farepoint closes and opens again in the Sandbox profile, with the demo providers. Your Production settings and credentials are kept.",
    "set.switch_inflight": "Each profile keeps its own payments. While one is being sent, checked or ticketed, the switch is refused and Farepoint says which.",
    "set.switch_unconfigured": "Not set up yet: {names}. These providers cannot take payments until they are.",
    "set.switch_ok": "Restart into {profile}",
    "set.restarting": "Restarting…",
    "set.shown_profile": "Settings of",
    "set.active_tag": "active",
    "set.note_sandbox": "The Sandbox profile's settings and demo credentials are built in and read-only.",
    "set.note_prepare": "You are preparing the Production profile. These settings are used once you switch to it.",
    "set.note_apply": "Saved changes are used after Farepoint restarts.",
    "set.restart_now": "Restart now…",
    "set.restart_title": "Restart Farepoint?",
    "set.restart_body": "Farepoint closes and opens again in the Production profile, with the settings saved here.",
    "set.restart_ok": "Restart",
    "set.loading": "Reading the settings and checking the keyring…",
    "set.load_failed": "The settings could not be read: {message}",
    "set.retry": "Try again",
    "set.provider_tabs": "Provider",
    "set.ready": "Ready",
    "set.ready_demo": "Ready — demo",
    "set.needs_setup": "Needs setup",
    "set.missing": "What is missing",
    "set.connection": "Connection",
    "set.credentials": "Credentials",
    "set.credentials_hint": "Write-only: a stored value is never shown again. Storing a new value replaces it.",
    "set.save": "Save",
    "set.saving": "Saving…",
    "set.saved": "Saved",
    "set.stored": "Stored in keyring",
    "set.not_stored": "Not stored",
    "set.state_unknown": "Cannot be checked",
    "set.demo_credential": "Built-in demo credential",
    "set.store": "Store",
    "set.storing": "Storing…",
    "set.forget": "Forget",
    "set.forgetting": "Forgetting…",
    "set.new_value": "Enter the value",
    "set.replace_value": "Enter a new value to replace it",
    "set.type_first": "Type or paste the value first",
    "set.stored_note": "{label} stored in the keyring",
    "set.forgot_note": "{label} removed from the keyring",
    "set.forget_title": "Forget {label}?",
    "set.forget_body": "It is removed from the OS keyring. {provider} cannot take payments in the Production profile until you store it again.",
    "set.hotels": "Hotels",
    "set.hotels_hint": "Each hotel's id at HeiPay and the name the desk knows it by. Save the list, then store each hotel's card key under Credentials.",
    "set.hotel_id": "Hotel id",
    "set.hotel_name": "Name",
    "set.add_hotel": "Add hotel",
    "set.remove_hotel": "Remove",
    "set.remove_hotel_label": "Remove hotel {row}",
    "set.no_hotels": "No hotels yet — add one.",
    "set.hotel_id_bad": "Row {row}: the hotel id is a whole number above 0, as HeiPay issued it",
    "set.hotel_name_missing": "Row {row}: enter the name the desk knows the hotel by",
    "set.card_key": "Card key — {hotel}",
    "set.keyring_title": "The OS keyring is not working, so credentials cannot be stored or read",
    "set.fact_profile": "Profile",
    "set.fact_sandbox": "Simulator",
    "set.fact_keyring": "Keyring",
    "set.fact_database": "Database",
    "set.fact_logs": "Logs",
    "set.fact_version": "Version",
    "set.sandbox_running": "Running at {url}",
    "set.sandbox_off": "Off (Production profile)",
    "set.checking": "Checking…",
    "set.keyring_ok": "Working — credentials are stored in the OS keyring",
    "set.language_hint": "The switch at the foot of the navigation changes it too.",
    "set.language_failed": "The language could not be saved: {message}",
  },
  es: {
    "set.title": "Ajustes",
    "set.profile": "Perfil",
    "set.providers": "Proveedores",
    "set.installation": "Esta instalación",
    "set.language": "Idioma",
    "set.active": "Perfil activo",
    "set.about_sandbox": "Los proveedores de demostración funcionan en este equipo con credenciales integradas. No se mueve dinero real.",
    "set.about_production": "Los pagos van a los proveedores reales, con las credenciales guardadas en el llavero del sistema.",
    "set.switch_to": "Cambiar a {profile}…",
    "set.switch_title": "¿Cambiar a {profile}?",
    "set.switch_body_production": "Farepoint se cierra y se vuelve a abrir con el perfil Producción. A partir de entonces los pagos van a los proveedores reales y se mueve dinero real.",
    "set.switch_body_sandbox": "Farepoint se cierra y se vuelve a abrir con el perfil Sandbox, con los proveedores de demostración. Sus ajustes y credenciales de Producción se conservan.",
    "set.switch_inflight": "Cada perfil guarda sus propios pagos. Mientras uno se está enviando, comprobando o emitiendo, no se puede cambiar y Farepoint dice cuál.",
    "set.switch_unconfigured": "Aún sin configurar: {names}. Estos proveedores no pueden cobrar hasta que lo estén.",
    "set.switch_ok": "Reiniciar en {profile}",
    "set.restarting": "Reiniciando…",
    "set.shown_profile": "Ajustes de",
    "set.active_tag": "activo",
    "set.note_sandbox": "Los ajustes y las credenciales de demostración del perfil Sandbox vienen integrados y son de solo lectura.",
    "set.note_prepare": "Está preparando el perfil Producción. Estos ajustes se usan cuando cambie a él.",
    "set.note_apply": "Los cambios guardados se aplican cuando Farepoint se reinicia.",
    "set.restart_now": "Reiniciar ahora…",
    "set.restart_title": "¿Reiniciar Farepoint?",
    "set.restart_body": "Farepoint se cierra y se vuelve a abrir con el perfil Producción y los ajustes guardados aquí.",
    "set.restart_ok": "Reiniciar",
    "set.loading": "Leyendo los ajustes y comprobando el llavero…",
    "set.load_failed": "No se pudieron leer los ajustes: {message}",
    "set.retry": "Reintentar",
    "set.provider_tabs": "Proveedor",
    "set.ready": "Listo",
    "set.ready_demo": "Listo — demostración",
    "set.needs_setup": "Falta configurar",
    "set.missing": "Qué falta",
    "set.connection": "Conexión",
    "set.credentials": "Credenciales",
    "set.credentials_hint": "Solo escritura: un valor guardado no se vuelve a mostrar. Guardar uno nuevo lo sustituye.",
    "set.save": "Guardar",
    "set.saving": "Guardando…",
    "set.saved": "Guardado",
    "set.stored": "En el llavero",
    "set.not_stored": "No guardado",
    "set.state_unknown": "No se puede comprobar",
    "set.demo_credential": "Credencial de demostración integrada",
    "set.store": "Almacenar",
    "set.storing": "Almacenando…",
    "set.forget": "Olvidar",
    "set.forgetting": "Olvidando…",
    "set.new_value": "Introduzca el valor",
    "set.replace_value": "Introduzca un valor nuevo para sustituirlo",
    "set.type_first": "Escriba o pegue primero el valor",
    "set.stored_note": "{label}: guardado en el llavero",
    "set.forgot_note": "{label}: eliminado del llavero",
    "set.forget_title": "¿Olvidar {label}?",
    "set.forget_body": "Se elimina del llavero del sistema. {provider} no puede cobrar en el perfil Producción hasta que lo vuelva a guardar.",
    "set.hotels": "Hoteles",
    "set.hotels_hint": "El id de cada hotel en HeiPay y el nombre con el que lo conoce el mostrador. Guarde la lista y después la clave de tarjeta de cada hotel en Credenciales.",
    "set.hotel_id": "Id del hotel",
    "set.hotel_name": "Nombre",
    "set.add_hotel": "Añadir hotel",
    "set.remove_hotel": "Quitar",
    "set.remove_hotel_label": "Quitar el hotel {row}",
    "set.no_hotels": "Aún no hay hoteles — añada uno.",
    "set.hotel_id_bad": "Fila {row}: el id del hotel es un número entero mayor que 0, tal como lo emitió HeiPay",
    "set.hotel_name_missing": "Fila {row}: escriba el nombre con el que el mostrador conoce el hotel",
    "set.card_key": "Clave de tarjeta — {hotel}",
    "set.keyring_title": "El llavero del sistema no funciona: no se pueden guardar ni leer credenciales",
    "set.fact_profile": "Perfil",
    "set.fact_sandbox": "Simulador",
    "set.fact_keyring": "Llavero",
    "set.fact_database": "Base de datos",
    "set.fact_logs": "Registros",
    "set.fact_version": "Versión",
    "set.sandbox_running": "En marcha en {url}",
    "set.sandbox_off": "Apagado (perfil Producción)",
    "set.checking": "Comprobando…",
    "set.keyring_ok": "Funciona — las credenciales se guardan en el llavero del sistema",
    "set.language_hint": "El selector al pie de la navegación también lo cambia.",
    "set.language_failed": "No se pudo guardar el idioma: {message}",
  },
});

// The core's English labels and help, in Spanish. English shows the core's own text.
const LABELS_ES = {
  "API base URL": "URL base de la API",
  "Air API base URL": "URL base de la Air API",
  "OAuth token URL": "URL del token OAuth",
  PCC: "PCC",
  "Payment gateway URL": "URL de la pasarela de pago",
  Channel: "Canal",
  "API version": "Versión de la API",
  "Client ID": "ID de cliente",
  "Client secret": "Secreto de cliente",
  Username: "Usuario",
  Password: "Contraseña",
  "API token": "Token de la API",
};

const HELP_ES = {
  "atrip.base_url":
    "La dirección de la API de ATRIP de su empresa, en ATRIP en Perfil → Mi perfil → Información de la empresa (la de todas las llamadas salvo search.do). El sandbox de ATRIP es https://sandbox.atriptech.com/.",
  "travelport.air_base_url":
    "JSON Air API v11. Preproducción: https://api.pp.travelport.net/11/air/ (los antiguos hosts .com se retiraron en 2025–2026).",
  "travelport.auth_url": "Donde se pide el token de acceso. Preproducción: https://auth.pp.travelport.net/oauth/token",
  "travelport.pcc": "Su pseudo city code y su GDS escritos PCC_GDS, p. ej. 79JP_1G (se envía como TVP-PCC-CORE).",
  "holidayextras.base_url": "Se le añaden pay y refund. Staging: https://payment-gateway-staging.holidayextras.co.uk/",
  "holidayextras.channel": "El canal que Holiday Extras emitió con sus credenciales; se envía en cada petición.",
  "holidayextras.api_version":
    "v2 envía peniques enteros con una divisa. v1 (peniques como texto, solo GBP) es la versión que documenta la página del proveedor; Holiday Extras la retiró en septiembre de 2022.",
  "heipay.base_url": "La dirección de la API de HeiPay emitida con su cuenta; se le añade v2/virtual-terminal/credit-card.",
};

const spanish = () => currentLocale() === "es";

/** A field or secret label as the core names it, in the current language. */
export function label(text) {
  return (spanish() && LABELS_ES[text]) || text;
}

/** A field's help as the core writes it, in the current language. */
export function help(provider, key, text) {
  return (spanish() && HELP_ES[`${provider}.${key}`]) || text;
}

const capital = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

// The core's "what is missing" lines (settings.rs, gather), in Spanish where the shape is known.
const PROBLEMS_ES = [
  [/^(.+) is not set — enter it in Settings$/, (m) => `${label(m[1])}: sin valor — introdúzcalo en Ajustes`],
  [/^(.+) is not stored in the keyring — add it in Settings$/, (m) => `${label(m[1])}: no está en el llavero — guárdelo en Ajustes`],
  [
    /^credentials cannot be read because the OS keyring is not working/,
    () => "Las credenciales no se pueden leer porque el llavero del sistema no funciona — la solución está en el estado del llavero",
  ],
  [/^no hotels are set up/, () => "No hay hoteles — añada el id y el nombre de cada hotel y después su clave de tarjeta"],
  [
    /^the card key for hotel (\d+) \((.*)\) is not stored in the keyring — add it in Settings$/,
    (m) => `La clave de tarjeta del hotel ${m[1]} (${m[2]}) no está en el llavero — guárdela en Ajustes`,
  ],
];

/** One "what is missing" line, capitalised, in Spanish where its shape is known. */
export function problem(text) {
  if (spanish()) {
    for (const [pattern, render] of PROBLEMS_ES) {
      const m = text.match(pattern);
      if (m) return render(m);
    }
  }
  return capital(text);
}

/**
 * A refusal shown next to the field it names: the core prefixes "<Provider> — <Label>: ", which
 * the field's own label already says.
 */
export function fieldMessage(providerName, message) {
  const prefix = `${providerName} — `;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length);
  const colon = rest.indexOf(": ");
  return colon > 0 ? capital(rest.slice(colon + 2)) : message;
}

export { t };
