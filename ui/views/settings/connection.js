// Settings → a provider's readiness and its "Test connection": the state the core serves for it
// (demo, not set up, not tested, tested, address checked, test failed) as a pill, and for
// Production a button that runs the provider's one harmless call. What the test found is said by
// the core's code (what was proven, or what is wrong), with the provider's or the network's own
// words behind a "Details" disclosure.

import { h } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { dateTime } from "../../lib/format.js";
import { toneIcon } from "../../components/status.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "ready.demo": "Ready — demo",
    "ready.not_set_up": "Needs setup",
    "ready.untested": "Not tested yet",
    "ready.tested": "Connection tested",
    "ready.reached": "Address checked",
    "ready.failed": "Test failed",
    "test.title": "Connection test",
    "test.run": "Test connection",
    "test.running": "Testing…",
    "test.hint": "Sends one harmless request with the saved settings and credentials — never a payment.",
    "test.hint_not_set_up": "Enter and save what is missing first.",
    "test.never": "Not tested since the settings last changed.",
    "test.at": "Tested {time}",
    "test.details": "Details",
    "code.test_worked": "The connection works: {cause}",
    "code.test_reached": "The address answers; the credentials are not proven yet: {cause}",
    "code.test_bad_address": "Bad address: {why} ({host}) — check the address in Settings",
    "code.test_not_the_api": "Bad address: {host} answered, but not as {provider}'s API (HTTP {status}) — check the address in Settings",
    "code.test_no_network": "No network: {why} ({host}) — check this computer's connection",
    "code.test_timeout": "No answer from {host} within {seconds} seconds — try again; if it repeats, check the address and the network",
    "code.test_no_answer": "No answer from {host}: {why} — try again; if it repeats, check the address",
    "code.test_credentials_refused": "{provider} refused the credentials — check them in Settings (its answer is in the details)",
    "code.test_provider_error": "{provider} answered with an error of its own — its words are in the details",
    "code.test_not_set_up": "{provider} is not set up yet — enter what is missing, then test the connection",
    "code.proven_atrip": "ATRIP answered a look-up of an order number no order can have with its own \"no such order\": the address is ATRIP's API and it accepted the client id and secret",
    "code.proven_travelport": "Travelport issued an access token for the username, password, client id and secret, and its Air API accepted that token and the PCC",
    "code.reached_holidayextras": "the address serves Holiday Extras' published payment script, so it is the payment gateway; Holiday Extras publishes no call that checks the username and password without taking a payment, so the first real payment proves them",
    "code.reached_heipay": "the address answers and each hotel's card key is a valid key; HeiPay publishes no call that checks the API token without taking a payment, so the first real payment proves it",
  },
  es: {
    "ready.demo": "Listo — demostración",
    "ready.not_set_up": "Falta configurar",
    "ready.untested": "Aún sin probar",
    "ready.tested": "Conexión probada",
    "ready.reached": "Dirección comprobada",
    "ready.failed": "La prueba falló",
    "test.title": "Prueba de conexión",
    "test.run": "Probar la conexión",
    "test.running": "Probando…",
    "test.hint": "Envía una petición inofensiva con los ajustes y las credenciales guardados — nunca un pago.",
    "test.hint_not_set_up": "Primero introduzca y guarde lo que falta.",
    "test.never": "Sin probar desde el último cambio de los ajustes.",
    "test.at": "Probado {time}",
    "test.details": "Detalles",
    "code.test_worked": "La conexión funciona: {cause}",
    "code.test_reached": "La dirección responde; las credenciales aún no están probadas: {cause}",
    "code.test_bad_address": "Dirección incorrecta: {why} ({host}) — compruebe la dirección en Ajustes",
    "code.test_not_the_api": "Dirección incorrecta: {host} respondió, pero no como la API de {provider} (HTTP {status}) — compruebe la dirección en Ajustes",
    "code.test_no_network": "Sin red: {why} ({host}) — compruebe la conexión de este equipo",
    "code.test_timeout": "{host} no respondió en {seconds} segundos — inténtelo de nuevo; si se repite, compruebe la dirección y la red",
    "code.test_no_answer": "{host} no respondió: {why} — inténtelo de nuevo; si se repite, compruebe la dirección",
    "code.test_credentials_refused": "{provider} rechazó las credenciales — revíselas en Ajustes (su respuesta está en los detalles)",
    "code.test_provider_error": "{provider} respondió con un error propio — sus palabras están en los detalles",
    "code.test_not_set_up": "{provider} aún no está configurado — introduzca lo que falta y después pruebe la conexión",
    "code.proven_atrip": "ATRIP respondió a la consulta de un número de pedido que ningún pedido puede tener con su propio «no existe ese pedido»: la dirección es la API de ATRIP y aceptó el id y el secreto de cliente",
    "code.proven_travelport": "Travelport emitió un token de acceso para el usuario, la contraseña, el id y el secreto de cliente, y su API Air aceptó ese token y el PCC",
    "code.reached_holidayextras": "la dirección sirve el script de pago que Holiday Extras publica, así que es su pasarela de pago; Holiday Extras no publica ninguna llamada que compruebe el usuario y la contraseña sin cobrar, así que el primer pago real los prueba",
    "code.reached_heipay": "la dirección responde y la clave de tarjeta de cada hotel es una clave válida; HeiPay no publica ninguna llamada que compruebe el token de la API sin cobrar, así que el primer pago real lo prueba",
  },
});

/** Each readiness state's tone: what is usable is good, what failed is bad, the rest waits. */
const TONE = { demo: "good", tested: "good", reached: "good", failed: "bad", untested: "warn", not_set_up: "warn" };

export function readinessTone(readiness) {
  return TONE[readiness?.state] ?? "warn";
}

/** The readiness in words. */
export function readinessWords(readiness) {
  return t(`ready.${readiness?.state ?? "not_set_up"}`);
}

/** The readiness as a pill: colour, icon and word. */
export function readinessPill(readiness, id) {
  const tone = readinessTone(readiness);
  return h("span", { class: `pill tone-${tone}`, id, dataset: { readiness: readiness?.state ?? "" } }, toneIcon(tone), h("span", { text: readinessWords(readiness) }));
}

/**
 * What a test found: its outcome by the core's code, when it ran, and the details behind a
 * disclosure. `test` is a `ConnectionTest` as the core serves it.
 */
export function testResult(provider, test, id) {
  const tone = test.ok ? "good" : "bad";
  return h(
    "div",
    { class: `set-test-result tone-${tone}`, id, role: "status", dataset: { code: test.code } },
    h("span", { class: "set-test-icon" }, toneIcon(tone)),
    h(
      "div",
      { class: "set-test-body" },
      h("p", { class: "set-test-outcome", text: say(provider, test) }),
      h("p", { class: "hint", text: t("test.at", { time: dateTime(test.at_ms) }) }),
      test.details
        ? h("details", { class: "set-test-details" }, h("summary", { text: t("test.details") }), h("pre", { text: test.details }))
        : null,
    ),
  );
}

/**
 * The connection test of one Production provider: its button and what the last test of these
 * settings found. `run` calls the core; `error` is a refusal to say instead (not set up, the
 * keyring not working).
 */
export function testSection(p, { run, error }) {
  const provider = p.provider;
  const settable = p.readiness?.state !== "not_set_up";
  const button = h("button", { type: "button", id: `test-${provider}`, disabled: !settable, onclick: () => run(button) }, t("test.run"));
  const test = p.readiness?.test;
  return h(
    "div",
    { class: "set-test", id: `set-test-${provider}` },
    h("div", { class: "set-test-head" }, button, h("p", { class: "hint", text: t(settable ? "test.hint" : "test.hint_not_set_up") })),
    error ? h("p", { class: "form-alert", role: "alert", id: `test-error-${provider}`, text: error }) : null,
    test ? testResult(provider, test, `test-result-${provider}`) : settable ? h("p", { class: "muted", id: `test-result-${provider}`, text: t("test.never") }) : null,
  );
}
