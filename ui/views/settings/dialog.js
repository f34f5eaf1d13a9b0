// A modal confirmation: what will happen, Cancel, and the action, which runs inside the dialog
// with a spinner on its button; a refusal is shown in the dialog, which stays open. Esc cancels.

import { h } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { busy } from "../take/common.js";
import { say } from "./strings.js";

/**
 * confirmDialog({ title, body: [text…], confirm, busyLabel, danger, action }) → Promise<boolean>:
 * true once `action` has succeeded, false when cancelled.
 */
export function confirmDialog({ title, body, confirm, busyLabel, danger = false, action }) {
  return new Promise((resolve) => {
    let done = false;
    let running = false;
    const alert = h("p", { class: "form-alert", role: "alert", hidden: true });
    const cancel = h("button", { type: "button", id: "dialog-cancel", onclick: () => close(false) }, t("common.cancel"));
    const ok = h("button", { type: "button", id: "dialog-confirm", class: danger ? "danger" : "primary", onclick: () => run() }, confirm);
    const dialog = h(
      "dialog",
      { class: "set-dialog", id: "settings-dialog", "aria-labelledby": "settings-dialog-title" },
      h("h2", { id: "settings-dialog-title", text: title }),
      body.map((text) => h("p", { text })),
      alert,
      h("div", { class: "actions" }, cancel, ok),
    );
    const opener = document.activeElement;

    function close(result) {
      if (done || running) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(result);
    }

    async function run() {
      if (running) return;
      running = true;
      alert.hidden = true;
      cancel.disabled = true;
      try {
        await busy(ok, busyLabel, action);
        running = false;
        close(true);
      } catch (error) {
        running = false;
        cancel.disabled = false;
        alert.textContent = say(null, error);
        alert.hidden = false;
        ok.focus();
      }
    }

    // Esc: the browser's cancel event; refused while the action runs.
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    // Cancel first: Enter must never switch to real money or forget a credential by accident.
    cancel.focus();
  });
}
