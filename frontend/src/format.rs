//! Small display helpers: money in minor units, counts, dates.

use chrono::{DateTime, Utc};

/// `1250` → `"12.50"`, `-5` → `"-0.05"`.
pub fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
}

/// Parses what a person types as an amount (`12.5`, `1,234.50`, `-3`, empty = 0) into minor
/// units. More than two decimals or anything that is not a number is an error.
pub fn parse_money(text: &str) -> Result<i64, String> {
    const HINT: &str = "Enter an amount like 12.50";
    let t: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != ' ' && *c != '$')
        .collect();
    if t.is_empty() {
        return Ok(0);
    }
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(HINT.to_string());
    }
    if frac.len() > 2 {
        return Err("Use at most two decimals, e.g. 12.50".to_string());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| HINT.to_string())?
    };
    let frac_val: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| HINT.to_string())? * 10,
        _ => frac.parse().map_err(|_| HINT.to_string())?,
    };
    let minor = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac_val))
        .ok_or_else(|| "That amount is too large".to_string())?;
    Ok(if neg { -minor } else { minor })
}

/// `1234567` → `"1,234,567"`.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn date(d: &DateTime<Utc>) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn full_name(first: &str, last: &str) -> String {
    match (first.trim(), last.trim()) {
        ("", "") => String::new(),
        (f, "") => f.to_string(),
        ("", l) => l.to_string(),
        (f, l) => format!("{f} {l}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips() {
        assert_eq!(money(1250), "12.50");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(123_456_700), "1,234,567.00");
        assert_eq!(parse_money("12.5"), Ok(1250));
        assert_eq!(parse_money("1,234.56"), Ok(123_456));
        assert_eq!(parse_money("-3"), Ok(-300));
        assert_eq!(parse_money(""), Ok(0));
        assert_eq!(parse_money(".5"), Ok(50));
        assert!(parse_money("12.505").is_err());
        assert!(parse_money("abc").is_err());
        assert!(parse_money("-").is_err());
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1234), "1,234");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
