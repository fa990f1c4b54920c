//! CSV export of customers and contacts, streamed in id order from one read snapshot.
//!
//! Formula policy: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! one a spreadsheet may run as a formula, so it gets a leading `'`. Cells made only of
//! digits, spaces and `( ) . - /` after an optional leading `+` or `-` are left alone: they
//! cannot call a function or reference a cell, and phone numbers like `+61 7 1111 1111` or
//! amounts like `-142.85` stay usable. The importer removes a `'` that precedes one of those
//! characters, so an export imports back unchanged.

use std::borrow::Cow;
use std::collections::HashMap;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, IsolationLevel, QueryResult,
    TransactionTrait, Value,
};
use ucm_types::{CustomerQuery, ExportQuery, LineEnding};

use super::customers::list_filter;
use crate::db::{query_all, Db};
use crate::domain;
use crate::error::AppResult;

const BATCH: i64 = 2000;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || " ().-/".contains(c))
}

/// Whether the text after any leading quotes would be run as a formula.
fn is_formula_like(cell: &str) -> bool {
    let rest = cell.trim_start_matches('\'');
    rest.starts_with(TRIGGERS) && !is_plain_number(rest)
}

/// A cell as it is safe to hand to a spreadsheet. A value that already starts with quotes
/// before a formula character gets one more, so `unneutralise` gives back exactly the value.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes `neutralise` for the importer (a quote before a formula character is also how a
/// spreadsheet itself escapes one).
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => cell,
    }
}

pub const CUSTOMER_COLUMNS: [&str; 24] = [
    "Customer ID",
    "Customer Name",
    "Customer Number",
    "Customer Type",
    "Credit",
    "Address Line 1",
    "Address Line 2",
    "Address Suburb",
    "Address Country",
    "Address State",
    "Address Region",
    "Address Post Code",
    "Primary Contact First Name",
    "Primary Contact Last Name",
    "Primary Phone",
    "Primary Email",
    "Primary Fax",
    "Primary Mobile",
    "Primary Language",
    "Invoice Prefix",
    "Tax Name",
    "Tax Rate",
    "Staff",
    "Customer Group",
];

pub const CONTACT_COLUMNS: [&str; 12] = [
    "Customer ID",
    "Customer Name",
    "Contact ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Mobile",
    "Fax",
    "Language",
    "Position",
    "Primary",
];

pub enum Kind {
    Customers,
    Contacts,
}

/// Writes rows into CSV text with the chosen line ending.
struct Writer {
    crlf: bool,
    buf: Vec<u8>,
}

impl Writer {
    fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        let mut first = true;
        for cell in cells {
            if !first {
                self.buf.push(b',');
            }
            first = false;
            let cell = neutralise(cell);
            if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ')
            {
                self.buf.push(b'"');
                self.buf
                    .extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.buf.push(b'"');
            } else {
                self.buf.extend_from_slice(cell.as_bytes());
            }
        }
        self.buf
            .extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
    }
}

/// One export in progress: a read snapshot and the last id written.
pub struct Export {
    txn: Option<DatabaseTransaction>,
    kind: Kind,
    from: &'static str,
    clause: String,
    values: Vec<Value>,
    last_id: i64,
    writer: Writer,
    done: bool,
}

impl Export {
    pub async fn start(
        db: &Db,
        kind: Kind,
        q: &CustomerQuery,
        opts: &ExportQuery,
    ) -> AppResult<Self> {
        let f = list_filter(db, q)?;
        // One snapshot for the whole file, so rows changed while it streams are either all old
        // or all new, never half of each.
        let txn = match db.backend {
            DbBackend::Postgres => {
                db.conn
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await?
            }
            _ => db.conn.begin().await?,
        };
        let mut writer = Writer {
            crlf: opts.line_ending.unwrap_or_default() == LineEnding::Crlf,
            buf: Vec::with_capacity(256 * 1024),
        };
        if opts.bom == Some(true) {
            writer.buf.extend_from_slice(b"\xEF\xBB\xBF");
        }
        match kind {
            Kind::Customers => writer.row(CUSTOMER_COLUMNS),
            Kind::Contacts => writer.row(CONTACT_COLUMNS),
        }
        Ok(Self {
            txn: Some(txn),
            kind,
            from: f.from,
            clause: f.clause,
            values: f.values,
            last_id: 0,
            writer,
            done: false,
        })
    }

    /// The next chunk of CSV, or `None` when the file is complete.
    pub async fn next_chunk(&mut self) -> AppResult<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let Some(txn) = self.txn.take() else {
            return Ok(None);
        };
        let n = match self.kind {
            Kind::Customers => self.customers_batch(&txn).await?,
            Kind::Contacts => self.contacts_batch(&txn).await?,
        };
        if n < BATCH as usize {
            self.done = true;
            txn.commit().await?;
        } else {
            self.txn = Some(txn);
        }
        let chunk = std::mem::take(&mut self.writer.buf);
        if chunk.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(chunk))
    }

    fn where_after(&self, col: &str) -> String {
        if self.clause.is_empty() {
            format!(" WHERE {col} > ?")
        } else {
            format!("{} AND {col} > ?", self.clause)
        }
    }

    async fn customers_batch(&mut self, txn: &DatabaseTransaction) -> AppResult<usize> {
        let mut values = self.values.clone();
        values.push(self.last_id.into());
        values.push(BATCH.into());
        let rows = query_all(
            txn,
            &format!(
                "SELECT c.id, c.customer_name, c.customer_number, t.name AS type_name, c.credit, c.line_1, \
                 c.line_2, c.suburb, c.country, c.state, c.region, c.post_code, p.first_name, p.last_name, \
                 p.phone, p.email, p.fax, p.mobile, p.language, c.invoice_prefix, c.tax_name, c.tax_rate_e4 \
                 FROM {} JOIN customer_types t ON t.id = c.customer_type_id \
                 LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary{} ORDER BY c.id LIMIT ?",
                self.from,
                self.where_after("c.id")
            ),
            values,
        )
        .await?;
        let Some(last) = rows.last() else {
            return Ok(0);
        };
        let first_id: i64 = rows[0].try_get("", "id")?;
        let last_id: i64 = last.try_get("", "id")?;
        let groups = joined(
            txn,
            "SELECT m.customer_id AS cid, g.name AS v FROM customer_group_members m \
             JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id BETWEEN ? AND ? ORDER BY g.name",
            first_id,
            last_id,
        )
        .await?;
        let staff = joined(
            txn,
            "SELECT s.customer_id AS cid, u.username AS v FROM customer_staff s \
             JOIN users u ON u.id = s.user_id WHERE s.customer_id BETWEEN ? AND ? ORDER BY u.username",
            first_id,
            last_id,
        )
        .await?;
        for r in &rows {
            let id: i64 = r.try_get("", "id")?;
            let s = |col: &str| -> AppResult<String> {
                Ok(r.try_get::<Option<String>>("", col)?.unwrap_or_default())
            };
            let tax_rate = match r.try_get::<Option<i64>>("", "tax_rate_e4")? {
                Some(rate) => domain::format_rate_e4(rate),
                None => "-1.00".to_owned(),
            };
            let cells = [
                id.to_string(),
                s("customer_name")?,
                s("customer_number")?,
                s("type_name")?,
                domain::format_money_minor(r.try_get("", "credit")?),
                s("line_1")?,
                s("line_2")?,
                s("suburb")?,
                s("country")?,
                s("state")?,
                s("region")?,
                s("post_code")?,
                s("first_name")?,
                s("last_name")?,
                s("phone")?,
                s("email")?,
                s("fax")?,
                s("mobile")?,
                s("language")?,
                s("invoice_prefix")?,
                s("tax_name")?,
                tax_rate,
                staff.get(&id).cloned().unwrap_or_default(),
                groups.get(&id).cloned().unwrap_or_default(),
            ];
            self.writer.row(cells.iter().map(String::as_str));
        }
        self.last_id = last_id;
        Ok(rows.len())
    }

    async fn contacts_batch(&mut self, txn: &DatabaseTransaction) -> AppResult<usize> {
        let mut values = self.values.clone();
        values.push(self.last_id.into());
        values.push(BATCH.into());
        let rows = query_all(
            txn,
            &format!(
                "SELECT k.id, k.customer_id, c.customer_name, k.first_name, k.last_name, k.email, k.phone, \
                 k.mobile, k.fax, k.language, k.position, k.is_primary \
                 FROM {} JOIN contacts k ON k.customer_id = c.id{} ORDER BY k.id LIMIT ?",
                self.from,
                self.where_after("k.id")
            ),
            values,
        )
        .await?;
        for r in &rows {
            let s = |col: &str| -> AppResult<String> { Ok(r.try_get::<String>("", col)?) };
            let cells = [
                r.try_get::<i64>("", "customer_id")?.to_string(),
                s("customer_name")?,
                r.try_get::<i64>("", "id")?.to_string(),
                s("first_name")?,
                s("last_name")?,
                s("email")?,
                s("phone")?,
                s("mobile")?,
                s("fax")?,
                s("language")?,
                s("position")?,
                if r.try_get::<bool>("", "is_primary")? {
                    "yes".to_owned()
                } else {
                    "no".to_owned()
                },
            ];
            self.writer.row(cells.iter().map(String::as_str));
        }
        if let Some(last) = rows.last() {
            self.last_id = last.try_get("", "id")?;
        }
        Ok(rows.len())
    }
}

/// `customer id → "a, b"` for a batch of customers.
async fn joined<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    from: i64,
    to: i64,
) -> AppResult<HashMap<i64, String>> {
    let mut out: HashMap<i64, String> = HashMap::new();
    for r in query_all(c, sql, vec![from.into(), to.into()]).await? {
        let r: QueryResult = r;
        let v: String = r.try_get("", "v")?;
        out.entry(r.try_get("", "cid")?)
            .and_modify(|s| {
                s.push_str(", ");
                s.push_str(&v);
            })
            .or_insert_with(|| v.clone());
    }
    Ok(out)
}

/// The whole export in memory (for the CLI and tests); the API streams `next_chunk` instead.
pub async fn to_vec(
    db: &Db,
    kind: Kind,
    q: &CustomerQuery,
    opts: &ExportQuery,
) -> AppResult<Vec<u8>> {
    let mut e = Export::start(db, kind, q, opts).await?;
    let mut out = Vec::new();
    while let Some(chunk) = e.next_chunk().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_but_phone_numbers_and_amounts_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("+61 7 1111 1111"), "+61 7 1111 1111");
        assert_eq!(neutralise("+1 (555) 010-0100"), "+1 (555) 010-0100");
        assert_eq!(neutralise("-142.85"), "-142.85");
        assert_eq!(neutralise("Acme = best"), "Acme = best");
        assert_eq!(neutralise("-"), "'-");
        assert_eq!(neutralise("'=x"), "''=x");
        for s in [
            "=1+1", "@x", "+x", "-x", "plain", "'quoted", "'=x", "''@x", "+61 7 1", "'",
        ] {
            assert_eq!(unneutralise(&neutralise(s)), s, "{s}");
        }
    }
}
