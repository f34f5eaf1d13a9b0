// A payment's receipt: built by the core in the agent's language (`payment_receipt`), drawn here
// as served, previewed in a dialog and printed alone (the frame is hidden by the print rules in
// payments.css), saved as PDF in the receipts folder or emailed to the customer — both made by
// the core, so the file and the email say what the dialog shows (docs/ui.md §11).

import { h, fill, field, setFieldError } from "../../lib/dom.js";
import { t, register, currentLocale } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { say } from "../../lib/say.js";
import { openDialog } from "../../components/dialog.js";
import { toneIcon } from "../../components/status.js";
import { busy } from "../take/common.js";

register({
  en: {
    "receipt.title": "Receipt",
    "receipt.print": "Print",
    "receipt.hint": "Enter or Ctrl+P prints · Esc closes",
    "receipt.save": "Save as PDF",
    "receipt.saving": "Saving…",
    "receipt.saved": "Saved as {file}",
    "receipt.saved_in": "In {folder}",
    "receipt.open_folder": "Open folder",
    "receipt.email": "Email…",
    "receipt.email_to": "Customer's email",
    "receipt.email_hint": "The receipt goes with its PDF through your business's mail server.",
    "receipt.send": "Send",
    "receipt.sending": "Sending…",
    "receipt.sent": "Sent to {to} through {server}",
    "receipt.open_settings": "Open Settings",
    "receipt.no_business": "This receipt names no business yet: add its name, address and tax number in Settings → Business.",
    "receipt.logo": "{name} logo",
    // The core's refusals about receipts (farepoint_core::codes::ErrorCode), said by code.
    "code.receipt_pdf": "could not make the receipt's PDF: {reason}",
    "code.receipt_save": "could not save the receipt in {folder}: {reason}",
    "code.folder_open": "could not open the folder {folder}: {reason}",
    "code.smtp_not_set_up": "no mail server is set up — enter the business's mail server in Settings → Business",
    "code.smtp_password_missing": "the mail server's password is not stored in the keyring — store it in Settings → Business",
    "code.smtp_keyring": "the mail server's password could not be read from the OS keyring: {reason}",
    "code.smtp_unreachable": "could not connect to the mail server {server}: {reason} — check its name and port in Settings → Business, and the network",
    "code.smtp_tls": "the secure connection to the mail server {server} failed: {reason} — check its security setting in Settings → Business",
    "code.smtp_refused": "the mail server {server} refused the message: {reply}",
    "code.smtp_failed": "sending through the mail server {server} failed: {reason}",
  },
  es: {
    "receipt.title": "Recibo",
    "receipt.print": "Imprimir",
    "receipt.hint": "Intro o Ctrl+P imprime · Esc cierra",
    "receipt.save": "Guardar en PDF",
    "receipt.saving": "Guardando…",
    "receipt.saved": "Guardado como {file}",
    "receipt.saved_in": "En {folder}",
    "receipt.open_folder": "Abrir carpeta",
    "receipt.email": "Enviar por correo…",
    "receipt.email_to": "Correo del cliente",
    "receipt.email_hint": "El recibo sale con su PDF por el servidor de correo de su empresa.",
    "receipt.send": "Enviar",
    "receipt.sending": "Enviando…",
    "receipt.sent": "Enviado a {to} por {server}",
    "receipt.open_settings": "Abrir Ajustes",
    "receipt.no_business": "Este recibo aún no nombra ninguna empresa: añada su nombre, dirección y número fiscal en Ajustes → Empresa.",
    "receipt.logo": "Logotipo de {name}",
    "code.receipt_pdf": "no se pudo crear el PDF del recibo: {reason}",
    "code.receipt_save": "no se pudo guardar el recibo en {folder}: {reason}",
    "code.folder_open": "no se pudo abrir la carpeta {folder}: {reason}",
    "code.smtp_not_set_up": "no hay ningún servidor de correo configurado — introduzca el de la empresa en Ajustes → Empresa",
    "code.smtp_password_missing": "la contraseña del servidor de correo no está en el llavero — guárdela en Ajustes → Empresa",
    "code.smtp_keyring": "no se pudo leer la contraseña del servidor de correo del llavero del sistema: {reason}",
    "code.smtp_unreachable": "no se pudo conectar con el servidor de correo {server}: {reason} — compruebe su nombre y su puerto en Ajustes → Empresa, y la red",
    "code.smtp_tls": "falló la conexión segura con el servidor de correo {server}: {reason} — compruebe su seguridad en Ajustes → Empresa",
    "code.smtp_refused": "el servidor de correo {server} rechazó el mensaje: {reply}",
    "code.smtp_failed": "falló el envío por el servidor de correo {server}: {reason}",
  },
});

/** What the core needs to write the receipt: the window's language and UTC offset now. */
function receiptRequest() {
  return { locale: currentLocale(), utc_offset_minutes: -new Date().getTimezoneOffset() };
}

function lines(list, idPrefix) {
  return list.map((line) => [
    h("dt", { text: line.label }),
    h("dd", { class: "num", id: line.key && idPrefix ? `${idPrefix}-${line.key}` : undefined, text: line.value || t("common.none") }),
  ]);
}

function table(data, id) {
  return h(
    "table",
    { class: "receipt-table", id },
    h("caption", { text: data.heading }),
    h("thead", {}, h("tr", {}, data.columns.map((c) => h("th", { scope: "col", text: c })))),
    h("tbody", {}, data.rows.map((row) => h("tr", {}, row.map((cell) => h("td", { class: "num", text: cell }))))),
  );
}

/** The receipt as an element, exactly as the core wrote it (the same one is shown and printed). */
export function receiptElement(r) {
  const issuer = r.issuer
    ? h(
        "div",
        { class: "receipt-issuer" },
        r.issuer.logo ? h("img", { class: "receipt-logo", src: r.issuer.logo.data_url, alt: t("receipt.logo", { name: r.issuer.name }), width: r.issuer.logo.width, height: r.issuer.logo.height }) : null,
        h("div", {}, h("p", { class: "receipt-brand", id: "receipt-business", text: r.issuer.name }), r.issuer.lines.map((line) => h("p", { class: "receipt-issuer-line", text: line }))),
      )
    : h("div", { class: "receipt-issuer" });
  return h(
    "article",
    { class: "receipt", id: "receipt", lang: r.locale, "aria-label": r.title },
    h("header", { class: "receipt-head" }, issuer, h("div", { class: "receipt-title" }, h("h3", { text: r.title }), h("p", { class: "num", text: r.reference }))),
    r.test ? h("p", { class: "receipt-test", id: "receipt-test", text: r.test }) : null,
    h(
      "div",
      { class: "receipt-amount" },
      h("p", { class: "receipt-amount-label", text: r.amount_label }),
      h("p", { class: "amount-big num", id: "receipt-amount", text: r.amount_text }),
      h("p", { class: "receipt-status", id: "receipt-status", text: r.status_text }),
    ),
    h("dl", { class: "facts receipt-facts" }, lines(r.facts, "receipt")),
    r.paid_for.length
      ? h("section", { class: "receipt-section", "aria-labelledby": "receipt-paid-for-h" }, h("h4", { id: "receipt-paid-for-h", text: r.paid_for_heading }), h("dl", { class: "facts receipt-facts" }, lines(r.paid_for, "receipt-paid")))
      : null,
    r.totals.length ? h("dl", { class: "facts receipt-facts receipt-totals", id: "receipt-totals" }, lines(r.totals, "receipt-total")) : null,
    r.tickets ? table(r.tickets, "receipt-tickets") : null,
    r.refunds ? table(r.refunds, "receipt-refunds") : null,
    h("footer", { class: "receipt-foot" }, h("p", { text: r.issued })),
  );
}

/** Puts a copy of the receipt where only the printer sees it, and prints. */
export function printReceipt(element) {
  let area = document.getElementById("print-area");
  if (!area) {
    area = h("div", { id: "print-area", class: "print-area", "aria-hidden": "true" });
    document.body.append(area);
  }
  const copy = element.cloneNode(true);
  copy.removeAttribute("id");
  for (const el of copy.querySelectorAll("[id]")) el.removeAttribute("id");
  fill(area, copy);
  window.print();
}

/** Closes the dialog and shows Settings → Business. */
function openBusinessSettings(handle) {
  handle.close();
  location.hash = "settings";
  const started = Date.now();
  const focus = () => {
    const heading = document.getElementById("settings-h-business");
    if (heading) {
      heading.scrollIntoView({ block: "start" });
      document.getElementById("biz-name")?.focus({ preventScroll: true });
    } else if (Date.now() - started < 5000) {
      requestAnimationFrame(focus);
    }
  };
  focus();
}

/** The dialog's work below the receipt: saving it as PDF, emailing it, and what came of each. */
class ReceiptTasks {
  constructor(receipt, request) {
    this.receipt = receipt;
    this.request = request;
    this.element = h("div", { class: "receipt-tasks", id: "receipt-tasks" });
    this.saved = h("div", { class: "receipt-task", id: "receipt-saved", role: "status" });
    this.email = null; // the email form, once asked for
    this.handle = null;
    this.element.append(this.saved);
    if (!receipt.issuer) {
      this.element.prepend(
        h(
          "div",
          { class: "receipt-note", id: "receipt-no-business" },
          h("p", { text: t("receipt.no_business") }),
          h("button", { type: "button", class: "link", id: "receipt-settings-business", onclick: () => openBusinessSettings(this.handle) }, t("receipt.open_settings")),
        ),
      );
    }
  }

  async save(button) {
    this.handle.showError(null);
    try {
      const done = await busy(button, t("receipt.saving"), () => call("save_receipt_pdf", { paymentId: this.receipt.payment_id, request: this.request }));
      const file = done.path.slice(done.folder.length).replace(/^[\\/]/, "");
      fill(
        this.saved,
        h("p", { class: "receipt-done" }, toneIcon("good"), h("span", { text: t("receipt.saved", { file }) })),
        h("p", { class: "mono receipt-path", id: "receipt-saved-path", text: done.path }),
        h("button", { type: "button", id: "receipt-open-folder", onclick: () => this.openFolder() }, t("receipt.open_folder")),
      );
    } catch (error) {
      this.handle.showError(error);
    }
  }

  async openFolder() {
    this.handle.showError(null);
    try {
      await call("open_receipts_folder");
    } catch (error) {
      this.handle.showError(error);
    }
  }

  /** Shows the email form (once), its address filled from the payment where it holds one. */
  showEmail() {
    if (this.email) {
      this.email.input.focus();
      return;
    }
    const input = h("input", { type: "email", id: "receipt-email-to", name: "to", autocomplete: "off", spellcheck: "false", value: this.receipt.email_to ?? "" });
    const send = h("button", { type: "button", class: "primary", id: "receipt-email-send", onclick: () => this.send() }, t("receipt.send"));
    const result = h("div", { class: "receipt-task", id: "receipt-email-result", role: "status" });
    // Enter in the address sends the email; it must not reach the dialog, where Enter prints.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        event.stopPropagation();
        this.send();
      }
    });
    input.addEventListener("input", () => setFieldError(input, null));
    this.email = { input, send, result };
    const wrap = field(t("receipt.email_to"), input, { hint: t("receipt.email_hint") });
    wrap.classList.add("with-action");
    wrap.append(send);
    this.element.append(h("div", { class: "receipt-email", id: "receipt-email" }, wrap, result));
    input.focus();
  }

  async send() {
    const { input, send, result } = this.email;
    if (send.disabled) return;
    this.handle.showError(null);
    setFieldError(input, null);
    result.replaceChildren();
    try {
      const done = await busy(send, t("receipt.sending"), () =>
        call("email_receipt", { paymentId: this.receipt.payment_id, request: this.request, to: input.value }),
      );
      fill(result, h("p", { class: "receipt-done", id: "receipt-email-sent" }, toneIcon("good"), h("span", { text: t("receipt.sent", { to: done.to, server: done.server }) })));
    } catch (error) {
      const problem = error?.fields?.find((p) => p.field === "to");
      if (problem) {
        setFieldError(input, say(null, problem));
        input.focus();
        return;
      }
      // The core's words say what happened; the mail server's settings are one click away.
      fill(
        result,
        h("p", { class: "field-error", id: "receipt-email-error", role: "alert", text: say(null, error) }),
        h("button", { type: "button", class: "link", id: "receipt-email-settings", onclick: () => openBusinessSettings(this.handle) }, t("receipt.open_settings")),
      );
    }
  }
}

/** Reads the receipt of `paymentId` in the window's language and previews it in a dialog. */
export async function showReceipt(paymentId) {
  const request = receiptRequest();
  const receipt = await call("payment_receipt", { paymentId, request });
  const element = receiptElement(receipt);
  const tasks = new ReceiptTasks(receipt, request);
  const save = h("button", { type: "button", id: "receipt-save", onclick: () => tasks.save(save) }, t("receipt.save"));
  const email = h("button", { type: "button", id: "receipt-email-open", onclick: () => tasks.showEmail() }, t("receipt.email"));
  const handle = openDialog({
    id: "dialog-receipt",
    title: t("receipt.title"),
    // The receipt scrolls in its own region; what was done with it and the buttons stay in view.
    body: [h("div", { class: "receipt-scroll", tabindex: "0", role: "region", "aria-label": receipt.title }, element), tasks.element],
    confirm: t("receipt.print"),
    cancelLabel: t("common.close"),
    wide: true,
    hint: t("receipt.hint"),
    extraActions: [save, email],
    onConfirm: () => {
      printReceipt(element);
      return false; // the preview stays open after printing
    },
  });
  tasks.handle = handle;
  handle.dialog.addEventListener("keydown", (event) => {
    if (event.ctrlKey && (event.key === "p" || event.key === "P")) {
      event.preventDefault();
      printReceipt(element);
    }
  }, true);
  return handle;
}
