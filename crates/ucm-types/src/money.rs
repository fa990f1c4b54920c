//! Money and quantities as text, parsed the same way by the server, the importer and the SPA.

/// Parses money into minor units. Accepts `1234.5`, `1,234.50`, `$-142.85`, `-$142.85`,
/// `(12.00)` and, unambiguously European, `1.234,50`. Anything that could be read two ways
/// (such as `1,234` or `1.234`) is rejected rather than guessed.
pub fn parse_money_minor(input: &str) -> Result<i64, String> {
    let err = |why: &str| format!("{input:?} is not an amount of money ({why})");
    let mut s: String = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].to_owned();
    }
    let s = s
        .trim_start_matches(|c: char| "$€£¥".contains(c))
        .to_owned();
    let s = if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        rest.trim_start_matches(|c: char| "$€£¥".contains(c))
            .to_owned()
    } else if let Some(rest) = s.strip_prefix('+') {
        rest.trim_start_matches(|c: char| "$€£¥".contains(c))
            .to_owned()
    } else {
        s
    };
    let s = s.trim_end_matches(|c: char| "$€£¥".contains(c));
    if s.is_empty() {
        return Err(err("empty"));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(err("unexpected characters"));
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let (int_part, frac_part): (String, String) = match (dots, commas) {
        (0, 0) => (s.to_owned(), String::new()),
        (1, 0) => {
            let (i, f) = s.split_once('.').unwrap_or((s, ""));
            if f.len() == 3 && i.len() <= 3 && !i.is_empty() {
                return Err(err("`.` could be a decimal point or a thousands separator"));
            }
            (i.to_owned(), f.to_owned())
        }
        (0, 1) => {
            let (i, f) = s.split_once(',').unwrap_or((s, ""));
            if f.len() == 3 {
                return Err(err("`,` could be a decimal comma or a thousands separator"));
            }
            (i.to_owned(), f.to_owned())
        }
        // The same separator twice or more cannot be a decimal one: `1,234,567`, `1.234.567`.
        (n, 0) | (0, n) if n >= 2 => {
            let group = if dots > 0 { '.' } else { ',' };
            let groups: Vec<&str> = s.split(group).collect();
            let well_grouped = !groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return Err(err("thousands separators in the wrong places"));
            }
            (groups.concat(), String::new())
        }
        _ => {
            let last_dot = s.rfind('.');
            let last_comma = s.rfind(',');
            let (group, decimal) = if last_dot > last_comma {
                (',', '.')
            } else {
                ('.', ',')
            };
            if s.matches(decimal).count() > 1 {
                return Err(err("more than one decimal separator"));
            }
            let (i, f) = s.split_once(decimal).unwrap_or((s, ""));
            let groups: Vec<&str> = i.split(group).collect();
            let well_grouped = !groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return Err(err("thousands separators in the wrong places"));
            }
            (groups.concat(), f.to_owned())
        }
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(err("no digits"));
    }
    if frac_part.len() > 2 {
        return Err(err("more than two decimals"));
    }
    let int: i64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| err("too large"))?
    };
    let frac: i64 = format!("{frac_part:0<2}")
        .parse()
        .map_err(|_| err("bad decimals"))?;
    let minor = int
        .checked_mul(100)
        .and_then(|v| v.checked_add(frac))
        .ok_or_else(|| err("too large"))?;
    Ok(if negative { -minor } else { minor })
}

pub fn format_money_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A quantity with at most three decimals, as thousandths.
pub fn parse_quantity_e3(input: &str) -> Result<i64, String> {
    let s = input.trim();
    let bad = || format!("{s:?} is not a quantity (a positive number with at most 3 decimals)");
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 3
        || int.len() > 9
    {
        return Err(bad());
    }
    let int: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let frac: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    let q = int * 1000 + frac;
    if q == 0 {
        return Err("the quantity must be more than 0".into());
    }
    Ok(q)
}

pub fn format_quantity_e3(q: i64) -> String {
    let (int, frac) = (q / 1000, q % 1000);
    if frac == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:03}").trim_end_matches('0').to_owned()
    }
}
