//! What a Holiday Extras payment pays for, as kept in the payment's subject.

use serde::{Deserialize, Serialize};

use super::wire::ApiVersion;
use crate::subject::OtherKeys;

/// What is kept of the request so the same request can be re-sent after a restart. The token is
/// not card data: it only works with our HX credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HolidayExtrasSubject {
    pub token: String,
    pub payment_reference: String,
    /// The API version it was first sent in; `None` only if a stored subject lacks it (then it
    /// is never re-sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<ApiVersion>,
    pub postal_code: Option<String>,
    pub country_code: Option<String>,
    #[serde(flatten)]
    pub other: OtherKeys,
}
