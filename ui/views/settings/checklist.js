// Settings → Production: the checklist before the first real payment, as the core serves it
// (`get_settings`' `checklist`): each item by its code, where it stands (done, to do, a warning,
// a note), and for a provider's item the way to its tab. The window decides none of it.

import { h } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { dateTime } from "../../lib/format.js";
import { toneIcon } from "../../components/status.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "check.title": "Before the first real payment",
    "check.title_ready": "Ready for the first real payment",
    "check.intro": "What Production still needs, provider by provider. Each item goes away by doing what it says.",
    "check.done": "Done",
    "check.todo": "To do",
    "check.warning": "Warning",
    "check.info": "Note",
    "check.open": "Open {provider}",
    "check.at": "({time})",
    "code.check_keyring": "The OS keyring works: credentials are kept only there, and so is the key that seals Production's history",
    "code.check_keyring_broken": "The OS keyring must work: credentials are kept only there — see the keyring status for the fix",
    "code.check_entered": "{provider}: addresses and credentials entered",
    "code.check_missing": "{provider}: enter what is missing (its tab lists it)",
    "code.check_partly": "{provider}: set up, but part of it cannot be used yet (its tab says what)",
    "code.check_tested": "{provider}: the connection test worked",
    "code.check_reached": "{provider}: the address answers; the first real payment proves the credentials",
    "code.check_untested": "{provider}: test the connection — nothing was tested since the last change",
    "code.check_failed": "{provider}: the last connection test failed — {cause}",
    "code.check_test_address": "{provider}: {host} is {provider}'s test environment — no real money moves there",
    "code.check_local_address": "{provider}: {host} is this computer, not {provider} — no real money moves there",
    "code.check_retired_version": "{provider}: API {version} is retired by {provider} — choose {current}",
    "code.check_restart": "{provider}: restart Farepoint so the desk takes its payments with these settings",
    "code.check_unused": "{provider}: not set up — the desk does not offer it",
    "code.check_no_provider": "Set up at least one provider",
    "code.check_switch": "Switch to the Production profile when everything above is done",
  },
  es: {
    "check.title": "Antes del primer pago real",
    "check.title_ready": "Listo para el primer pago real",
    "check.intro": "Lo que Producción aún necesita, proveedor por proveedor. Cada punto desaparece al hacer lo que dice.",
    "check.done": "Hecho",
    "check.todo": "Pendiente",
    "check.warning": "Aviso",
    "check.info": "Nota",
    "check.open": "Abrir {provider}",
    "check.at": "({time})",
    "code.check_keyring": "El llavero del sistema funciona: las credenciales se guardan solo allí, igual que la clave que sella el historial de Producción",
    "code.check_keyring_broken": "El llavero del sistema debe funcionar: las credenciales se guardan solo allí — la solución está en el estado del llavero",
    "code.check_entered": "{provider}: direcciones y credenciales introducidas",
    "code.check_missing": "{provider}: introduzca lo que falta (su pestaña lo enumera)",
    "code.check_partly": "{provider}: configurado, pero una parte aún no se puede usar (su pestaña dice cuál)",
    "code.check_tested": "{provider}: la prueba de conexión funcionó",
    "code.check_reached": "{provider}: la dirección responde; el primer pago real prueba las credenciales",
    "code.check_untested": "{provider}: pruebe la conexión — no se ha probado nada desde el último cambio",
    "code.check_failed": "{provider}: la última prueba de conexión falló — {cause}",
    "code.check_test_address": "{provider}: {host} es el entorno de pruebas de {provider} — allí no se mueve dinero real",
    "code.check_local_address": "{provider}: {host} es este equipo, no {provider} — allí no se mueve dinero real",
    "code.check_retired_version": "{provider}: {provider} retiró la API {version} — elija {current}",
    "code.check_restart": "{provider}: reinicie Farepoint para que el mostrador cobre con estos ajustes",
    "code.check_unused": "{provider}: sin configurar — el mostrador no lo ofrece",
    "code.check_no_provider": "Configure al menos un proveedor",
    "code.check_switch": "Cambie al perfil Producción cuando todo lo anterior esté hecho",
  },
});

/** Each state's tone: done is good, what must be done is bad, a warning warns, a note is quiet. */
const TONE = { done: "good", todo: "bad", warning: "warn", info: "outline" };

/**
 * The checklist as a section. `open(provider)` shows that provider's tab (offered on a provider's
 * item that is not done).
 */
export function checklistSection(list, { open }) {
  const title = h("h3", { id: "golive-checklist-title", text: t(list.ready ? "check.title_ready" : "check.title") });
  const items = list.items.map((item, i) => {
    const tone = TONE[item.state] ?? "outline";
    const provider = item.provider;
    const go =
      provider && item.state !== "done" && item.state !== "info"
        ? h("button", { type: "button", class: "link", id: `check-open-${i}`, onclick: () => open(provider) }, t("check.open", { provider: t(`provider.${provider}`) }))
        : null;
    return h(
      "li",
      { class: `set-check tone-${tone}`, id: `check-${i}`, dataset: { state: item.state, code: item.code } },
      h("span", { class: "set-check-icon" }, toneIcon(tone)),
      h(
        "span",
        { class: "set-check-text" },
        h("span", { class: "set-sr", text: `${t(`check.${item.state}`)}: ` }),
        say(provider, item),
        item.at_ms ? h("span", { class: "hint", text: ` ${t("check.at", { time: dateTime(item.at_ms) })}` }) : null,
      ),
      go,
    );
  });
  return h(
    "section",
    { class: `set-checklist ${list.ready ? "ready" : ""}`, id: "golive-checklist", "aria-labelledby": title.id, dataset: { ready: String(list.ready) } },
    title,
    h("p", { class: "hint", text: t("check.intro") }),
    h("ul", { class: "set-checks" }, items),
  );
}
