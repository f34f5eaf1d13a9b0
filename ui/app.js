// Farepoint window: the frame (navigation, keys, language, profile, who is at the desk) and the
// four views.
// Rules live in the Rust core; this code only shows what the commands return.

import { byId, h } from "./lib/dom.js";
import { setCurrencyDecimals } from "./lib/format.js";
import { setCatalog } from "./lib/catalog.js";
import { call, startLive, onRefusal } from "./lib/ipc.js";
import { setDesk } from "./lib/desk.js";
import { AgentSwitch } from "./components/agent-switch.js";
import { t, setLocale, currentLocale, translateStatic, onLocaleChange, LOCALES } from "./lib/i18n.js";
import { TakeView } from "./views/take.js";
import { say } from "./lib/say.js";

const VIEWS = ["take", "payments", "summary", "settings"];
const views = {};
let current = null;
let status = null;
let context = null;

// Take payment is in the first paint; the other views (code and styles) load on first visit,
// so a cold start builds one view, not four.
const LATER = {
  payments: ["./views/payments.js", "PaymentsView"],
  summary: ["./views/summary.js", "SummaryView"],
  settings: ["./views/settings.js", "SettingsView"],
};
const loading = {};

function stylesheet(href) {
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.onload = link.onerror = resolve;
    document.head.append(link);
  });
}

/** The view's instance, loading its module and stylesheet the first time. */
function view(name) {
  if (views[name]) return Promise.resolve(views[name]);
  loading[name] ??= (async () => {
    const [path, cls] = LATER[name];
    const [module] = await Promise.all([import(path), stylesheet(path.replace(/\.js$/, ".css"))]);
    views[name] = new module[cls](byId(`view-${name}`), context);
    return views[name];
  })();
  return loading[name];
}

function show(name) {
  if (!VIEWS.includes(name)) name = "take";
  for (const v of VIEWS) byId(`view-${v}`).hidden = v !== name;
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = name;
  current = name;
  if (!context) return;
  view(name)
    .then((v) => current === name && v.shown?.())
    .catch((error) => console.error(`the ${name} view failed to load`, error));
}

function onKey(event) {
  if (event.ctrlKey && !event.altKey && !event.shiftKey && /^[1-4]$/.test(event.key)) {
    event.preventDefault();
    const name = VIEWS[Number(event.key) - 1];
    // Shown now, not on the hash change to come: a hidden view cannot take the focus.
    if (name !== current) {
      location.hash = name;
      show(name);
    }
    // The keyboard goes with the eyes: into the view, where its work starts.
    view(name).then((v) => v.focusEntry?.());
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
  // A view shown already (by its shortcut) is not shown twice.
  window.addEventListener("hashchange", () => location.hash.slice(1) !== current && show(location.hash.slice(1)));
  byId("locale-switch").addEventListener("click", switchLocale);
  onLocaleChange(renderFrame);

  // The frame's facts and the live stream, together: no event of the first payment is missed.
  [status] = await Promise.all([call("app_status"), startLive()]);
  setCurrencyDecimals(status.currency_decimals);
  setCatalog(status.catalog);
  setDesk(status.agents);
  // Who is at the desk, above the language; the core refusing to act unnamed opens it.
  const agents = new AgentSwitch();
  document.querySelector(".rail-foot").prepend(agents.button);
  onRefusal("agent_choose", () => agents.open());
  if (status.locale && status.locale !== currentLocale()) setLocale(status.locale);
  translateStatic(document);
  renderFrame();

  const openPayment = (id) => {
    location.hash = "payments";
    view("payments").then((v) => v.open(id));
  };
  const filterPayments = (filter) => {
    location.hash = "payments";
    view("payments").then((v) => v.applyFilter(filter));
  };
  // Pay a new subject (ATRIP's order made to replace one whose ticketing failed) in Take.
  const payNew = (provider, key) => {
    location.hash = "take";
    views.take.load(provider, key);
  };
  // The Take view's "open Settings" for a provider not set up: its tab in Settings.
  const openSettings = (provider) => {
    location.hash = "settings";
    view("settings").then((v) => v.providers.open(provider));
  };
  views.take = new TakeView(byId("view-take"), { openPayment, openSettings, payNew, status });
  context = { status, openPayment, filterPayments, payNew };
  show(location.hash.slice(1));
  await views.take.ready();
  // A desk with agents asks who is at it before anything is taken (after a restart, an agent
  // with a PIN gives it again).
  if (status.agents.must_choose) agents.open();
  // Two frames later the Take view has been painted: the start-up benchmark stops its clock.
  requestAnimationFrame(() => requestAnimationFrame(() => call("ui_ready").catch(() => {})));
}

/** Farepoint did not start (another window on this history, a damaged or newer history …): the
 * core says what happened and what to do, in place of the desk. */
function showStartupFault(message) {
  document.body.replaceChildren(
    h("main", { class: "startup-fault", role: "alert", "aria-labelledby": "startup-fault-title" }, [
      h("h1", { id: "startup-fault-title" }, t("startup.title")),
      h("p", { id: "startup-fault" }, message),
    ]),
  );
}

main().catch(async (error) => {
  const fault = await call("startup_fault").catch(() => null);
  if (fault) {
    showStartupFault(fault);
    return;
  }
  const banner = byId("sandbox-banner");
  banner.hidden = false;
  banner.className = "banner error";
  banner.textContent = t("error.unexpected", { message: say(null, error) });
  console.error(error);
});
