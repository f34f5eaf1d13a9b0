// Farepoint window: the frame (navigation, keys, language, profile) and the four views.
// Rules live in the Rust core; this code only shows what the commands return.

import { byId } from "./lib/dom.js";
import { call, startLive } from "./lib/ipc.js";
import { t, setLocale, currentLocale, translateStatic, onLocaleChange, LOCALES } from "./lib/i18n.js";
import { TakeView } from "./views/take.js";
import { PaymentsView } from "./views/payments.js";
import { SummaryView } from "./views/summary.js";
import { SettingsView } from "./views/settings.js";

const VIEWS = ["take", "payments", "summary", "settings"];
const views = {};
let current = null;
let status = null;

function show(name) {
  if (!VIEWS.includes(name)) name = "take";
  for (const v of VIEWS) byId(`view-${v}`).hidden = v !== name;
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  current = name;
  views[name]?.shown?.();
}

function onKey(event) {
  if (event.ctrlKey && !event.altKey && !event.shiftKey && /^[1-4]$/.test(event.key)) {
    event.preventDefault();
    location.hash = VIEWS[Number(event.key) - 1];
    return;
  }
  views[current]?.onKey?.(event);
}

function renderFrame() {
  const sandbox = status?.profile === "sandbox";
  byId("sandbox-banner").hidden = !sandbox;
  const profile = byId("profile");
  profile.textContent = status ? t(`profile.${status.profile}`) : "…";
  profile.className = `profile ${status?.profile ?? ""}`;
  const other = currentLocale() === "en" ? "es" : "en";
  const switcher = byId("locale-switch");
  switcher.textContent = LOCALES[other];
  switcher.lang = other;
}

async function switchLocale() {
  const next = currentLocale() === "en" ? "es" : "en";
  setLocale(next);
  try {
    await call("set_preference", { key: "locale", value: next });
  } catch (error) {
    console.warn("language not saved", error);
  }
}

async function main() {
  window.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  byId("locale-switch").addEventListener("click", switchLocale);
  onLocaleChange(renderFrame);

  status = await call("app_status");
  if (status.locale && status.locale !== currentLocale()) setLocale(status.locale);
  translateStatic(document);
  renderFrame();
  // The live stream first, so no event of the first payment is missed.
  await startLive();

  const openPayment = (id) => {
    location.hash = "payments";
    views.payments.open(id);
  };
  const filterPayments = (filter) => {
    location.hash = "payments";
    views.payments.applyFilter(filter);
  };
  views.take = new TakeView(byId("view-take"), { openPayment, status });
  show(location.hash.slice(1));
  await views.take.ready();
  // Two frames later the Take view has been painted: the start-up benchmark stops its clock.
  requestAnimationFrame(() => requestAnimationFrame(() => call("ui_ready").catch(() => {})));

  views.payments = new PaymentsView(byId("view-payments"), { status });
  views.summary = new SummaryView(byId("view-summary"), { status, filterPayments });
  views.settings = new SettingsView(byId("view-settings"), { status });
  views[current]?.shown?.();
}

main().catch((error) => {
  const banner = byId("sandbox-banner");
  banner.hidden = false;
  banner.className = "banner error";
  banner.textContent = t("error.unexpected", { message: error?.message ?? error });
  console.error(error);
});
