// The rail's agent switch: who is at the desk, and the dialog to change it — a list of the
// desk's agents and, for one with a PIN, the PIN. The core decides everything (who may be chosen,
// a wrong PIN, the wait after too many); this draws the desk it serves (lib/desk.js). Hidden on
// a desk without agents.

import { h, svg, fill, field, setFieldError } from "../lib/dom.js";
import { t, register, onLocaleChange } from "../lib/i18n.js";
import { call } from "../lib/ipc.js";
import { desk, setDesk, onDeskChange, currentAgent } from "../lib/desk.js";
import { openDialog } from "./dialog.js";
import { say } from "../lib/say.js";

register({
  en: {
    "agent.at_desk": "At the desk:",
    "agent.choose": "Choose who you are",
    "agent.switch_hint": "Switch agent",
    "agent.title": "Who is at the desk?",
    "agent.intro": "What you do from now on — payments, new attempts, refunds, reviews — is recorded under your name.",
    "agent.list": "Agents",
    "agent.pin": "PIN",
    "agent.pin_hint": "{name} has a PIN: type it to switch.",
    "agent.confirm": "Switch",
    "agent.tag_supervisor": "Supervisor",
    "agent.tag_pin": "PIN",
    "agent.tag_now": "At the desk",
  },
  es: {
    "agent.at_desk": "En el puesto:",
    "agent.choose": "Elija quién es",
    "agent.switch_hint": "Cambiar de agente",
    "agent.title": "¿Quién está en el puesto?",
    "agent.intro": "Lo que haga a partir de ahora — pagos, nuevos intentos, reembolsos, revisiones — queda registrado a su nombre.",
    "agent.list": "Agentes",
    "agent.pin": "PIN",
    "agent.pin_hint": "{name} tiene PIN: escríbalo para cambiar.",
    "agent.confirm": "Cambiar",
    "agent.tag_supervisor": "Supervisor",
    "agent.tag_pin": "PIN",
    "agent.tag_now": "En el puesto",
  },
});

/** A small tag beside an agent's name: supervisor, has a PIN, at the desk. */
export function agentTags(agent, { now = false } = {}) {
  return [
    agent.supervisor ? h("span", { class: "agent-tag", text: t("agent.tag_supervisor") }) : null,
    agent.has_pin ? h("span", { class: "agent-tag", text: t("agent.tag_pin") }) : null,
    now ? h("span", { class: "agent-tag now", text: t("agent.tag_now") }) : null,
  ];
}

export class AgentSwitch {
  constructor() {
    this.dialog = null;
    this.button = h("button", { type: "button", id: "agent-switch", class: "agent-switch", hidden: true, onclick: () => this.open() });
    onDeskChange(() => this.render());
    onLocaleChange(() => this.render());
    this.render();
  }

  render() {
    const served = desk();
    this.button.hidden = !served?.agents.length;
    const agent = currentAgent();
    this.button.classList.toggle("none", !agent);
    this.button.title = t("agent.switch_hint");
    fill(
      this.button,
      personIcon(),
      agent
        ? [h("span", { class: "sr-only", text: `${t("agent.at_desk")} ` }), h("span", { class: "agent-switch-name", id: "agent-current", text: agent.name })]
        : h("span", { class: "agent-switch-name", id: "agent-current", text: t("agent.choose") }),
    );
  }

  /** The switch: the desk's agents, the one at the desk (or the last one) chosen first. */
  open() {
    const served = desk();
    if (!served?.agents.length || this.dialog?.open) return;
    const chosenFirst = served.current ?? served.last ?? served.agents[0].id;
    const pinInput = h("input", { type: "password", id: "agent-pin", inputmode: "numeric", autocomplete: "off", maxlength: served.pin_max, spellcheck: "false" });
    const pinField = field(t("agent.pin"), pinInput, { hint: "" });
    const hint = pinField.querySelector(".hint");
    const radios = served.agents.map((agent) =>
      h("input", { type: "radio", name: "agent-choice", id: `agent-choice-${agent.id}`, value: agent.id, checked: agent.id === chosenFirst, onchange: () => update() }),
    );
    const list = h(
      "fieldset",
      { class: "agent-choices", id: "agent-choices" },
      h("legend", { text: t("agent.list") }),
      served.agents.map((agent, i) =>
        h("label", { class: "choice agent-choice", for: radios[i].id }, radios[i], h("span", { class: "agent-choice-name", text: agent.name }), agentTags(agent, { now: agent.id === served.current })),
      ),
    );
    const chosen = () => served.agents.find((a) => a.id === radios.find((r) => r.checked)?.value) ?? null;
    const update = () => {
      const agent = chosen();
      pinField.hidden = !agent?.has_pin;
      hint.textContent = agent?.has_pin ? t("agent.pin_hint", { name: agent.name }) : "";
      setFieldError(pinInput, null);
    };
    update();
    this.dialog = openDialog({
      id: "dialog-agent",
      title: t("agent.title"),
      body: [h("p", { class: "muted", text: t("agent.intro") }), list, pinField],
      confirm: t("agent.confirm"),
      onConfirm: async () => {
        const agent = chosen();
        if (!agent) return false;
        try {
          setDesk(await call("choose_agent", { agentId: agent.id, pin: agent.has_pin ? pinInput.value : null }));
        } catch (error) {
          const problem = (error.fields ?? []).find((f) => f.field === "pin");
          if (!problem) throw error;
          pinInput.value = "";
          setFieldError(pinInput, say(null, problem));
          pinInput.focus();
          return false;
        }
        return true;
      },
    });
    // The PIN when one is asked, else the chosen agent.
    (pinField.hidden ? radios.find((r) => r.checked) : pinInput)?.focus();
  }
}

/** A person, drawn like the rail's other icons. */
function personIcon() {
  return svg("svg", { viewBox: "0 0 24 24", "aria-hidden": "true" }, svg("circle", { cx: 12, cy: 8, r: 3.5 }), svg("path", { d: "M5 20c0-3.9 3.1-6.5 7-6.5s7 2.6 7 6.5" }));
}
