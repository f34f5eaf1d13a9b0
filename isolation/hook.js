// Farepoint's isolation hook (Tauri's isolation pattern). This page runs in a sandboxed iframe with
// an origin of its own, which no script of the window can reach into; Tauri hands it every IPC
// message the window sends, and forwards (encrypted with a key made at each start) only what this
// hook returns. A message this hook refuses never reaches Rust.
//
// A message passes when its command is on one of the two lists below and, serialized as Tauri
// sends it, it is at most MAX_BYTES long. Anything else is refused.
"use strict";

// Every command in `generate_handler!` (src-tauri/lib.rs), and nothing else:
// tests/ipc_allow_list.rs fails when the two lists differ.
const COMMANDS = [
  // status.rs
  "startup_fault",
  "app_status",
  "ui_ready",
  // live.rs
  "watch_events",
  // take.rs
  "atrip_order",
  "travelport_workbench",
  "heipay_hotels",
  "card_rules",
  // amount.rs
  "read_amount",
  "pay_atrip",
  "pay_travelport",
  "pay_holidayextras",
  "pay_heipay",
  // payments.rs
  "payment_detail",
  "poll_now",
  "resolve_review",
  "regenerate_atrip",
  "retry_atrip",
  "retry_travelport",
  "retry_holidayextras",
  "retry_heipay",
  "refund_holidayextras",
  "resolve_refund",
  "heipay_voucher",
  // history.rs
  "search_payments",
  "payment_summary",
  "export_payments",
  "verify_history",
  // settings.rs
  "get_settings",
  "save_provider_settings",
  "store_credential",
  "forget_credential",
  "set_profile",
  "set_preference",
  // agents.rs
  "desk_agents",
  "add_agent",
  "update_agent",
  "set_agent_pin",
  "remove_agent",
  "choose_agent",
  // connection.rs
  "test_connection",
  // receipt.rs
  "payment_receipt",
  "save_receipt_pdf",
  "open_receipts_folder",
  "email_receipt",
  // business.rs
  "business_settings",
  "save_business",
  "set_business_logo",
  "remove_business_logo",
  "save_smtp",
  "store_smtp_password",
  "forget_smtp_password",
];

// Commands Tauri's own scripts send from the window (the UI calls no plugin command itself).
const TAURI_COMMANDS = [
  // A channel message of 8 KiB or more (a timeline event with its exchange, say) is not pushed
  // into the page: the page fetches it with this command (tauri::ipc::Channel).
  "plugin:__TAURI_CHANNEL__|fetch",
];

// The largest legitimate request is a HeiPay charge with every field at the shell's own limits
// (commands/mod.rs): about 22 KB even in 4-byte characters; as typed at the desk, under 2 KB.
const MAX_BYTES = 64 * 1024;

const allowed = new Set([...COMMANDS, ...TAURI_COMMANDS]);

/** Bytes of the message as Tauri will send it: the payload as JSON (binary as is), cmd, options. */
function size(message) {
  const { payload } = message;
  if (payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)) {
    return payload.byteLength + jsonBytes([message.cmd, message.options ?? null]);
  }
  let binary = 0;
  const json = JSON.stringify([message.cmd, message.options ?? null, payload ?? null], (_key, value) => {
    // Tauri sends nested binary as a JSON array of numbers (up to 4 bytes each) and a Map as an
    // object; JSON.stringify alone would count either as "{}".
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      binary += value.byteLength * 4;
      return null;
    }
    return value instanceof Map ? Object.fromEntries(value) : value;
  });
  return binary + bytes(json);
}

function jsonBytes(value) {
  return bytes(JSON.stringify(value));
}

function bytes(text) {
  // Every UTF-16 unit is at least one byte: a long text is too large without encoding it.
  return text.length > MAX_BYTES ? text.length : new TextEncoder().encode(text).length;
}

// Tauri drops a message whose hook throws and never answers the window, so the call would hang:
// tell the window (ui/lib/tauri.js) which call was refused, and it rejects that call. `why` is the
// refusal by code, for the window to say in its language (ui/lib/say.js); `reason` its English.
function refuse(message, reason, why) {
  window.parent.postMessage({ farepointIpcRefused: { error: message?.error, reason, why } }, "*");
  throw new Error(reason);
}

function hook(message) {
  const cmd = message?.cmd;
  const name = typeof cmd === "string" ? JSON.stringify(cmd.slice(0, 80)) : String(typeof cmd);
  if (typeof cmd !== "string" || !allowed.has(cmd)) {
    refuse(message, `${name} is not a command this window may call; refused before it reached the app`, {
      code: "refused_command",
      params: { command: name },
    });
  }
  let length;
  try {
    length = size(message);
  } catch {
    refuse(message, `the message to ${name} cannot be serialized; refused before it reached the app`, {
      code: "refused_unserializable",
      params: { command: name },
    });
  }
  if (length > MAX_BYTES) {
    refuse(message, `the message to ${name} is ${length} bytes; at most ${MAX_BYTES} may be sent, so it was refused before it reached the app`, {
      code: "refused_too_large",
      params: { command: name, bytes: String(length), max: String(MAX_BYTES) },
    });
  }
  return message;
}

Object.defineProperty(window, "__TAURI_ISOLATION_HOOK__", { value: hook, writable: false, configurable: false });
