//! toml's and serde's error messages in French: no English reaches an accountant.

/// The key written at the start of a `key = value` line.
pub(super) fn key_on_line(text: &str, line: usize) -> Option<String> {
    let (key, _) = text.lines().nth(line.checked_sub(1)?)?.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The toml crate speaks English; accountants read French.
/// toml's and serde's messages, in French: no English reaches an accountant. `key` is
/// the key written on the faulty line, when there is one.
pub(super) fn translate_toml_message(message: &str, key: Option<&str>) -> String {
    let is_date_key = key.is_some_and(|k| matches!(k, "debut" | "fin"));
    translate_serde_message(message, is_date_key)
        .unwrap_or_else(|| translate_syntax_message(message, is_date_key))
}

/// How a date is written, for the messages about one.
const DATE_HINT: &str = "une date s'écrit AAAA-MM-JJ, sans guillemets (par exemple 2021-07-31)";

/// The first text between backquotes in `s`.
fn backquoted(s: &str) -> Option<String> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some(s[start..start + len].to_string())
}

/// serde's messages (unknown or missing key, value of the wrong type), in French; `None`
/// for any other message.
fn translate_serde_message(message: &str, is_date_key: bool) -> Option<String> {
    if message.starts_with("unknown field") {
        let key = backquoted(message).unwrap_or_default();
        let expected = message
            .split_once("expected")
            .map(|(_, rest)| {
                format!(
                    " ; clés possibles : {}",
                    rest.trim_start_matches(" one of").replace('`', "").trim()
                )
            })
            .unwrap_or_default();
        return Some(format!("clé inconnue « {key} »{expected}"));
    }
    if message.starts_with("missing field") {
        return Some(format!(
            "clé obligatoire absente : « {} »",
            backquoted(message).unwrap_or_default()
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if is_date_key || rest.contains("datetime") || rest.contains("Datetime") {
            return Some(format!("valeur : {DATE_HINT}"));
        }
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return Some(format!(
            "valeur {} : attendu {}",
            french_found(found),
            french_expected(expected)
        ));
    }
    if message.starts_with("invalid value") {
        return Some("valeur invalide à cet endroit".into());
    }
    None
}

/// toml's syntax messages, in French (a general hint for those not recognised).
fn translate_syntax_message(message: &str, is_date_key: bool) -> String {
    if message.contains("duplicate key") {
        return "clé en double : elle est déjà donnée plus haut".into();
    }
    if message.contains("string values must be quoted") || message.contains("invalid string") {
        return if is_date_key {
            format!("valeur : {DATE_HINT}")
        } else {
            "un texte s'écrit entre guillemets (\"…\") ; une date AAAA-MM-JJ sans guillemets ; un montant entre guillemets (\"80000.00\")".into()
        };
    }
    if message.contains("invalid date") || message.contains("invalid time") {
        return format!("date invalide : {DATE_HINT}");
    }
    if message.contains("invalid number") || message.contains("invalid integer") {
        return "nombre invalide".into();
    }
    if message.contains("unclosed") || message.contains("unterminated") {
        return "guillemet, crochet ou accolade non refermé".into();
    }
    if message.contains("expected `=`") || message.contains("expected `.`, `=`") {
        return "il manque « = » entre la clé et sa valeur".into();
    }
    if message.contains("invalid table header") || message.contains("duplicate table") {
        return "en-tête de section « [ … ] » invalide ou répété".into();
    }
    "syntaxe TOML invalide à cet endroit (chaque ligne : clé = valeur ; textes entre guillemets)"
        .into()
}

/// serde's « string "oui" », « integer `5` »… as French.
fn french_found(found: &str) -> String {
    let found = found.trim();
    if let Some(text) = found.strip_prefix("string ") {
        return format!("« {} » (un texte)", text.trim_matches('"'));
    }
    for (prefix, what) in [
        ("integer ", "un nombre entier"),
        ("floating point ", "un nombre à virgule"),
        ("boolean ", "un booléen"),
    ] {
        if let Some(v) = found.strip_prefix(prefix) {
            return format!("« {} » ({what})", v.trim_matches('`'));
        }
    }
    match found {
        "sequence" => "une liste [ … ]".into(),
        "map" => "une section".into(),
        _ => format!("« {} »", found.replace('`', "")),
    }
}

/// serde's « a boolean », « a string »… as French.
fn french_expected(expected: &str) -> String {
    let e = expected.trim();
    if e.contains("bool") {
        "true ou false (sans guillemets)".into()
    } else if e.contains("string") {
        "un texte entre guillemets".into()
    } else if e.contains("sequence") || e.contains("Vec") {
        "une liste [ … ]".into()
    } else if e.contains("i64") || e.contains("integer") || e.contains("u32") || e.contains("i32") {
        "un nombre entier".into()
    } else if e.contains("struct") || e.contains("map") {
        "une section".into()
    } else {
        "une autre sorte de valeur".into()
    }
}
