// A modal dialog for one action: a title, the form or content, and Cancel / confirm buttons.
// Enter confirms (a form submit), Esc cancels (the dialog's own cancel), the confirm button
// shows a spinner while the command runs, and the command's refusal is shown inside the dialog
// without closing it. Focus goes back to where it was when the dialog closes.

import { h, newId, setFieldError } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { say } from "../lib/say.js";

/**
 * openDialog({ id, title, body, confirm, onConfirm, hint, wide, cancelLabel }) → handle
 * `onConfirm()` may throw (the message is shown) or return false (stay open, e.g. a field
 * error was shown); anything else closes the dialog. Without `confirm` the dialog only informs
 * and has a Close button. `extraActions` are buttons placed before the confirm button.
 */
export function openDialog({ id, title, body, confirm, onConfirm, hint, wide = false, cancelLabel, extraActions = [], onClose }) {
  const titleId = newId("dlg-title");
  const returnTo = document.activeElement;
  const alert = h("p", { class: "form-alert", role: "alert", hidden: true, id: id ? `${id}-error` : undefined });
  const cancel = h("button", { type: "button", id: id ? `${id}-cancel` : undefined, onclick: () => close() }, cancelLabel ?? (confirm ? t("common.cancel") : t("common.close")));
  const confirmButton = confirm ? h("button", { type: "submit", class: "primary", id: id ? `${id}-confirm` : undefined }, confirm) : null;
  const closeX = h("button", { type: "button", class: "icon-button dialog-x", "aria-label": t("common.close"), onclick: () => close() }, "×");
  const form = h(
    "form",
    { class: "dialog-form", novalidate: true },
    h("header", { class: "dialog-head" }, h("h2", { id: titleId, text: title }), closeX),
    h("div", { class: "dialog-body" }, body),
    alert,
    h("div", { class: "dialog-actions" }, cancel, extraActions, confirmButton),
    hint ? h("p", { class: "hint dialog-hint", text: hint }) : null,
  );
  const dialog = h("dialog", { class: wide ? "fp-dialog wide" : "fp-dialog", id, "aria-labelledby": titleId }, form);
  let busy = false;
  let closed = false;

  function showError(error) {
    const message = say(null, error);
    alert.textContent = message;
    alert.hidden = !message;
  }

  function close() {
    if (busy || closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    onClose?.();
    if (returnTo && document.contains(returnTo)) returnTo.focus();
  }

  async function run() {
    if (busy || !confirmButton) return;
    showError(null);
    const before = [...confirmButton.childNodes];
    busy = true;
    confirmButton.disabled = true;
    confirmButton.setAttribute("aria-busy", "true");
    confirmButton.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), t("common.working"));
    cancel.disabled = true;
    let outcome;
    try {
      outcome = await onConfirm();
    } catch (error) {
      outcome = false;
      showError(error);
    } finally {
      busy = false;
      confirmButton.disabled = false;
      confirmButton.removeAttribute("aria-busy");
      confirmButton.replaceChildren(...before);
      cancel.disabled = false;
    }
    if (outcome !== false) close();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close();
  });
  // Keys inside a dialog are the dialog's: the views behind it do not see them.
  dialog.addEventListener("keydown", (event) => {
    const typing = event.target.matches("textarea") ? !event.shiftKey : event.target.matches("input, select");
    if (event.key === "Enter" && typing && !event.isComposing) {
      event.preventDefault();
      run();
    }
    event.stopPropagation();
  });

  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector(".dialog-body input:not([disabled]):not([type=hidden]), .dialog-body textarea, .dialog-body select");
  (first ?? confirmButton ?? cancel).focus();

  return { dialog, close, showError, confirmButton, setBusy: (on) => (busy = on), get open() { return !closed; } };
}

/** Whether a modal dialog is open (views ignore their own keys meanwhile). */
export function dialogOpen() {
  return Boolean(document.querySelector("dialog[open]"));
}

/** A labelled radio group: [[value, label]] → { element, value() }. */
export function radioGroup(name, legend, options, { checked, onchange, id } = {}) {
  const inputs = [];
  const element = h(
    "fieldset",
    { class: "methods", id },
    h("legend", { text: legend }),
    options.map(([value, label]) => {
      const input = h("input", { type: "radio", name, value, checked: value === checked, onchange: () => onchange?.(value) });
      inputs.push(input);
      return h("label", { class: "choice" }, input, h("span", { text: label }));
    }),
  );
  return {
    element,
    inputs,
    value: () => inputs.find((i) => i.checked)?.value ?? null,
    focus: () => (inputs.find((i) => i.checked) ?? inputs[0])?.focus(),
  };
}

export { setFieldError };
