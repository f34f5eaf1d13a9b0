// Amounts, times and dates for the current locale. Amounts stay exact: integer minor units are
// turned into a decimal string and formatted as a string, never through a float.

import { intlLocale } from "./i18n.js";

const formatters = new Map();
/** ISO 4217 decimals per currency, from the core (`app_status`). */
let decimals = {};

/** Called once at start-up with the core's table. */
export function setCurrencyDecimals(table) {
  decimals = table ?? {};
  formatters.clear();
}

/**
 * The currency's decimals as the core counts minor units (JPY 0, GBP 2, COP 2, KWD 3). Not the
 * browser's: its locale data may differ (current CLDR shows COP without decimals), and amounts
 * would then read 100 times too large.
 */
export function exponent(currency) {
  return decimals[currency] ?? new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

function currencyFormat(currency) {
  const key = `${intlLocale()}|${currency}`;
  if (!formatters.has(key)) {
    const digits = exponent(currency);
    formatters.set(key, new Intl.NumberFormat(intlLocale(), { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }));
  }
  return formatters.get(key);
}

/** 123456 minor units of a 2-decimal currency → "1234.56". */
export function minorToDecimal(minor, exp) {
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exp + 1, "0");
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const text = exp === 0 ? whole : `${whole}.${digits.slice(-exp)}`;
  return negative ? `-${text}` : text;
}

/** { minor, currency } → "£1,234.56" / "1234,56 €" as the locale writes it. */
export function money(amount) {
  if (!amount) return "";
  const fmt = currencyFormat(amount.currency);
  return fmt.format(minorToDecimal(amount.minor, exponent(amount.currency)));
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString(intlLocale(), { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

export function dateTime(ms) {
  return new Date(ms).toLocaleString(intlLocale(), { dateStyle: "medium", timeStyle: "short", hour12: false });
}

export function date(ms) {
  return new Date(ms).toLocaleDateString(intlLocale(), { dateStyle: "medium" });
}

/** "2h 05m" until `ms`, or null once it has passed. */
export function countdown(ms, now = Date.now()) {
  const left = ms - now;
  if (left <= 0) return null;
  const minutes = Math.floor(left / 60000);
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) return `${Math.floor(hours / 24)}d ${hours % 24}h`;
  if (hours > 0) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${minutes}m ${String(Math.floor(left / 1000) % 60).padStart(2, "0")}s`;
}
