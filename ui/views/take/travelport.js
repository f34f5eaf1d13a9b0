// Travelport: the agent types a PNR locator; the reservation's offers (itinerary, ancillaries)
// come back with their prices to tick, and the payment is by a card keyed now, cash, or a form
// of payment already stored in the reservation.

import { h, fill, field, setFieldError } from "../../lib/dom.js";
import { t, register } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { money } from "../../lib/format.js";
import { CardEntry } from "../../components/card-entry.js";
import { input, typeInto, showFieldErrors, clearErrors, payCommand, busy } from "./common.js";
import { say } from "../../lib/say.js";

register({
  en: {
    "tp.locator": "PNR locator",
    "tp.locator_hint": "6 characters. Enter opens the reservation.",
    "tp.open": "Open",
    "tp.opening": "Opening…",
    "tp.offers": "What to pay",
    "tp.travelers": "Travelers",
    "tp.total": "Total",
    "tp.fop": "Pay by",
    "tp.fop.card": "Card",
    "tp.fop.cash": "Cash",
    "tp.fop.stored": "Stored: {description}",
    "tp.issued": "Already issued: {numbers}",
    "tp.need_open": "Open the reservation first",
    "tp.need_offer": "Tick at least one offer to pay",
    "tp.mixed": "The ticked offers are in different currencies — pay them separately",
    "tp.kind.itinerary": "Flights",
    "tp.kind.ancillary": "Extra",
    "tp.kind.other": "Other",
    "tp.locator_label": "Locator",
    "tp.paying": "Paying",
  },
  es: {
    "tp.locator": "Localizador PNR",
    "tp.locator_hint": "6 caracteres. Intro abre la reserva.",
    "tp.open": "Abrir",
    "tp.opening": "Abriendo…",
    "tp.offers": "Qué pagar",
    "tp.travelers": "Viajeros",
    "tp.total": "Total",
    "tp.fop": "Pagar con",
    "tp.fop.card": "Tarjeta",
    "tp.fop.cash": "Efectivo",
    "tp.fop.stored": "Guardada: {description}",
    "tp.issued": "Ya emitidos: {numbers}",
    "tp.need_open": "Abra primero la reserva",
    "tp.need_offer": "Marque al menos una oferta",
    "tp.mixed": "Las ofertas marcadas están en monedas distintas — páguelas por separado",
    "tp.kind.itinerary": "Vuelos",
    "tp.kind.ancillary": "Extra",
    "tp.kind.other": "Otro",
    "tp.locator_label": "Localizador",
    "tp.paying": "Se paga",
  },
});

function kindName(kind) {
  return typeof kind === "string" ? kind.toLowerCase() : Object.keys(kind)[0]?.toLowerCase() ?? "";
}

export function travelportForm() {
  const locator = input("locator", { class: "num caps", id: "tp-locator" });
  const openButton = h("button", { type: "button", id: "tp-open" });
  const locatorField = field("", locator, { hint: "" });
  locatorField.classList.add("with-action");
  locatorField.append(openButton);
  const box = h("div", { class: "workbench", id: "tp-workbench", hidden: true, "aria-live": "polite" });
  const offersError = h("p", { class: "field-error", role: "alert", hidden: true, id: "tp-offers-error" });
  const card = new CardEntry();
  card.element.hidden = true;
  const element = h("div", { class: "provider-form" }, locatorField, box, offersError, card.element);
  const controls = { locator };

  let bench = null;
  let ticked = new Set();
  let fop = "card";

  function chosenOffers() {
    return bench ? bench.offers.filter((o) => ticked.has(o.id)) : [];
  }

  function total() {
    const offers = chosenOffers();
    if (!offers.length) return null;
    const currency = offers[0].price.currency;
    if (offers.some((o) => o.price.currency !== currency)) return "mixed";
    return { minor: offers.reduce((sum, o) => sum + o.price.minor, 0), currency };
  }

  function render() {
    if (!bench) {
      box.hidden = true;
      card.element.hidden = true;
      return;
    }
    const sum = total();
    const fops = [
      ["card", t("tp.fop.card")],
      ["cash", t("tp.fop.cash")],
      ...bench.stored_fops.map((f) => [`stored:${f.id}`, t("tp.fop.stored", { description: f.description })]),
    ];
    fill(
      box,
      h("dl", { class: "facts" }, h("dt", { text: t("tp.travelers") }), h("dd", { text: bench.travelers.map((tr) => tr.name).join(", ") })),
      bench.documents.length ? h("p", { class: "hint", text: t("tp.issued", { numbers: bench.documents.map((d) => d.number).join(", ") }) }) : null,
      h("fieldset", { class: "offers", id: "tp-offers" },
        h("legend", { text: t("tp.offers") }),
        bench.offers.map((o) =>
          h("label", { class: "offer" },
            h("input", { type: "checkbox", value: o.id, checked: ticked.has(o.id), onchange: (e) => { if (e.target.checked) ticked.add(o.id); else ticked.delete(o.id); offersError.hidden = true; render(); }, dataset: { offer: o.id } }),
            h("span", { class: "offer-kind", text: t(`tp.kind.${kindName(o.kind)}`) }),
            h("span", { class: "offer-text", text: o.description }),
            h("span", { class: "num offer-price", text: money(o.price) }))),
        h("div", { class: "offer-total" }, h("span", { text: t("tp.total") }), h("strong", { class: "num", id: "tp-total", text: sum === "mixed" ? t("tp.mixed") : sum ? money(sum) : "—" })),
      ),
      h("fieldset", { class: "methods" },
        h("legend", { text: t("tp.fop") }),
        fops.map(([value, label]) =>
          h("label", { class: "choice" },
            h("input", { type: "radio", name: "tp-fop", value, checked: value === fop, onchange: () => { fop = value; render(); } }),
            h("span", { text: label })))),
    );
    box.hidden = false;
    card.element.hidden = fop !== "card";
  }

  async function open() {
    clearErrors(controls);
    const wanted = locator.value.trim().toUpperCase();
    locator.value = wanted;
    if (!wanted) {
      setFieldError(locator, t("tp.need_open"));
      locator.focus();
      return;
    }
    try {
      bench = await busy(openButton, t("tp.opening"), () => call("travelport_workbench", { locator: wanted }));
      // Everything not yet ticketed starts ticked; the agent unticks what is not paid now.
      ticked = new Set(bench.offers.map((o) => o.id));
      render();
      box.querySelector("input")?.focus();
    } catch (error) {
      bench = null;
      render();
      if (error.fields?.length) showFieldErrors(controls, null, error.fields);
      else setFieldError(locator, say(null, error));
      locator.focus();
    }
  }

  openButton.addEventListener("click", open);
  locator.addEventListener("input", () => {
    if (bench && locator.value.trim().toUpperCase() !== bench.locator) {
      bench = null;
      render();
    }
  });

  function fopRequest() {
    if (fop === "card") return { kind: "card", card: card.value() };
    if (fop === "cash") return { kind: "cash" };
    return { kind: "stored", id: fop.slice("stored:".length) };
  }

  function fopLabel() {
    if (fop === "card") return t("tp.fop.card");
    if (fop === "cash") return t("tp.fop.cash");
    const stored = bench.stored_fops.find((f) => `stored:${f.id}` === fop);
    return t("tp.fop.stored", { description: stored?.description ?? "" });
  }

  function relabel() {
    locatorField.querySelector("label").textContent = t("tp.locator");
    locatorField.querySelector(".hint").textContent = t("tp.locator_hint");
    openButton.textContent = t("tp.open");
    render();
  }
  relabel();

  return {
    id: "travelport",
    element,
    relabel,
    focus: () => (bench ? box.querySelector("input") ?? locator : locator).focus(),
    async prepare({ retry }) {
      clearErrors(controls);
      offersError.hidden = true;
      if (!bench || (!retry && bench.locator !== locator.value.trim().toUpperCase())) {
        await open();
        return null;
      }
      const sum = total();
      if (!sum || sum === "mixed") {
        offersError.textContent = sum ? t("tp.mixed") : t("tp.need_offer");
        offersError.hidden = false;
        box.querySelector("#tp-offers input")?.focus();
        return null;
      }
      if (fop === "card" && !card.validate()) return null;
      const offers = chosenOffers();
      return {
        request: { locator: bench.locator, offer_ids: offers.map((o) => o.id), fop: fopRequest() },
        confirm: {
          amount: money(sum),
          method: fopLabel(),
          card: fop === "card" ? card.masked() : null,
          lines: [[t("tp.locator_label"), bench.locator], [t("tp.paying"), offers.map((o) => o.description).join(" · ")]],
        },
      };
    },
    send: (request, onStarted) => payCommand("pay_travelport", request, onStarted),
    retry: (paymentId, request) => call("retry_travelport", { paymentId, fop: request.fop }),
    showErrors: (problems) => {
      showFieldErrors(controls, card, problems);
      const offers = problems.find((p) => p.field === "offer_ids");
      if (offers) {
        offersError.textContent = say(null, offers);
        offersError.hidden = false;
      }
    },
    fillDemo: (value) => typeInto(locator, value),
    fillCard: (number) => card.fill(number),
    clearCard: () => card.clear(),
    reset() {
      card.clear();
      locator.value = "";
      bench = null;
      ticked = new Set();
      fop = "card";
      render();
      clearErrors(controls);
    },
  };
}
