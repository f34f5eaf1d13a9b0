//! Settings (docs/design.md §6): what each provider needs, the Production profile's values and
//! credentials, the Production clients built from them, and the app's preferences.
//!
//! - Non-secret values live in the `settings` table under scope `production`, key
//!   `<provider>.<field>`; HeiPay's hotels are one JSON list under `heipay.hotels`.
//! - Secrets go through `SecretStore` only, as `production/<provider>/<field>`; a hotel's card key
//!   is the field `card_key/<hotel id>`. Nothing here returns, logs or formats a secret's value:
//!   the view says whether a secret is stored, never what it is.
//! - The Sandbox profile is built in: its view is read-only and shows the simulator's demo values
//!   (which the simulator assembles: `farepoint_sandbox::demo::settings_view`).
//! - Preferences (`locale`) belong to the app, not to a profile: scope `app`.
//!
//! What is generic lives here, a module per concept; what one provider needs — its schema and
//! how its client is built from the gathered values and secrets — lives in
//! `providers/<name>/setup.rs`, reached through the tables in `schema` and `clients`.

mod check;
mod clients;
mod codes;
pub mod connection;
mod credentials;
mod error;
mod gather;
mod hotels;
mod preferences;
mod production;
mod reader;
pub mod readiness;
mod schema;
mod view;

pub use clients::production_clients;
pub use codes::{Code, Coded};
pub use credentials::{forget_credential, store_credential};
pub use error::{Problem, SettingsError};
pub(crate) use gather::Gathered;
pub use hotels::Hotel;
pub use preferences::{get_preference, locale, set_preference};
pub use production::{hotels, load, save, ProductionSettings};
pub use schema::{schema, FieldKind, FieldSpec, ProviderSchema, Retired, SecretSpec};
pub use view::{sandbox_view, FieldView, HotelView, ProfileView, ProviderView, SandboxValues, SecretView};

#[cfg(test)]
mod tests;
