//! Redaction of card data and secrets before anything reaches the timeline, an attempt row, a log
//! line or an error shown in the window.
//!
//! Card types already print masks; this catches what travels as plain text, whoever wrote it:
//!
//! - fields known to hold card data, security codes or secrets are masked by name, whatever the
//!   provider calls them (`cvv`, `cvc2`, `cid`, `securityCode`, `cardCVV`, `cc_code`, …;
//!   compared case-insensitively and without `_`/`-`);
//! - any run of 12–19 digits that passes Luhn is masked wherever it appears: inside a sentence,
//!   as a JSON number, as an object key, or written in groups with spaces, dashes or dots
//!   ("4111 1111 1111 1111", "4111.1111.1111.1111");
//! - the exact card number and security code of the request being sent (`Mask`) are masked
//!   wherever they appear in its request, answer or excerpt, even where nothing else would
//!   recognise them.
//!
//! Some shapes are left alone on purpose, because they are how providers write their own
//! references and a masked reference helps nobody: digits that are part of a larger token — joined
//! to letters (an ATRIP order number `FPDMO20250101000000001`), or to another word by a dash or a
//! dot (a UUID's `…-4151-4715-8232-…`) — are masked only if they also have a card brand's prefix
//! and length; groups longer than six digits do not join across a separator (a ticket printed
//! `016-9904912054`); and `yyyyMMddHHmm[ss]` is a time. None of these can hide a card number
//! written as one: a card's digits are one run or groups of at most six, with a brand's prefix.

use std::borrow::Cow;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::card::{luhn_valid, CardBrand};

/// The mask a card number becomes: its last four digits only.
fn masked_number(digits: &str) -> String {
    format!("••••{}", &digits[digits.len().saturating_sub(4)..])
}

/// What a masked secret or security code becomes.
const HIDDEN: &str = "•••";

/// Field names whose values are card numbers, compared normalised (`normal_key`).
const CARD_NUMBER_FIELDS: &[&str] =
    &["cardnumber", "ccnumber", "pan", "primaryaccountnumber", "creditcardnumber", "plaintext"];

/// Field names whose values are security codes, compared normalised.
const SECURITY_CODE_FIELDS: &[&str] = &[
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "cid",
    "csc",
    "cvn",
    "cav2",
    "securitycode",
    "cardsecuritycode",
    "cardcvv",
    "cardcvc",
    "cccode",
    "cvvcode",
    "cardverificationvalue",
    "cardverificationcode",
];

/// Field names whose values are other card data or credentials, compared normalised.
const SECRET_FIELDS: &[&str] = &[
    // HeiPay's card_item (ciphertext, which has no place in a timeline either)
    "ccexpiremonth",
    "ccexpireyear",
    "ccholder",
    // credentials
    "password",
    "clientsecret",
    "accesstoken",
    "refreshtoken",
    "apitoken",
    "authorization",
    "apikey",
    "cardkey",
];

/// `cardCVV`, `card_cvv` and `Card-CVV` are one name.
fn normal_key(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, '_' | '-' | ' ')).flat_map(char::to_lowercase).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    CardNumber,
    SecurityCode,
    Secret,
    Plain,
}

fn field_kind(key: &str) -> FieldKind {
    let key = normal_key(key);
    if CARD_NUMBER_FIELDS.contains(&key.as_str()) {
        FieldKind::CardNumber
    } else if SECURITY_CODE_FIELDS.contains(&key.as_str()) {
        FieldKind::SecurityCode
    } else if SECRET_FIELDS.contains(&key.as_str()) {
        FieldKind::Secret
    } else {
        FieldKind::Plain
    }
}

/// The exact card data of one request, masked wherever it appears in that exchange. Wiped on drop.
#[derive(Default, Clone)]
pub struct Mask {
    numbers: Vec<Zeroizing<String>>,
    codes: Vec<Zeroizing<String>>,
}

impl Mask {
    /// Collects the card numbers and security codes a request body carries, by field name.
    pub fn from_request(body: &Value) -> Mask {
        let mut mask = Mask::default();
        mask.collect(body, FieldKind::Plain);
        mask
    }

    /// Adds a card number and security code that the request does not show in plain (HeiPay
    /// sends them encrypted).
    pub fn with_card(mut self, number: &str, code: &str) -> Mask {
        self.add(FieldKind::CardNumber, number);
        self.add(FieldKind::SecurityCode, code);
        self
    }

    /// This mask and `other`'s card data together.
    pub fn and(mut self, other: Mask) -> Mask {
        self.numbers.extend(other.numbers);
        self.codes.extend(other.codes);
        self
    }

    /// A card's number and security code.
    pub fn for_card(card: &crate::card::Card) -> Mask {
        Mask::default().with_card(card.number.expose_number(), card.cvv.expose_cvv())
    }

    fn add(&mut self, kind: FieldKind, text: &str) {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        match kind {
            FieldKind::CardNumber if digits.len() >= 12 => self.numbers.push(Zeroizing::new(digits)),
            FieldKind::SecurityCode
                if (3..=4).contains(&digits.len()) && digits.len() == text.trim().len() =>
            {
                self.codes.push(Zeroizing::new(digits))
            }
            _ => {}
        }
    }

    fn collect(&mut self, value: &Value, kind: FieldKind) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    // Travelport keeps the digits one level down: CardNumber / SeriesCode → PlainText.
                    let inner = match (kind, normal_key(key).as_str()) {
                        (FieldKind::CardNumber | FieldKind::SecurityCode, "plaintext") => kind,
                        (_, "seriescode") => FieldKind::SecurityCode,
                        _ => field_kind(key),
                    };
                    self.collect(v, inner);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect(v, kind)),
            Value::String(s) => self.add(kind, s),
            Value::Number(n) => self.add(kind, &n.to_string()),
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        self.numbers.is_empty() && self.codes.is_empty()
    }
}

/// Masks card data and secrets in place.
pub fn redact(value: &mut Value) {
    redact_with(value, &Mask::default());
}

/// Masks card data and secrets in place, and `mask`'s exact card data wherever it appears.
pub fn redact_with(value: &mut Value, mask: &Mask) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                match field_kind(&key) {
                    FieldKind::CardNumber => v = mask_card_field(&v),
                    FieldKind::SecurityCode | FieldKind::Secret => v = mask_secret(&v),
                    FieldKind::Plain if normal_key(&key) == "seriescode" => redact_series_code(&mut v),
                    FieldKind::Plain => redact_with(&mut v, mask),
                }
                map.insert(redact_text_with(&key, mask).into_owned(), v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_with(v, mask)),
        Value::String(s) => {
            if let Cow::Owned(masked) = redact_text_with(s, mask) {
                *s = masked;
            }
        }
        Value::Number(n) => {
            // A JSON number is masked when its digits are a card number by the same rules as in
            // text (a count, an amount or a millisecond time never passes them), however it is
            // written — negative, or as a float with nothing after the point — or when it is the
            // request's own card data.
            let text = n.to_string();
            let digits = number_digits(n);
            if digits.as_deref().is_some_and(|d| is_card_number(d, false)) {
                *value = Value::String(masked_number(digits.as_deref().unwrap_or_default()));
            } else if let Cow::Owned(masked) = exact_only(&text, mask) {
                *value = Value::String(masked);
            } else if let Some(masked) = digits.filter(|d| matches!(exact_only(d, mask), Cow::Owned(_))) {
                *value = Value::String(masked_number(&masked));
            }
        }
        _ => {}
    }
}

/// The digits of a JSON number that is a whole number (sign dropped): `-4111…`, `4111….0`.
fn number_digits(n: &serde_json::Number) -> Option<String> {
    if let Some(u) = n.as_u64() {
        return Some(u.to_string());
    }
    if let Some(i) = n.as_i64() {
        return Some(i.unsigned_abs().to_string());
    }
    let f = n.as_f64()?.abs();
    // Below 2^64 and whole: its digits as an integer (a float keeps a 16-digit card exactly).
    (f.fract() == 0.0 && f < 1.8e19).then(|| format!("{f:.0}"))
}

/// A copy of `value`, redacted.
pub fn redacted(value: &Value) -> Value {
    let mut copy = value.clone();
    redact(&mut copy);
    copy
}

/// Travelport's `SeriesCode` object holds the security code in `PlainText` beside its `@type`.
fn redact_series_code(v: &mut Value) {
    let has_digits = |v: &Value| match v {
        Value::String(s) => s.bytes().any(|b| b.is_ascii_digit()),
        Value::Number(_) => true,
        _ => false,
    };
    match v {
        Value::Object(map) => {
            map.values_mut().filter(|inner| has_digits(inner)).for_each(|inner| *inner = mask_secret(inner))
        }
        other => *other = mask_secret(other),
    }
}

fn mask_card_field(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, inner)| (k.clone(), mask_card_field(inner))).collect())
        }
        Value::String(s) => {
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 12 {
                Value::String(masked_number(&digits))
            } else if digits.is_empty() || s.starts_with('•') {
                // A label beside the number (`"@type": "CardNumber"`), or a mask already.
                v.clone()
            } else {
                Value::String(HIDDEN.into())
            }
        }
        Value::Number(n) => Value::String(masked_number(&n.to_string())),
        _ => Value::String(HIDDEN.into()),
    }
}

fn mask_secret(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        _ => Value::String(HIDDEN.into()),
    }
}

/// Text with every card number in it masked (see the module's rules).
pub fn redact_text(text: &str) -> Cow<'_, str> {
    redact_text_with(text, &Mask::default())
}

/// `redact_text`, and `mask`'s exact card numbers and security codes masked too.
pub fn redact_text_with<'t>(text: &'t str, mask: &Mask) -> Cow<'t, str> {
    let mut ranges = card_number_ranges(text);
    if !mask.is_empty() {
        exact_ranges(text, mask, &mut ranges);
    }
    apply(text, ranges)
}

/// `text` with `ranges` replaced (ranges inside a longer one are dropped).
fn apply(text: &str, mut ranges: Vec<Masked>) -> Cow<'_, str> {
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start < at {
            // Overlapping the range before it: what it holds beyond that range is hidden too.
            if r.end > at {
                out.push_str(HIDDEN);
                at = r.end;
            }
            continue;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(&r.replacement);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// `mask`'s exact card data masked in `text`, nothing else.
fn exact_only<'t>(text: &'t str, mask: &Mask) -> Cow<'t, str> {
    let mut ranges = Vec::new();
    exact_ranges(text, mask, &mut ranges);
    apply(text, ranges)
}

/// A byte range of text to replace.
struct Masked {
    start: usize,
    end: usize,
    replacement: String,
}

/// One maximal run of ASCII digits: its byte range.
#[derive(Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
}

impl Run {
    fn len(self) -> usize {
        self.end - self.start
    }
}

/// A percent-escape (`%22`, `%20`) at `i`: URL-encoded text (a form body, a query string) puts
/// one right before or between a card's digits.
fn is_escape(bytes: &[u8], i: usize) -> bool {
    bytes[i] == b'%'
        && i + 2 < bytes.len()
        && bytes[i + 1].is_ascii_hexdigit()
        && bytes[i + 2].is_ascii_hexdigit()
}

fn digit_runs(bytes: &[u8]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_escape(bytes, i) {
            i += 3;
        } else if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push(Run { start, end: i });
        } else {
            i += 1;
        }
    }
    runs
}

/// Groups of at most this many digits join across one separator into one number.
const MAX_GROUP: usize = 6;

/// Whether `gap` (the bytes between two digit groups) separates groups of one number: one to
/// three of space, tab, `-`, `.`, `/`, `_`, a no-break space or a URL-escaped one (`%20`, `%2D` …),
/// as in "4111 - 1111" or "4111%201111".
fn is_separator(gap: &[u8]) -> bool {
    let mut rest = gap;
    let mut count = 0;
    while !rest.is_empty() {
        let len = match rest {
            [b' ' | b'\t' | b'-' | b'.' | b'/' | b'_', ..] => 1,
            [0xC2, 0xA0, ..] => 2,
            [b'%', b'2', x, ..] if matches!(x.to_ascii_uppercase(), b'0' | b'D' | b'E' | b'F') => 3,
            _ => return false,
        };
        rest = &rest[len..];
        count += 1;
    }
    (1..=3).contains(&count)
}

/// The ranges of `text` that hold a card number by the module's rules.
fn card_number_ranges(text: &str) -> Vec<Masked> {
    let bytes = text.as_bytes();
    let runs = digit_runs(bytes);
    let mut found = Vec::new();
    // Chains: runs of at most `MAX_GROUP` digits joined by single separators.
    let mut i = 0;
    while i < runs.len() {
        let mut j = i;
        if runs[i].len() <= MAX_GROUP {
            while j + 1 < runs.len()
                && runs[j + 1].len() <= MAX_GROUP
                && is_separator(&bytes[runs[j].end..runs[j + 1].start])
            {
                j += 1;
            }
        }
        check_chain(text, &runs[i..=j], &mut found);
        i = j + 1;
    }
    found
}

/// Finds card numbers in one chain of digit groups (a single run is a chain of one).
fn check_chain(text: &str, chain: &[Run], found: &mut Vec<Masked>) {
    let bytes = text.as_bytes();
    // Part of a larger token: a letter right beside it, or a word beyond a `-`/`.` (a UUID's
    // `…fcfd-4151-4715-8232-bed1…`, `ref-123456789012`). A space does not join.
    let joined_to_letters = |start: usize, end: usize| {
        let joins = |b: u8| matches!(b, b'-' | b'.');
        let before = start > 0
            && (bytes[start - 1].is_ascii_alphabetic()
                || (start > 1 && joins(bytes[start - 1]) && bytes[start - 2].is_ascii_alphanumeric()));
        let after = end < bytes.len()
            && (bytes[end].is_ascii_alphabetic()
                || (end + 1 < bytes.len() && joins(bytes[end]) && bytes[end + 1].is_ascii_alphanumeric()));
        before || after
    };
    if let [run] = chain {
        let digits = &text[run.start..run.end];
        if (12..=19).contains(&digits.len()) {
            if !is_date_time(digits) && is_card_number(digits, joined_to_letters(run.start, run.end)) {
                found.push(Masked { start: run.start, end: run.end, replacement: masked_number(digits) });
            }
        } else if digits.len() > 19 {
            // A longer run: a card number hidden inside it has a brand's prefix and length.
            let mut at = 0;
            while at + 12 <= digits.len() {
                let hit = (12..=19)
                    .rev()
                    .find(|len| at + len <= digits.len() && is_card_number(&digits[at..at + len], true));
                match hit {
                    Some(len) => {
                        let window = &digits[at..at + len];
                        found.push(Masked {
                            start: run.start + at,
                            end: run.start + at + len,
                            replacement: masked_number(window),
                        });
                        at += len;
                    }
                    None => at += 1,
                }
            }
        }
        return;
    }
    // Several groups: every stretch of consecutive groups holding 12–19 digits that is a card
    // number is masked — where stretches overlap, together (a chance Luhn match beside the real
    // number must not leave part of it showing).
    let mut covered = vec![false; chain.len()];
    for from in 0..chain.len() {
        let mut digits = 0;
        for (to, run) in chain.iter().enumerate().skip(from) {
            digits += run.len();
            if digits > 19 {
                break;
            }
            let stretch: String = chain[from..=to].iter().map(|r| &text[r.start..r.end]).collect();
            if digits >= 12 && is_card_number(&stretch, joined_to_letters(chain[from].start, run.end)) {
                covered[from..=to].iter_mut().for_each(|c| *c = true);
            }
        }
    }
    let mut at = 0;
    while at < chain.len() {
        if !covered[at] {
            at += 1;
            continue;
        }
        let from = at;
        while at + 1 < chain.len() && covered[at + 1] {
            at += 1;
        }
        let tail: String = chain[from..=at].iter().map(|r| &text[r.start..r.end]).collect();
        found.push(Masked {
            start: chain[from].start,
            end: chain[at].end,
            replacement: masked_number(&tail),
        });
        at += 1;
    }
}

/// `yyyyMMddHHmm` or `yyyyMMddHHmmss` (ATRIP writes flight times so): a time, not a card.
fn is_date_time(digits: &str) -> bool {
    let n = |from: usize, to: usize| digits[from..to].parse::<u32>().unwrap_or(99);
    matches!(digits.len(), 12 | 14)
        && matches!(n(0, 2), 19 | 20)
        && (1..=12).contains(&n(4, 6))
        && (1..=31).contains(&n(6, 8))
        && n(8, 10) < 24
        && n(10, 12) < 60
        && (digits.len() == 12 || n(12, 14) < 60)
}

/// Whether `digits` is a whole card number of a known brand (prefix, length, Luhn).
pub fn looks_like_card_number(digits: &str) -> bool {
    digits.bytes().all(|b| b.is_ascii_digit()) && is_card_number(digits, true)
}

/// 12–19 digits passing Luhn; `strict` also asks for a known brand's prefix and length.
///
/// Below 16 digits only a few schemes issue cards, each with its own prefix, while 13-digit
/// airline ticket numbers are everywhere at a travel desk (one in ten passes Luhn): a run of
/// 12–15 digits must also start as one of those schemes' cards does.
fn is_card_number(digits: &str, strict: bool) -> bool {
    if !(12..=19).contains(&digits.len()) || !luhn_valid(digits) {
        return false;
    }
    if strict {
        return CardBrand::detect(digits).is_some_and(|b| b.lengths().contains(&digits.len()));
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| digits.starts_with(p));
    // Maestro (50, 56–69) issues every length from 12 to 19.
    let maestro = starts(&["50", "56", "57", "58", "59", "6"]);
    match digits.len() {
        12 => maestro,
        13 => maestro || starts(&["4"]),
        14 => maestro || starts(&["30", "36", "38", "39"]),
        // Amex, old JCB, and UATP — the airlines' own card, which starts with 1.
        15 => maestro || starts(&["34", "37", "1800", "2131", "1"]),
        _ => true,
    }
}

/// Where `mask`'s card numbers (their digits, whatever separates them) and security codes (as a
/// whole digit run) appear in `text`.
fn exact_ranges(text: &str, mask: &Mask, found: &mut Vec<Masked>) {
    let bytes = text.as_bytes();
    let runs = digit_runs(bytes);
    for number in &mask.numbers {
        let want = number.as_bytes();
        for start in (0..bytes.len()).filter(|&i| Some(&bytes[i]) == want.first()) {
            // Walk its digits in order, past anything that is neither a digit nor a letter
            // (separators, quotes, escapes).
            let (mut at, mut matched) = (start, 0);
            while at < bytes.len() && matched < want.len() {
                if bytes[at] == want[matched] {
                    matched += 1;
                    at += 1;
                } else if is_escape(bytes, at) {
                    at += 3;
                } else if bytes[at].is_ascii_alphanumeric() {
                    break;
                } else {
                    at += 1;
                }
            }
            if matched == want.len() {
                found.push(Masked { start, end: at, replacement: masked_number(number) });
            }
        }
    }
    for code in &mask.codes {
        for run in &runs {
            if &text[run.start..run.end] == code.as_str() {
                found.push(Masked { start: run.start, end: run.end, replacement: HIDDEN.into() });
            }
        }
    }
}

/// An excerpt of text for the timeline: at most `max` bytes, redacted, and never ending in the
/// first digits of a number it cut in two (a card number's head is card data too).
pub fn excerpt(text: &str, max: usize, mask: &Mask) -> String {
    if text.len() <= max {
        return redact_text_with(text, mask).into_owned();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    // Back off over a number (and its separators) the cut runs through.
    let bytes = text.as_bytes();
    let in_number =
        |b: u8| b.is_ascii_digit() || matches!(b, b' ' | b'\t' | b'-' | b'.' | b'/' | b'_' | b'%');
    if in_number(bytes[cut]) {
        while cut > 0 && in_number(bytes[cut - 1]) {
            cut -= 1;
        }
    }
    format!("{}…", redact_text_with(&text[..cut], mask))
}

#[cfg(test)]
mod tests;
