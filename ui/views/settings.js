// Settings: the active profile and the switch to the other one, each provider's settings and
// write-only credentials (ProvidersPanel), the desk's agents (AgentsPanel), the facts of this
// installation, and the language.
// The view shows what `app_status` and `get_settings` return; the rules live in the core.

import { h, fill } from "../lib/dom.js";
import { t, onLocaleChange, currentLocale, setLocale, LOCALES } from "../lib/i18n.js";
import { call } from "../lib/ipc.js";
import { confirmDialog } from "./settings/dialog.js";
import { ProvidersPanel } from "./settings/providers.js";
import { AgentsPanel } from "./settings/agents.js";
import { BusinessPanel } from "./settings/business.js";
import { say } from "./settings/strings.js";

const OTHER = { sandbox: "production", production: "sandbox" };
// After `set_profile` the app exits and starts again; the dialog keeps saying so meanwhile.
const RESTART_GRACE_MS = 20000;

export class SettingsView {
  constructor(root, { status }) {
    this.root = root;
    this.status = status ?? null;
    this.page = null; // get_settings, once read
    this.loadError = null;
    this.loading = null;
    this.languageError = null;
    this.providers = new ProvidersPanel(this);
    this.agents = new AgentsPanel(this);
    this.business = new BusinessPanel(this);
    this.render();
    onLocaleChange(() => this.render());
  }

  /** Called whenever the view is shown: reads the settings again (the keyring may have changed). */
  shown() {
    this.load();
  }

  /** Where the keyboard lands when the view is chosen with its shortcut: its first control, once read. */
  async focusEntry() {
    await this.load();
    this.root.querySelector("button, input, select, textarea, a[href]")?.focus();
  }

  load() {
    this.loading ??= (async () => {
      if (!this.page) {
        this.loadError = null;
        this.render();
      }
      try {
        this.page = await call("get_settings");
        this.loadError = null;
      } catch (error) {
        if (!this.page) this.loadError = error;
        console.warn("settings not read", error?.message ?? error);
      } finally {
        this.loading = null;
      }
      this.render();
    })();
    return this.loading;
  }

  /** The keyring check: `get_settings` waits for it, `app_status` may still have null. */
  get keyring() {
    return this.page?.keyring ?? this.status?.keyring ?? null;
  }

  get activeProfile() {
    return this.page?.active_profile ?? this.status?.profile ?? "sandbox";
  }

  /** Rebuilds the view in place, keeping the scroll position and the focus (by id, or `focus`). */
  render({ focus } = {}) {
    const scroller = this.root.closest(".content");
    const scroll = scroller?.scrollTop ?? 0;
    const active = document.activeElement;
    const focusId = focus ?? (active && active !== document.body && this.root.contains(active) ? active.id : null);

    this.heading = h("h1", { id: "h-settings", text: t("set.title") });
    fill(
      this.root,
      h("header", { class: "view-head" }, this.heading),
      h(
        "div",
        { class: "set-layout" },
        h("div", { class: "set-main" }, this.providers.element(), this.agents.element(), this.business.element()),
        h("aside", { class: "set-side" }, this.profileSection(), this.installationSection(), this.languageSection()),
      ),
    );

    this.providers.dropHiddenSecrets();
    if (scroller) scroller.scrollTop = scroll;
    if (focusId) {
      const el = document.getElementById(focusId);
      if (el && el !== document.activeElement && !this.root.hidden) el.focus({ preventScroll: !focus });
    }
  }

  profileSection() {
    const active = this.activeProfile;
    const other = OTHER[active];
    return h(
      "section",
      { class: "panel set-section", id: "settings-profile", "aria-labelledby": "settings-h-profile" },
      h("h2", { id: "settings-h-profile", text: t("set.profile") }),
      h(
        "div",
        { class: "set-profile-now" },
        h("span", { class: `set-profile-badge ${active}`, id: "settings-active-profile", text: t(`profile.${active}`) }),
        h("span", { class: "muted", text: t("set.active") }),
      ),
      h("p", { class: "set-about", text: t(`set.about_${active}`) }),
      h("button", { type: "button", id: "profile-switch", onclick: () => this.switchProfile(other) }, t("set.switch_to", { profile: t(`profile.${other}`) })),
    );
  }

  installationSection() {
    const s = this.status;
    const keyring = this.keyring;
    // The same <dd> elements across renders: whoever holds one (a test, a screen reader) keeps it.
    const fact = (id, key, value, cls) => {
      this.facts ??= new Map();
      if (!this.facts.has(id)) this.facts.set(id, h("dd", { id }));
      const dd = this.facts.get(id);
      dd.textContent = value ?? "…";
      if (cls) dd.className = cls;
      else dd.removeAttribute("class");
      return [h("dt", { text: t(key) }), dd];
    };
    let keyringText = t("set.checking");
    let keyringClass = "muted";
    if (keyring) {
      keyringText = keyring.ok ? t("set.keyring_ok") : say(null, keyring.problem ?? keyring.message);
      keyringClass = keyring.ok ? "ok" : "bad";
    }
    const simulator = !s ? null : s.sandbox ? t("set.sandbox_running", { url: s.sandbox }) : t("set.sandbox_off");
    return h(
      "section",
      { class: "panel set-section", id: "settings-installation", "aria-labelledby": "settings-h-installation" },
      h("h2", { id: "settings-h-installation", text: t("set.installation") }),
      h(
        "dl",
        { class: "facts set-facts" },
        fact("fact-profile", "set.fact_profile", s ? t(`profile.${s.profile}`) : null),
        fact("fact-sandbox", "set.fact_sandbox", simulator, s?.sandbox ? "set-break" : null),
        fact("fact-keyring", "set.fact_keyring", keyringText, keyringClass),
        fact("fact-database", "set.fact_database", s?.database, "mono"),
        fact("fact-logs", "set.fact_logs", s?.log_dir, "mono"),
        fact("fact-version", "set.fact_version", s?.version, "num"),
      ),
    );
  }

  languageSection() {
    const current = currentLocale();
    return h(
      "section",
      { class: "panel set-section", id: "settings-language", "aria-labelledby": "settings-h-language" },
      h("h2", { id: "settings-h-language", text: t("set.language") }),
      h(
        "div",
        { class: "set-languages", role: "radiogroup", "aria-labelledby": "settings-h-language" },
        Object.entries(LOCALES).map(([code, name]) =>
          h(
            "label",
            { class: "choice set-language", lang: code, for: `lang-${code}` },
            h("input", { type: "radio", name: "settings-locale", id: `lang-${code}`, value: code, checked: code === current, onchange: () => this.chooseLocale(code) }),
            h("span", { text: name }),
          ),
        ),
      ),
      this.languageError ? h("p", { class: "field-error", role: "alert", text: this.languageError }) : null,
      h("p", { class: "hint", text: t("set.language_hint") }),
    );
  }

  async chooseLocale(code) {
    this.languageError = null;
    try {
      await call("set_preference", { key: "locale", value: code });
      setLocale(code); // re-renders every view, this one included
    } catch (error) {
      this.languageError = t("set.language_failed", { message: say(null, error) });
      this.render({ focus: `lang-${currentLocale()}` });
    }
  }

  /** Confirms, stores the choice and lets the app restart into `profile`. */
  async switchProfile(profile) {
    const name = t(`profile.${profile}`);
    const body = [t(`set.switch_body_${profile}`), t("set.switch_inflight")];
    const unconfigured = (this.page?.profiles.find((p) => p.profile === profile)?.providers ?? []).filter((p) => !p.configured).map((p) => p.name);
    if (unconfigured.length) body.push(t("set.switch_unconfigured", { names: unconfigured.join(", ") }));
    await confirmDialog({
      title: t("set.switch_title", { profile: name }),
      body,
      confirm: t("set.switch_ok", { profile: name }),
      busyLabel: t("set.restarting"),
      action: () => this.setProfile(profile),
    });
  }

  /** "Restart now": the same profile again, so saved Production settings take effect. */
  async restart(profile) {
    await confirmDialog({
      title: t("set.restart_title"),
      body: [t("set.restart_body"), t("set.switch_inflight")],
      confirm: t("set.restart_ok"),
      busyLabel: t("set.restarting"),
      action: () => this.setProfile(profile),
    });
  }

  async setProfile(profile) {
    await call("set_profile", { profile });
    // The window closes with the restart; until then the dialog shows "Restarting…".
    await new Promise((resolve) => setTimeout(resolve, RESTART_GRACE_MS));
  }
}
