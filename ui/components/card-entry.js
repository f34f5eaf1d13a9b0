// The one card-entry component: brand shown as the number is typed, digits grouped as the
// brand groups them, Luhn and length checked when the number is complete, expiry "MM/YY" with
// an automatic slash, CVV length by brand, holder in capitals. Errors appear when a field is
// left or on submit — never while the first digits are still being typed. The brand table comes
// from the core (`card_rules`), which checks everything again on submit.

import { h, field, setFieldError } from "../lib/dom.js";
import { t, register } from "../lib/i18n.js";
import { call } from "../lib/ipc.js";
import { say } from "../lib/say.js";

register({
  en: {
    "card.number": "Card number",
    "card.expiry": "Expiry (MM/YY)",
    "card.cvv": "Security code",
    "card.holder": "Cardholder name",
    "card.legend": "Card",
    "card.err.number_empty": "Enter the card number",
    "card.err.brand": "We don't accept this kind of card — use Visa, Mastercard, American Express, Discover, Diners Club, JCB or UnionPay",
    "card.err.length": "A {brand} card number has {expected} digits — this one has {got}",
    "card.err.luhn": "This card number has a typo — check the digits",
    "card.err.expiry": "Enter the expiry as MM/YY, as printed on the card",
    "card.err.month": "The expiry month must be 01 to 12",
    "card.err.expired": "This card has expired — ask for another card",
    "card.err.cvv": "The security code is {n} digits",
    "card.err.holder": "Enter the cardholder's name as printed on the card",
    "card.err.holder_chars": "Use Latin letters, spaces, apostrophes, dots and dashes only",
  },
  es: {
    "card.number": "Número de tarjeta",
    "card.expiry": "Caducidad (MM/AA)",
    "card.cvv": "Código de seguridad",
    "card.holder": "Titular de la tarjeta",
    "card.legend": "Tarjeta",
    "card.err.number_empty": "Introduzca el número de tarjeta",
    "card.err.brand": "No aceptamos este tipo de tarjeta — use Visa, Mastercard, American Express, Discover, Diners Club, JCB o UnionPay",
    "card.err.length": "Una tarjeta {brand} tiene {expected} dígitos — esta tiene {got}",
    "card.err.luhn": "Este número de tarjeta tiene un error — revise los dígitos",
    "card.err.expiry": "Introduzca la caducidad como MM/AA, tal como figura en la tarjeta",
    "card.err.month": "El mes de caducidad debe ser de 01 a 12",
    "card.err.expired": "Esta tarjeta ha caducado — pida otra tarjeta",
    "card.err.cvv": "El código de seguridad tiene {n} dígitos",
    "card.err.holder": "Introduzca el nombre del titular tal como figura en la tarjeta",
    "card.err.holder_chars": "Use solo letras latinas, espacios, apóstrofos, puntos y guiones",
  },
});

let rulesPromise = null;
/** The brand table, read once from the core. */
export function cardRules() {
  rulesPromise ??= call("card_rules");
  return rulesPromise;
}

export function luhn(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function detect(rules, digits) {
  const range = rules.ranges.find((r) => digits.length >= r.digits && (() => {
    const p = Number(digits.slice(0, r.digits));
    return p >= r.low && p <= r.high;
  })());
  return range ? rules.brands.find((b) => b.brand === range.brand) : null;
}

/** Digits grouped as the brand prints them: Amex 4-6-5, Diners 4-6-4, others by fours. */
function group(digits, brand) {
  const pattern = brand?.brand === "amex" ? [4, 6, 5] : brand?.brand === "diners" && digits.length <= 14 ? [4, 6, 4] : null;
  const parts = [];
  if (pattern) {
    let at = 0;
    for (const size of pattern) {
      if (at >= digits.length) break;
      parts.push(digits.slice(at, at + size));
      at += size;
    }
  } else {
    for (let at = 0; at < digits.length; at += 4) parts.push(digits.slice(at, at + 4));
  }
  return parts.join(" ");
}

const BRAND_MARK = { visa: "VISA", mastercard: "MC", amex: "AMEX", discover: "DISC", diners: "DC", jcb: "JCB", unionpay: "UP" };

export class CardEntry {
  constructor() {
    this.rules = { ranges: [], brands: [] };
    this.brand = null;
    this.touched = new Set();
    this.number = h("input", { class: "num card-number", inputmode: "numeric", autocomplete: "off", spellcheck: "false", maxlength: 23, name: "card-number" });
    this.mark = h("span", { class: "brand-mark", "aria-live": "polite" });
    this.expiry = h("input", { class: "num", inputmode: "numeric", autocomplete: "off", placeholder: "MM/YY", maxlength: 5, name: "card-expiry" });
    this.cvv = h("input", { class: "num", inputmode: "numeric", autocomplete: "off", maxlength: 4, type: "password", name: "card-cvv" });
    this.holder = h("input", { class: "caps", autocomplete: "off", spellcheck: "false", maxlength: 26, name: "card-holder" });
    this.fields = {
      number: field(t("card.number"), this.number, { wide: true }),
      expiry: field(t("card.expiry"), this.expiry),
      cvv: field(t("card.cvv"), this.cvv),
      holder: field(t("card.holder"), this.holder, { wide: true }),
    };
    this.fields.number.querySelector("input").after(this.mark);
    this.fields.number.classList.add("with-mark");
    this.element = h("fieldset", { class: "card-entry" }, h("legend", { text: t("card.legend") }), Object.values(this.fields));
    this.wire();
    cardRules().then((rules) => {
      this.rules = rules;
      this.onNumber();
    });
  }

  wire() {
    this.number.addEventListener("input", () => this.onNumber());
    this.expiry.addEventListener("input", (e) => this.onExpiry(e));
    this.cvv.addEventListener("input", () => {
      this.cvv.value = this.cvv.value.replace(/\D/g, "");
    });
    this.holder.addEventListener("input", () => {
      const at = this.holder.selectionStart;
      this.holder.value = this.holder.value.toUpperCase();
      this.holder.setSelectionRange(at, at);
    });
    for (const [name, input] of Object.entries({ number: this.number, expiry: this.expiry, cvv: this.cvv, holder: this.holder })) {
      input.addEventListener("blur", () => {
        if (input.value.trim() === "") return;
        this.touched.add(name);
        this.check(name);
      });
      // A field shown wrong is checked again as it is typed, so its error goes the moment it is
      // put right — not on the way to Continue, where the form closing up under the pointer
      // would make the click miss.
      input.addEventListener("input", () => {
        if (input.getAttribute("aria-invalid") === "true") this.check(name);
      });
    }
  }

  digits() {
    return this.number.value.replace(/\D/g, "");
  }

  onNumber() {
    // Paste of "4111 1111 1111 1111" or "4111-1111-1111-1111" just works: keep digits only.
    const digits = this.digits().slice(0, 19);
    this.brand = detect(this.rules, digits);
    const grouped = group(digits, this.brand);
    if (this.number.value !== grouped) this.number.value = grouped;
    this.mark.textContent = this.brand ? BRAND_MARK[this.brand.brand] ?? this.brand.name : "";
    this.mark.title = this.brand?.name ?? "";
    this.mark.dataset.brand = this.brand?.brand ?? "";
    this.cvv.maxLength = this.brand?.cvv ?? 4;
    // A number is judged once it reaches the brand's usual length (16, or Amex 15, Diners 14);
    // from then on its error follows every keystroke until it is fixed.
    const usual = this.brand ? this.brand.lengths.find((l) => l >= 16) ?? Math.max(...this.brand.lengths) : Infinity;
    if (digits.length >= usual) this.touched.add("number");
    if (this.touched.has("number")) this.check("number");
  }

  onExpiry(event) {
    let digits = this.expiry.value.replace(/\D/g, "").slice(0, 4);
    if (digits.length === 1 && digits > "1") digits = `0${digits}`;
    const deleting = event.inputType?.startsWith("delete");
    this.expiry.value = digits.length > 2 || (digits.length === 2 && !deleting) ? `${digits.slice(0, 2)}/${digits.slice(2)}` : digits;
    if (this.touched.has("expiry")) this.check("expiry");
  }

  problem(name) {
    if (name === "number") {
      const digits = this.digits();
      if (!digits) return t("card.err.number_empty");
      if (!this.brand) return t("card.err.brand");
      if (!this.brand.lengths.includes(digits.length)) {
        return t("card.err.length", { brand: this.brand.name, expected: this.brand.lengths.join("/"), got: digits.length });
      }
      if (!luhn(digits)) return t("card.err.luhn");
      return null;
    }
    if (name === "expiry") {
      const m = /^(\d{2})\/(\d{2})$/.exec(this.expiry.value);
      if (!m) return t("card.err.expiry");
      const month = Number(m[1]);
      if (month < 1 || month > 12) return t("card.err.month");
      const now = new Date();
      const year = 2000 + Number(m[2]);
      if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) return t("card.err.expired");
      return null;
    }
    if (name === "cvv") {
      const n = this.brand?.cvv ?? 3;
      return this.cvv.value.length === n ? null : t("card.err.cvv", { n });
    }
    const holder = this.holder.value.trim();
    if (!holder) return t("card.err.holder");
    if (!/^[A-Z '.-]+$/.test(holder)) return t("card.err.holder_chars");
    return null;
  }

  check(name) {
    const problem = this.problem(name);
    const input = this.fields[name].control;
    setFieldError(input, problem);
    return !problem;
  }

  /** Checks every field and shows every problem; true when the card looks right. */
  validate() {
    let ok = true;
    for (const name of Object.keys(this.fields)) {
      this.touched.add(name);
      if (!this.check(name)) ok = false;
    }
    if (!ok) {
      const first = Object.values(this.fields).find((f) => f.control.getAttribute("aria-invalid") === "true");
      first?.control.focus();
    }
    return ok;
  }

  /** The core's verdict on submit, shown against the fields it names ("card.number" …). */
  showErrors(problems) {
    for (const p of problems) {
      const name = p.field.replace(/^card\./, "");
      if (this.fields[name]) setFieldError(this.fields[name].control, say(null, p));
    }
  }

  /** The four fields, for the one IPC call that sends them. */
  value() {
    return { number: this.digits(), expiry: this.expiry.value, cvv: this.cvv.value, holder: this.holder.value.trim() };
  }

  /** What may be shown after the number is gone: brand and last four. */
  masked() {
    const digits = this.digits();
    return `${this.brand?.name ?? ""} •••• ${digits.slice(-4)}`.trim();
  }

  /** Puts a (sandbox test) number in, as if typed. */
  fill(number) {
    if (this.element.hidden) return;
    this.number.value = number;
    this.onNumber();
    this.number.focus();
  }

  /** Forgets the number and code from the page as soon as they have been sent. */
  clear() {
    for (const input of [this.number, this.expiry, this.cvv, this.holder]) {
      input.value = "";
      setFieldError(input, null);
    }
    this.touched.clear();
    this.brand = null;
    this.mark.textContent = "";
  }

  focus() {
    this.number.focus();
  }
}
