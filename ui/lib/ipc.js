// The one door to the Rust side: commands, their typed errors, and the live event stream.

import { invoke, Channel } from "./tauri.js";

/**
 * A command's refusal: a stable code with the parameters (and cause) its words need, the core's
 * English message, and field problems (each with its own code and parameters).
 */
export class CommandError extends Error {
  constructor({ code, params, cause, message, fields }) {
    super(message);
    this.code = code ?? "error";
    this.params = params ?? {};
    if (cause) this.cause = cause;
    this.fields = fields ?? [];
  }
}

// Who hears a refusal by its code wherever it came from (the rail opens its agent switch on
// `agent_choose`), besides the caller, which says it in place.
const refusalListeners = new Map();

/** Calls `listener(error)` whenever a command is refused with `code`. */
export function onRefusal(code, listener) {
  if (!refusalListeners.has(code)) refusalListeners.set(code, new Set());
  refusalListeners.get(code).add(listener);
  return () => refusalListeners.get(code).delete(listener);
}

export async function call(command, args) {
  try {
    return await invoke(command, args);
  } catch (error) {
    if (error && typeof error === "object" && "code" in error) {
      const refused = new CommandError(error);
      for (const listener of refusalListeners.get(refused.code) ?? []) listener(refused);
      throw refused;
    }
    // Tauri's own words (no command answered): the window says what failed around them.
    const reason = String(error?.message ?? error);
    throw new CommandError({ code: "ipc", params: { reason }, message: reason });
  }
}

/** A channel whose messages go to `onMessage`, to pass as a command argument. */
export function channel(onMessage) {
  const ch = new Channel();
  ch.onmessage = onMessage;
  return ch;
}

// Live timeline events from the engine, fanned out to whoever is showing that payment.
const listeners = new Set();
const missedListeners = new Set();

export function onLiveEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called when the stream fell behind: re-read whatever is on screen. */
export function onMissed(listener) {
  missedListeners.add(listener);
  return () => missedListeners.delete(listener);
}

export async function startLive() {
  const stream = channel((message) => {
    if (message.type === "event") for (const l of listeners) l(message.event);
    else for (const l of missedListeners) l(message.count);
  });
  await call("watch_events", { onEvent: stream });
}
