// The dialogs behind the detail pane's actions: resolve a review, a new attempt after a
// decline, a Holiday Extras refund, and the HeiPay voucher. What each offers (the outcomes, the
// retry's form, how much is left to refund) comes from the record's `actions`, decided by the
// core. Each calls its command and answers the payment's new record (or null when the agent
// cancelled). Card fields live only in the shared CardEntry and are cleared the moment they are
// sent.

import { h, fill, field, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call, CommandError } from "../../lib/ipc.js";
import { money } from "../../lib/format.js";
import { CardEntry } from "../../components/card-entry.js";
import { openDialog, radioGroup } from "../../components/dialog.js";
import { readAmount } from "../take/common.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "act.resolve_title": "Resolve review — {reference}",
    "act.resolve_intro": "Look this payment up in the {provider} portal (reference {reference}, {amount}) and record what it shows.",
    "act.outcome": "What the provider portal shows",
    "act.note": "Note",
    "act.note_hint": "What you saw and where, for whoever reads this payment next",
    "act.resolve": "Record outcome",
    "act.need_outcome": "Choose what the portal shows",
    "act.need_note": "Write what you found in the portal",
    "act.enter_hint": "Enter confirms · Shift+Enter starts a new line · Esc cancels",
    "act.retry_title": "New attempt — {reference}",
    "act.retry_intro": "The last attempt was declined; nothing was charged. A new attempt charges {amount} for {what}.",
    "act.retry": "Pay {amount}",
    "act.method": "Pay by",
    "act.loading_order": "Reading the order from ATRIP…",
    "act.loading_fops": "Reading the reservation's stored forms of payment…",
    "act.need_method": "Choose how to pay",
    "act.hx_again": "Charge the Holiday Extras card token again for {amount}. Holiday Extras gets a new payment id, so the declined attempt can't be charged by mistake.",
    "act.refund_title": "Refund — {reference}",
    "act.refund_full": "All that is left ({amount})",
    "act.refund_partial": "Part of it",
    "act.refund_amount": "Amount to refund ({currency})",
    "act.refund_amount_hint": "At most {amount}",
    "act.refund": "Refund",
    "act.refund_what": "How much",
    "act.refund_left": "Charged {charged}; refunded so far {refunded}.",
    "act.rr_title": "Unclear refund — {reference}",
    "act.rr_intro": "Farepoint could not tell whether the refund of {amount} was made. Look the payment up in the {provider} portal (reference {reference}) and record what it shows.",
    "act.rr_outcome": "What the provider portal shows",
    "act.rr_made": "The refund was made",
    "act.rr_not_made": "No refund was made",
    "act.rr_need_outcome": "Choose what the portal shows",
    "act.voucher_title": "HeiPay voucher — {reference}",
    "act.voucher_frame": "Voucher from HeiPay",
    "act.enter_close": "Esc closes",
    "act.ip": "Card holder's IP address (3-D Secure)",
    "act.what.atrip": "ATRIP order {key}",
    "act.what.travelport": "reservation {key}",
    "act.what.holidayextras": "booking {key}",
    "act.what.heipay": "the same hotel charge",
  },
  es: {
    "act.resolve_title": "Resolver revisión — {reference}",
    "act.resolve_intro": "Busque este pago en el portal de {provider} (referencia {reference}, {amount}) y registre lo que muestra.",
    "act.outcome": "Lo que muestra el portal del proveedor",
    "act.note": "Nota",
    "act.note_hint": "Qué vio y dónde, para quien consulte este pago después",
    "act.resolve": "Registrar resultado",
    "act.need_outcome": "Elija lo que muestra el portal",
    "act.need_note": "Escriba lo que encontró en el portal",
    "act.enter_hint": "Intro confirma · Mayús+Intro nueva línea · Esc cancela",
    "act.retry_title": "Nuevo intento — {reference}",
    "act.retry_intro": "El último intento fue rechazado; no se cobró nada. Un nuevo intento cobra {amount} por {what}.",
    "act.retry": "Cobrar {amount}",
    "act.method": "Pagar con",
    "act.loading_order": "Leyendo el pedido en ATRIP…",
    "act.loading_fops": "Leyendo las formas de pago guardadas en la reserva…",
    "act.need_method": "Elija cómo pagar",
    "act.hx_again": "Cobrar de nuevo el token de tarjeta de Holiday Extras por {amount}. Holiday Extras recibe un nuevo id de pago, así que el intento rechazado no se puede cobrar por error.",
    "act.refund_title": "Reembolso — {reference}",
    "act.refund_full": "Todo lo que queda ({amount})",
    "act.refund_partial": "Una parte",
    "act.refund_amount": "Importe a reembolsar ({currency})",
    "act.refund_amount_hint": "Como máximo {amount}",
    "act.refund": "Reembolsar",
    "act.refund_what": "Cuánto",
    "act.refund_left": "Cobrado {charged}; reembolsado hasta ahora {refunded}.",
    "act.rr_title": "Reembolso sin respuesta clara — {reference}",
    "act.rr_intro": "Farepoint no pudo saber si se hizo el reembolso de {amount}. Busque el pago en el portal de {provider} (referencia {reference}) y registre lo que muestra.",
    "act.rr_outcome": "Lo que muestra el portal del proveedor",
    "act.rr_made": "El reembolso se hizo",
    "act.rr_not_made": "No se hizo ningún reembolso",
    "act.rr_need_outcome": "Elija lo que muestra el portal",
    "act.voucher_title": "Comprobante HeiPay — {reference}",
    "act.voucher_frame": "Comprobante de HeiPay",
    "act.enter_close": "Esc cierra",
    "act.ip": "IP del titular (3-D Secure)",
    "act.what.atrip": "el pedido ATRIP {key}",
    "act.what.travelport": "la reserva {key}",
    "act.what.holidayextras": "la reserva {key}",
    "act.what.heipay": "el mismo cargo de hotel",
  },
});

/** Runs a dialog as a promise: the record its command answered, or null if cancelled. */
function dialogPromise(options, perform) {
  return new Promise((resolve) => {
    let result = null;
    const handle = openDialog({
      ...options,
      onConfirm: async () => {
        const answer = await perform(handle);
        if (answer === false) return false;
        result = answer;
        return true;
      },
      onClose: () => resolve(result),
    });
    options.onOpen?.(handle);
  });
}

/** Shows a command's field problems against the dialog's controls (by field name). */
function fieldProblems(error, controls, card) {
  if (!(error instanceof CommandError) || !error.fields.length) throw error;
  let shown = false;
  for (const p of error.fields) {
    if (p.field.startsWith("card.") && card) {
      card.showErrors([p]);
      shown = true;
    } else if (controls[p.field]) {
      setFieldError(controls[p.field], say(null, p));
      shown = true;
    }
  }
  if (!shown) throw error;
  // The dialog's alert says the first problem too, without marking the fields again.
  const [first] = error.fields;
  throw new CommandError({ code: first.code, params: first.params, message: first.message });
}

/**
 * A dialog that records what a provider's portal shows: a choice (`group`) and a note. Confirms
 * only with both, then sends `send(choice, note)`.
 */
function portalDialog(options, group, needChoice, note, send) {
  const outcomeError = h("p", { class: "field-error", role: "alert", hidden: true, id: `${group.element.id}-error` });
  group.element.after(outcomeError);
  for (const input of group.inputs) input.addEventListener("change", () => (outcomeError.hidden = true));
  note.addEventListener("input", () => setFieldError(note, null));
  return dialogPromise({ ...options, hint: t("act.enter_hint"), onOpen: () => group.focus() }, async () => {
    setFieldError(note, null);
    const outcome = group.value();
    let ok = true;
    if (!outcome) {
      outcomeError.textContent = t(needChoice);
      outcomeError.hidden = false;
      ok = false;
    }
    if (!note.value.trim()) {
      setFieldError(note, t("act.need_note"));
      ok = false;
    }
    if (!ok) {
      (outcome ? note : group.inputs[0]).focus();
      return false;
    }
    try {
      return await send(outcome, note.value.trim());
    } catch (error) {
      return fieldProblems(error, { note }, null);
    }
  });
}

export function resolveReview(record) {
  const p = record.payment;
  const outcomes = record.actions.review_outcomes;
  const group = radioGroup("resolve-outcome", t("act.outcome"), outcomes.map((o) => [o, t(`status.${o}`)]), { id: "resolve-outcome" });
  const note = h("textarea", { id: "resolve-note", maxlength: 500, required: true });
  const body = h(
    "div",
    { class: "dialog-stack" },
    h("p", { text: t("act.resolve_intro", { provider: t(`provider.${p.provider}`), reference: p.reference, amount: money(p.amount) }) }),
    group.element,
    field(t("act.note"), note, { hint: t("act.note_hint") }),
  );
  const options = { id: "dialog-resolve", title: t("act.resolve_title", { reference: p.reference }), body, confirm: t("act.resolve") };
  return portalDialog(options, group, "act.need_outcome", note, (outcome, text) => call("resolve_review", { paymentId: p.id, outcome, note: text }));
}

function whatOf(p) {
  return t(`act.what.${p.provider}`, { key: p.subject_key });
}

/** The form the core says a new attempt needs (`actions.retry.form`), each sent to its command. */
export function newAttempt(record) {
  const p = record.payment;
  const retry = record.actions.retry;
  const amount = money(p.amount);
  const intro = h("p", { text: t("act.retry_intro", { what: whatOf(p), amount }) });
  const common = { id: "dialog-retry", title: t("act.retry_title", { reference: p.reference }), confirm: t("act.retry", { amount }), wide: retry.form !== "same_token" };
  if (retry.form === "same_token") {
    return dialogPromise({ ...common, body: h("div", { class: "dialog-stack" }, h("p", { text: t("act.hx_again", { amount }) })) }, () =>
      call("retry_holidayextras", { paymentId: p.id }),
    );
  }
  const card = new CardEntry();
  if (retry.form === "card") {
    return dialogPromise({ ...common, body: h("div", { class: "dialog-stack" }, intro, card.element), onOpen: () => card.focus() }, async () => {
      if (!card.validate()) return false;
      const sending = call("retry_heipay", { paymentId: p.id, cardEntry: card.value() });
      card.clear();
      try {
        return await sending;
      } catch (error) {
        return fieldProblems(error, {}, card);
      }
    });
  }
  if (retry.form === "atrip_method") return atripAttempt(p, retry.methods, common, intro, card);
  if (retry.form === "travelport_fop") return travelportAttempt(p, common, intro, card);
  throw new Error(`no form for a new attempt of kind ${retry.form}`);
}

function loadingLine(text) {
  return h("p", { class: "muted loading-line" }, h("span", { class: "spinner", "aria-hidden": "true" }), " ", text);
}

/** `forms`: what each ATRIP method needs (a card, the holder's IP), as the core serves it. */
function atripAttempt(p, forms, common, intro, card) {
  const methodsHost = h("div", { class: "dialog-methods", "aria-live": "polite" }, loadingLine(t("act.loading_order")));
  const ip = h("input", { class: "num", inputmode: "decimal", autocomplete: "off", id: "retry-ip" });
  const ipField = field(t("act.ip"), ip);
  ipField.hidden = true;
  card.element.hidden = true;
  let method = null;
  let group = null;
  const needs = (m) => forms.find((f) => f.method === m) ?? { card: false, three_ds_ip: false };
  const methodError = h("p", { class: "field-error", role: "alert", hidden: true });
  const show = (m) => {
    method = m;
    methodError.hidden = true;
    card.element.hidden = !needs(m).card;
    ipField.hidden = !needs(m).three_ds_ip;
  };
  const body = h("div", { class: "dialog-stack" }, intro, methodsHost, methodError, card.element, ipField);
  return dialogPromise(
    {
      ...common,
      body,
      onOpen: async (handle) => {
        try {
          const order = await call("atrip_order", { orderNo: p.subject_key });
          const methods = order.supported_methods;
          const first = methods.length === 1 ? methods[0] : null;
          group = radioGroup("retry-method", t("act.method"), methods.map((m) => [m, t(`atrip.m.${m}`)]), { checked: first, onchange: show, id: "retry-method" });
          fill(methodsHost, group.element);
          if (first) show(first);
          if (handle.open) group.focus();
        } catch (error) {
          fill(methodsHost);
          handle.showError(error);
        }
      },
    },
    async () => {
      if (!group) return false;
      if (!method) {
        methodError.textContent = t("act.need_method");
        methodError.hidden = false;
        group.focus();
        return false;
      }
      const { card: needsCard, three_ds_ip: needsIp } = needs(method);
      if (needsCard && !card.validate()) return false;
      const request = { method, card: needsCard ? card.value() : null, three_ds_ip: needsIp ? ip.value.trim() || null : null };
      const sending = call("retry_atrip", { paymentId: p.id, request });
      request.card = null;
      card.clear();
      try {
        return await sending;
      } catch (error) {
        return fieldProblems(error, { three_ds_ip: ip }, card);
      }
    },
  );
}

function travelportAttempt(p, common, intro, card) {
  const fopHost = h("div", { class: "dialog-methods", "aria-live": "polite" });
  let fop = "card";
  let group = null;
  const render = (stored) => {
    const options = [["card", t("tp.fop.card")], ["cash", t("tp.fop.cash")], ...stored.map((f) => [`stored:${f.id}`, t("tp.fop.stored", { description: f.description })])];
    group = radioGroup("retry-fop", t("act.method"), options, {
      checked: fop,
      id: "retry-fop",
      onchange: (value) => {
        fop = value;
        card.element.hidden = value !== "card";
      },
    });
    fill(fopHost, group.element);
  };
  render([]);
  const loading = loadingLine(t("act.loading_fops"));
  const body = h("div", { class: "dialog-stack" }, intro, fopHost, loading, card.element);
  return dialogPromise(
    {
      ...common,
      body,
      onOpen: async (handle) => {
        // Stored forms of payment come with the reservation; without them card and cash remain.
        try {
          const bench = await call("travelport_workbench", { locator: p.subject_key });
          if (handle.open && bench.stored_fops.length) {
            const focused = fopHost.contains(document.activeElement);
            render(bench.stored_fops);
            if (focused) group.focus();
          }
        } catch {
          /* card and cash stay available */
        } finally {
          loading.remove();
        }
      },
    },
    async () => {
      if (fop === "card" && !card.validate()) return false;
      const request =
        fop === "card" ? { kind: "card", card: card.value() } : fop === "cash" ? { kind: "cash" } : { kind: "stored", id: fop.slice("stored:".length) };
      const sending = call("retry_travelport", { paymentId: p.id, fop: request });
      delete request.card;
      card.clear();
      try {
        return await sending;
      } catch (error) {
        return fieldProblems(error, {}, card);
      }
    },
  );
}

/** A refund of what is left to refund (the core serves it as `actions.refund`), in full or in part. */
export function refund(record) {
  const p = record.payment;
  const left = record.actions.refund;
  const full = money(left);
  const amount = h("input", { class: "num", inputmode: "decimal", autocomplete: "off", id: "refund-amount", disabled: true });
  const amountField = field(t("act.refund_amount", { currency: p.amount.currency }), amount, { hint: t("act.refund_amount_hint", { amount: full }) });
  const group = radioGroup("refund-kind", t("act.refund_what"), [["full", t("act.refund_full", { amount: full })], ["partial", t("act.refund_partial")]], {
    checked: "full",
    id: "refund-kind",
    onchange: (value) => {
      amount.disabled = value !== "partial";
      amountField.hidden = value !== "partial";
      setFieldError(amount, null);
      if (value === "partial") amount.focus();
    },
  });
  amountField.hidden = true;
  const sofar = record.refunded.minor > 0 ? h("p", { id: "refund-sofar", text: t("act.refund_left", { charged: money(p.amount), refunded: money(record.refunded) }) }) : null;
  const body = h("div", { class: "dialog-stack" }, sofar, group.element, amountField);
  return dialogPromise({ id: "dialog-refund", title: t("act.refund_title", { reference: p.reference }), body, confirm: t("act.refund"), onOpen: () => group.focus() }, async () => {
    setFieldError(amount, null);
    let value = null;
    if (group.value() === "partial") {
      if (!(await readAmount(amount, p.amount.currency))) {
        amount.focus();
        return false;
      }
      value = amount.value;
    }
    try {
      return await call("refund_holidayextras", { paymentId: p.id, amount: value });
    } catch (error) {
      return fieldProblems(error, { amount }, null);
    }
  });
}

/** Records what the provider's portal shows for the payment's unclear refund. */
export function resolveRefund(record) {
  const p = record.payment;
  const open = record.open_refund;
  const group = radioGroup("refund-outcome", t("act.rr_outcome"), [["made", t("act.rr_made")], ["not_made", t("act.rr_not_made")]], { id: "refund-outcome" });
  const note = h("textarea", { id: "refund-note", maxlength: 500, required: true });
  const body = h(
    "div",
    { class: "dialog-stack" },
    h("p", { text: t("act.rr_intro", { amount: money(open.amount), provider: t(`provider.${p.provider}`), reference: p.reference }) }),
    group.element,
    field(t("act.note"), note, { hint: t("act.note_hint") }),
  );
  const options = { id: "dialog-refund-resolve", title: t("act.rr_title", { reference: p.reference }), body, confirm: t("act.resolve") };
  return portalDialog(options, group, "act.rr_need_outcome", note, (outcome, text) =>
    call("resolve_refund", { paymentId: p.id, refunded: outcome === "made", note: text }),
  );
}

/** A JSON voucher as a definition list (nested values as compact JSON). */
function voucherFacts(data) {
  const entries = data && typeof data === "object" && !Array.isArray(data) ? Object.entries(data) : [["voucher", data]];
  return h(
    "dl",
    { class: "facts voucher-facts", id: "voucher-facts" },
    entries.map(([k, v]) => [h("dt", { text: k }), h("dd", { class: "num", text: v === null ? t("common.none") : typeof v === "object" ? JSON.stringify(v) : String(v) })]),
  );
}

/** Opens HeiPay's voucher for the payment inside the app (never in a browser). */
export async function voucher(record) {
  const p = record.payment;
  const v = await call("heipay_voucher", { paymentId: p.id });
  let content;
  if (/html/i.test(v.content_type)) {
    // No scripts, an opaque origin, and the window's CSP: the voucher is only looked at.
    content = h("iframe", { class: "voucher-frame", id: "voucher-frame", sandbox: "", title: t("act.voucher_frame"), srcdoc: v.body });
  } else if (/json/i.test(v.content_type)) {
    let data;
    try {
      data = JSON.parse(v.body);
    } catch {
      data = v.body;
    }
    content = voucherFacts(data);
  } else {
    content = h("pre", { class: "voucher-text", id: "voucher-text", text: v.body });
  }
  return openDialog({ id: "dialog-voucher", title: t("act.voucher_title", { reference: p.reference }), body: content, wide: true, hint: t("act.enter_close") });
}
