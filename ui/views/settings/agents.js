// Settings → Agents: the people who work at this desk (both profiles). Add one, rename them or
// mark them supervisor, give or take away their PIN, remove them. The core checks every name and
// PIN and keeps the PIN only as a slow one-way hash; this draws the desk it serves (lib/desk.js)
// and says its refusals by code under the field they belong to.

import { h, field, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { desk, setDesk, onDeskChange } from "../../lib/desk.js";
import { openDialog } from "../../components/dialog.js";
import { agentTags } from "../../components/agent-switch.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "agents.title": "Agents",
    "agents.about": "The people who work at this desk, in both profiles. Every payment, new attempt, refund and review records the agent at the desk; choose who you are from the button in the rail.",
    "agents.none": "No agents yet: payments are recorded without a name. Add the people who work at this desk so each payment says who took it.",
    "agents.add": "Add agent…",
    "agents.add_title": "Add an agent",
    "agents.add_ok": "Add",
    "agents.name": "Name",
    "agents.name_hint": "As the desk knows them, e.g. Ana P. Up to {max} characters.",
    "agents.supervisor": "Supervisor",
    "agents.supervisor_hint": "Marks who supervises this desk.",
    "agents.pin": "PIN (optional)",
    "agents.new_pin": "New PIN",
    "agents.pin_hint": "{min} to {max} digits, asked when switching to this agent. Farepoint keeps only a one-way hash of it.",
    "agents.edit": "Edit…",
    "agents.edit_label": "Edit {name}",
    "agents.edit_title": "Edit {name}",
    "agents.save": "Save",
    "agents.rename_note": "Payments already taken keep the name they were recorded with.",
    "agents.pin_button": "PIN…",
    "agents.pin_label": "PIN of {name}",
    "agents.pin_title": "PIN of {name}",
    "agents.pin_set": "Set PIN",
    "agents.clear_pin": "Remove PIN",
    "agents.remove": "Remove…",
    "agents.remove_label": "Remove {name}",
    "agents.remove_title": "Remove {name}?",
    "agents.remove_body": "{name} can no longer be chosen at this desk. The payments recorded under their name keep it.",
    "agents.remove_ok": "Remove",
    "agents.list": "Agents of this desk",
  },
  es: {
    "agents.title": "Agentes",
    "agents.about": "Las personas que trabajan en este puesto, en ambos perfiles. Cada pago, nuevo intento, reembolso y revisión registra al agente del puesto; elija quién es con el botón de la barra lateral.",
    "agents.none": "Aún no hay agentes: los pagos se registran sin nombre. Añada a quienes trabajan en este puesto para que cada pago diga quién lo cobró.",
    "agents.add": "Añadir agente…",
    "agents.add_title": "Añadir un agente",
    "agents.add_ok": "Añadir",
    "agents.name": "Nombre",
    "agents.name_hint": "Como lo conoce el puesto, p. ej. Ana P. Hasta {max} caracteres.",
    "agents.supervisor": "Supervisor",
    "agents.supervisor_hint": "Indica quién supervisa este puesto.",
    "agents.pin": "PIN (opcional)",
    "agents.new_pin": "PIN nuevo",
    "agents.pin_hint": "De {min} a {max} cifras; se pide al cambiar a este agente. Farepoint solo guarda un hash irreversible.",
    "agents.edit": "Editar…",
    "agents.edit_label": "Editar a {name}",
    "agents.edit_title": "Editar a {name}",
    "agents.save": "Guardar",
    "agents.rename_note": "Los pagos ya cobrados conservan el nombre con el que se registraron.",
    "agents.pin_button": "PIN…",
    "agents.pin_label": "PIN de {name}",
    "agents.pin_title": "PIN de {name}",
    "agents.pin_set": "Guardar PIN",
    "agents.clear_pin": "Quitar el PIN",
    "agents.remove": "Quitar…",
    "agents.remove_label": "Quitar a {name}",
    "agents.remove_title": "¿Quitar a {name}?",
    "agents.remove_body": "{name} ya no podrá elegirse en este puesto. Los pagos registrados a su nombre lo conservan.",
    "agents.remove_ok": "Quitar",
    "agents.list": "Agentes de este puesto",
  },
});

/**
 * Runs an agents command; its answer is the desk as it now is. A refusal of a field is shown
 * under it (and the dialog stays open); anything else is the dialog's to show.
 */
async function submit(command, args, inputs) {
  for (const input of Object.values(inputs)) setFieldError(input, null);
  try {
    setDesk(await call(command, args));
    return true;
  } catch (error) {
    const marked = (error.fields ?? []).filter((f) => inputs[f.field]);
    if (!marked.length) throw error;
    for (const f of marked) setFieldError(inputs[f.field], say(null, f));
    inputs[marked[0].field].focus();
    return false;
  }
}

/** After a dialog: the page was drawn again, so the focus goes back to the button with `id` as
 *  it is now (or to "Add agent" when that agent is gone). */
function refocus(id) {
  return () => (document.getElementById(id) ?? document.getElementById("agent-add"))?.focus();
}

function pinInput(id) {
  return h("input", { type: "password", id, inputmode: "numeric", autocomplete: "new-password", maxlength: desk()?.pin_max ?? 8, spellcheck: "false" });
}

function pinHint() {
  return t("agents.pin_hint", { min: desk()?.pin_min ?? 4, max: desk()?.pin_max ?? 8 });
}

function nameField(value = "") {
  const input = h("input", { id: "agent-name", autocomplete: "off", value, maxlength: desk()?.name_max ?? 40, spellcheck: "false" });
  return [input, field(t("agents.name"), input, { hint: t("agents.name_hint", { max: desk()?.name_max ?? 40 }) })];
}

function supervisorBox(checked = false) {
  const box = h("input", { type: "checkbox", id: "agent-supervisor", checked, "aria-describedby": "agent-supervisor-hint" });
  const element = h(
    "div",
    { class: "field" },
    h("label", { class: "choice", for: "agent-supervisor" }, box, h("span", { text: t("agents.supervisor") })),
    h("p", { class: "hint", id: "agent-supervisor-hint", text: t("agents.supervisor_hint") }),
  );
  return [box, element];
}

export class AgentsPanel {
  constructor(view) {
    this.view = view;
    onDeskChange(() => this.view.render());
  }

  element() {
    const agents = desk()?.agents ?? [];
    const current = desk()?.current;
    return h(
      "section",
      { class: "panel set-section set-agents", id: "settings-agents", "aria-labelledby": "settings-h-agents" },
      h("div", { class: "set-head" }, h("h2", { id: "settings-h-agents", text: t("agents.title") }), h("button", { type: "button", id: "agent-add", onclick: () => this.add() }, t("agents.add"))),
      h("p", { class: "set-about", text: t("agents.about") }),
      agents.length
        ? h(
            "ul",
            { class: "agents-list", id: "agents-list", "aria-label": t("agents.list") },
            agents.map((agent) =>
              h(
                "li",
                { class: "agent-row", dataset: { agent: agent.id } },
                h("span", { class: "agent-name", text: agent.name }),
                h("span", { class: "agent-tags" }, agentTags(agent, { now: agent.id === current })),
                h(
                  "span",
                  { class: "agent-actions" },
                  h("button", { type: "button", id: `agent-edit-${agent.id}`, "aria-label": t("agents.edit_label", { name: agent.name }), onclick: () => this.edit(agent) }, t("agents.edit")),
                  h("button", { type: "button", id: `agent-pin-${agent.id}`, "aria-label": t("agents.pin_label", { name: agent.name }), onclick: () => this.pin(agent) }, t("agents.pin_button")),
                  h("button", { type: "button", class: "danger", id: `agent-remove-${agent.id}`, "aria-label": t("agents.remove_label", { name: agent.name }), onclick: () => this.remove(agent) }, t("agents.remove")),
                ),
              ),
            ),
          )
        : h("p", { class: "set-note", id: "agents-none", text: t("agents.none") }),
    );
  }

  add() {
    const [name, nameEl] = nameField();
    const [supervisor, supervisorEl] = supervisorBox();
    const pin = pinInput("agent-new-pin");
    openDialog({
      id: "dialog-agent-add",
      title: t("agents.add_title"),
      body: [nameEl, supervisorEl, field(t("agents.pin"), pin, { hint: pinHint() })],
      confirm: t("agents.add_ok"),
      onClose: refocus("agent-add"),
      onConfirm: () =>
        submit("add_agent", { name: name.value, supervisor: supervisor.checked, pin: pin.value ? pin.value : null }, { name, pin }),
    });
  }

  edit(agent) {
    const [name, nameEl] = nameField(agent.name);
    const [supervisor, supervisorEl] = supervisorBox(agent.supervisor);
    openDialog({
      id: "dialog-agent-edit",
      title: t("agents.edit_title", { name: agent.name }),
      body: [nameEl, supervisorEl, h("p", { class: "hint", text: t("agents.rename_note") })],
      confirm: t("agents.save"),
      onClose: refocus(`agent-edit-${agent.id}`),
      onConfirm: () => submit("update_agent", { agentId: agent.id, name: name.value, supervisor: supervisor.checked }, { name }),
    });
  }

  pin(agent) {
    const pin = pinInput("agent-new-pin");
    let dialog = null;
    const clear = agent.has_pin
      ? h("button", {
          type: "button",
          id: "agent-clear-pin",
          class: "danger",
          onclick: async () => {
            try {
              await submit("set_agent_pin", { agentId: agent.id, pin: null }, {});
              dialog.close();
            } catch (error) {
              dialog.showError(error);
            }
          },
        }, t("agents.clear_pin"))
      : null;
    dialog = openDialog({
      id: "dialog-agent-pin",
      title: t("agents.pin_title", { name: agent.name }),
      body: [field(t("agents.new_pin"), pin, { hint: pinHint() })],
      confirm: t("agents.pin_set"),
      onClose: refocus(`agent-pin-${agent.id}`),
      extraActions: clear ? [clear] : [],
      onConfirm: () => submit("set_agent_pin", { agentId: agent.id, pin: pin.value }, { pin }),
    });
  }

  remove(agent) {
    openDialog({
      id: "dialog-agent-remove",
      title: t("agents.remove_title", { name: agent.name }),
      body: [h("p", { text: t("agents.remove_body", { name: agent.name }) })],
      confirm: t("agents.remove_ok"),
      onClose: refocus(`agent-remove-${agent.id}`),
      onConfirm: () => submit("remove_agent", { agentId: agent.id }, {}),
    });
  }
}
