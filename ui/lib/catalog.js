// The core's catalog (`app_status`), kept once for the components that draw by it and are made
// before any view hands it on (the timeline's headline). Views read it from their context.

let served = null;

export function setCatalog(catalog) {
  served = catalog;
}

/** The catalog, or null before `app_status` answered. */
export function catalog() {
  return served;
}
