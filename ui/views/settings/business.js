// Settings → Business: who receipts are issued by (name, address, tax number, phone, email, logo)
// and the business's own mail server they are emailed through. Desk-wide: the same in both
// profiles. The view shows what `business_settings` returns and sends what was typed; the core
// checks every value (its refusals are said by code) and keeps the server's password in the OS
// keyring — the password exists in this page only inside its input while it is typed.

import { h, field, setFieldError, showFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { toneIcon } from "../../components/status.js";
import { busy } from "../take/common.js";
import { confirmDialog } from "./dialog.js";
import { say } from "./strings.js";

register({
  en: {
    "biz.title": "Business",
    "biz.about": "Receipts carry these details, in both profiles.",
    "biz.loading": "Reading the business's details…",
    "biz.load_failed": "The business's details could not be read: {message}",
    "biz.name": "Business name",
    "biz.address": "Address",
    "biz.address_hint": "One line of the address per line, at most {max}.",
    "biz.tax_label": "Tax number's name",
    "biz.tax_label_hint": "As it is called where you are: VAT, NIT, CIF…",
    "biz.tax_number": "Tax number",
    "biz.phone": "Phone",
    "biz.email": "Email",
    "biz.email_hint": "Printed on receipts, and where customers' replies go.",
    "biz.logo": "Logo",
    "biz.logo_hint": "PNG or JPEG, at most {kb} KB. Receipts print it about 4 cm wide.",
    "biz.logo_none": "No logo yet.",
    "biz.logo_choose": "Choose a logo",
    "biz.logo_remove": "Remove logo",
    "biz.logo_saved": "Logo saved",
    "biz.logo_removed": "Logo removed",
    "biz.logo_alt": "The business's logo",
    "biz.mail": "Email receipts",
    "biz.mail_about": "Receipts are emailed through your business's own mail server (SMTP).",
    "biz.host": "Mail server",
    "biz.host_hint": "Its name, e.g. smtp.example.com. Empty: receipts are not emailed.",
    "biz.port": "Port",
    "biz.port_hint": "Empty for the usual one ({port}).",
    "biz.security": "Security",
    "biz.security.starttls": "STARTTLS (usually port 587)",
    "biz.security.tls": "TLS from the start (usually port 465)",
    "biz.security.none": "None — only for a server on this computer",
    "biz.username": "User name",
    "biz.username_hint": "Empty if the server takes mail without signing in.",
    "biz.from": "Send from",
    "biz.from_hint": "The address receipts come from, e.g. receipts@example.com.",
    "biz.password": "Mail server password",
    "biz.password_stored": "Mail server password stored in the keyring",
    "biz.password_forgotten": "Mail server password removed from the keyring",
    "biz.forget_body": "It is removed from the OS keyring. Receipts cannot be emailed until you store it again.",
  },
  es: {
    "biz.title": "Empresa",
    "biz.about": "Los recibos llevan estos datos, en los dos perfiles.",
    "biz.loading": "Leyendo los datos de la empresa…",
    "biz.load_failed": "No se pudieron leer los datos de la empresa: {message}",
    "biz.name": "Nombre de la empresa",
    "biz.address": "Dirección",
    "biz.address_hint": "Una línea de la dirección por línea, como mucho {max}.",
    "biz.tax_label": "Nombre del número fiscal",
    "biz.tax_label_hint": "Como se llama donde está: NIT, CIF, IVA…",
    "biz.tax_number": "Número fiscal",
    "biz.phone": "Teléfono",
    "biz.email": "Correo electrónico",
    "biz.email_hint": "Se imprime en los recibos, y ahí llegan las respuestas de los clientes.",
    "biz.logo": "Logotipo",
    "biz.logo_hint": "PNG o JPEG, como mucho {kb} KB. Los recibos lo imprimen con unos 4 cm de ancho.",
    "biz.logo_none": "Aún no hay logotipo.",
    "biz.logo_choose": "Elegir un logotipo",
    "biz.logo_remove": "Quitar el logotipo",
    "biz.logo_saved": "Logotipo guardado",
    "biz.logo_removed": "Logotipo quitado",
    "biz.logo_alt": "Logotipo de la empresa",
    "biz.mail": "Enviar recibos por correo",
    "biz.mail_about": "Los recibos se envían por el servidor de correo (SMTP) de su propia empresa.",
    "biz.host": "Servidor de correo",
    "biz.host_hint": "Su nombre, p. ej. smtp.example.com. Vacío: los recibos no se envían por correo.",
    "biz.port": "Puerto",
    "biz.port_hint": "Vacío para el habitual ({port}).",
    "biz.security": "Seguridad",
    "biz.security.starttls": "STARTTLS (normalmente el puerto 587)",
    "biz.security.tls": "TLS desde el principio (normalmente el puerto 465)",
    "biz.security.none": "Ninguna — solo para un servidor en este equipo",
    "biz.username": "Usuario",
    "biz.username_hint": "Vacío si el servidor acepta correo sin iniciar sesión.",
    "biz.from": "Enviar desde",
    "biz.from_hint": "La dirección de la que salen los recibos, p. ej. recibos@example.com.",
    "biz.password": "Contraseña del servidor de correo",
    "biz.password_stored": "Contraseña del servidor de correo guardada en el llavero",
    "biz.password_forgotten": "Contraseña del servidor de correo eliminada del llavero",
    "biz.forget_body": "Se elimina del llavero del sistema. Los recibos no se podrán enviar por correo hasta que la vuelva a guardar.",
  },
});

// Every code the core sends about the business or its mail server (farepoint_core::settings::Code).
register({
  en: {
    "code.one_line": "must be one line of plain text",
    "code.address_lines": "has {count} lines; at most {max} fit on a receipt — join some",
    "code.phone_text": "'{value}' is not a phone number — use digits, spaces and + - ( ) . only",
    "code.email_address": "'{value}' is not an email address (name@example.com)",
    "code.logo_type": "the logo must be a PNG or JPEG picture",
    "code.logo_too_large": "the logo is {bytes} bytes; at most {max} fit — save it smaller (a receipt prints it about 4 cm wide)",
    "code.logo_pixels": "the logo is {width}×{height} pixels; each side must be {min} to {max} pixels",
    "code.logo_unreadable": "the picture cannot be read ({reason}) — save it again as PNG or JPEG",
    "code.smtp_host": "'{value}' is not a server name — enter it like smtp.example.com",
    "code.smtp_port": "'{value}' is not a port — enter a number from 1 to 65535 (587 for STARTTLS, 465 for TLS)",
    "code.smtp_plain": "mail without encryption is only for a server on this computer — choose STARTTLS or TLS for {value}",
    "code.smtp_no_username": "enter the user name first: the password goes with it",
  },
  es: {
    "code.one_line": "debe ser una sola línea de texto",
    "code.address_lines": "tiene {count} líneas; en un recibo caben como mucho {max} — junte algunas",
    "code.phone_text": "'{value}' no es un número de teléfono — use solo cifras, espacios y + - ( ) .",
    "code.email_address": "'{value}' no es una dirección de correo (nombre@example.com)",
    "code.logo_type": "el logotipo debe ser una imagen PNG o JPEG",
    "code.logo_too_large": "el logotipo ocupa {bytes} bytes; caben como mucho {max} — guárdelo más pequeño (un recibo lo imprime con unos 4 cm de ancho)",
    "code.logo_pixels": "el logotipo mide {width}×{height} píxeles; cada lado debe medir de {min} a {max} píxeles",
    "code.logo_unreadable": "la imagen no se puede leer ({reason}) — vuelva a guardarla como PNG o JPEG",
    "code.smtp_host": "'{value}' no es un nombre de servidor — escríbalo como smtp.example.com",
    "code.smtp_port": "'{value}' no es un puerto — escriba un número de 1 a 65535 (587 para STARTTLS, 465 para TLS)",
    "code.smtp_plain": "el correo sin cifrar es solo para un servidor en este equipo — elija STARTTLS o TLS para {value}",
    "code.smtp_no_username": "escriba antes el usuario: la contraseña va con él",
  },
});

/** The business's fields, in the order shown: [key, label, options]. */
const DETAILS = [
  ["name", "biz.name", { required: true }],
  ["address", "biz.address", { multiline: true, hint: (limits) => t("biz.address_hint", { max: limits.address_lines }) }],
  ["tax_label", "biz.tax_label", { hint: () => t("biz.tax_label_hint") }],
  ["tax_number", "biz.tax_number", {}],
  ["phone", "biz.phone", { type: "tel" }],
  ["email", "biz.email", { type: "email", hint: () => t("biz.email_hint") }],
];
const MAIL = [
  ["host", "biz.host", { hint: () => t("biz.host_hint") }],
  ["security", "biz.security", { choice: true }],
  ["port", "biz.port", { inputmode: "numeric" }],
  ["username", "biz.username", { hint: () => t("biz.username_hint") }],
  ["from", "biz.from", { type: "email", hint: () => t("biz.from_hint") }],
];

export class BusinessPanel {
  constructor(view) {
    this.view = view;
    this.page = null;
    this.loadError = null;
    this.loading = null;
    this.controls = new Map(); // key → input, kept across renders (drafts survive a re-render)
    this.errors = new Map(); // key → () => message
    this.notices = new Map(); // "details" | "logo" | "mail" | "password" → () => message
    this.password = null;
    this.load();
  }

  load() {
    this.loading ??= (async () => {
      try {
        this.apply(await call("business_settings"));
        this.loadError = null;
      } catch (error) {
        this.loadError = error;
      } finally {
        this.loading = null;
      }
      this.view.render();
    })();
    return this.loading;
  }

  /** Takes a command's answer: stored values replace the inputs' unless the clerk changed them. */
  apply(page) {
    this.page = page;
    const values = { ...page.business, address: page.business.address.join("\n"), ...page.smtp, port: String(page.smtp.port) };
    for (const [key] of [...DETAILS, ...MAIL]) {
      const control = this.controls.get(key);
      if (control) this.fill(control, values[key] ?? "");
    }
  }

  fill(control, value) {
    if (control.dataset.saved === undefined || control.value === control.dataset.saved) control.value = value;
    control.dataset.saved = value;
  }

  /** One input, the same element across renders. */
  control(key, options) {
    let control = this.controls.get(key);
    if (!control) {
      const props = { id: `biz-${key.replace(/_/g, "-")}`, name: key, autocomplete: "off", spellcheck: "false" };
      if (options.choice) {
        control = h("select", props, (this.page?.securities ?? []).map((c) => h("option", { value: c.security })));
        control.addEventListener("change", () => this.view.render());
      } else if (options.multiline) {
        control = h("textarea", { ...props, rows: 3 });
      } else {
        control = h("input", { ...props, type: options.type ?? "text", inputmode: options.inputmode });
      }
      control.addEventListener("input", () => this.edited(key));
      this.controls.set(key, control);
      const page = this.page;
      if (page) {
        const values = { ...page.business, address: page.business.address.join("\n"), ...page.smtp, port: String(page.smtp.port) };
        this.fill(control, values[key] ?? "");
      }
    }
    if (options.choice) {
      for (const option of control.options) option.textContent = t(`biz.security.${option.value}`);
    }
    if (options.required) control.setAttribute("aria-required", "true");
    return control;
  }

  edited(key) {
    if (this.errors.delete(key)) setFieldError(this.controls.get(key), null);
  }

  fields(list) {
    const limits = this.page.limits;
    return list.map(([key, labelKey, options]) => {
      const control = this.control(key, options);
      let hint = options.hint?.(limits);
      if (key === "port") {
        const chosen = this.page.securities.find((c) => c.security === this.controls.get("security")?.value);
        hint = t("biz.port_hint", { port: chosen?.default_port ?? "" });
      }
      const wrap = field(t(labelKey), control, { hint, wide: options.multiline });
      if (options.required) wrap.querySelector("label").append(h("span", { class: "set-required", "aria-hidden": "true", text: " *" }));
      showFieldError(wrap.querySelector(".field-error"), control, this.errors.get(key)?.());
      return wrap;
    });
  }

  notice(key) {
    const text = this.notices.get(key)?.();
    return h("p", { class: "set-notice", role: "status", id: `biz-notice-${key}` }, text ? [toneIcon("good"), h("span", { text })] : null);
  }

  element() {
    const section = h(
      "section",
      { class: "panel set-section set-business", id: "settings-business", "aria-labelledby": "settings-h-business" },
      h("h2", { id: "settings-h-business", text: t("biz.title") }),
      h("p", { class: "set-about", text: t("biz.about") }),
    );
    if (!this.page) {
      section.append(
        this.loadError
          ? h("p", { class: "form-alert", role: "alert", text: t("biz.load_failed", { message: say(null, this.loadError) }) })
          : h("p", { class: "set-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("biz.loading")),
      );
      return section;
    }
    const details = this.form("details", DETAILS, "biz-form", "biz-save", "save_business", "business");
    const mail = this.form("mail", MAIL, "biz-mail-form", "biz-mail-save", "save_smtp", "smtp");
    section.append(
      details,
      h("h3", { class: "set-business-h", id: "biz-h-logo", text: t("biz.logo") }),
      this.logo(),
      h("h3", { class: "set-business-h", id: "biz-h-mail", text: t("biz.mail") }),
      h("p", { class: "hint", text: t("biz.mail_about") }),
      mail,
      // A password only goes with a user name: a server that takes mail without one has none.
      this.page.smtp.username ? this.passwordRow() : null,
    );
    return section;
  }

  logo() {
    const { business, limits } = this.page;
    const logo = business.logo;
    const input = h("input", { type: "file", id: "biz-logo-file", name: "logo", accept: limits.logo_types.join(","), onchange: () => this.pickLogo(input) });
    const wrap = field(t("biz.logo_choose"), input, { hint: t("biz.logo_hint", { kb: Math.floor(limits.logo_bytes / 1024) }) });
    showFieldError(wrap.querySelector(".field-error"), input, this.errors.get("logo")?.());
    return h(
      "div",
      { class: "set-logo" },
      h(
        "div",
        { class: "set-logo-preview", id: "biz-logo-preview" },
        logo
          ? h("img", { src: logo.data_url, alt: t("biz.logo_alt"), id: "biz-logo-img", width: logo.width, height: logo.height })
          : h("p", { class: "muted", text: t("biz.logo_none") }),
      ),
      h(
        "div",
        { class: "set-logo-pick" },
        wrap,
        h(
          "div",
          { class: "actions" },
          this.notice("logo"),
          logo ? h("button", { type: "button", id: "biz-logo-remove", onclick: (e) => this.removeLogo(e.currentTarget) }, t("biz.logo_remove")) : null,
        ),
      ),
    );
  }

  passwordRow() {
    const keyringOk = this.page.password_stored !== null && this.page.password_stored !== undefined;
    const stored = this.page.password_stored === true;
    this.password ??= h("input", { type: "password", id: "biz-password", name: "password", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
    const input = this.password;
    input.disabled = !keyringOk;
    input.placeholder = stored ? t("set.replace_value") : t("set.new_value");
    const state = !keyringOk
      ? h("span", { class: "pill tone-warn", id: "biz-password-state", dataset: { stored: "unknown" } }, toneIcon("warn"), h("span", { text: t("set.state_unknown") }))
      : stored
      ? h("span", { class: "pill tone-good", id: "biz-password-state", dataset: { stored: "true" } }, toneIcon("good"), h("span", { text: t("set.stored") }))
      : h("span", { class: "pill tone-outline", id: "biz-password-state", dataset: { stored: "false" } }, toneIcon("outline"), h("span", { text: t("set.not_stored") }));
    const storeButton = h("button", { type: "submit", id: "biz-password-store", disabled: !keyringOk }, t("set.store"));
    const forget = stored ? h("button", { type: "button", class: "danger", id: "biz-password-forget", onclick: () => this.forgetPassword() }, t("set.forget")) : null;
    const error = h("p", { class: "field-error", id: "biz-password-error", role: "alert", hidden: true });
    input.setAttribute("aria-describedby", `biz-password-state ${error.id}`);
    showFieldError(error, input, this.errors.get("password")?.());
    const row = h(
      "form",
      { class: "set-secret", id: "biz-password-form", novalidate: true, onsubmit: (e) => this.storePassword(e, storeButton) },
      h("div", { class: "set-secret-head" }, h("label", { for: input.id, class: "set-secret-label", text: t("biz.password") }), state),
      input,
      h("div", { class: "set-secret-actions" }, storeButton, forget),
      error,
    );
    return [h("div", { class: "set-secrets" }, row), this.notice("password")];
  }

  // ---------------------------------------------------------------------------------------------
  // Actions

  /** A refusal said by code (again at each render, in the language then chosen): each problem
   *  under its field, anything else under `fallback`. Returns the first field to focus. */
  refused(error, fallback) {
    const problems = error?.fields?.length ? error.fields : [{ field: fallback, ...error }];
    for (const problem of problems) this.errors.set(problem.field, () => say(null, problem));
    return problems[0].field;
  }

  async run(button, label, keys, notice, work, fallback) {
    for (const key of keys) this.errors.delete(key);
    this.notices.clear();
    let focus = button.id;
    try {
      this.apply(await busy(button, label, work));
      // What was saved is shown as the core keeps it (trimmed, empty lines dropped, the port filled).
      for (const key of keys) {
        const control = this.controls.get(key);
        if (control) control.value = control.dataset.saved;
      }
      this.notices.set(notice.key, notice.text);
    } catch (error) {
      const key = this.refused(error, fallback);
      focus = key === "password" ? "biz-password" : this.controls.get(key)?.id ?? (key === "logo" ? "biz-logo-file" : focus);
    }
    this.view.render({ focus });
  }

  /** A form of `list`'s fields whose Save sends them all to `command` as `arg`. */
  form(notice, list, id, buttonId, command, arg) {
    const button = h("button", { type: "submit", class: "primary", id: buttonId }, t("set.save"));
    const save = (event) => {
      event.preventDefault();
      const values = Object.fromEntries(list.map(([key]) => [key, this.controls.get(key).value]));
      const keys = list.map(([key]) => key);
      this.run(button, t("set.saving"), keys, { key: notice, text: () => t("set.saved") }, () => call(command, { [arg]: values }), keys[0]);
    };
    return h(
      "form",
      { class: "set-form", id, novalidate: true, onsubmit: save },
      h("div", { class: "grid" }, this.fields(list)),
      h("div", { class: "actions" }, this.notice(notice), button),
    );
  }

  /** Reads the picked file and sends it; a file larger than the core takes is said in its words. */
  async pickLogo(input) {
    const file = input.files?.[0];
    if (!file) return;
    this.errors.delete("logo");
    this.notices.clear();
    const max = this.page.limits.logo_bytes;
    if (file.size > max) {
      // The core's own refusal, said before the picture is sent (it would not fit one message).
      this.errors.set("logo", () => say(null, { code: "logo_too_large", params: { bytes: String(file.size), max: String(max) } }));
      this.view.render({ focus: "biz-logo-file" });
      return;
    }
    const data = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1] ?? "");
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    let focus = "biz-logo-file";
    try {
      this.apply(await call("set_business_logo", { data }));
      this.notices.set("logo", () => t("biz.logo_saved"));
      focus = "biz-logo-remove";
    } catch (error) {
      this.refused(error, "logo");
    }
    this.view.render({ focus });
  }

  async removeLogo(button) {
    this.errors.delete("logo");
    this.notices.clear();
    try {
      this.apply(await busy(button, t("common.working"), () => call("remove_business_logo")));
      this.notices.set("logo", () => t("biz.logo_removed"));
    } catch (error) {
      this.refused(error, "logo");
    }
    this.view.render({ focus: "biz-logo-file" });
  }

  async storePassword(event, button) {
    event.preventDefault();
    const input = this.password;
    this.errors.delete("password");
    this.notices.clear();
    if (!input.value) {
      this.errors.set("password", () => t("set.type_first"));
      this.view.render({ focus: input.id });
      return;
    }
    // The value leaves the page now: the input is emptied before the answer comes back.
    const sent = call("store_smtp_password", { value: input.value });
    input.value = "";
    await this.run(button, t("set.storing"), [], { key: "password", text: () => t("biz.password_stored") }, () => sent, "password");
  }

  async forgetPassword() {
    this.notices.clear();
    let page = null;
    const forgotten = await confirmDialog({
      title: t("set.forget_title", { label: t("biz.password") }),
      body: [t("biz.forget_body")],
      confirm: t("set.forget"),
      busyLabel: t("set.forgetting"),
      danger: true,
      action: async () => {
        page = await call("forget_smtp_password");
      },
    });
    if (!forgotten) return;
    this.apply(page);
    this.notices.set("password", () => t("biz.password_forgotten"));
    this.view.render({ focus: "biz-password" });
  }
}
