// The status pill: colour, word and shape together, never colour alone (docs/ui.md §4).

import { h, svg } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

/** Each status's tone (colour family) and icon shape. */
export const STATUS_LOOK = {
  Draft: { tone: "outline", icon: "circle" },
  Submitting: { tone: "live", icon: "spinner" },
  Paid: { tone: "good", icon: "check" },
  Ticketing: { tone: "live", icon: "spinner" },
  Ticketed: { tone: "good", icon: "check" },
  TicketingFailed: { tone: "bad", icon: "cross" },
  Declined: { tone: "bad", icon: "cross" },
  Unknown: { tone: "live", icon: "question" },
  NeedsReview: { tone: "warn", icon: "alert" },
  Refunded: { tone: "muted", icon: "return" },
};

const ICONS = {
  circle: () => svg("circle", { cx: 8, cy: 8, r: 5 }),
  spinner: () => svg("path", { d: "M8 2.5a5.5 5.5 0 1 1-5.5 5.5", class: "spin" }),
  check: () => svg("path", { d: "M3.5 8.5l3 3 6-7" }),
  cross: () => svg("path", { d: "M4.5 4.5l7 7M11.5 4.5l-7 7" }),
  question: () => svg("path", { d: "M6 6a2 2 0 1 1 3 1.7c-.6.4-1 .8-1 1.6M8 12v.01" }),
  alert: () => svg("path", { d: "M8 2.5l6 11H2zM8 7v3M8 12v.01" }),
  return: () => svg("path", { d: "M6 4L3 7l3 3M3 7h6.5a3.5 3.5 0 0 1 0 7H7" }),
};

function icon(shape) {
  return svg("svg", { viewBox: "0 0 16 16", class: "status-icon", "aria-hidden": "true" }, ICONS[shape]());
}

export function statusIcon(status) {
  return icon((STATUS_LOOK[status] ?? STATUS_LOOK.Draft).icon);
}

/** Each tone's shape, for a state that is not a payment's (set up or not, stored or not). */
const TONE_ICON = { good: "check", warn: "alert", bad: "cross", live: "spinner", muted: "return", outline: "circle" };

/** The icon of a tone ("good", "warn" …), drawn as a status of that tone is. */
export function toneIcon(tone) {
  return icon(TONE_ICON[tone] ?? TONE_ICON.outline);
}

export function statusPill(status) {
  const look = STATUS_LOOK[status] ?? STATUS_LOOK.Draft;
  return h("span", { class: `pill tone-${look.tone}`, dataset: { status } }, statusIcon(status), h("span", { text: t(`status.${status}`) }));
}

export function toneOf(status) {
  return (STATUS_LOOK[status] ?? STATUS_LOOK.Draft).tone;
}

/** A refund's state, drawn as a status is: word, colour and shape. */
const REFUND_LOOK = {
  Sending: { tone: "live", icon: "spinner" },
  Refunded: { tone: "muted", icon: "return" },
  Declined: { tone: "outline", icon: "cross" },
  Unclear: { tone: "warn", icon: "alert" },
};

export function refundPill(status) {
  const look = REFUND_LOOK[status] ?? REFUND_LOOK.Unclear;
  return h("span", { class: `pill tone-${look.tone}`, dataset: { refund: status } }, icon(look.icon), h("span", { text: t(`refund.${status}`) }));
}
