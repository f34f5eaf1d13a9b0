// The few Tauri calls the window makes, written over `window.__TAURI_INTERNALS__` (what Tauri
// injects into every page it serves) instead of the `window.__TAURI__` global: `withGlobalTauri`
// is off, so no script in the window finds a ready-made API object to reach for, and with no
// bundler and no npm we do not vendor @tauri-apps/api for three functions. The same calls that
// package makes (`@tauri-apps/api/core`), reduced to what Farepoint uses.

const internals = window.__TAURI_INTERNALS__;

// Every message passes the isolation hook (isolation/hook.js) first. A message it refuses is
// dropped by Tauri without an answer, so the call would never settle: the hook posts which call it
// refused, and that call is rejected here with the hook's reason. Only the isolation frame is heard.
window.addEventListener("message", (event) => {
  const refused = event.data?.farepointIpcRefused;
  const frame = document.getElementById("__tauri_isolation__");
  if (!refused || !frame || event.source !== frame.contentWindow || typeof refused.error !== "number") return;
  const why = refused.why && typeof refused.why.code === "string" ? refused.why : undefined;
  internals.runCallback(refused.error, { code: "refused", params: {}, cause: why, message: String(refused.reason) });
});

/** Calls a command; resolves with its answer, rejects with its error. */
export function invoke(command, args = {}) {
  return internals.invoke(command, args);
}

/**
 * A stream from one command to the window: passed as a command argument (Rust sees
 * `__CHANNEL__:<id>`), it receives `{ index, message }` for each value sent and `{ index, end }`
 * when the Rust side drops it. A message of 8 KiB or more arrives later than smaller ones after it
 * (Tauri fetches it), so messages are handed on in `index` order, as `Channel::send` was called.
 */
export class Channel {
  onmessage = () => {};
  #next = 0;
  #waiting = new Map();
  #end = null;

  constructor() {
    this.id = internals.transformCallback((raw) => this.#receive(raw));
  }

  #receive({ index, message, end }) {
    if (end) this.#end = index;
    else this.#waiting.set(index, message);
    while (this.#waiting.has(this.#next)) {
      const next = this.#waiting.get(this.#next);
      this.#waiting.delete(this.#next++);
      this.onmessage(next);
    }
    if (this.#next === this.#end) internals.unregisterCallback(this.id);
  }

  // How Tauri's IPC scripts serialize an argument (the key `@tauri-apps/api` uses too).
  __TAURI_TO_IPC_KEY__() {
    return `__CHANNEL__:${this.id}`;
  }

  toJSON() {
    return this.__TAURI_TO_IPC_KEY__();
  }
}
