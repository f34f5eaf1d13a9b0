//! Card data, parsed once at the edge and kept out of every log, event and table.
//!
//! `CardNumber` and `Cvv` print only masks, are not `Serialize`, are not `Clone`, and wipe their
//! memory on drop. The plain digits come out only through `expose_number` / `expose_cvv`, which
//! are meant to be called when building a provider request or encrypting a field — grep for them.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};
use zeroize::Zeroizing;

/// The card networks Farepoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Diners,
    Jcb,
    UnionPay,
}

impl CardBrand {
    pub const ALL: [CardBrand; 7] = [
        CardBrand::Visa,
        CardBrand::Mastercard,
        CardBrand::Amex,
        CardBrand::Discover,
        CardBrand::Diners,
        CardBrand::Jcb,
        CardBrand::UnionPay,
    ];

    /// Detects the brand from the leading digits (IIN ranges), or `None` if no accepted network
    /// owns the prefix. Works on partial input so the UI can show the brand while typing.
    pub fn detect(digits: &str) -> Option<CardBrand> {
        IIN_RANGES.iter().find(|r| r.matches(digits)).map(|r| r.brand)
    }

    /// Valid full lengths of a number of this brand.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            CardBrand::Mastercard => &[16],
            CardBrand::Amex => &[15],
            CardBrand::Discover | CardBrand::Jcb | CardBrand::UnionPay => &[16, 17, 18, 19],
            CardBrand::Diners => &[14, 15, 16, 17, 18, 19],
        }
    }

    /// Digits in this brand's security code.
    pub fn cvv_length(self) -> usize {
        match self {
            CardBrand::Amex => 4,
            _ => 3,
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Diners => "Diners Club",
            CardBrand::Jcb => "JCB",
            CardBrand::UnionPay => "UnionPay",
        }
    }
}

/// A run of leading digits owned by a network: the first `digits` digits between `low` and
/// `high`. The window's card field reads this table (`card_rules`) so live brand detection and
/// the check on submit never disagree.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct IinRange {
    pub brand: CardBrand,
    pub digits: usize,
    pub low: u32,
    pub high: u32,
}

impl IinRange {
    const fn new(brand: CardBrand, digits: usize, low: u32, high: u32) -> Self {
        IinRange { brand, digits, low, high }
    }

    fn matches(&self, digits: &str) -> bool {
        digits
            .get(..self.digits)
            .filter(|p| p.len() == self.digits)
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|p| (self.low..=self.high).contains(&p))
    }
}

/// The accepted networks' prefixes, first match wins.
pub const IIN_RANGES: &[IinRange] = &[
    IinRange::new(CardBrand::Visa, 1, 4, 4),
    IinRange::new(CardBrand::Mastercard, 2, 51, 55),
    IinRange::new(CardBrand::Mastercard, 4, 2221, 2720),
    IinRange::new(CardBrand::Amex, 2, 34, 34),
    IinRange::new(CardBrand::Amex, 2, 37, 37),
    IinRange::new(CardBrand::Discover, 4, 6011, 6011),
    IinRange::new(CardBrand::Discover, 3, 644, 649),
    IinRange::new(CardBrand::Discover, 2, 65, 65),
    IinRange::new(CardBrand::Diners, 3, 300, 305),
    IinRange::new(CardBrand::Diners, 4, 3095, 3095),
    IinRange::new(CardBrand::Diners, 2, 36, 36),
    IinRange::new(CardBrand::Diners, 2, 38, 39),
    IinRange::new(CardBrand::Jcb, 4, 3528, 3589),
    IinRange::new(CardBrand::UnionPay, 2, 62, 62),
    IinRange::new(CardBrand::UnionPay, 2, 81, 81),
];

/// Why card input was refused, in words a desk clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("The card number may contain only digits, spaces and dashes")]
    NumberNotDigits,
    #[error("A card number has 12 to 19 digits — this one has {0}")]
    NumberLength(usize),
    #[error("We don't accept this kind of card — use Visa, Mastercard, American Express, Discover, Diners Club, JCB or UnionPay")]
    UnknownBrand,
    #[error("A {brand} card number has {expected} digits — this one has {got}")]
    BrandLength { brand: &'static str, expected: String, got: usize },
    #[error("This card number has a typo — check the digits")]
    Luhn,
    #[error("The security code is {expected} digits on the back of the card (4 on the front for American Express)")]
    CvvFormat { expected: usize },
    #[error("The expiry month must be 01 to 12")]
    ExpiryMonth,
    #[error("The expiry year must be written as YY or YYYY")]
    ExpiryYear,
    #[error("This card expired at the end of {month:02}/{year} — ask for another card")]
    Expired { month: u8, year: u16 },
    #[error("Enter the cardholder's name as printed on the card")]
    HolderEmpty,
    #[error("The cardholder's name may use Latin letters, spaces, apostrophes, dots and dashes only")]
    HolderCharacters,
    #[error("The cardholder's name is at most 26 characters, as printed on the card")]
    HolderLength,
}

/// Which field of a card entry an error belongs to, so the UI can put it next to that field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CardField {
    Number,
    Cvv,
    Expiry,
    Holder,
}

/// A primary account number: digits only, a known brand, a valid length, Luhn-valid.
pub struct CardNumber {
    digits: Zeroizing<String>,
    brand: CardBrand,
}

impl CardNumber {
    /// Parses what was typed or pasted: spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<CardNumber, CardError> {
        let mut digits = Zeroizing::new(String::with_capacity(19));
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(CardError::NumberNotDigits),
            }
        }
        if !(12..=19).contains(&digits.len()) {
            return Err(CardError::NumberLength(digits.len()));
        }
        let brand = CardBrand::detect(&digits).ok_or(CardError::UnknownBrand)?;
        if !brand.lengths().contains(&digits.len()) {
            let expected = brand.lengths().iter().map(usize::to_string).collect::<Vec<_>>().join(" or ");
            return Err(CardError::BrandLength { brand: brand.display_name(), expected, got: digits.len() });
        }
        if !luhn_valid(&digits) {
            return Err(CardError::Luhn);
        }
        Ok(CardNumber { digits, brand })
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// PCI-style mask: at most the first 6 and last 4 digits, fewer for short numbers so that at
    /// least 6 digits are always hidden.
    pub fn masked(&self) -> String {
        let len = self.digits.len();
        let head = if len >= 16 { 6 } else { 0 };
        let hidden = len - head - 4;
        format!("{}{}{}", &self.digits[..head], "•".repeat(hidden), self.last4())
    }

    /// The plain digits. Call only to build a provider request or encrypt a field.
    pub fn expose_number(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardNumber").field("brand", &self.brand).field("masked", &self.masked()).finish()
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} •••• {}", self.brand.display_name(), self.last4())
    }
}

/// Luhn (mod 10) check over ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// The card security code (CVV/CVC/CID). Never stored, not even encrypted.
pub struct Cvv(Zeroizing<String>);

impl Cvv {
    pub fn parse(input: &str, brand: CardBrand) -> Result<Cvv, CardError> {
        let code = Zeroizing::new(input.trim().to_string());
        let expected = brand.cvv_length();
        if code.len() != expected || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::CvvFormat { expected });
        }
        Ok(Cvv(code))
    }

    /// The plain code. Call only to build a provider request or encrypt a field.
    pub fn expose_cvv(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(***)")
    }
}

impl fmt::Display for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Expiry month and year; valid through the last day of that month.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    month: u8,
    year: u16,
}

impl Expiry {
    /// Parses a month ("1", "01") and a year ("28" or "2028"), refusing a card already expired today.
    pub fn parse(month: &str, year: &str) -> Result<Expiry, CardError> {
        Self::parse_at(month, year, OffsetDateTime::now_utc().date())
    }

    /// Parses "MM/YY" or "MM/YYYY" as typed in one field.
    pub fn parse_slashed(input: &str) -> Result<Expiry, CardError> {
        let (month, year) = input.split_once('/').ok_or(CardError::ExpiryMonth)?;
        Self::parse(month, year)
    }

    /// As `parse`, with "today" given, for tests and for checking against a provider's clock.
    pub fn parse_at(month: &str, year: &str, today: Date) -> Result<Expiry, CardError> {
        let (month, year) = (month.trim(), year.trim());
        let month: u8 = match month.parse() {
            Ok(m @ 1..=12) if month.len() <= 2 && month.bytes().all(|b| b.is_ascii_digit()) => m,
            _ => return Err(CardError::ExpiryMonth),
        };
        if !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::ExpiryYear);
        }
        let year: u16 = match (year.len(), year.parse::<u16>()) {
            (2, Ok(y)) => 2000 + y,
            (4, Ok(y)) if y >= 2000 => y,
            _ => return Err(CardError::ExpiryYear),
        };
        let now = (today.year(), u8::from(today.month()));
        if (i32::from(year), month) < now {
            return Err(CardError::Expired { month, year });
        }
        Ok(Expiry { month, year })
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn year(self) -> u16 {
        self.year
    }

    /// The last day the card can be used.
    pub fn last_valid_day(self) -> Option<Date> {
        let month = Month::try_from(self.month).ok()?;
        let first = Date::from_calendar_date(i32::from(self.year), month, 1).ok()?;
        first.replace_day(time::util::days_in_month(month, i32::from(self.year))).ok()
    }
}

impl fmt::Debug for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expiry({:02}/{})", self.month, self.year)
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year % 100)
    }
}

/// The name on the card, upper-cased as airlines expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderName(String);

impl HolderName {
    pub fn parse(input: &str) -> Result<HolderName, CardError> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase();
        if name.is_empty() {
            return Err(CardError::HolderEmpty);
        }
        if !name.chars().all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '\'' | '-' | '.')) {
            return Err(CardError::HolderCharacters);
        }
        if name.chars().count() > 26 {
            return Err(CardError::HolderLength);
        }
        Ok(HolderName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A complete card as keyed at the desk. Not `Clone`, not `Serialize`.
#[derive(Debug)]
pub struct Card {
    pub number: CardNumber,
    pub cvv: Cvv,
    pub expiry: Expiry,
    pub holder: HolderName,
}

/// The raw fields of a card entry form.
pub struct CardInput<'a> {
    pub number: &'a str,
    pub cvv: &'a str,
    pub expiry_month: &'a str,
    pub expiry_year: &'a str,
    pub holder: &'a str,
}

impl Card {
    /// Validates every field and reports every problem at once, each tied to its field.
    pub fn parse(input: &CardInput<'_>) -> Result<Card, Vec<(CardField, CardError)>> {
        let mut errors = Vec::new();
        let number = CardNumber::parse(input.number).map_err(|e| errors.push((CardField::Number, e))).ok();
        // Without a brand the CVV length is unknown; judge it as the common 3-or-4 case.
        let cvv = match &number {
            Some(n) => Cvv::parse(input.cvv, n.brand()),
            None => {
                Cvv::parse(input.cvv, CardBrand::Visa).or_else(|_| Cvv::parse(input.cvv, CardBrand::Amex))
            }
        }
        .map_err(|e| errors.push((CardField::Cvv, e)))
        .ok();
        let expiry = Expiry::parse(input.expiry_month, input.expiry_year)
            .map_err(|e| errors.push((CardField::Expiry, e)))
            .ok();
        let holder = HolderName::parse(input.holder).map_err(|e| errors.push((CardField::Holder, e))).ok();
        match (number, cvv, expiry, holder) {
            (Some(number), Some(cvv), Some(expiry), Some(holder)) => Ok(Card { number, cvv, expiry, holder }),
            _ => Err(errors),
        }
    }

    /// What may be kept about this card after submission (docs/design.md §4).
    pub fn summary(&self) -> CardSummary {
        CardSummary {
            brand: self.number.brand(),
            last4: self.number.last4().to_string(),
            holder: self.holder.as_str().to_string(),
            expiry_month: self.expiry.month(),
            expiry_year: self.expiry.year(),
        }
    }
}

/// The desk's card form as typed: one number field, expiry as "MM/YY", CVV, holder. It arrives
/// from the UI once per payment; it wipes itself on drop and never prints its digits.
#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct CardEntry {
    pub number: String,
    pub expiry: String,
    pub cvv: String,
    pub holder: String,
}

impl fmt::Debug for CardEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardEntry(••••)")
    }
}

impl CardEntry {
    /// Validates every field at once, as [`Card::parse`] does; a missing slash in the expiry
    /// is reported against the expiry field.
    pub fn parse(&self) -> Result<Card, Vec<(CardField, CardError)>> {
        let (month, year) = self.expiry.split_once('/').unwrap_or((self.expiry.as_str(), ""));
        let input = CardInput {
            number: &self.number,
            cvv: &self.cvv,
            expiry_month: month,
            expiry_year: year,
            holder: &self.holder,
        };
        Card::parse(&input)
    }
}

/// The storable, displayable trace of a card: brand, last 4, holder, expiry. Nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSummary {
    pub brand: CardBrand,
    pub last4: String,
    pub holder: String,
    pub expiry_month: u8,
    pub expiry_year: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_desk_entry_parses_and_never_prints_its_digits() {
        let entry = CardEntry {
            number: "4111 1111-1111 1111".into(),
            expiry: "12/39".into(),
            cvv: "123".into(),
            holder: "John Doe".into(),
        };
        assert!(!format!("{entry:?}").contains("1111"));
        let card = entry.parse().unwrap();
        assert_eq!(card.summary().last4, "1111");
        assert_eq!((card.expiry.month(), card.expiry.year()), (12, 2039));
        let bad = CardEntry {
            number: "4111111111111112".into(),
            expiry: "1239".into(),
            cvv: "123".into(),
            holder: "John Doe".into(),
        };
        let fields: Vec<CardField> = bad.parse().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec![CardField::Number, CardField::Expiry]);
    }

    /// Well-known test numbers, one or more per brand.
    const TEST_CARDS: &[(&str, CardBrand)] = &[
        ("4111111111111111", CardBrand::Visa),
        ("4222222222222", CardBrand::Visa),
        ("5555555555554444", CardBrand::Mastercard),
        ("2221000000000009", CardBrand::Mastercard),
        ("2720992720992729", CardBrand::Mastercard),
        ("378282246310005", CardBrand::Amex),
        ("371449635398431", CardBrand::Amex),
        ("6011111111111117", CardBrand::Discover),
        ("6445644564456445", CardBrand::Discover),
        ("30569309025904", CardBrand::Diners),
        ("36227206271667", CardBrand::Diners),
        ("3530111333300000", CardBrand::Jcb),
        ("6200000000000005", CardBrand::UnionPay),
    ];

    #[test]
    fn detects_every_brand() {
        for (pan, brand) in TEST_CARDS {
            let number = CardNumber::parse(pan).unwrap_or_else(|e| panic!("{pan}: {e}"));
            assert_eq!(number.brand(), *brand, "{pan}");
        }
    }

    #[test]
    fn mastercard_two_series_bounds() {
        assert_eq!(CardBrand::detect("2221"), Some(CardBrand::Mastercard));
        assert_eq!(CardBrand::detect("2720"), Some(CardBrand::Mastercard));
        assert_eq!(CardBrand::detect("2220"), None);
        assert_eq!(CardBrand::detect("2721"), None);
        assert_eq!(CardBrand::detect("5"), None, "one digit is not enough to tell");
        assert_eq!(CardBrand::detect("4"), Some(CardBrand::Visa));
    }

    #[test]
    fn strips_spaces_and_dashes() {
        assert_eq!(CardNumber::parse("4111 1111 1111 1111").unwrap().expose_number(), "4111111111111111");
        assert_eq!(CardNumber::parse("4111-1111-1111-1111").unwrap().expose_number(), "4111111111111111");
        assert_eq!(CardNumber::parse(" 3782 822463 10005 ").unwrap().brand(), CardBrand::Amex);
    }

    #[test]
    fn refuses_bad_numbers_with_the_reason() {
        assert_eq!(CardNumber::parse("4111111111111112").unwrap_err(), CardError::Luhn);
        assert_eq!(CardNumber::parse("4111 1111 1111 111a").unwrap_err(), CardError::NumberNotDigits);
        assert_eq!(CardNumber::parse("41111111111").unwrap_err(), CardError::NumberLength(11));
        assert_eq!(CardNumber::parse("41111111111111111111").unwrap_err(), CardError::NumberLength(20));
        assert_eq!(CardNumber::parse("9999999999999995").unwrap_err(), CardError::UnknownBrand);
        assert!(matches!(
            CardNumber::parse("37828224631000").unwrap_err(),
            CardError::BrandLength { got: 14, .. }
        ));
        assert_eq!(CardError::Luhn.to_string(), "This card number has a typo — check the digits");
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
    }

    #[test]
    fn cvv_length_depends_on_brand() {
        assert!(Cvv::parse("123", CardBrand::Visa).is_ok());
        assert_eq!(Cvv::parse("1234", CardBrand::Visa).unwrap_err(), CardError::CvvFormat { expected: 3 });
        assert!(Cvv::parse("1234", CardBrand::Amex).is_ok());
        assert_eq!(Cvv::parse("123", CardBrand::Amex).unwrap_err(), CardError::CvvFormat { expected: 4 });
        assert!(Cvv::parse("12a", CardBrand::Visa).is_err());
        assert_eq!(Cvv::parse(" 737 ", CardBrand::Mastercard).unwrap().expose_cvv(), "737");
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        let today = date!(2026 - 11 - 21);
        assert!(Expiry::parse_at("11", "26", today).is_ok(), "this month is still valid");
        assert!(Expiry::parse_at("1", "2027", today).is_ok());
        assert_eq!(
            Expiry::parse_at("10", "2026", today).unwrap_err(),
            CardError::Expired { month: 10, year: 2026 }
        );
        assert_eq!(Expiry::parse_at("13", "27", today).unwrap_err(), CardError::ExpiryMonth);
        assert_eq!(Expiry::parse_at("00", "27", today).unwrap_err(), CardError::ExpiryMonth);
        assert_eq!(Expiry::parse_at("12", "202", today).unwrap_err(), CardError::ExpiryYear);
        assert_eq!(Expiry::parse_at("12", "2x", today).unwrap_err(), CardError::ExpiryYear);
        let e = Expiry::parse_at("02", "28", today).unwrap();
        assert_eq!((e.month(), e.year()), (2, 2028));
        assert_eq!(e.to_string(), "02/28");
        assert_eq!(e.last_valid_day(), Some(date!(2028 - 02 - 29)));
        assert!(Expiry::parse_slashed("12/99").is_ok());
        assert!(Expiry::parse_slashed("1299").is_err());
    }

    #[test]
    fn holder_name_is_uppercased_and_checked() {
        assert_eq!(HolderName::parse("  jane   o'neil-smith ").unwrap().as_str(), "JANE O'NEIL-SMITH");
        assert_eq!(HolderName::parse("   ").unwrap_err(), CardError::HolderEmpty);
        assert_eq!(HolderName::parse("José Muñoz").unwrap_err(), CardError::HolderCharacters);
        assert_eq!(HolderName::parse(&"A".repeat(27)).unwrap_err(), CardError::HolderLength);
    }

    #[test]
    fn card_parse_reports_every_field() {
        let errors = Card::parse(&CardInput {
            number: "4111111111111112",
            cvv: "12",
            expiry_month: "13",
            expiry_year: "30",
            holder: "",
        })
        .unwrap_err();
        let fields: Vec<CardField> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec![CardField::Number, CardField::Cvv, CardField::Expiry, CardField::Holder]);
    }

    #[test]
    fn masks_show_at_most_first_six_and_last_four() {
        let visa = CardNumber::parse("4111111111111111").unwrap();
        assert_eq!(visa.masked(), "411111••••••1111");
        assert_eq!(visa.to_string(), "Visa •••• 1111");
        let amex = CardNumber::parse("378282246310005").unwrap();
        assert_eq!(amex.masked(), "•••••••••••0005");
        let short = CardNumber::parse("4222222222222").unwrap();
        assert_eq!(short.masked(), "•••••••••2222");
    }

    /// Every card type, printed every way a log line or panic might, shows no full number or CVV.
    #[test]
    fn debug_and_display_never_show_the_number_or_cvv() {
        let today_plus = OffsetDateTime::now_utc().year() + 2;
        for (pan, _) in TEST_CARDS {
            let cvv_text = if pan.starts_with("37") { "9191" } else { "919" };
            let card = Card::parse(&CardInput {
                number: pan,
                cvv: cvv_text,
                expiry_month: "12",
                expiry_year: &today_plus.to_string(),
                holder: "Jane Doe",
            })
            .unwrap();
            let printed = [
                format!("{:?}", card),
                format!("{:#?}", card),
                format!("{:?}", card.number),
                format!("{}", card.number),
                format!("{:?}", card.cvv),
                format!("{}", card.cvv),
                format!("{:?}", card.expiry),
                format!("{:?}", card.holder),
                format!("{:?}", card.summary()),
            ];
            for text in printed {
                assert!(!text.contains(pan), "full number in {text}");
                let longest_digit_run =
                    text.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
                assert!(longest_digit_run <= 6, "too many digits shown in {text}");
                assert!(!text.contains(cvv_text), "cvv in {text}");
            }
        }
    }

    #[test]
    fn summary_keeps_only_storable_fields() {
        let card = Card::parse(&CardInput {
            number: "5555 5555 5555 4444",
            cvv: "123",
            expiry_month: "12",
            expiry_year: "2099",
            holder: "jane doe",
        })
        .unwrap();
        let json = serde_json::to_string(&card.summary()).unwrap();
        assert_eq!(
            json,
            r#"{"brand":"mastercard","last4":"4444","holder":"JANE DOE","expiry_month":12,"expiry_year":2099}"#
        );
    }
}
