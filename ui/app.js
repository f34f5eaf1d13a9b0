// Farepoint window: navigation, keyboard shortcuts and the installation facts.
// Rules live in the Rust core; this file only shows what the commands return.

const { invoke } = window.__TAURI__.core;

const views = ["take", "payments", "summary", "settings"];

function show(view) {
  if (!views.includes(view)) view = "take";
  for (const name of views) {
    document.getElementById(`view-${name}`).hidden = name !== view;
  }
  for (const link of document.querySelectorAll(".nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = view;
}

function onKey(event) {
  if (event.ctrlKey && !event.altKey && !event.shiftKey && /^[1-4]$/.test(event.key)) {
    event.preventDefault();
    const view = views[Number(event.key) - 1];
    location.hash = view;
  }
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

async function loadStatus() {
  const status = await invoke("app_status");
  const sandbox = status.profile === "sandbox";
  document.getElementById("sandbox-banner").hidden = !sandbox;
  const profile = document.getElementById("profile");
  profile.textContent = sandbox ? "Sandbox" : "Production";
  profile.className = `profile ${status.profile}`;
  text("fact-profile", sandbox ? "Sandbox (built-in simulator, demo credentials)" : "Production");
  text("fact-database", status.database);
  text("fact-sandbox", status.sandbox ? `Running at ${status.sandbox}` : "Off (Production profile)");
  text("fact-logs", status.log_dir);
  text("fact-version", status.version);
  const keyring = document.getElementById("fact-keyring");
  keyring.textContent = status.keyring.message;
  keyring.className = status.keyring.ok ? "ok" : "bad";
}

window.addEventListener("hashchange", () => show(location.hash.slice(1)));
window.addEventListener("keydown", onKey);
show(location.hash.slice(1));
loadStatus().catch((error) => {
  text("fact-keyring", `Could not read the app status: ${error.message ?? error}`);
});
