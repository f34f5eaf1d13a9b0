// The desk's agents and who is at the desk, as the core last served them (`app_status`, then
// every agents command's answer): the rail's switch, Settings' Agents and the Payments filter
// draw from this one copy and hear when it changes.

let served = null;
const listeners = new Set();

/** Keeps the core's `DeskView` and tells everyone who draws from it. */
export function setDesk(view) {
  served = view;
  for (const listener of listeners) listener(view);
}

/** The desk as last served, or null before `app_status` answered. */
export function desk() {
  return served;
}

export function onDeskChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The agent at the desk, if any. */
export function currentAgent() {
  return served?.agents.find((a) => a.id === served.current) ?? null;
}
