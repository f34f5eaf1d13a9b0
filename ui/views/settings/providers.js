// Settings → Providers: one tab per provider for the profile shown. The Sandbox is read-only
// (built-in demo values and credentials); Production is edited here — non-secret settings saved
// to the database, credentials entered write-only and stored in the OS keyring. A secret's value
// exists in this page only inside its password input while it is typed, and leaves it the moment
// Store is pressed.

import { h, svg, field, setFieldError, showFieldError } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { call } from "../../lib/ipc.js";
import { toneIcon } from "../../components/status.js";
import { busy } from "../take/common.js";
import { confirmDialog } from "./dialog.js";
import { label, help, say as sayCode } from "./strings.js";
import { readinessPill, readinessTone, readinessWords, testSection } from "./connection.js";
import { checklistSection } from "./checklist.js";

const PROFILES = ["sandbox", "production"];

/** A DOM id from a setting or secret name (`card_key/7` → `card_key-7`). */
const slug = (key) => String(key).replace(/[^A-Za-z0-9_-]/g, "-");

/** A message kept for the next render: text, or a function giving it in the current language. */
const say = (message) => (typeof message === "function" ? message() : message);

function pill(tone, icon, text, props = {}) {
  return h("span", { class: `pill tone-${tone}`, ...props }, icon, h("span", { text }));
}

function keyIcon() {
  return svg(
    "svg",
    { viewBox: "0 0 16 16", class: "status-icon", "aria-hidden": "true" },
    svg("circle", { cx: 5.5, cy: 8, r: 2.8 }),
    svg("path", { d: "M8.3 8h5.2M11.5 8v2.5M13.5 8v2" }),
  );
}

function lockIcon() {
  return svg(
    "svg",
    { viewBox: "0 0 16 16", class: "status-icon", "aria-hidden": "true" },
    svg("rect", { x: 3.5, y: 7, width: 9, height: 6.5, rx: 1.5 }),
    svg("path", { d: "M5.5 7V5a2.5 2.5 0 0 1 5 0v2" }),
  );
}

export class ProvidersPanel {
  constructor(view) {
    this.view = view;
    this.shown = null; // the profile whose providers are shown; the active one until chosen
    this.tab = "atrip";
    this.controls = new Map(); // "<provider>:<field>" → input/select, kept across renders (drafts survive)
    this.secretInputs = new Map(); // "<provider>:<field>" → password input, kept while typed
    this.hotelDrafts = new Map(); // provider → { dirty, rows: [{ uid, id, name }] }
    this.errors = new Map(); // "<provider>:<field>" → message
    this.alerts = new Map(); // provider → message not tied to a field
    this.notices = new Map(); // provider → { save | secrets: confirmation line }
    this.testErrors = new Map(); // provider → a test's refusal, said again at each render
    this.rowUid = 0;
  }

  get page() {
    return this.view.page;
  }

  shownProfile() {
    return this.shown ?? this.view.activeProfile;
  }

  profileView(profile) {
    return this.page?.profiles.find((p) => p.profile === profile) ?? null;
  }

  keyringOk() {
    return Boolean(this.view.keyring?.ok);
  }

  /** Replaces one Production provider with the command's answer and forgets its drafts. */
  replace(updated) {
    const profile = this.profileView("production");
    if (!profile) return;
    const index = profile.providers.findIndex((p) => p.provider === updated.provider);
    if (index >= 0) profile.providers[index] = updated;
    // The checklist follows what changed.
    this.view.load();
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  element() {
    const title = h("h2", { id: "settings-h-providers", text: t("set.providers") });
    const section = h("section", { class: "panel set-section set-providers", id: "settings-providers", "aria-labelledby": title.id });
    const shown = this.shownProfile();
    const active = this.view.activeProfile;
    const switcher = h(
      "div",
      { class: "set-shown" },
      h("span", { class: "muted", id: "providers-shown-label", text: t("set.shown_profile") }),
      h(
        "div",
        { class: "segmented", role: "group", "aria-labelledby": "providers-shown-label" },
        PROFILES.map((profile) =>
          h(
            "button",
            {
              type: "button",
              id: `providers-${profile}`,
              "aria-pressed": String(profile === shown),
              onclick: () => this.showProfile(profile),
            },
            h("span", { text: t(`profile.${profile}`) }),
            profile === active ? h("span", { class: "set-active-tag", text: t("set.active_tag") }) : null,
          ),
        ),
      ),
    );
    section.append(h("div", { class: "set-head" }, title, switcher));

    if (!this.page) {
      section.append(this.view.loadError ? this.loadFailed() : h("p", { class: "set-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("set.loading")));
      return section;
    }

    const keyring = this.view.keyring;
    if (keyring && !keyring.ok) {
      section.append(
        h(
          "div",
          { class: "set-keyring-alert", role: "alert", id: "providers-keyring-alert" },
          h("strong", { text: t("set.keyring_title") }),
          h("p", { text: sayCode(null, keyring.problem ?? keyring.message) }),
        ),
      );
    }
    section.append(this.note(shown, active));
    if (shown === "production" && this.page.checklist) {
      section.append(checklistSection(this.page.checklist, { open: (provider) => this.selectTab(provider) }));
    }

    const profile = this.profileView(shown);
    if (!profile) return section;
    if (!profile.providers.some((p) => p.provider === this.tab)) this.tab = profile.providers[0]?.provider;
    const providers = profile.providers;
    const tabs = h(
      "div",
      { class: "tabs set-tabs", role: "tablist", "aria-label": t("set.provider_tabs") },
      providers.map((p, i) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `settings-tab-${p.provider}`,
            "aria-controls": `settings-panel-${p.provider}`,
            "aria-selected": String(p.provider === this.tab),
            tabindex: p.provider === this.tab ? "0" : "-1",
            dataset: { provider: p.provider, configured: String(p.configured) },
            onclick: () => this.selectTab(p.provider),
            onkeydown: (event) => this.tabKeys(event, providers, i),
          },
          h("span", { class: `set-tab-icon tone-${readinessTone(p.readiness)}` }, toneIcon(readinessTone(p.readiness))),
          h("span", { text: p.name }),
          h("span", { class: "set-sr", text: `, ${readinessWords(p.readiness)}` }),
        ),
      ),
    );
    const current = providers.find((p) => p.provider === this.tab);
    section.append(tabs, profile.read_only ? this.readOnly(current) : this.editable(current));
    return section;
  }

  loadFailed() {
    return h(
      "div",
      { class: "form-alert set-load-failed", role: "alert" },
      h("p", { text: t("set.load_failed", { message: sayCode(null, this.view.loadError) }) }),
      h("button", { type: "button", id: "settings-reload", onclick: () => this.view.load() }, t("set.retry")),
    );
  }

  note(shown, active) {
    if (shown === "sandbox") return h("p", { class: "set-note", id: "providers-note", text: t("set.note_sandbox") });
    if (active !== "production") return h("p", { class: "set-note prepare", id: "providers-note", text: t("set.note_prepare") });
    return h(
      "div",
      { class: "set-note with-action", id: "providers-note" },
      h("span", { text: t("set.note_apply") }),
      h("button", { type: "button", class: "link", id: "providers-restart", onclick: () => this.view.restart("production") }, t("set.restart_now")),
    );
  }

  statusLine(p) {
    const state = readinessPill(p.readiness, `settings-state-${p.provider}`);
    const parts = [h("div", { class: "set-status" }, h("h3", { class: "set-provider-name", text: p.name }), state)];
    if (p.problems.length) {
      parts.push(
        h(
          "div",
          { class: "set-problems", id: `settings-problems-${p.provider}` },
          h("p", { class: "set-problems-title", text: t("set.missing") }),
          h("ul", null, p.problems.map((problem) => h("li", { text: sayCode(p.provider, problem) }))),
        ),
      );
    }
    return parts;
  }

  readOnly(p) {
    const values = p.fields.map((f) => [
      h("dt", { text: label(p.provider, f.key, f.label) }),
      h("dd", { class: f.kind === "url" ? "mono" : null, id: `value-${p.provider}-${f.key}`, text: f.value }),
    ]);
    if (p.hotels) {
      values.push(
        h("dt", { text: t("set.hotels") }),
        h("dd", null, h("ul", { class: "set-plain" }, p.hotels.map((hotel) => h("li", null, h("span", { class: "num muted", text: `${hotel.id} ` }), hotel.name)))),
      );
    }
    const secrets = p.secrets.map((s) =>
      h(
        "li",
        { class: "set-secret readonly" },
        h("span", { class: "set-secret-label", text: label(p.provider, s.key, s.label) }),
        pill("muted", lockIcon(), t("set.demo_credential"), { id: `state-${p.provider}-${slug(s.key)}` }),
      ),
    );
    return h(
      "div",
      { class: "set-provider", role: "tabpanel", id: `settings-panel-${p.provider}`, "aria-labelledby": `settings-tab-${p.provider}` },
      this.statusLine(p),
      h("h4", { text: t("set.connection") }),
      h("dl", { class: "facts set-values" }, values),
      h("h4", { text: t("set.credentials") }),
      h("ul", { class: "set-secrets" }, secrets),
    );
  }

  editable(p) {
    const provider = p.provider;
    const fields = p.fields.map((f) => {
      const control = this.control(provider, f);
      const wrap = field(label(provider, f.key, f.label), control, { hint: f.help ? help(provider, f.key, f.help) : undefined, wide: f.kind === "url" });
      showFieldError(wrap.querySelector(".field-error"), control, say(this.errors.get(`${provider}:${f.key}`)));
      if (f.required) wrap.querySelector("label").append(h("span", { class: "set-required", "aria-hidden": "true", text: " *" }));
      return wrap;
    });
    const saveButton = h("button", { type: "submit", class: "primary", id: `save-${provider}` }, t("set.save"));
    const notice = say(this.notices.get(provider)?.save);
    const secretNotice = say(this.notices.get(provider)?.secrets);
    const alert = say(this.alerts.get(provider));
    const form = h(
      "form",
      { class: "set-form", id: `set-form-${provider}`, novalidate: true, onsubmit: (e) => this.save(e, p, saveButton) },
      h("div", { class: "grid" }, fields),
      p.hotels ? this.hotelsEditor(p) : null,
      alert ? h("p", { class: "form-alert", role: "alert", id: `settings-alert-${provider}`, text: alert }) : null,
      h(
        "div",
        { class: "actions" },
        h("p", { class: "set-notice", role: "status", id: `settings-notice-${provider}` }, notice ? [toneIcon("good"), h("span", { text: notice })] : null),
        saveButton,
      ),
    );

    const secretRows = p.secrets.map((s) => this.secretRow(p, s.key, () => label(provider, s.key, s.label), s.stored));
    for (const hotel of p.hotels ?? []) {
      secretRows.push(this.secretRow(p, `card_key/${hotel.id}`, () => t("set.card_key", { hotel: `${hotel.name} (${hotel.id})` }), hotel.card_key_stored));
    }

    return h(
      "div",
      { class: "set-provider", role: "tabpanel", id: `settings-panel-${provider}`, "aria-labelledby": `settings-tab-${provider}` },
      this.statusLine(p),
      h("h4", { text: t("test.title") }),
      testSection(p, { run: (button) => this.test(p, button), error: say(this.testErrors.get(provider)) }),
      h("h4", { text: t("set.connection") }),
      form,
      h("h4", { text: t("set.credentials") }),
      h("p", { class: "hint set-credentials-hint", text: t("set.credentials_hint") }),
      h("p", { class: "set-notice", role: "status", id: `settings-secret-notice-${provider}` }, secretNotice ? [keyIcon(), h("span", { text: secretNotice })] : null),
      h("div", { class: "set-secrets" }, secretRows),
    );
  }

  /** The input (or select) of one Production setting; the same element across renders. */
  control(provider, f) {
    const key = `${provider}:${f.key}`;
    let control = this.controls.get(key);
    if (!control) {
      const props = { id: `set-${provider}-${slug(f.key)}`, name: f.key, autocomplete: "off", spellcheck: "false" };
      control =
        f.kind === "choice"
          ? h("select", props, (f.choices ?? []).map((c) => h("option", { value: c, text: c })))
          : h("input", { ...props, type: f.kind === "url" ? "url" : "text", class: f.kind === "url" ? "mono-input" : null });
      control.addEventListener("input", () => this.edited(provider, key, control));
      control.addEventListener("change", () => this.edited(provider, key, control));
      this.controls.set(key, control);
    }
    // The stored value, unless the clerk has changed it and not saved yet.
    if (control.dataset.saved === undefined || control.value === control.dataset.saved) {
      control.value = f.value;
      control.dataset.saved = f.value;
    }
    if (f.required) control.setAttribute("aria-required", "true");
    return control;
  }

  edited(provider, key, control) {
    if (this.notices.get(provider)?.save) {
      this.notices.delete(provider);
      document.getElementById(`settings-notice-${provider}`)?.replaceChildren();
    }
    if (this.errors.delete(key)) setFieldError(control, null);
  }

  // HeiPay's hotels: rows of id + name, added and removed here, saved with the other settings.
  hotelDraft(p) {
    let draft = this.hotelDrafts.get(p.provider);
    if (!draft || !draft.dirty) {
      draft = { dirty: false, rows: (p.hotels ?? []).map((hotel) => this.hotelRow(String(hotel.id), hotel.name)) };
      this.hotelDrafts.set(p.provider, draft);
    }
    return draft;
  }

  hotelRow(id, name) {
    this.rowUid += 1;
    const uid = this.rowUid;
    const row = { uid };
    const touched = () => {
      const draft = [...this.hotelDrafts.values()].find((d) => d.rows.includes(row));
      if (draft) draft.dirty = true;
      this.edited("heipay", "heipay:hotels", this.hotelsAnchor);
    };
    row.id = h("input", { id: `hotel-id-${uid}`, class: "num", inputmode: "numeric", autocomplete: "off", value: id, oninput: touched });
    row.name = h("input", { id: `hotel-name-${uid}`, autocomplete: "off", value: name, oninput: touched });
    return row;
  }

  hotelsEditor(p) {
    const draft = this.hotelDraft(p);
    const provider = p.provider;
    const rows = draft.rows.map((row, i) => {
      row.id.setAttribute("aria-label", `${t("set.hotel_id")} ${i + 1}`);
      row.name.setAttribute("aria-label", `${t("set.hotel_name")} ${i + 1}`);
      return h(
        "div",
        { class: "set-hotel", role: "row" },
        h("div", { role: "cell" }, row.id),
        h("div", { role: "cell" }, row.name),
        h(
          "div",
          { role: "cell" },
          h(
            "button",
            {
              type: "button",
              id: `hotel-remove-${row.uid}`,
              "aria-label": t("set.remove_hotel_label", { row: i + 1 }),
              onclick: () => this.removeHotel(p, draft, row),
            },
            t("set.remove_hotel"),
          ),
        ),
      );
    });
    // The element errors about the list are attached to (`field()` gives it the error slot); a
    // table only when there are hotels, as a table must hold rows.
    this.hotelsAnchor = h("div", { id: `set-${provider}-hotels`, class: "set-hotels-table", role: rows.length ? "table" : null, "aria-labelledby": `set-${provider}-hotels-title` });
    const head = h(
      "div",
      { class: "set-hotel head", role: "row" },
      h("span", { role: "columnheader", text: t("set.hotel_id") }),
      h("span", { role: "columnheader", text: t("set.hotel_name") }),
      h("span", { role: "columnheader" }),
    );
    this.hotelsAnchor.append(...(rows.length ? [head, ...rows] : [h("p", { class: "empty", text: t("set.no_hotels") })]));
    const error = h("p", { class: "field-error", id: `set-${provider}-hotels-error`, role: "alert", hidden: true });
    const box = h(
      "div",
      { class: "set-hotels field wide" },
      h("span", { class: "set-hotels-title", id: `set-${provider}-hotels-title`, text: t("set.hotels") }),
      h("p", { class: "hint", text: t("set.hotels_hint") }),
      this.hotelsAnchor,
      error,
      h(
        "div",
        null,
        h("button", { type: "button", id: `hotel-add-${provider}`, onclick: () => this.addHotel(p, draft) }, h("span", { "aria-hidden": "true", text: "+" }), t("set.add_hotel")),
      ),
    );
    const message = say(this.errors.get(`${provider}:hotels`));
    if (message) {
      error.textContent = message;
      error.hidden = false;
    }
    return box;
  }

  addHotel(p, draft) {
    const row = this.hotelRow("", "");
    draft.rows.push(row);
    draft.dirty = true;
    this.view.render({ focus: row.id.id });
  }

  removeHotel(p, draft, row) {
    const index = draft.rows.indexOf(row);
    draft.rows.splice(index, 1);
    draft.dirty = true;
    const next = draft.rows[index] ?? draft.rows[index - 1];
    this.view.render({ focus: next ? `hotel-remove-${next.uid}` : `hotel-add-${p.provider}` });
  }

  /** One credential: its state, a write-only input and Store / Forget. */
  secretRow(p, key, nameOf, stored) {
    const provider = p.provider;
    const mapKey = `${provider}:${key}`;
    let input = this.secretInputs.get(mapKey);
    if (!input) {
      input = h("input", {
        type: "password",
        id: `secret-${provider}-${slug(key)}`,
        name: `secret-${slug(key)}`,
        autocomplete: "off",
        autocapitalize: "off",
        spellcheck: "false",
        dataset: { field: key },
      });
      input.addEventListener("input", () => {
        if (this.errors.delete(mapKey)) setFieldError(input, null);
      });
      this.secretInputs.set(mapKey, input);
    }
    input.placeholder = stored ? t("set.replace_value") : t("set.new_value");
    const ok = this.keyringOk();
    input.disabled = !ok;
    const storeButton = h("button", { type: "submit", id: `store-${provider}-${slug(key)}`, disabled: !ok }, t("set.store"));
    const forgetButton = stored
      ? h("button", { type: "button", class: "danger", id: `forget-${provider}-${slug(key)}`, disabled: !ok, onclick: () => this.forget(p, key, nameOf) }, t("set.forget"))
      : null;
    const state = !ok
      ? pill("warn", toneIcon("warn"), t("set.state_unknown"), { id: `state-${provider}-${slug(key)}`, dataset: { stored: "unknown" } })
      : stored
      ? pill("good", keyIcon(), t("set.stored"), { id: `state-${provider}-${slug(key)}`, dataset: { stored: "true" } })
      : pill("outline", toneIcon("outline"), t("set.not_stored"), { id: `state-${provider}-${slug(key)}`, dataset: { stored: "false" } });
    const error = h("p", { class: "field-error", id: `${input.id}-error`, role: "alert", hidden: true });
    input.setAttribute("aria-describedby", `state-${provider}-${slug(key)} ${error.id}`);
    const row = h(
      "form",
      { class: "set-secret", id: `secret-row-${provider}-${slug(key)}`, novalidate: true, onsubmit: (e) => this.store(e, p, key, nameOf, input, storeButton) },
      h("div", { class: "set-secret-head" }, h("label", { for: input.id, class: "set-secret-label", text: nameOf() }), state),
      input,
      h("div", { class: "set-secret-actions" }, storeButton, forgetButton),
      error,
    );
    showFieldError(error, input, say(this.errors.get(mapKey)));
    return row;
  }

  /** After a render: a half-typed secret whose row is no longer shown is dropped, not kept. */
  dropHiddenSecrets() {
    for (const input of this.secretInputs.values()) if (!input.isConnected) input.value = "";
  }

  // ---------------------------------------------------------------------------------------------
  // Actions

  showProfile(profile) {
    this.shown = profile;
    this.view.render({ focus: `providers-${profile}` });
  }

  /** Shows `provider`'s tab of the active profile (the Take view's "open Settings"). */
  open(provider) {
    this.shown = null;
    this.selectTab(provider);
  }

  selectTab(provider, { focus = true } = {}) {
    this.tab = provider;
    this.view.render(focus ? { focus: `settings-tab-${provider}` } : {});
  }

  tabKeys(event, providers, index) {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: providers.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = providers[(moves[event.key] + providers.length) % providers.length];
    this.selectTab(next.provider);
  }

  clearFor(provider) {
    for (const key of [...this.errors.keys()]) if (key.startsWith(`${provider}:`)) this.errors.delete(key);
    this.alerts.delete(provider);
    this.notices.delete(provider);
  }

  /**
   * Shows a command's refusal, said by its code (again at each render, so in the language then
   * chosen): each problem under its field, anything else above the buttons.
   */
  refused(p, error) {
    const problems = error?.fields ?? [];
    let first = null;
    for (const problem of problems) {
      this.errors.set(`${p.provider}:${problem.field}`, () => sayCode(p.provider, problem));
      first ??= problem.field;
    }
    if (!problems.length) this.alerts.set(p.provider, () => sayCode(p.provider, error));
    return first;
  }

  hotelsFromDraft(p) {
    const draft = this.hotelDraft(p);
    const hotels = [];
    for (const [i, row] of draft.rows.entries()) {
      const id = row.id.value.trim();
      const name = row.name.value.trim();
      if (!id && !name) continue; // an empty row added by mistake
      if (!/^\d{1,15}$/.test(id) || Number(id) <= 0) return { error: () => t("set.hotel_id_bad", { row: i + 1 }), focus: row.id.id };
      if (!name) return { error: () => t("set.hotel_name_missing", { row: i + 1 }), focus: row.name.id };
      hotels.push({ id: Number(id), name });
    }
    return { hotels };
  }

  async save(event, p, button) {
    event.preventDefault();
    const provider = p.provider;
    this.clearFor(provider);
    // Only what was changed: a field left out keeps its stored value (so the hotel list can be
    // saved before every address is known).
    const values = {};
    for (const f of p.fields) {
      const control = this.controls.get(`${provider}:${f.key}`);
      if (control && control.value !== control.dataset.saved) values[f.key] = control.value;
    }
    let hotels = null;
    if (p.hotels) {
      const checked = this.hotelsFromDraft(p);
      if (checked.error) {
        this.errors.set(`${provider}:hotels`, checked.error);
        this.view.render({ focus: checked.focus });
        return;
      }
      hotels = checked.hotels;
    }
    let focus = button.id;
    try {
      const updated = await busy(button, t("set.saving"), () => call("save_provider_settings", { provider, values, hotels }));
      this.replace(updated);
      for (const f of updated.fields) {
        const control = this.controls.get(`${provider}:${f.key}`);
        if (control) {
          control.value = f.value;
          control.dataset.saved = f.value;
        }
      }
      this.hotelDrafts.delete(provider);
      this.notices.set(provider, { save: () => t("set.saved") });
    } catch (error) {
      const name = this.refused(p, error);
      if (name === "hotels") focus = this.hotelDrafts.get(provider)?.rows[0]?.id.id ?? focus;
      else if (name) focus = this.controls.get(`${provider}:${name}`)?.id ?? focus;
    }
    this.view.render({ focus });
  }

  /** Runs the provider's connection test; the page is read again for its readiness and the checklist. */
  async test(p, button) {
    const provider = p.provider;
    this.testErrors.delete(provider);
    try {
      await busy(button, t("test.running"), () => call("test_connection", { provider }));
      // A read begun before the test knows nothing of it: wait for it, then read again.
      await this.view.loading;
      await this.view.load();
    } catch (error) {
      this.testErrors.set(provider, () => sayCode(provider, error));
    }
    this.view.render({ focus: button.id });
  }

  async store(event, p, key, nameOf, input, button) {
    event.preventDefault();
    const provider = p.provider;
    const mapKey = `${provider}:${key}`;
    this.clearFor(provider);
    if (!input.value.trim()) {
      this.errors.set(mapKey, () => t("set.type_first"));
      this.view.render({ focus: input.id });
      return;
    }
    // The value leaves the page now: the input is emptied before the answer comes back.
    const sent = call("store_credential", { provider, field: key, value: input.value });
    input.value = "";
    let focus = input.id;
    try {
      const updated = await busy(button, t("set.storing"), () => sent);
      this.replace(updated);
      this.notices.set(provider, { secrets: () => t("set.stored_note", { label: nameOf() }) });
      focus = button.id;
    } catch (error) {
      this.refused(p, error);
      if (!error?.fields?.length) {
        this.alerts.delete(provider);
        this.errors.set(mapKey, () => sayCode(provider, error));
      }
    }
    this.view.render({ focus });
  }

  async forget(p, key, nameOf) {
    const provider = p.provider;
    this.clearFor(provider);
    let updated = null;
    const forgotten = await confirmDialog({
      title: t("set.forget_title", { label: nameOf() }),
      body: [t("set.forget_body", { provider: p.name })],
      confirm: t("set.forget"),
      busyLabel: t("set.forgetting"),
      danger: true,
      action: async () => {
        updated = await call("forget_credential", { provider, field: key });
      },
    });
    if (!forgotten) return;
    this.replace(updated);
    this.notices.set(provider, { secrets: () => t("set.forgot_note", { label: nameOf() }) });
    this.view.render({ focus: `secret-${provider}-${slug(key)}` });
  }
}
