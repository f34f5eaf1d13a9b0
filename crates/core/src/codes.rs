//! The stable codes of every error a command returns besides Settings' own (`settings::Code`),
//! with the parameters each sentence needs: the engine's and a provider's refusals, card entry,
//! typed amounts, the history's filters and the shell's own. The window translates by code
//! (docs/ui.md, "Languages"); the English here is the errors' own `Display`, kept for logs and the
//! CLI. A sibling list of `settings::Code` rather than more of it: these sentences need no
//! settings schema to be said. `all()` is the one list of both that `tests/ui_strings.rs` walks.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::card::CardError;
use crate::engine::{EngineError, Paying, Unsaved};
use crate::money::MoneyError;
use crate::providers::network::{NetFault, NetKind};
use crate::providers::ProviderError;

macro_rules! codes {
    ($($variant:ident => $code:literal,)*) => {
        /// One kind of error; serialised as its stable snake_case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant,)* }

        impl ErrorCode {
            /// Every code of this list.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

codes! {
    // The engine (`EngineError`).
    NotConfigured => "not_configured",
    Busy => "busy",
    BusyGuest => "busy_guest",
    WrongState => "wrong_state",
    UnsavedTaken => "unsaved_taken",
    UnsavedAnswered => "unsaved_answered",
    UnsavedRefundMade => "unsaved_refund_made",
    UnsavedRefundAnswered => "unsaved_refund_answered",
    // A provider (`ProviderError`); a refusal's own words are its parameters.
    ProviderConfig => "provider_config",
    CredentialsMissing => "credentials_missing",
    ProviderRefused => "provider_refused",
    Unreachable => "unreachable",
    NoReply => "no_reply",
    Unclear => "unclear",
    NoAnswer => "no_answer",
    // A request's field checks (`ProviderError::Invalid`'s problem), engine's and providers'.
    NoteRequired => "note_required",
    OutcomeNoTickets => "outcome_no_tickets",
    OutcomeChoose => "outcome_choose",
    AmountRequired => "amount_required",
    AmountNotPositive => "amount_not_positive",
    CardNeeded => "card_needed",
    CardNumberInText => "card_number_in_text",
    TextTooLong => "text_too_long",
    LocatorFormat => "locator_format",
    OffersNone => "offers_none",
    OfferTwice => "offer_twice",
    OfferUnknown => "offer_unknown",
    OffersCurrencies => "offers_currencies",
    OffersTooLarge => "offers_too_large",
    OffersRepriced => "offers_repriced",
    FopNoneStored => "fop_none_stored",
    FopUnknown => "fop_unknown",
    FopChoose => "fop_choose",
    RefundSending => "refund_sending",
    RefundUnclear => "refund_unclear",
    RefundNoneUnclear => "refund_none_unclear",
    RefundResolvedMeanwhile => "refund_resolved_meanwhile",
    RefundCurrency => "refund_currency",
    RefundedAll => "refunded_all",
    RefundRange => "refund_range",
    RefundRangeLeft => "refund_range_left",
    RefundRunning => "refund_running",
    RefundHxOnly => "refund_hx_only",
    CustomerName => "customer_name",
    VoucherNotHeipay => "voucher_not_heipay",
    VoucherNoLink => "voucher_no_link",
    StoredNotHx => "stored_not_hx",
    StoredNoVersion => "stored_no_version",
    HxVersionChanged => "hx_version_changed",
    OrderNoFormat => "order_no_format",
    AtripNoRegenerate => "atrip_no_regenerate",
    AtripHolder => "atrip_holder",
    Rate => "rate",
    RateFormat => "rate_format",
    RateRange => "rate_range",
    GuestFirstNameRequired => "guest_first_name_required",
    GuestLastNameRequired => "guest_last_name_required",
    GuestFirstNameText => "guest_first_name_text",
    GuestLastNameText => "guest_last_name_text",
    HotelRequired => "hotel_required",
    DetailTooLong => "detail_too_long",
    InstallmentsRange => "installments_range",
    HeipayCurrency => "heipay_currency",
    EmailFormat => "email_format",
    PhoneFormat => "phone_format",
    FiscalNumberFormat => "fiscal_number_format",
    IpFormat => "ip_format",
    HxTokenDigits => "hx_token_digits",
    HxTokenCardNumber => "hx_token_card_number",
    HxReferenceFormat => "hx_reference_format",
    HxGbpOnly => "hx_gbp_only",
    HxCurrency => "hx_currency",
    HxNoAddress => "hx_no_address",
    PostalCodeFormat => "postal_code_format",
    CountryCodeFormat => "country_code_format",
    // The desk's agents (`agents::AgentError`, and the engine's refusal to act unnamed).
    AgentChoose => "agent_choose",
    AgentUnknown => "agent_unknown",
    AgentNameRequired => "agent_name_required",
    AgentNameText => "agent_name_text",
    AgentNameTaken => "agent_name_taken",
    AgentPinFormat => "agent_pin_format",
    AgentPinNeeded => "agent_pin_needed",
    AgentPinWrong => "agent_pin_wrong",
    AgentPinWait => "agent_pin_wait",
    // The history's requests (`HistoryError`).
    ExportFormat => "export_format",
    DateFormat => "date_format",
    StatusUnknown => "status_unknown",
    RefundStateUnknown => "refund_state_unknown",
    AmountNeedsCurrency => "amount_needs_currency",
    AmountsSwapped => "amounts_swapped",
    RangeReversed => "range_reversed",
    PageSize => "page_size",
    CursorUnknown => "cursor_unknown",
    UtcOffset => "utc_offset",
    TotalsTooLarge => "totals_too_large",
    // A card entry's field (`CardError`).
    CardNotDigits => "card_not_digits",
    CardLength => "card_length",
    CardBrandUnknown => "card_brand_unknown",
    CardBrandLength => "card_brand_length",
    CardNotLuhn => "card_not_luhn",
    CvvFormat => "cvv_format",
    ExpiryMonth => "expiry_month",
    ExpiryYear => "expiry_year",
    ExpiryPast => "expiry_past",
    HolderEmpty => "holder_empty",
    HolderCharacters => "holder_characters",
    HolderLength => "holder_length",
    // A typed amount or currency (`MoneyError`).
    UnknownCurrency => "unknown_currency",
    NoMinorUnit => "no_minor_unit",
    AmountInvalid => "amount_invalid",
    TooManyDecimals => "too_many_decimals",
    AmountNegative => "amount_negative",
    AmountTooLarge => "amount_too_large",
    CurrencyMismatch => "currency_mismatch",
    // The history's requests, and the shell's own refusals.
    Invalid => "invalid",
    NotFound => "not_found",
    ExportFailed => "export_failed",
    Internal => "internal",
    UnknownProfile => "unknown_profile",
    UnknownProvider => "unknown_provider",
    ProfileBusy => "profile_busy",
    KeyringCheckLost => "keyring_check_lost",
    VoucherUnreadable => "voucher_unreadable",
    // A receipt saved as PDF or emailed (`history::receipt`, `smtp::SendError`).
    ReceiptPdf => "receipt_pdf",
    ReceiptSave => "receipt_save",
    FolderOpen => "folder_open",
    SmtpNotSetUp => "smtp_not_set_up",
    SmtpPasswordMissing => "smtp_password_missing",
    SmtpKeyring => "smtp_keyring",
    SmtpUnreachable => "smtp_unreachable",
    SmtpTls => "smtp_tls",
    SmtpRefused => "smtp_refused",
    SmtpFailed => "smtp_failed",
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Every code the core sends the window: Settings' and this list's.
pub fn all() -> impl Iterator<Item = &'static str> {
    crate::settings::Code::ALL.iter().map(|c| c.as_str()).chain(ErrorCode::ALL.iter().map(|c| c.as_str()))
}

/// An error's code with the parameters its sentence needs. Serialised as `{code, params}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodedError {
    pub code: ErrorCode,
    pub params: BTreeMap<&'static str, String>,
}

impl CodedError {
    pub fn new(code: ErrorCode) -> Self {
        CodedError { code, params: BTreeMap::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.insert(name, value.to_string());
        self
    }

    /// The English sentence: the error's own `Display` (a test holds them equal).
    pub fn english(&self) -> String {
        if let Some(template) = field_check(self.code) {
            return fill(template, &self.params);
        }
        let p = |name: &str| self.params.get(name).map_or("", String::as_str);
        let unsaved = |what: String, again: &str| {
            format!(
                "{what}, but Farepoint could not save that ({}). Do not {again} again. Farepoint keeps \
                 trying to save it — free some disk space or fix what stops it writing — and if it closes \
                 first, it checks the payment when it next starts.",
                p("reason")
            )
        };
        let (provider, reference) = (p("provider"), p("reference"));
        match self.code {
            ErrorCode::NotConfigured => format!(
                "{provider} is not set up in this profile — add its address and credentials in Settings"
            ),
            ErrorCode::Busy => format!(
                "payment {reference} for {} is still {} — finish or resolve it before taking another",
                p("subject"),
                p("status")
            ),
            ErrorCode::BusyGuest => format!(
                "payment {reference} for hotel {} · {} · {} is still {} — finish or resolve it before taking \
                 another",
                p("hotel"),
                p("guest"),
                p("amount"),
                p("status")
            ),
            ErrorCode::WrongState => format!(
                "payment {reference} is {}; this action needs it to be {}",
                p("status"),
                p("needed")
            ),
            ErrorCode::UnsavedTaken => {
                unsaved(format!("{provider} took payment {reference}"), "take this payment")
            }
            ErrorCode::UnsavedAnswered => {
                unsaved(format!("{provider} answered about payment {reference}"), "take this payment")
            }
            ErrorCode::UnsavedRefundMade => {
                unsaved(format!("{provider} made the refund of payment {reference}"), "refund it")
            }
            ErrorCode::UnsavedRefundAnswered => {
                unsaved(format!("{provider} answered about the refund of payment {reference}"), "refund it")
            }
            ErrorCode::CredentialsMissing => format!("{provider} credentials are missing: {}", p("detail")),
            ErrorCode::ProviderRefused => {
                format!("{}: {} — {}", p("provider_code"), p("provider_message"), p("advice"))
            }
            // `why` is a network fault's code (`NetKind`), said in its plain words.
            ErrorCode::Unreachable => format!(
                "could not reach {provider}: {} — check the network and the {provider} address in Settings",
                NetKind::words_of(p("why"))
            ),
            ErrorCode::NoReply => format!("{provider} did not answer: {} — try again", NetKind::words_of(p("why"))),
            ErrorCode::Unclear => format!("no clear answer from {provider}: {}", p("detail")),
            ErrorCode::NoAnswer => format!("{provider} gave no usable answer: {}", p("detail")),
            ErrorCode::CardNotDigits => "The card number may contain only digits, spaces and dashes".into(),
            ErrorCode::CardLength => format!("A card number has 12 to 19 digits — this one has {}", p("got")),
            ErrorCode::CardBrandUnknown => "We don't accept this kind of card — use Visa, Mastercard, \
                                            American Express, Discover, Diners Club, JCB or UnionPay"
                .into(),
            ErrorCode::CardBrandLength => format!(
                "A {} card number has {} digits — this one has {}",
                p("brand"),
                p("expected"),
                p("got")
            ),
            ErrorCode::CardNotLuhn => "This card number has a typo — check the digits".into(),
            ErrorCode::CvvFormat => format!(
                "The security code is {} digits on the back of the card (4 on the front for American Express)",
                p("expected")
            ),
            ErrorCode::ExpiryMonth => "The expiry month must be 01 to 12".into(),
            ErrorCode::ExpiryYear => "The expiry year must be written as YY or YYYY".into(),
            ErrorCode::ExpiryPast => format!(
                "This card expired at the end of {}/{} — ask for another card",
                p("month"),
                p("year")
            ),
            ErrorCode::HolderEmpty => "Enter the cardholder's name as printed on the card".into(),
            ErrorCode::HolderCharacters => {
                "The cardholder's name may use Latin letters, spaces, apostrophes, dots and dashes only".into()
            }
            ErrorCode::HolderLength => {
                "The cardholder's name is at most 26 characters, as printed on the card".into()
            }
            ErrorCode::UnknownCurrency => format!(
                "'{}' is not an ISO 4217 currency code — use three letters such as EUR, USD or GBP",
                p("value")
            ),
            ErrorCode::NoMinorUnit => format!(
                "{} has no minor unit defined (it is a metal, fund or test code) — use a currency",
                p("currency")
            ),
            ErrorCode::AmountInvalid => format!(
                "'{}' is not an amount — write digits with an optional decimal point, e.g. 12.34",
                p("input")
            ),
            ErrorCode::TooManyDecimals => format!(
                "{} has more decimals than {} allows ({}) — remove the extra digits",
                p("input"),
                p("currency"),
                p("max")
            ),
            ErrorCode::AmountNegative => {
                format!("{} is negative — enter the amount without a minus sign", p("input"))
            }
            ErrorCode::AmountTooLarge => format!("{} is too large to be an amount", p("input")),
            ErrorCode::CurrencyMismatch => format!(
                "cannot combine {} with {} — amounts must be in the same currency",
                p("left"),
                p("right")
            ),
            ErrorCode::NotFound => format!("no {} with id {}", p("what"), p("id")),
            ErrorCode::ExportFailed => format!("could not write the export: {}", p("reason")),
            ErrorCode::UnknownProvider | ErrorCode::UnknownProfile => {
                let what = if self.code == ErrorCode::UnknownProvider { "provider" } else { "profile" };
                format!("unknown {what} '{}' — expected {}", p("value"), p("expected"))
            }
            ErrorCode::ProfileBusy => format!(
                "These payments are still being sent, checked or ticketed: {}. Wait until they finish (or \
                 resolve them in Payments), then switch profile.",
                p("payments")
            ),
            ErrorCode::KeyringCheckLost => "the keyring check stopped unexpectedly".into(),
            ErrorCode::VoucherUnreadable => "HeiPay sent a voucher that is not text".into(),
            ErrorCode::ReceiptPdf => format!("could not make the receipt's PDF: {}", p("reason")),
            ErrorCode::ReceiptSave => format!("could not save the receipt in {}: {}", p("folder"), p("reason")),
            ErrorCode::FolderOpen => format!("could not open the folder {}: {}", p("folder"), p("reason")),
            ErrorCode::SmtpNotSetUp => {
                "no mail server is set up — enter the business's mail server in Settings → Business".into()
            }
            ErrorCode::SmtpPasswordMissing => "the mail server's password is not stored in the keyring — store it \
                 in Settings → Business"
                .into(),
            ErrorCode::SmtpKeyring => {
                format!("the mail server's password could not be read from the OS keyring: {}", p("reason"))
            }
            ErrorCode::SmtpUnreachable => format!(
                "could not connect to the mail server {}: {} — check its name and port in Settings → Business, \
                 and the network",
                p("server"),
                p("reason")
            ),
            ErrorCode::SmtpTls => format!(
                "the secure connection to the mail server {} failed: {} — check its security setting in \
                 Settings → Business",
                p("server"),
                p("reason")
            ),
            ErrorCode::SmtpRefused => format!("the mail server {} refused the message: {}", p("server"), p("reply")),
            ErrorCode::SmtpFailed => format!("sending through the mail server {} failed: {}", p("server"), p("reason")),
            ErrorCode::ProviderConfig
            | ErrorCode::Invalid
            | ErrorCode::Internal => p("reason").to_string(),
            // Said above.
            _ => String::new(),
        }
    }
}

/// The English of a request's checks (`ProviderError::Invalid`'s problem, `HistoryError`'s),
/// `{name}` standing for a parameter as in the window's words; `None` for the other codes.
fn field_check(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::NoteRequired => "write what the provider portal shows, so the next person knows why",
        ErrorCode::OutcomeNoTickets => "{provider} issues no tickets — record whether the payment was paid or declined",
        ErrorCode::OutcomeChoose => "Choose what the provider portal shows: paid, declined, ticketed or ticketing failed",
        ErrorCode::AmountRequired => "enter the amount to charge",
        ErrorCode::AmountNotPositive => "the amount must be more than 0",
        ErrorCode::CardNeeded => "{method} payments need a card",
        ErrorCode::CardNumberInText => "this looks like a card number — card details go only in the card fields; remove it from here",
        ErrorCode::TextTooLong => "use plain text of at most {max} characters",
        ErrorCode::LocatorFormat => "a record locator is 6 letters or digits, e.g. {example}",
        ErrorCode::OffersNone => "tick at least one offer to pay (the itinerary, an ancillary …)",
        ErrorCode::OfferTwice => "offer {offer} is ticked twice — tick it once",
        ErrorCode::OfferUnknown => "reservation {locator} has no offer {offer} — its offers are: {offers}",
        ErrorCode::OffersCurrencies => "cannot combine {left} with {right} — amounts must be in the same currency: pay them separately",
        ErrorCode::OffersTooLarge => "{input} is too large to be an amount: pay them separately",
        ErrorCode::OffersRepriced => "the offers now cost {amount}, not {was} — take a new payment instead",
        ErrorCode::FopNoneStored => "reservation {locator} has no stored form of payment — enter a card or take cash",
        ErrorCode::FopUnknown => "reservation {locator} has no form of payment {fop} — its stored ones are: {fops}",
        ErrorCode::FopChoose => "choose one of the reservation's stored forms of payment",
        ErrorCode::RefundSending => "the refund of {amount} is still being sent — wait for its answer",
        ErrorCode::RefundUnclear => "the refund of {amount} has no clear answer yet — check it in the provider's portal and record what it shows before refunding again",
        ErrorCode::RefundNoneUnclear => "this payment has no unclear refund to resolve",
        ErrorCode::RefundResolvedMeanwhile => "this refund was resolved meanwhile",
        ErrorCode::RefundCurrency => "the refund must be in {currency}, the payment's currency",
        ErrorCode::RefundedAll => "all of {charged} has been refunded already",
        ErrorCode::RefundRange => "refund more than 0 and at most {refundable}",
        ErrorCode::RefundRangeLeft => "refund more than 0 and at most {refundable} (what is left of {charged})",
        ErrorCode::RefundRunning => "a refund or check of this payment is already running — wait for it",
        ErrorCode::RefundHxOnly => "only a Holiday Extras payment can be refunded here",
        ErrorCode::CustomerName => "enter the customer's name (up to {max} characters)",
        ErrorCode::VoucherNotHeipay => "payment {reference} has no HeiPay voucher: it was not taken through HeiPay",
        ErrorCode::VoucherNoLink => "payment {reference} has no HeiPay voucher: HeiPay gave no voucher link — look it up in the HeiPay portal",
        ErrorCode::StoredNotHx => "the stored request is not Holiday Extras'",
        ErrorCode::StoredNoVersion => "the stored request does not say its API version",
        ErrorCode::HxVersionChanged => "it was sent with API {sent} and this profile now uses {now}",
        ErrorCode::OrderNoFormat => "an ATRIP order number is letters and digits, e.g. {example}",
        ErrorCode::AtripNoRegenerate => "ATRIP's code {provider_code} ({meaning}) does not allow a new order to be paid: {advice}",
        ErrorCode::AtripHolder => "ATRIP needs the cardholder's given name and surname, in letters and hyphens",
        ErrorCode::Rate => "a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
        ErrorCode::RateFormat => "'{value}' is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
        ErrorCode::RateRange => "{value} is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%",
        ErrorCode::GuestFirstNameRequired => "enter the guest's first name",
        ErrorCode::GuestLastNameRequired => "enter the guest's last name",
        ErrorCode::GuestFirstNameText => "the guest's first name must be plain text of at most {max} characters",
        ErrorCode::GuestLastNameText => "the guest's last name must be plain text of at most {max} characters",
        ErrorCode::HotelRequired => "choose the hotel (HeiPay hotel ids are positive numbers)",
        ErrorCode::DetailTooLong => "HeiPay takes at most {max} characters of detail; this has {got} — shorten it",
        ErrorCode::InstallmentsRange => "choose 1 to {max} installments (1 = a single payment)",
        ErrorCode::HeipayCurrency => "HeiPay charges Colombian pesos with two decimals; {amount} is in {currency} — enter the amount in COP",
        ErrorCode::EmailFormat => "'{value}' is not an email address (name@example.com)",
        ErrorCode::PhoneFormat => "'{value}' is not a phone number: use 7 to 15 digits, e.g. 3012104578",
        ErrorCode::FiscalNumberFormat => "use the tax id as letters, digits, '-' and '.', at most {max} characters (e.g. 900123456-7)",
        ErrorCode::IpFormat => "'{value}' is not an IPv4 address (four numbers 0–255, e.g. 181.204.153.195)",
        ErrorCode::HxTokenDigits => "a Holiday Extras card token is digits only (up to {max})",
        ErrorCode::HxTokenCardNumber => "this looks like a card number, not a Holiday Extras token — tokenise the card with the Holiday Extras payment form and enter the token it gives",
        ErrorCode::HxReferenceFormat => "up to {max} letters, digits, '-' or '_' (the booking reference), e.g. HXB12345",
        ErrorCode::HxGbpOnly => "Holiday Extras v1 charges pence (GBP) only, not {currency} — use a v2 profile",
        ErrorCode::HxCurrency => "Holiday Extras charges GBP or EUR, not {currency}",
        ErrorCode::HxNoAddress => "Holiday Extras v1 cannot carry a postal or country code — leave it empty or use a v2 profile",
        ErrorCode::PostalCodeFormat => "up to {max} letters, digits, spaces or '-', e.g. SW1A 1AA",
        ErrorCode::CountryCodeFormat => "two letters (ISO 3166-1), e.g. GB or DE",
        ErrorCode::AgentChoose => "choose who you are first (the agent button in the rail): what you do here is recorded under your name",
        ErrorCode::AgentUnknown => "this agent is no longer at this desk — choose another",
        ErrorCode::AgentNameRequired => "enter the agent's name",
        ErrorCode::AgentNameText => "an agent's name is plain text of at most {max} characters, with at least one letter",
        ErrorCode::AgentNameTaken => "{name} is already an agent at this desk — add a surname or an initial",
        ErrorCode::AgentPinFormat => "a PIN is {min} to {max} digits",
        ErrorCode::AgentPinNeeded => "enter {name}'s PIN",
        ErrorCode::AgentPinWrong => "that is not {name}'s PIN — tries left before a wait: {left}",
        ErrorCode::AgentPinWait => "too many wrong PINs for {name} — wait {seconds} seconds, then try again",
        ErrorCode::ExportFormat => "'{value}' is not an export format — use csv or json",
        ErrorCode::DateFormat => "'{value}' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-20",
        ErrorCode::StatusUnknown => "unknown status '{value}' — use one of {expected}",
        ErrorCode::RefundStateUnknown => "'{value}' is not a refund state — use Sending, Refunded, Declined or Unclear",
        ErrorCode::AmountNeedsCurrency => "choose a currency to filter by amount",
        ErrorCode::AmountsSwapped => "the smallest amount ({min}) is above the largest ({max}) — swap them",
        ErrorCode::RangeReversed => "the range starts after it ends — the start date must come first",
        ErrorCode::PageSize => "a page holds 1 to {max} rows, not {got}",
        ErrorCode::CursorUnknown => "the page cursor is not one this search gave out — start again from the first page",
        ErrorCode::UtcOffset => "a UTC offset is at most ±18 hours, not {minutes} minutes",
        ErrorCode::TotalsTooLarge => "the totals are too large to add up",
        _ => return None,
    })
}

/// `template` with each `{name}` replaced by its parameter, in one pass (a value that holds
/// braces is not read again).
fn fill(template: &str, params: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                out.push_str(params.get(&after[..close]).map_or("", String::as_str));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl CodedError {
    /// A provider or profile name the core does not know, with the names it does.
    pub fn unknown_name(code: ErrorCode, value: &str, known: &[&str]) -> Self {
        let expected = match known.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        CodedError::new(code).with("value", value).with("expected", expected)
    }
}

impl EngineError {
    /// The error as a code and its parameters, for the window; `None` for a store error (the
    /// shell sends Settings' `storage`).
    pub fn coded(&self) -> Option<CodedError> {
        Some(match self {
            EngineError::Store(_) => return None,
            EngineError::Provider(p) => p.coded(),
            EngineError::NotConfigured { provider } => {
                CodedError::new(ErrorCode::NotConfigured).with("provider", provider)
            }
            EngineError::Busy { reference, subject, status } => {
                let said = match subject {
                    Paying::Key(key) => CodedError::new(ErrorCode::Busy).with("subject", key),
                    Paying::Guest { hotel, guest, amount } => CodedError::new(ErrorCode::BusyGuest)
                        .with("hotel", hotel)
                        .with("guest", guest)
                        .with("amount", amount),
                };
                said.with("reference", reference).with("status", status)
            }
            EngineError::WrongState { reference, status, needed } => CodedError::new(ErrorCode::WrongState)
                .with("reference", reference)
                .with("status", status)
                .with("needed", needed),
            EngineError::Unsaved(u) => u.coded(),
            EngineError::Agent(problem) => problem.clone(),
        })
    }
}

impl Unsaved {
    /// What the agent reads when an answer could not be saved, by whether it was a refund and
    /// whether the money moved.
    pub fn coded(&self) -> CodedError {
        let code = match (self.refund, self.went_through) {
            (false, true) => ErrorCode::UnsavedTaken,
            (false, false) => ErrorCode::UnsavedAnswered,
            (true, true) => ErrorCode::UnsavedRefundMade,
            (true, false) => ErrorCode::UnsavedRefundAnswered,
        };
        CodedError::new(code)
            .with("provider", self.provider)
            .with("reference", &self.reference)
            .with("reason", &self.reason)
    }
}

impl ProviderError {
    /// The error as a code and its parameters; `Invalid`'s is its problem's, with the `field`
    /// the window shows it at.
    pub fn coded(&self) -> CodedError {
        let said = |code, provider: &str, detail: &str| {
            CodedError::new(code).with("provider", provider).with("detail", detail)
        };
        // The fault by its kind; the network library's words only as `detail`, which no
        // sentence shows (the window keeps them for a "details" part).
        let net = |code, provider: &str, fault: &NetFault| {
            CodedError::new(code)
                .with("provider", provider)
                .with("why", fault.kind.as_str())
                .with("detail", &fault.detail)
        };
        match self {
            ProviderError::Config(reason) => {
                CodedError::new(ErrorCode::ProviderConfig).with("reason", reason)
            }
            ProviderError::Credentials { provider, detail } => {
                said(ErrorCode::CredentialsMissing, provider, detail)
            }
            ProviderError::Invalid { field, problem, .. } => problem.clone().with("field", field),
            ProviderError::Refused(r) => CodedError::new(ErrorCode::ProviderRefused)
                .with("provider_code", &r.code)
                .with("provider_message", &r.message)
                .with("advice", &r.advice),
            ProviderError::Unreachable { provider, fault } => net(ErrorCode::Unreachable, provider, fault),
            ProviderError::Lost { provider, fault } => net(ErrorCode::NoReply, provider, fault),
            ProviderError::Unclear { provider, detail } => said(ErrorCode::Unclear, provider, detail),
            ProviderError::NoAnswer { provider, detail } => said(ErrorCode::NoAnswer, provider, detail),
        }
    }
}

impl CardError {
    /// The refusal as a code and its parameters, for the field it belongs to.
    pub fn coded(&self) -> CodedError {
        let code = CodedError::new;
        match self {
            CardError::NumberNotDigits => code(ErrorCode::CardNotDigits),
            CardError::NumberLength(got) => code(ErrorCode::CardLength).with("got", got),
            CardError::UnknownBrand => code(ErrorCode::CardBrandUnknown),
            CardError::BrandLength { brand, expected, got } => code(ErrorCode::CardBrandLength)
                .with("brand", brand)
                .with("expected", expected)
                .with("got", got),
            CardError::Luhn => code(ErrorCode::CardNotLuhn),
            CardError::CvvFormat { expected } => code(ErrorCode::CvvFormat).with("expected", expected),
            CardError::ExpiryMonth => code(ErrorCode::ExpiryMonth),
            CardError::ExpiryYear => code(ErrorCode::ExpiryYear),
            CardError::Expired { month, year } => {
                code(ErrorCode::ExpiryPast).with("month", format!("{month:02}")).with("year", year)
            }
            CardError::HolderEmpty => code(ErrorCode::HolderEmpty),
            CardError::HolderCharacters => code(ErrorCode::HolderCharacters),
            CardError::HolderLength => code(ErrorCode::HolderLength),
        }
    }
}

impl MoneyError {
    /// The refusal as a code and its parameters.
    pub fn coded(&self) -> CodedError {
        let code = CodedError::new;
        match self {
            MoneyError::UnknownCurrency(value) => code(ErrorCode::UnknownCurrency).with("value", value),
            MoneyError::NoMinorUnit(currency) => code(ErrorCode::NoMinorUnit).with("currency", currency),
            MoneyError::Invalid { input } => code(ErrorCode::AmountInvalid).with("input", input),
            MoneyError::TooManyFractionDigits { input, currency, max } => code(ErrorCode::TooManyDecimals)
                .with("input", input)
                .with("currency", currency)
                .with("max", max),
            MoneyError::Negative { input } => code(ErrorCode::AmountNegative).with("input", input),
            MoneyError::Overflow { input } => code(ErrorCode::AmountTooLarge).with("input", input),
            MoneyError::CurrencyMismatch { left, right } => {
                code(ErrorCode::CurrencyMismatch).with("left", left).with("right", right)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::payment::Status;
    use crate::providers::Refusal;

    #[test]
    fn codes_are_unique_snake_case_across_both_lists() {
        let mut seen = std::collections::HashSet::new();
        for name in all() {
            assert!(seen.insert(name), "{name} twice");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
        assert_eq!(seen.len(), crate::settings::Code::ALL.len() + ErrorCode::ALL.len());
    }

    #[test]
    fn each_errors_english_is_its_codes() {
        let detail = || "connection refused".to_string();
        let engine = [
            EngineError::NotConfigured { provider: "ATRIP" },
            EngineError::Busy {
                reference: "FP-1".into(),
                subject: Paying::Key("TESTA7".into()),
                status: Status::Unknown,
            },
            EngineError::Busy {
                reference: "FP-4".into(),
                subject: Paying::Guest {
                    hotel: 12,
                    guest: "MUÑOZ, ANA".into(),
                    amount: crate::money::Money::from_minor(15000, Currency::from_code("COP").unwrap()),
                },
                status: Status::NeedsReview,
            },
            EngineError::WrongState { reference: "FP-2".into(), status: Status::Declined, needed: "Paid" },
            EngineError::Provider(ProviderError::Config("no address".into())),
            EngineError::Provider(ProviderError::Credentials { provider: "HeiPay", detail: detail() }),
            EngineError::Provider(ProviderError::invalid(
                "amount",
                CodedError::new(ErrorCode::RefundRangeLeft)
                    .with("refundable", "EUR 3.00")
                    .with("charged", "EUR 5.00"),
            )),
            EngineError::Provider(ProviderError::Refused(Refusal {
                code: "4003".into(),
                message: "The card was declined".into(),
                advice: "Use another card".into(),
            })),
            EngineError::Provider(ProviderError::Unreachable {
                provider: "ATRIP",
                fault: NetFault::new(NetKind::Refused, detail()),
            }),
            EngineError::Provider(ProviderError::Lost {
                provider: "ATRIP",
                fault: NetFault::new(NetKind::Timeout, detail()),
            }),
            EngineError::Provider(ProviderError::Unclear { provider: "ATRIP", detail: detail() }),
            EngineError::Provider(ProviderError::NoAnswer { provider: "ATRIP", detail: detail() }),
        ];
        let mut count = 0;
        for e in engine {
            let coded = e.coded().unwrap();
            let english = coded.english();
            let english = match &e {
                EngineError::Provider(ProviderError::Invalid { field, .. }) => format!("{field}: {english}"),
                _ => english,
            };
            assert_eq!(english, e.to_string(), "{:?}", coded.code);
            count += 1;
        }
        for (refund, went_through) in [(false, true), (false, false), (true, true), (true, false)] {
            let e = EngineError::Unsaved(Unsaved {
                payment_id: "p".into(),
                reference: "FP-3".into(),
                provider: "HeiPay",
                refund,
                went_through,
                reason: "disk full".into(),
            });
            assert_eq!(e.coded().unwrap().english(), e.to_string());
            count += 1;
        }
        let card = [
            CardError::NumberNotDigits,
            CardError::NumberLength(9),
            CardError::UnknownBrand,
            CardError::BrandLength { brand: "Visa", expected: "13, 16 or 19".into(), got: 15 },
            CardError::Luhn,
            CardError::CvvFormat { expected: 3 },
            CardError::ExpiryMonth,
            CardError::ExpiryYear,
            CardError::Expired { month: 3, year: 2024 },
            CardError::HolderEmpty,
            CardError::HolderCharacters,
            CardError::HolderLength,
        ];
        for e in card {
            assert_eq!(e.coded().english(), e.to_string());
            count += 1;
        }
        let money = [
            MoneyError::UnknownCurrency("EUX".into()),
            MoneyError::NoMinorUnit("XAU".into()),
            MoneyError::Invalid { input: "1,2.3".into() },
            MoneyError::TooManyFractionDigits { input: "1.234".into(), currency: Currency::EUR, max: 2 },
            MoneyError::Negative { input: "-5".into() },
            MoneyError::Overflow { input: "9".repeat(30) },
            MoneyError::CurrencyMismatch { left: Currency::EUR, right: Currency::GBP },
        ];
        for e in money {
            assert_eq!(e.coded().english(), e.to_string());
            count += 1;
        }
        // Every code of the errors above was said once (the shell's own are said in the shell).
        assert_eq!(count, 35);
    }

    #[test]
    fn a_field_checks_english_is_the_sentence_it_always_was() {
        // Each request check's words, as the engine and the provider clients said them before
        // they had codes (tests and the window's end-to-end suite read some of them).
        let said = [
            (CodedError::new(ErrorCode::NoteRequired), "write what the provider portal shows, so the next person knows why"),
            (CodedError::new(ErrorCode::OutcomeNoTickets).with("provider", "ATRIP"), "ATRIP issues no tickets — record whether the payment was paid or declined"),
            (CodedError::new(ErrorCode::OutcomeChoose), "Choose what the provider portal shows: paid, declined, ticketed or ticketing failed"),
            (CodedError::new(ErrorCode::AmountRequired), "enter the amount to charge"),
            (CodedError::new(ErrorCode::AmountNotPositive), "the amount must be more than 0"),
            (CodedError::new(ErrorCode::CardNeeded).with("method", "VCC"), "VCC payments need a card"),
            (CodedError::new(ErrorCode::CardNumberInText), "this looks like a card number — card details go only in the card fields; remove it from here"),
            (CodedError::new(ErrorCode::TextTooLong).with("max", "30"), "use plain text of at most 30 characters"),
            (CodedError::new(ErrorCode::LocatorFormat).with("example", "FPAIR1"), "a record locator is 6 letters or digits, e.g. FPAIR1"),
            (CodedError::new(ErrorCode::OffersNone), "tick at least one offer to pay (the itinerary, an ancillary …)"),
            (CodedError::new(ErrorCode::OfferTwice).with("offer", "AIR-2"), "offer AIR-2 is ticked twice — tick it once"),
            (CodedError::new(ErrorCode::OfferUnknown).with("locator", "FPAIR1").with("offer", "AIR-2").with("offers", "AIR-1, SEAT-1"), "reservation FPAIR1 has no offer AIR-2 — its offers are: AIR-1, SEAT-1"),
            (CodedError::new(ErrorCode::OffersCurrencies).with("left", "EUR").with("right", "GBP"), "cannot combine EUR with GBP — amounts must be in the same currency: pay them separately"),
            (CodedError::new(ErrorCode::OffersTooLarge).with("input", "EUR 1 + EUR 2"), "EUR 1 + EUR 2 is too large to be an amount: pay them separately"),
            (CodedError::new(ErrorCode::OffersRepriced).with("amount", "EUR 5.00").with("was", "EUR 4.00"), "the offers now cost EUR 5.00, not EUR 4.00 — take a new payment instead"),
            (CodedError::new(ErrorCode::FopNoneStored).with("locator", "FPAIR1"), "reservation FPAIR1 has no stored form of payment — enter a card or take cash"),
            (CodedError::new(ErrorCode::FopUnknown).with("locator", "FPAIR1").with("fop", "FOP-9").with("fops", "FOP-1 (Visa 1111)"), "reservation FPAIR1 has no form of payment FOP-9 — its stored ones are: FOP-1 (Visa 1111)"),
            (CodedError::new(ErrorCode::FopChoose), "choose one of the reservation's stored forms of payment"),
            (CodedError::new(ErrorCode::RefundSending).with("amount", "EUR 5.00"), "the refund of EUR 5.00 is still being sent — wait for its answer"),
            (CodedError::new(ErrorCode::RefundUnclear).with("amount", "EUR 5.00"), "the refund of EUR 5.00 has no clear answer yet — check it in the provider's portal and record what it shows before refunding again"),
            (CodedError::new(ErrorCode::RefundNoneUnclear), "this payment has no unclear refund to resolve"),
            (CodedError::new(ErrorCode::RefundResolvedMeanwhile), "this refund was resolved meanwhile"),
            (CodedError::new(ErrorCode::RefundCurrency).with("currency", "USD"), "the refund must be in USD, the payment's currency"),
            (CodedError::new(ErrorCode::RefundedAll).with("charged", "EUR 5.00"), "all of EUR 5.00 has been refunded already"),
            (CodedError::new(ErrorCode::RefundRange).with("refundable", "EUR 3.00"), "refund more than 0 and at most EUR 3.00"),
            (CodedError::new(ErrorCode::RefundRangeLeft).with("refundable", "EUR 3.00").with("charged", "EUR 5.00"), "refund more than 0 and at most EUR 3.00 (what is left of EUR 5.00)"),
            (CodedError::new(ErrorCode::RefundRunning), "a refund or check of this payment is already running — wait for it"),
            (CodedError::new(ErrorCode::RefundHxOnly), "only a Holiday Extras payment can be refunded here"),
            (CodedError::new(ErrorCode::CustomerName).with("max", "30"), "enter the customer's name (up to 30 characters)"),
            (CodedError::new(ErrorCode::VoucherNotHeipay).with("reference", "FP-7"), "payment FP-7 has no HeiPay voucher: it was not taken through HeiPay"),
            (CodedError::new(ErrorCode::VoucherNoLink).with("reference", "FP-7"), "payment FP-7 has no HeiPay voucher: HeiPay gave no voucher link — look it up in the HeiPay portal"),
            (CodedError::new(ErrorCode::StoredNotHx), "the stored request is not Holiday Extras'"),
            (CodedError::new(ErrorCode::StoredNoVersion), "the stored request does not say its API version"),
            (CodedError::new(ErrorCode::HxVersionChanged).with("sent", "v1").with("now", "v2"), "it was sent with API v1 and this profile now uses v2"),
            (CodedError::new(ErrorCode::OrderNoFormat).with("example", "FPAIR1"), "an ATRIP order number is letters and digits, e.g. FPAIR1"),
            (CodedError::new(ErrorCode::AtripNoRegenerate).with("provider_code", "411").with("meaning", "order closed").with("advice", "call ATRIP"), "ATRIP's code 411 (order closed) does not allow a new order to be paid: call ATRIP"),
            (CodedError::new(ErrorCode::AtripHolder), "ATRIP needs the cardholder's given name and surname, in letters and hyphens"),
            (CodedError::new(ErrorCode::Rate), "a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%"),
            (CodedError::new(ErrorCode::RateFormat).with("value", "x@y"), "'x@y' is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%"),
            (CodedError::new(ErrorCode::RateRange).with("value", "x@y"), "x@y is not a rate between 0.00 and 1.00 with at most two decimals, e.g. 0.19 for 19%"),
            (CodedError::new(ErrorCode::GuestFirstNameRequired), "enter the guest's first name"),
            (CodedError::new(ErrorCode::GuestLastNameRequired), "enter the guest's last name"),
            (CodedError::new(ErrorCode::GuestFirstNameText).with("max", "30"), "the guest's first name must be plain text of at most 30 characters"),
            (CodedError::new(ErrorCode::GuestLastNameText).with("max", "30"), "the guest's last name must be plain text of at most 30 characters"),
            (CodedError::new(ErrorCode::HotelRequired), "choose the hotel (HeiPay hotel ids are positive numbers)"),
            (CodedError::new(ErrorCode::DetailTooLong).with("max", "30").with("got", "120"), "HeiPay takes at most 30 characters of detail; this has 120 — shorten it"),
            (CodedError::new(ErrorCode::InstallmentsRange).with("max", "30"), "choose 1 to 30 installments (1 = a single payment)"),
            (CodedError::new(ErrorCode::HeipayCurrency).with("amount", "EUR 5.00").with("currency", "USD"), "HeiPay charges Colombian pesos with two decimals; EUR 5.00 is in USD — enter the amount in COP"),
            (CodedError::new(ErrorCode::EmailFormat).with("value", "x@y"), "'x@y' is not an email address (name@example.com)"),
            (CodedError::new(ErrorCode::PhoneFormat).with("value", "x@y"), "'x@y' is not a phone number: use 7 to 15 digits, e.g. 3012104578"),
            (CodedError::new(ErrorCode::FiscalNumberFormat).with("max", "30"), "use the tax id as letters, digits, '-' and '.', at most 30 characters (e.g. 900123456-7)"),
            (CodedError::new(ErrorCode::IpFormat).with("value", "x@y"), "'x@y' is not an IPv4 address (four numbers 0–255, e.g. 181.204.153.195)"),
            (CodedError::new(ErrorCode::HxTokenDigits).with("max", "30"), "a Holiday Extras card token is digits only (up to 30)"),
            (CodedError::new(ErrorCode::HxTokenCardNumber), "this looks like a card number, not a Holiday Extras token — tokenise the card with the Holiday Extras payment form and enter the token it gives"),
            (CodedError::new(ErrorCode::HxReferenceFormat).with("max", "30"), "up to 30 letters, digits, '-' or '_' (the booking reference), e.g. HXB12345"),
            (CodedError::new(ErrorCode::HxGbpOnly).with("currency", "USD"), "Holiday Extras v1 charges pence (GBP) only, not USD — use a v2 profile"),
            (CodedError::new(ErrorCode::HxCurrency).with("currency", "USD"), "Holiday Extras charges GBP or EUR, not USD"),
            (CodedError::new(ErrorCode::HxNoAddress), "Holiday Extras v1 cannot carry a postal or country code — leave it empty or use a v2 profile"),
            (CodedError::new(ErrorCode::PostalCodeFormat).with("max", "30"), "up to 30 letters, digits, spaces or '-', e.g. SW1A 1AA"),
            (CodedError::new(ErrorCode::CountryCodeFormat), "two letters (ISO 3166-1), e.g. GB or DE"),
            // The history's.
            (CodedError::new(ErrorCode::ExportFormat).with("value", "EURO"), "'EURO' is not an export format — use csv or json"),
            (CodedError::new(ErrorCode::DateFormat).with("value", "EURO"), "'EURO' is not a date — write it as YYYY-MM-DD, e.g. 2026-11-20"),
            (CodedError::new(ErrorCode::StatusUnknown).with("value", "EURO").with("expected", "Draft, Paid"), "unknown status 'EURO' — use one of Draft, Paid"),
            (CodedError::new(ErrorCode::RefundStateUnknown).with("value", "EURO"), "'EURO' is not a refund state — use Sending, Refunded, Declined or Unclear"),
            (CodedError::new(ErrorCode::AmountNeedsCurrency), "choose a currency to filter by amount"),
            (CodedError::new(ErrorCode::AmountsSwapped).with("min", "GBP 5.00").with("max", "GBP 2.00"), "the smallest amount (GBP 5.00) is above the largest (GBP 2.00) — swap them"),
            (CodedError::new(ErrorCode::RangeReversed), "the range starts after it ends — the start date must come first"),
            (CodedError::new(ErrorCode::PageSize).with("max", "GBP 2.00").with("got", "501"), "a page holds 1 to GBP 2.00 rows, not 501"),
            (CodedError::new(ErrorCode::CursorUnknown), "the page cursor is not one this search gave out — start again from the first page"),
            (CodedError::new(ErrorCode::UtcOffset).with("minutes", "1200"), "a UTC offset is at most ±18 hours, not 1200 minutes"),
            (CodedError::new(ErrorCode::TotalsTooLarge), "the totals are too large to add up"),
        ];
        for (coded, sentence) in &said {
            assert_eq!(coded.english(), *sentence, "{:?}", coded.code);
            let invalid = ProviderError::invalid("field", coded.clone());
            assert_eq!(invalid.to_string(), format!("field: {sentence}"));
            assert_eq!(invalid.coded().params["field"], "field");
        }
        // A value is said as typed, braces and all.
        let braces = CodedError::new(ErrorCode::OfferTwice).with("offer", "{locator}");
        assert_eq!(braces.english(), "offer {locator} is ticked twice — tick it once");
        // Every field check's code once.
        let codes: std::collections::HashSet<_> = said.iter().map(|(c, _)| c.code).collect();
        assert_eq!(codes.len(), 71);
    }

    #[test]
    fn an_unknown_name_reads_as_its_parser_says() {
        use crate::payment::Provider;
        use crate::profile::Profile;
        let ids: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        let provider = CodedError::unknown_name(ErrorCode::UnknownProvider, "amadeus", &ids);
        assert_eq!(Some(provider.english()), "amadeus".parse::<Provider>().err());
        let profile = CodedError::unknown_name(ErrorCode::UnknownProfile, "demo", &["sandbox", "production"]);
        assert_eq!(Some(profile.english()), "demo".parse::<Profile>().err());
    }

    #[test]
    fn a_refusal_sends_the_providers_words_as_parameters() {
        let refused = ProviderError::Refused(Refusal {
            code: "413".into(),
            message: "Insufficient funds".into(),
            advice: "Ask for another card".into(),
        });
        assert_eq!(
            serde_json::to_value(refused.coded()).unwrap(),
            serde_json::json!({
                "code": "provider_refused",
                "params": {
                    "provider_code": "413",
                    "provider_message": "Insufficient funds",
                    "advice": "Ask for another card",
                },
            })
        );
    }
}
