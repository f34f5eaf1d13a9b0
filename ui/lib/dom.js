// Building elements from code: no templates, no innerHTML, so nothing typed or received can
// become markup.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "indeterminate"]);

function apply(el, props) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** h("button", { class: "primary", onclick }, "Pay") */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const byId = (id) => document.getElementById(id);

let uid = 0;
/** A unique id for label/input and aria pairs. */
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form field: label, control, hint, and a slot for its error. */
export function field(label, control, { hint, wide } = {}) {
  if (!control.id) control.id = newId();
  const error = h("p", { class: "field-error", id: `${control.id}-error`, role: "alert", hidden: true });
  const hintEl = hint !== undefined ? h("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
  control.setAttribute("aria-describedby", [hintEl?.id, error.id].filter(Boolean).join(" "));
  const wrap = h("div", { class: wide ? "field wide" : "field" }, h("label", { for: control.id, text: label }), control, hintEl, error);
  wrap.control = control;
  return wrap;
}

/** Shows (or clears, with an empty message) the error under a field built by `field`. */
export function setFieldError(control, message) {
  const error = document.getElementById(`${control.id}-error`);
  if (error) showFieldError(error, control, message);
}

/** Fills (or clears) the error slot `errorEl` of `control` — which may not be in the document
 *  yet — and marks the control invalid (`aria-invalid="true"`: an empty value would mean false). */
export function showFieldError(errorEl, control, message) {
  errorEl.textContent = message ?? "";
  errorEl.hidden = !message;
  if (message) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
}
