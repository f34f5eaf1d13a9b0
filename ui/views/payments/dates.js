// Day fields for the date filters: typed as YYYY-MM-DD (or DD/MM/YYYY, as desks in Europe and
// Latin America write it), read as local days. Plain text fields: the same on every platform.

import { h } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";

register({
  en: { "date.placeholder": "YYYY-MM-DD", "date.bad": "Write the date as YYYY-MM-DD, e.g. 2026-11-20" },
  es: { "date.placeholder": "AAAA-MM-DD", "date.bad": "Escriba la fecha como AAAA-MM-DD, p. ej. 2026-11-20" },
});

export function dateInput(id) {
  return h("input", { type: "text", id, class: "num", inputmode: "numeric", autocomplete: "off", spellcheck: "false", maxlength: 10 });
}

/** A typed day → local midnight Date; undefined when empty, null when it is not a real date. */
export function parseDay(text) {
  const clean = String(text ?? "").trim();
  if (!clean) return undefined;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(clean);
  let [y, mo, d] = m ? [m[1], m[2], m[3]] : [];
  if (!m) {
    m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(clean);
    if (!m) return null;
    [d, mo, y] = [m[1], m[2], m[3]];
  }
  const date = new Date(Number(y), Number(mo) - 1, Number(d));
  return date.getMonth() === Number(mo) - 1 && date.getDate() === Number(d) ? date : null;
}

export function dayText(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

export function relabelDate(input) {
  input.placeholder = t("date.placeholder");
}

export function badDate() {
  return t("date.bad");
}
