//! Small display helpers: money in minor units, counts, dates, file sizes, quantities.

use chrono::{DateTime, NaiveDate, Utc};
use wasm_bindgen::JsValue;
use web_sys::js_sys;

/// `1250` → `"12.50"`, `-5` → `"-0.05"`.
pub fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", group_thousands(abs / 100), abs % 100)
}

/// An amount with its currency: `$1,234.50` for USD, `€12.50`, `£3.00`, else `12.50 CHF`.
pub fn money_in(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let amount = money(minor.saturating_abs());
    let symbol = match currency.trim().to_ascii_uppercase().as_str() {
        "USD" => "$",
        "AUD" => "A$",
        "CAD" => "C$",
        "NZD" => "NZ$",
        "EUR" => "€",
        "GBP" => "£",
        "" => "",
        other => return format!("{sign}{amount} {other}"),
    };
    format!("{sign}{symbol}{amount}")
}

/// Parses what a person types as an amount (`12.5`, `1,234.50`, `120,50`, `-3`, empty = 0)
/// into minor units. More than two decimals, an ambiguous `1,234` or anything that is not a
/// number is an error.
pub fn parse_money(text: &str) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Ok(0);
    }
    // The server's own parser: `1,234.50` and `1.234,50` are read, `1,234` is refused as
    // ambiguous instead of silently becoming 1234.00.
    ucm_types::money::parse_money_minor(text)
}

/// A quantity with at most three decimals (blank means 1), as the server reads it.
pub fn parse_quantity_e3(text: &str) -> Result<i64, String> {
    if text.trim().is_empty() {
        return Ok(1000);
    }
    ucm_types::money::parse_quantity_e3(text)
}

/// quantity (thousandths) × unit price, rounded half away from zero to a minor unit, as the
/// server computes a line amount.
pub fn line_amount(quantity_e3: i64, unit_price: i64) -> i64 {
    let p = i128::from(quantity_e3) * i128::from(unit_price);
    let rounded = (p.abs() + 500) / 1000 * p.signum();
    i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
}

/// `532` → `"532 B"`, `2048` → `"2.0 KB"`, `5_500_000` → `"5.2 MB"`.
pub fn file_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if b < 1024.0 {
        return format!("{bytes} B");
    }
    let mut v = b / 1024.0;
    let mut unit = UNITS[0];
    for u in UNITS.iter().skip(1) {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
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

pub fn day(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn opt_day(d: Option<&NaiveDate>) -> String {
    d.map(day).unwrap_or_default()
}

// ---- the browser's clock and time zone (wasm only) -------------------------------------------

fn js_date(dt: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(dt.timestamp_millis() as f64))
}

/// The instant in the user's time zone: `2025-03-04 14:05`.
pub fn local_date_time(dt: &DateTime<Utc>) -> String {
    let d = js_date(dt);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The value of an `<input type="datetime-local">` for this instant.
pub fn datetime_local_value(dt: &DateTime<Utc>) -> String {
    local_date_time(dt).replacen(' ', "T", 1)
}

/// An `<input type="datetime-local">` value (the user's time zone) as an instant.
pub fn parse_datetime_local(value: &str) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&JsValue::from_str(v)).get_time();
    if ms.is_nan() {
        return None;
    }
    DateTime::<Utc>::from_timestamp_millis(ms as i64)
}

/// Today in the user's time zone.
pub fn today() -> NaiveDate {
    let d = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_default()
}

/// An `<input type="date">` value, or `None` when empty or unreadable.
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
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
        // The decimal comma is read where it is unambiguous, refused where it is not.
        assert_eq!(parse_money("120,50"), Ok(12_050));
        assert_eq!(parse_money("1.234,50"), Ok(123_450));
        assert!(parse_money("1,234").is_err());
    }

    #[test]
    fn money_with_currency() {
        assert_eq!(money_in(123_450, "USD"), "$1,234.50");
        assert_eq!(money_in(-500, "usd"), "-$5.00");
        assert_eq!(money_in(1250, "EUR"), "€12.50");
        assert_eq!(money_in(1250, "CHF"), "12.50 CHF");
    }

    #[test]
    fn quantities_and_amounts() {
        assert_eq!(parse_quantity_e3("1"), Ok(1000));
        assert_eq!(parse_quantity_e3("1.5"), Ok(1500));
        assert_eq!(parse_quantity_e3(".25"), Ok(250));
        assert_eq!(parse_quantity_e3(""), Ok(1000));
        assert!(parse_quantity_e3("1.2345").is_err());
        assert!(parse_quantity_e3("two").is_err());
        assert_eq!(line_amount(1500, 999), 1499); // 1498.5 rounds away from zero
        assert_eq!(line_amount(-1500, 999), -1499);
        assert_eq!(line_amount(2000, 1250), 2500);
    }

    #[test]
    fn sizes() {
        assert_eq!(file_size(532), "532 B");
        assert_eq!(file_size(2048), "2.0 KB");
        assert_eq!(file_size(5_500_000), "5.2 MB");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1234), "1,234");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
