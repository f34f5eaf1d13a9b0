//! The window can say everything in English and Spanish: every code the core sends
//! (`codes::all()`: Settings' `Code::ALL` and every command's `codes::ErrorCode::ALL`), every label and help of the settings schema (by `<provider>.<field>`,
//! the English equal to the core's), every `data-i18n` key of `ui/index.html`, every literal
//! `t("…")` key in `ui/`, and every key registered in one language — each has words in both, with
//! the same `{placeholders}`. It reads the dictionaries from the very files the window loads, the
//! `register({ en: {…}, es: {…} })` calls; anything there it cannot read fails the test, so a new
//! shape of registration cannot slip past it. The window's English for a code reads as the core's
//! own sentence, save the few it words for the window on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use farepoint_core::codes::{self, CodedError, ErrorCode};
use farepoint_core::payment::Provider;
use farepoint_core::settings::{schema, Code};
use ui_files::js_files;

#[path = "support/ui_files.rs"]
mod ui_files;

type Dictionary = BTreeMap<String, String>;

/// A reader of the object literals `register` is called with: keys (quoted or bare), string
/// values (quoted, or a template without `${}`), nested objects, commas, comments.
struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    file: &'a str,
}

impl Reader<'_> {
    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let line = self.text[..self.at].iter().filter(|&&b| b == b'\n').count() + 1;
        Err(format!("{}:{line}: {what}", self.file))
    }

    fn skip_space(&mut self) {
        loop {
            while self.at < self.text.len() && self.text[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            if self.text[self.at..].starts_with(b"//") {
                while self.at < self.text.len() && self.text[self.at] != b'\n' {
                    self.at += 1;
                }
            } else if self.text[self.at..].starts_with(b"/*") {
                let end = self.text[self.at..].windows(2).position(|w| w == b"*/").unwrap_or(0);
                self.at += end + 2;
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.text.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let quote = self.text[self.at];
        if !matches!(quote, b'"' | b'\'' | b'`') {
            return self.fail("a string was expected");
        }
        let start = self.at + 1;
        let mut i = start;
        while i < self.text.len() && self.text[i] != quote {
            i += if self.text[i] == b'\\' { 2 } else { 1 };
        }
        let raw = std::str::from_utf8(&self.text[start..i]).unwrap();
        if quote == b'`' && raw.contains("${") {
            return self.fail("a template string with ${} is not a fixed text");
        }
        self.at = i + 1;
        // The escapes JS and JSON share.
        let json = format!("\"{}\"", raw.replace("\\'", "'").replace("\\`", "`").replace('\n', "\\n"));
        serde_json::from_str(&json).or_else(|e| self.fail(&format!("unreadable string ({e})")))
    }

    fn key(&mut self) -> Result<String, String> {
        self.skip_space();
        if matches!(self.text[self.at], b'"' | b'\'') {
            return self.string();
        }
        let start = self.at;
        while self.at < self.text.len()
            && (self.text[self.at].is_ascii_alphanumeric() || self.text[self.at] == b'_')
        {
            self.at += 1;
        }
        if start == self.at {
            return self.fail("a key was expected");
        }
        Ok(String::from_utf8(self.text[start..self.at].to_vec()).unwrap())
    }

    /// `{ key: <value>, … }`, each value read by `value`; a key given twice is refused.
    fn object<T>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<BTreeMap<String, T>, String> {
        if !self.eat(b'{') {
            return self.fail("an object literal was expected");
        }
        let mut out = BTreeMap::new();
        while !self.eat(b'}') {
            let key = self.key()?;
            if !self.eat(b':') {
                return self.fail("':' was expected");
            }
            let read = value(self)?;
            if out.insert(key.clone(), read).is_some() {
                return self.fail(&format!("'{key}' twice in one registration"));
            }
            self.eat(b',');
        }
        Ok(out)
    }

    /// `{ key: "text", … }`.
    fn strings(&mut self) -> Result<Dictionary, String> {
        self.object(|r| {
            let text = r.string()?;
            if r.eat(b'+') {
                return r.fail("a joined string is not read here — write it as one");
            }
            Ok(text)
        })
    }

    /// `{ en: {…}, es: {…} }`.
    fn languages(&mut self) -> Result<BTreeMap<String, Dictionary>, String> {
        self.object(Self::strings)
    }
}

/// Every registration in the UI, per language, and where each key was registered.
struct Strings {
    en: Dictionary,
    es: Dictionary,
    registrations: usize,
    /// Literal `t("…")` keys, with the file using each.
    used: BTreeMap<String, String>,
}

fn read_ui(root: &Path) -> Result<Strings, String> {
    let mut files = Vec::new();
    js_files(&root.join("ui"), &mut files);
    let mut strings =
        Strings { en: Dictionary::new(), es: Dictionary::new(), registrations: 0, used: BTreeMap::new() };
    for path in files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let comment = ["//", "/*", "*"].iter().any(|c| trimmed.starts_with(c));
            let call = line.contains("register(") && !line.contains("function register(");
            if !comment && call && !trimmed.starts_with("register(") {
                return Err(format!(
                    "{name}: a registration this test cannot read — start a line with register({{"
                ));
            }
            if trimmed.starts_with("register(") {
                let at = offset + (line.len() - trimmed.len()) + "register(".len();
                let mut reader = Reader { text: text.as_bytes(), at, file: &name };
                for (lang, entries) in reader.languages()? {
                    let dictionary = match lang.as_str() {
                        "en" => &mut strings.en,
                        "es" => &mut strings.es,
                        other => {
                            return Err(format!("{name}: a language the window does not offer: {other}"))
                        }
                    };
                    for (key, value) in entries {
                        if dictionary.insert(key.clone(), value).is_some() {
                            return Err(format!("{name}: '{key}' is registered again in {lang}"));
                        }
                    }
                }
                strings.registrations += 1;
            }
            offset += line.len();
        }
        for (i, _) in text.match_indices("t(\"") {
            // A call of `t` itself, not of a longer name ending in t (`format("…`).
            let before = text[..i].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || "_.$".contains(c)) {
                continue;
            }
            let key: String = text[i + 3..].chars().take_while(|&c| c != '"').collect();
            if key.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) && !key.ends_with('.') {
                strings.used.entry(key).or_insert_with(|| name.clone());
            }
        }
    }
    Ok(strings)
}

/// The codes the window raises itself (a failed IPC call, the isolation hook's refusals): each
/// literal `code: "…"` in `ui/` and `isolation/`, with the file raising it.
fn window_codes(root: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    for dir in ["ui", "isolation"] {
        if root.join(dir).is_dir() {
            js_files(&root.join(dir), &mut files);
        }
    }
    let mut codes = BTreeMap::new();
    for path in files {
        let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("code: \"") {
            // `code` itself, not a longer key ending in it (`country_code: "…"`).
            if text[..i].chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let code: String = text[i + 7..].chars().take_while(|&c| c != '"').collect();
            if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                codes.entry(format!("code.{code}")).or_insert(name.clone());
            }
        }
    }
    codes
}

/// The `data-i18n`, `data-i18n-label` and `data-i18n-placeholder` keys of the window's frame.
fn static_keys(root: &Path) -> BTreeSet<String> {
    let html = std::fs::read_to_string(root.join("ui/index.html")).unwrap();
    let mut keys = BTreeSet::new();
    for attribute in ["data-i18n=\"", "data-i18n-label=\"", "data-i18n-placeholder=\""] {
        for piece in html.split(attribute).skip(1) {
            keys.insert(piece.split('"').next().unwrap().to_string());
        }
    }
    keys
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|piece| piece.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

/// Every gap between the dictionaries and what the window must be able to say.
fn gaps(root: &Path) -> Result<Vec<String>, String> {
    let strings = read_ui(root)?;
    if strings.registrations < 10 || strings.en.len() < 300 {
        return Err(format!(
            "only {} registrations with {} English keys were read — the reader missed the dictionaries",
            strings.registrations,
            strings.en.len()
        ));
    }
    let mut gaps = Vec::new();
    let mut needed: BTreeMap<String, String> = BTreeMap::new();
    for code in codes::all() {
        needed.insert(format!("code.{code}"), "farepoint_core::codes::all".into());
    }
    for provider in Provider::ALL {
        let schema = schema(provider);
        let p = provider.as_str();
        for field in schema.fields {
            let key = format!("field.{p}.{}", field.key);
            if strings.en.get(&key).is_some_and(|en| en != field.label) {
                gaps.push(format!("{key}: the English is not the core's label {:?}", field.label));
            }
            needed.insert(key, "the settings schema".into());
            if !field.help.is_empty() {
                let key = format!("help.{p}.{}", field.key);
                if strings.en.get(&key).is_some_and(|en| en != field.help) {
                    gaps.push(format!("{key}: the English is not the core's help {:?}", field.help));
                }
                needed.insert(key, "the settings schema".into());
            }
        }
        for secret in schema.secrets {
            let key = format!("field.{p}.{}", secret.key);
            if strings.en.get(&key).is_some_and(|en| en != secret.label) {
                gaps.push(format!("{key}: the English is not the core's label {:?}", secret.label));
            }
            needed.insert(key, "the settings schema".into());
        }
    }
    for (key, file) in window_codes(root) {
        needed.entry(key).or_insert_with(|| format!("raised in {file}"));
    }
    for key in static_keys(root) {
        needed.insert(key, "ui/index.html".into());
    }
    for (key, file) in &strings.used {
        needed.entry(key.clone()).or_insert_with(|| format!("t() in {file}"));
    }
    for (key, from) in &needed {
        for (lang, dictionary) in [("English", &strings.en), ("Spanish", &strings.es)] {
            if !dictionary.contains_key(key) {
                gaps.push(format!("{key} ({from}) has no {lang}"));
            }
        }
    }
    for (key, en) in &strings.en {
        match strings.es.get(key) {
            None if !needed.contains_key(key) => gaps.push(format!("{key} has no Spanish")),
            None => {}
            Some(es) if placeholders(en) != placeholders(es) => gaps.push(format!(
                "{key}: the placeholders differ — English {:?}, Spanish {:?}",
                placeholders(en),
                placeholders(es)
            )),
            Some(es) if es.trim().is_empty() || en.trim().is_empty() => gaps.push(format!("{key} is empty")),
            Some(_) => {}
        }
    }
    for key in strings.es.keys() {
        if !strings.en.contains_key(key) && !needed.contains_key(key) {
            gaps.push(format!("{key} has no English"));
        }
    }
    Ok(gaps)
}

/// Codes whose English the window words on purpose unlike the core's log line: the core's is
/// the bare reason (or, for `invalid_setting`, the field's whole refusal, which the window shows
/// under the field instead); the window says what it is about.
const WORDED_FOR_THE_WINDOW: &[&str] = &[
    "client_failed",
    "storage",
    "keyring",
    "keyring_unavailable",
    "keyring_check_failed",
    "invalid_setting",
    // The core's is the bare reason a library or another module gave; the window says what failed.
    "provider_config",
    "internal",
];

/// `text` with its `{placeholders}` filled from `vars`.
fn fill(text: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[test]
fn the_windows_english_is_the_cores() {
    use farepoint_core::settings::Coded;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let en = read_ui(root).unwrap().en;
    let words = |code: Code| en.get(&format!("code.{}", code.as_str())).cloned().unwrap_or_default();
    let cause = Coded::new(Code::NotHttps).with("value", "ftp://x");
    let mut differ = Vec::new();
    for &code in Code::ALL {
        if WORDED_FOR_THE_WINDOW.contains(&code.as_str()) {
            continue;
        }
        // Each parameter the window's words use, with a value that shows where it lands.
        // `Coded` names its parameters by `&'static str`, as the core does.
        let template: &'static str = Box::leak(words(code).into_boxed_str());
        let mut coded = Coded::new(code);
        let mut vars = BTreeMap::new();
        for name in placeholders(template) {
            match name {
                "label" => {
                    coded = coded.with("field", "base_url");
                    vars.insert("label", "API base URL".to_string());
                }
                "cause" => {
                    coded = coded.because(cause.clone());
                    vars.insert("cause", fill(&words(Code::NotHttps), &cause.params));
                }
                _ => {
                    let value = format!("<{name}>");
                    coded = coded.with(name, &value);
                    vars.insert(name, value);
                }
            }
        }
        let window = capital(&fill(template, &vars));
        let core = capital(&coded.english(Provider::Atrip));
        if window != core {
            differ.push(format!("{}:\n  window {window:?}\n  core   {core:?}", code.as_str()));
        }
    }
    for &code in ErrorCode::ALL {
        if WORDED_FOR_THE_WINDOW.contains(&code.as_str()) {
            continue;
        }
        let template = en.get(&format!("code.{}", code.as_str())).cloned().unwrap_or_default();
        let mut coded = CodedError::new(code);
        let mut vars = BTreeMap::new();
        for name in placeholders(&template) {
            let value = format!("<{name}>");
            // The core's names are `&'static str`; these are the window's, the same once matched.
            let name: &'static str = Box::leak(name.to_string().into_boxed_str());
            coded = coded.with(name, &value);
            vars.insert(name, value);
        }
        let window = capital(&fill(&template, &vars));
        let core = capital(&coded.english());
        if window != core {
            differ.push(format!("{}:\n  window {window:?}\n  core   {core:?}", code.as_str()));
        }
    }
    assert!(differ.is_empty(), "the window's English differs from the core's:\n{}", differ.join("\n"));
}

#[test]
fn english_and_spanish_say_everything_the_window_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gaps = gaps(root).unwrap();
    assert!(gaps.is_empty(), "{} gaps in the window's words:\n{}", gaps.len(), gaps.join("\n"));
}

#[test]
fn the_reader_finds_what_a_gap_looks_like() {
    // The same checks over a copy of the UI with Spanish words taken out (a Settings code's,
    // another command's, a request check's and one the window raises itself) and one placeholder
    // changed: each is reported.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    js_files(&root.join("ui"), &mut files);
    for path in files.iter().chain([&root.join("ui/index.html"), &root.join("isolation/hook.js")]) {
        let to = copy.path().join(path.strip_prefix(root).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let mut text = std::fs::read_to_string(path).unwrap();
        if path.ends_with("ui/views/settings/strings.js") {
            text = text
                .replace("    \"code.no_hotels\": \"No hay hoteles", "    \"code.gone\": \"No hay hoteles")
                .replace(
                    "del hotel {hotel_id} ({hotel_name}) no está",
                    "del hotel {id} ({hotel_name}) no está",
                );
        }
        if path.ends_with("ui/lib/say.js") {
            text = text
                .replace("    \"code.card_not_luhn\": \"Este número", "    \"code.luhn\": \"Este número")
                .replace("    \"code.refund_range\": \"reembolse", "    // \"reembolse")
                .replace("    \"code.refused_command\": \"{command} no", "    // \"{command} no");
        }
        std::fs::write(&to, text).unwrap();
    }
    let gaps = gaps(copy.path()).unwrap();
    assert!(
        gaps.iter().any(|g| g == "code.card_not_luhn (farepoint_core::codes::all) has no Spanish"),
        "{gaps:#?}"
    );
    assert!(
        gaps.iter().any(|g| g.starts_with("code.no_hotels ") && g.ends_with("has no Spanish")),
        "{gaps:#?}"
    );
    assert!(gaps.iter().any(|g| g == "code.gone has no English"), "{gaps:#?}");
    assert!(
        gaps.iter().any(|g| g == "code.refund_range (farepoint_core::codes::all) has no Spanish"),
        "{gaps:#?}"
    );
    assert!(
        gaps.iter().any(|g| g == "code.refused_command (raised in isolation/hook.js) has no Spanish"),
        "{gaps:#?}"
    );
    assert!(
        gaps.iter().any(|g| g.starts_with("code.missing_card_key: the placeholders differ")),
        "{gaps:#?}"
    );
}
