// Small pieces every provider form shares.

import { h, setFieldError } from "../../lib/dom.js";
import { channel, call, CommandError } from "../../lib/ipc.js";
import { say } from "../../lib/say.js";

/** A text input with sensible desk defaults (no autofill, no spellcheck). */
export function input(name, props = {}) {
  return h("input", { name, autocomplete: "off", spellcheck: "false", ...props });
}

/** Shows the core's field problems next to the fields a form knows by name. */
export function showFieldErrors(controls, card, problems) {
  for (const p of problems) {
    if (p.field.startsWith("card.") && card) card.showErrors([p]);
    else if (controls[p.field]) setFieldError(controls[p.field], say(null, p));
  }
}

export function clearErrors(controls) {
  for (const control of Object.values(controls)) setFieldError(control, null);
}

/** Calls a `pay_*` command, passing the journaled payment's id to `onStarted` as soon as it exists. */
export function payCommand(command, request, onStarted) {
  return call(command, { request, onStarted: channel(onStarted) });
}

/** Replaces a button's content with a spinner while `work` runs. */
export async function busy(button, label, work) {
  const before = [...button.childNodes];
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), label);
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.replaceChildren(...before);
  }
}

/**
 * The core's reading of a typed amount (`read_amount`): the amount it will send, or null after
 * showing its problem against `control`. The window parses no amount itself.
 */
export async function readAmount(control, currency) {
  try {
    return await call("read_amount", { field: "amount", text: control.value, currency });
  } catch (error) {
    const problem = error instanceof CommandError ? error.fields.find((p) => p.field === "amount") : null;
    if (!problem) throw error;
    setFieldError(control, say(null, problem));
    return null;
  }
}

/** Puts a value into an input as if typed, so its listeners run, and focuses it. */
export function typeInto(input, value) {
  input.value = value;
  input.dispatchEvent(new Event("input"));
  input.focus();
}
