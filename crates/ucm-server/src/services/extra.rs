//! Customers' extra fields (UCM's "extra fields"): free-form keys, one text value each, set
//! through the API, the import's `extra:<key>` columns and the SPA's details tab.

use std::collections::BTreeMap;

use sea_orm::ConnectionTrait;
use ucm_types::ExtraFieldKey;

use super::records::long_text;
use crate::db::{exec, query_all, Db};
use crate::error::{AppResult, Validator};

pub const MAX_KEY: usize = 64;
pub const MAX_VALUE: usize = 10_000;

/// A key as stored: trimmed, 1 to 64 characters, no control characters. Keys are compared
/// exactly; the importer reuses an existing key's spelling when a header differs only in case.
pub fn parse_key(key: &str) -> Result<String, String> {
    let k = key.trim();
    if k.is_empty() {
        return Err("an extra field needs a name".into());
    }
    if k.chars().count() > MAX_KEY {
        return Err(format!(
            "an extra field name has at most {MAX_KEY} characters"
        ));
    }
    if k.chars().any(char::is_control) {
        return Err("an extra field name must not contain control characters".into());
    }
    Ok(k.to_owned())
}

/// A value as stored: trimmed, up to 10,000 characters, line breaks allowed; empty means
/// "no field".
pub fn parse_value(value: &str) -> Result<String, String> {
    long_text(value, MAX_VALUE)
}

/// The requested changes, validated; problems are reported under `extra.<key>`.
pub fn validate(v: &mut Validator, given: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, value) in given {
        let field = format!("extra.{key}");
        let Some(k) = v.check(&field, parse_key(key)) else {
            continue;
        };
        let Some(value) = v.check(&field, parse_value(value)) else {
            continue;
        };
        if out.iter().any(|(seen, _)| *seen == k) {
            v.add(
                field,
                format!("{k:?} is given twice (names are trimmed before use)"),
            );
            continue;
        }
        out.push((k, value));
    }
    out
}

/// The changes among `changes` that differ from `current` (an empty value removes a field).
pub fn diff(
    current: &BTreeMap<String, String>,
    changes: &[(String, String)],
) -> Vec<(String, String)> {
    changes
        .iter()
        .filter(|(k, v)| match current.get(k) {
            Some(have) => have != v,
            None => !v.is_empty(),
        })
        .cloned()
        .collect()
}

/// Writes the changes: a value sets the field, an empty value removes it.
pub async fn apply<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
    changes: &[(String, String)],
) -> AppResult<()> {
    for (key, value) in changes {
        if value.is_empty() {
            exec(
                c,
                "DELETE FROM customer_extra_fields WHERE customer_id = ? AND field_key = ?",
                vec![customer_id.into(), key.clone().into()],
            )
            .await?;
        } else {
            exec(
                c,
                "INSERT INTO customer_extra_fields (customer_id, field_key, value) VALUES (?, ?, ?) \
                 ON CONFLICT (customer_id, field_key) DO UPDATE SET value = excluded.value",
                vec![customer_id.into(), key.clone().into(), value.clone().into()],
            )
            .await?;
        }
    }
    Ok(())
}

/// Every key in use, in Rust's (byte) order on every database, with how many customers have it.
pub async fn keys_in<C: ConnectionTrait>(c: &C) -> AppResult<Vec<ExtraFieldKey>> {
    let mut keys = query_all(
        c,
        "SELECT field_key, COUNT(*) AS n FROM customer_extra_fields GROUP BY field_key",
        vec![],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ExtraFieldKey {
            key: r.try_get("", "field_key")?,
            customers: r.try_get::<i64>("", "n")?.max(0) as u64,
        })
    })
    .collect::<AppResult<Vec<_>>>()?;
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(keys)
}

pub async fn keys(db: &Db) -> AppResult<Vec<ExtraFieldKey>> {
    keys_in(&db.conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_and_bounded() {
        assert_eq!(parse_key("  Birthday ").expect("a key"), "Birthday");
        assert!(parse_key("   ").is_err());
        assert!(parse_key(&"k".repeat(MAX_KEY)).is_ok());
        assert!(parse_key(&"k".repeat(MAX_KEY + 1)).is_err());
        assert!(parse_key("a\u{7}b").is_err());
    }

    #[test]
    fn validation_names_the_key_and_refuses_keys_equal_after_trimming() {
        let mut v = Validator::new();
        let given = BTreeMap::from([
            ("VAT".to_owned(), " GB123 ".to_owned()),
            (" VAT".to_owned(), "x".to_owned()),
            ("".to_owned(), "y".to_owned()),
        ]);
        let out = validate(&mut v, &given);
        // " VAT" sorts first, so "VAT" is the one refused as a repeat.
        assert_eq!(out, vec![("VAT".to_owned(), "x".to_owned())]);
        let err = v.finish().expect_err("bad keys").to_problem();
        let errors = err.errors;
        assert!(errors.contains_key("extra.VAT"), "{errors:?}");
        assert!(errors.contains_key("extra."), "{errors:?}");
    }

    #[test]
    fn diff_keeps_only_real_changes() {
        let current = BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]);
        let changes = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), String::new()),
            ("c".to_owned(), String::new()),
            ("d".to_owned(), "4".to_owned()),
        ];
        assert_eq!(
            diff(&current, &changes),
            vec![
                ("b".to_owned(), String::new()),
                ("d".to_owned(), "4".to_owned())
            ]
        );
    }
}
