//! The business a receipt is issued by: its name, address, tax number, phone, email and logo,
//! entered in Settings → Business.
//!
//! Desk-wide, not per profile: kept in the `settings` table under scope `app` (beside the
//! preferences, in the main file that is backed up), as `business.<field>`. A Sandbox receipt
//! carries the same header, marked as a test, so the desk sees what its customers will get before
//! it goes live. The logo is kept there too, as base64 text: one small value saved and backed up
//! with the rest, with no file beside the database to lose or mismatch.

mod logo;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub use logo::{Logo, LogoKind, MAX_BYTES as LOGO_MAX_BYTES};

use crate::payment::Provider;
use crate::settings::{Code, Coded, SettingsError};
use crate::store::{self, StoreError};

/// Where desk-wide values live in the `settings` table.
pub(crate) const APP_SCOPE: &str = "app";

/// The most lines an address may take on a receipt, and characters on one line.
pub const ADDRESS_LINES: usize = 5;
const LINE_MAX: usize = 100;

/// Each field: its stored key, its English label (for logs and the CLI) and the most it holds.
pub(crate) struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub max: usize,
}

const NAME: FieldSpec = FieldSpec { key: "name", label: "Business name", max: LINE_MAX };
const ADDRESS: FieldSpec = FieldSpec { key: "address", label: "Address", max: LINE_MAX };
const TAX_LABEL: FieldSpec = FieldSpec { key: "tax_label", label: "Tax number's name", max: 20 };
const TAX_NUMBER: FieldSpec = FieldSpec { key: "tax_number", label: "Tax number", max: 40 };
const PHONE: FieldSpec = FieldSpec { key: "phone", label: "Phone", max: 40 };
const EMAIL: FieldSpec = FieldSpec { key: "email", label: "Email", max: 254 };
const LOGO_KEY: &str = "business.logo";

/// What the agent typed in Settings → Business.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BusinessInput {
    pub name: String,
    /// One line of the address per line of text.
    pub address: String,
    /// The tax number's own name where the business is ("VAT", "NIT", "CIF").
    pub tax_label: String,
    pub tax_number: String,
    pub phone: String,
    pub email: String,
}

/// The business as stored, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Business {
    pub name: String,
    pub address: Vec<String>,
    pub tax_label: String,
    pub tax_number: String,
    pub phone: String,
    pub email: String,
    pub logo: Option<Logo>,
}

impl Business {
    /// Whether a receipt can name the business (its name is the one thing it needs).
    pub fn is_set_up(&self) -> bool {
        !self.name.is_empty()
    }

    /// "VAT GB123456789", when a tax number is given.
    pub fn tax_line(&self) -> Option<String> {
        (!self.tax_number.is_empty())
            .then(|| format!("{} {}", self.tax_label, self.tax_number).trim().to_string())
    }
}

fn key(field: &FieldSpec) -> String {
    format!("business.{}", field.key)
}

pub(crate) fn invalid(field: &FieldSpec, fix: Coded) -> SettingsError {
    SettingsError::Invalid {
        field: field.key.to_string(),
        // The sentence names no provider: any will do.
        message: format!("Business — {}: {}", field.label, fix.english(Provider::Atrip)),
        problem: fix,
    }
}

/// One line of plain text, trimmed, within the field's length.
pub(crate) fn line(field: &FieldSpec, text: &str) -> Result<String, SettingsError> {
    let text = text.trim();
    if text.chars().any(char::is_control) {
        return Err(invalid(field, Coded::new(Code::OneLine)));
    }
    let length = text.chars().count();
    if length > field.max {
        return Err(invalid(field, Coded::new(Code::TooLong).with("length", length).with("max", field.max)));
    }
    Ok(text.to_string())
}

/// An email address on one line, or nothing (the caller decides whether one is needed).
pub(crate) fn email(field: &FieldSpec, text: &str) -> Result<String, SettingsError> {
    let text = line(field, text)?;
    if !text.is_empty() && text.parse::<lettre::Address>().is_err() {
        return Err(invalid(field, Coded::new(Code::EmailAddress).with("value", &text)));
    }
    Ok(text)
}

impl BusinessInput {
    /// Every field checked, as it will be stored; the first problem found is refused.
    fn check(&self) -> Result<Business, SettingsError> {
        let name = line(&NAME, &self.name)?;
        if name.is_empty() {
            return Err(invalid(&NAME, Coded::new(Code::Required)));
        }
        let address: Vec<String> = self
            .address
            .lines()
            .map(|l| line(&ADDRESS, l))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect();
        if address.len() > ADDRESS_LINES {
            return Err(invalid(
                &ADDRESS,
                Coded::new(Code::AddressLines).with("count", address.len()).with("max", ADDRESS_LINES),
            ));
        }
        let phone = line(&PHONE, &self.phone)?;
        let phone_chars = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if !phone.chars().all(phone_chars)
            || (!phone.is_empty() && !phone.chars().any(|c| c.is_ascii_digit()))
        {
            return Err(invalid(&PHONE, Coded::new(Code::PhoneText).with("value", &phone)));
        }
        Ok(Business {
            name,
            address,
            tax_label: line(&TAX_LABEL, &self.tax_label)?,
            tax_number: line(&TAX_NUMBER, &self.tax_number)?,
            phone,
            email: email(&EMAIL, &self.email)?,
            logo: None,
        })
    }
}

/// The business as stored; empty fields where nothing was entered. A stored logo that no longer
/// passes the checks (the file edited by hand) is left off, with a warning in the log.
pub fn load(conn: &Connection) -> Result<Business, SettingsError> {
    let get = |field: &FieldSpec| -> Result<String, StoreError> {
        Ok(store::get_setting(conn, APP_SCOPE, &key(field))?.unwrap_or_default())
    };
    let logo = match store::get_setting(conn, APP_SCOPE, LOGO_KEY)?.filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => match Logo::from_stored(&text) {
            Ok(logo) => Some(logo),
            Err(problem) => {
                tracing::warn!("the stored logo is left off receipts: {}", problem.english(Provider::Atrip));
                None
            }
        },
    };
    Ok(Business {
        name: get(&NAME)?,
        address: get(&ADDRESS)?.lines().map(str::to_string).collect(),
        tax_label: get(&TAX_LABEL)?,
        tax_number: get(&TAX_NUMBER)?,
        phone: get(&PHONE)?,
        email: get(&EMAIL)?,
        logo,
    })
}

/// Saves the business's details (not its logo), all checked first and written in one
/// transaction, so a refused value leaves nothing half-saved.
pub fn save(conn: &mut Connection, input: &BusinessInput, now_ms: i64) -> Result<Business, SettingsError> {
    let checked = input.check()?;
    let tx = conn.transaction().map_err(StoreError::from)?;
    for (field, value) in [
        (&NAME, checked.name.clone()),
        (&ADDRESS, checked.address.join("\n")),
        (&TAX_LABEL, checked.tax_label.clone()),
        (&TAX_NUMBER, checked.tax_number.clone()),
        (&PHONE, checked.phone.clone()),
        (&EMAIL, checked.email.clone()),
    ] {
        store::set_setting(&tx, APP_SCOPE, &key(field), &value, now_ms)?;
    }
    tx.commit().map_err(StoreError::from)?;
    load(conn)
}

const LOGO: FieldSpec = FieldSpec { key: "logo", label: "Logo", max: LOGO_MAX_BYTES };

/// Keeps `bytes` as the logo once it passes `Logo::check`.
pub fn set_logo(conn: &Connection, bytes: Vec<u8>, now_ms: i64) -> Result<Business, SettingsError> {
    let logo = Logo::check(bytes).map_err(|fix| invalid(&LOGO, fix))?;
    store::set_setting(conn, APP_SCOPE, LOGO_KEY, &logo.stored(), now_ms)?;
    load(conn)
}

/// As `set_logo`, from the base64 text the window reads the picked file into.
pub fn set_logo_base64(conn: &Connection, text: &str, now_ms: i64) -> Result<Business, SettingsError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| invalid(&LOGO, Coded::new(Code::LogoUnreadable).with("reason", e)))?;
    set_logo(conn, bytes, now_ms)
}

/// Receipts go without a logo from now on.
pub fn remove_logo(conn: &Connection, now_ms: i64) -> Result<Business, SettingsError> {
    store::set_setting(conn, APP_SCOPE, LOGO_KEY, "", now_ms)?;
    load(conn)
}

/// A fresh settings file, for the tests of what is kept in it.
#[cfg(test)]
pub(crate) fn test_conn() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    drop(store::Store::open_in(dir.path()).unwrap());
    let conn = Connection::open(dir.path().join(store::DB_FILE)).unwrap();
    (dir, conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> (tempfile::TempDir, Connection) {
        test_conn()
    }

    fn input() -> BusinessInput {
        BusinessInput {
            name: "  Viajes Ñandú S.A.S. ".into(),
            address: "Calle 10 # 5-51\n\n  Cartagena de Indias  \nColombia".into(),
            tax_label: "NIT".into(),
            tax_number: "900123456-7".into(),
            phone: "+57 (605) 660-1234".into(),
            email: "recibos@nandu.example".into(),
        }
    }

    #[test]
    fn the_business_is_kept_desk_wide_and_read_back_as_entered() {
        let (_dir, mut conn) = conn();
        assert!(!load(&conn).unwrap().is_set_up(), "nothing entered yet");
        let saved = save(&mut conn, &input(), 1).unwrap();
        assert_eq!(saved.name, "Viajes Ñandú S.A.S.");
        assert_eq!(saved.address, ["Calle 10 # 5-51", "Cartagena de Indias", "Colombia"]);
        assert_eq!(saved.tax_line().as_deref(), Some("NIT 900123456-7"));
        assert_eq!(
            store::get_setting(&conn, "app", "business.tax_number").unwrap().as_deref(),
            Some("900123456-7")
        );

        let with_logo = set_logo(&conn, logo::tests::png(200, 80), 2).unwrap();
        assert_eq!(with_logo.logo.as_ref().map(Logo::size), Some((200, 80)));
        assert_eq!(load(&conn).unwrap(), with_logo);
        assert_eq!(remove_logo(&conn, 3).unwrap().logo, None);
    }

    #[test]
    fn a_wrong_value_is_refused_by_code_and_nothing_is_saved() {
        let (_dir, mut conn) = conn();
        let mut refused = |change: fn(&mut BusinessInput)| {
            let mut wrong = input();
            change(&mut wrong);
            let SettingsError::Invalid { field, problem, .. } = save(&mut conn, &wrong, 1).unwrap_err()
            else {
                panic!("not a field's refusal")
            };
            (field, problem.code)
        };
        assert_eq!(refused(|i| i.name = "  ".into()), ("name".into(), Code::Required));
        assert_eq!(refused(|i| i.email = "recibos at nandu".into()), ("email".into(), Code::EmailAddress));
        assert_eq!(refused(|i| i.phone = "call us".into()), ("phone".into(), Code::PhoneText));
        assert_eq!(refused(|i| i.tax_number = "9".repeat(41)), ("tax_number".into(), Code::TooLong));
        assert_eq!(
            refused(|i| i.address = "a\nb\nc\nd\ne\nf".into()),
            ("address".into(), Code::AddressLines)
        );
        assert_eq!(refused(|i| i.tax_label = "N\tIT".into()), ("tax_label".into(), Code::OneLine));
        assert!(!load(&conn).unwrap().is_set_up(), "a refused save writes nothing");
        let err = set_logo(&conn, b"GIF89a".to_vec(), 1).unwrap_err();
        assert_eq!(err.coded().code, Code::LogoType);
        assert_eq!(err.to_string(), "Business — Logo: the logo must be a PNG or JPEG picture");
    }
}
