//! Values that can only hold valid data, and the text folding that search depends on.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

pub const MAX_TEXT: usize = 255;

/// Lower-cases and strips accents so `Zoë`, `ZOE` and `zoe` compare equal; letters with no
/// decomposition but a common ASCII spelling are spelled out.
pub fn fold(text: &str) -> String {
    // ASCII decomposes to itself and has no marks: most names and every email take this path
    // (an import folds several texts per row).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    fold_unicode(text)
}

fn fold_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.nfkd() {
        if is_combining_mark(ch) {
            continue;
        }
        match ch {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Trims and requires non-empty text of at most `MAX_TEXT` characters.
pub fn required_text(value: &str, label: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("{label} is required"));
    }
    optional_text(v)
}

pub fn optional_text(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.chars().count() > MAX_TEXT {
        return Err(format!("must be at most {MAX_TEXT} characters"));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

/// A syntactically valid email address, trimmed. Comparison uses `key()` (lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, String> {
        let v = input.trim();
        let invalid = || format!("{v:?} is not a valid email address");
        if v.len() > 254 {
            return Err("an email address has at most 254 characters".into());
        }
        let (local, domain) = v.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(v.to_owned()))
        } else {
            Err(invalid())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Parses a percentage such as `10`, `10.5` or `7.125` into ten-thousandths of a percent.
pub fn parse_rate_e4(input: &str) -> Result<i64, String> {
    let v = input.trim().trim_end_matches('%').trim();
    let err = || format!("{input:?} is not a percentage like 10.00 (at most 4 decimals, 0 to 100)");
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 4
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(err());
    }
    let int: i64 = int.parse().map_err(|_| err())?;
    let frac_val: i64 = format!("{frac:0<4}").parse().map_err(|_| err())?;
    let e4 = int
        .checked_mul(10_000)
        .and_then(|x| x.checked_add(frac_val))
        .ok_or_else(err)?;
    if e4 > 100 * 10_000 {
        return Err(err());
    }
    Ok(e4)
}

/// `100000` → `"10.00"`; keeps up to four decimals, never fewer than two.
pub fn format_rate_e4(e4: i64) -> String {
    let int = e4 / 10_000;
    let mut frac = format!("{:04}", e4 % 10_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{int}.{frac}")
}

pub use ucm_types::money::{format_money_minor, parse_money_minor};

/// Widest zero padding a number mask may ask for.
pub const MAX_MASK_WIDTH: usize = 20;

/// Checks a number mask: at most 32 characters, a padding width of at most `MAX_MASK_WIDTH`.
pub fn validate_number_mask(mask: &str) -> Result<String, String> {
    let mask = optional_text(mask)?;
    if mask.chars().count() > 32 {
        return Err("a number mask has at most 32 characters".into());
    }
    if let Some(start) = mask.find('%') {
        let digits: String = mask[start + 1..]
            .chars()
            .skip_while(|c| *c == '0')
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits
            .parse::<u64>()
            .map(|w| w > MAX_MASK_WIDTH as u64)
            .unwrap_or(!digits.is_empty())
        {
            return Err(format!(
                "the number width in {mask:?} is more than {MAX_MASK_WIDTH}"
            ));
        }
    }
    Ok(mask)
}

/// Fills a UCM number mask (`C-%05s` → `C-00042`). A mask without a placeholder gets the
/// number appended.
pub fn apply_number_mask(mask: &str, n: i64) -> String {
    if let Some(start) = mask.find('%') {
        let rest = &mask[start + 1..];
        let zero = rest.starts_with('0');
        let digits: String = rest
            .chars()
            .skip(usize::from(zero))
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let after = &rest[usize::from(zero) + digits.len()..];
        if let Some(tail) = after.strip_prefix('s').or_else(|| after.strip_prefix('d')) {
            let width: usize = digits.parse::<usize>().unwrap_or(0).min(MAX_MASK_WIDTH);
            let num = if zero {
                format!("{n:0width$}")
            } else {
                format!("{n:width$}")
            };
            return format!("{}{}{}", &mask[..start], num, tail);
        }
    }
    format!("{mask}{n}")
}

/// UCM splits a single contact name at its last space: "Mary Jane Smith" → ("Mary Jane", "Smith").
pub fn split_full_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) if !first.trim().is_empty() => {
            (first.trim().to_owned(), last.trim().to_owned())
        }
        _ => (name.to_owned(), String::new()),
    }
}

/// Escapes a LIKE pattern so `%`, `_` and `\` match themselves (with `ESCAPE '\'`).
pub fn like_escape(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_folds_as_the_general_path_would() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            all_ascii.as_str(),
            "Acme Pty Ltd",
            "ANN@Example.TEST",
            "+61 (7) 1111-1111",
            "",
        ] {
            assert_eq!(fold(text), fold_unicode(text), "{text:?}");
        }
    }

    #[test]
    fn fold_removes_case_and_accents() {
        assert_eq!(fold("Zoë ÉMILE Straße"), "zoe emile strasse");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("ＡＢＣ"), "abc");
    }

    #[test]
    fn email_addresses_are_trimmed_and_checked() {
        assert_eq!(
            EmailAddress::parse("  Bob@Example.COM ").map(|e| e.key()),
            Ok("bob@example.com".into())
        );
        for bad in [
            "",
            "bob",
            "bob@",
            "@x.com",
            "bob@localhost",
            "a b@x.com",
            "bob@x..com",
            "bob@-x.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
        assert!(EmailAddress::parse("o'lunney+tag@mail.example.org").is_ok());
    }

    #[test]
    fn rates_round_trip() {
        assert_eq!(parse_rate_e4("10"), Ok(100_000));
        assert_eq!(parse_rate_e4("7.125"), Ok(71_250));
        assert_eq!(format_rate_e4(71_250), "7.125");
        assert_eq!(format_rate_e4(100_000), "10.00");
        assert!(parse_rate_e4("-1").is_err());
        assert!(parse_rate_e4("101").is_err());
        assert!(parse_rate_e4("1.23456").is_err());
        assert!(parse_rate_e4("ten").is_err());
    }

    #[test]
    fn money_is_parsed_or_rejected_never_guessed() {
        assert_eq!(parse_money_minor("0.00"), Ok(0));
        assert_eq!(parse_money_minor("$-142.85"), Ok(-14285));
        assert_eq!(parse_money_minor("-$142.85"), Ok(-14285));
        assert_eq!(parse_money_minor("1,234.50"), Ok(123_450));
        assert_eq!(parse_money_minor("1.234,50"), Ok(123_450));
        assert_eq!(parse_money_minor("(12.5)"), Ok(-1250));
        assert_eq!(parse_money_minor("12,5"), Ok(1250));
        assert_eq!(parse_money_minor("1234"), Ok(123_400));
        assert_eq!(parse_money_minor("1,234,567"), Ok(123_456_700));
        assert_eq!(parse_money_minor("1.234.567"), Ok(123_456_700));
        assert_eq!(parse_money_minor("+5"), Ok(500));
        assert_eq!(parse_money_minor("+$5.10"), Ok(510));
        for bad in [
            "1,234",
            "1.234",
            "12.345",
            "abc",
            "",
            "1,23,4.00",
            "1.2.3",
            "1,2,3",
            "+-5",
        ] {
            assert!(parse_money_minor(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(format_money_minor(-14285), "-142.85");
    }

    #[test]
    fn number_masks_follow_ucm() {
        assert_eq!(apply_number_mask("C-%05s", 42), "C-00042");
        assert_eq!(apply_number_mask("INV%d", 7), "INV7");
        assert_eq!(apply_number_mask("X", 3), "X3");
        assert_eq!(
            apply_number_mask("B-%0999999999s", 3).len(),
            2 + MAX_MASK_WIDTH
        );
        assert!(validate_number_mask("B-%0999999999s").is_err());
        assert!(validate_number_mask("B-%021s").is_err());
        assert_eq!(validate_number_mask(" INV-%06d "), Ok("INV-%06d".into()));
    }

    #[test]
    fn full_names_split_at_the_last_space() {
        assert_eq!(
            split_full_name("Mary Jane Smith"),
            ("Mary Jane".into(), "Smith".into())
        );
        assert_eq!(split_full_name("Cher"), ("Cher".into(), String::new()));
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
