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
use std::sync::Arc;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, IsolationLevel, QueryResult,
    TransactionTrait, Value,
};
use ucm_types::{CustomerQuery, ExportQuery, LineEnding};

use super::customers::{list_filter, search_words};
use crate::db::{query_all, query_one, Db};
use crate::domain;
use crate::error::{AppError, AppResult};

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

/// UCM's column set; one `extra:<key>` column per extra field in use goes between `Staff` and
/// `Customer Group`, where UCM puts its extra fields.
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

/// One export in progress: a read snapshot, the last id read and the batch read ahead.
pub struct Export {
    txn: Option<DatabaseTransaction>,
    kind: Kind,
    clause: String,
    values: Vec<Value>,
    last_id: i64,
    writer: Writer,
    /// The batch after the one last written, read while that one was being formatted.
    ahead: Option<Batch>,
    done: bool,
    /// The extra field keys in use when the export started, in column order.
    extra_keys: Arc<[String]>,
}

/// One batch of rows as read, before it is formatted.
enum Batch {
    Customers(CustomerBatch),
    Contacts(RawRows),
}

/// A batch's rows as the JSON text the database built. Parsing it is left to the formatting
/// thread, so that the database thread goes straight on to the next batch.
struct RawRows {
    json: String,
    n: usize,
    first_id: Option<i64>,
    last_id: Option<i64>,
}

struct CustomerBatch {
    rows: RawRows,
    groups: HashMap<i64, String>,
    staff: HashMap<i64, String>,
    /// customer id → its value for each of the export's extra keys (by position).
    extra: HashMap<i64, Vec<String>>,
}

impl Batch {
    fn len(&self) -> usize {
        match self {
            Batch::Customers(b) => b.rows.n,
            Batch::Contacts(rows) => rows.n,
        }
    }

    fn last_id(&self) -> Option<i64> {
        match self {
            Batch::Customers(b) => b.rows.last_id,
            Batch::Contacts(rows) => rows.last_id,
        }
    }
}

impl Export {
    pub async fn start(
        db: &Db,
        kind: Kind,
        q: &CustomerQuery,
        opts: &ExportQuery,
    ) -> AppResult<Self> {
        let f = list_filter(q, &search_words(q)?, None)?;
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
        let mut extra_keys = Vec::new();
        match kind {
            Kind::Customers => {
                // In byte order on both backends, so the columns are the same on both.
                extra_keys = super::extra::keys_in(&txn)
                    .await?
                    .into_iter()
                    .map(|k| k.key)
                    .collect();
                let extra_headers: Vec<String> =
                    extra_keys.iter().map(|k| format!("extra:{k}")).collect();
                let (before_groups, groups) = CUSTOMER_COLUMNS.split_at(CUSTOMER_COLUMNS.len() - 1);
                writer.row(
                    before_groups
                        .iter()
                        .copied()
                        .chain(extra_headers.iter().map(String::as_str))
                        .chain(groups.iter().copied()),
                );
            }
            Kind::Contacts => writer.row(CONTACT_COLUMNS),
        }
        Ok(Self {
            txn: Some(txn),
            kind,
            clause: f.clause,
            values: f.values,
            last_id: 0,
            writer,
            ahead: None,
            done: false,
            extra_keys: extra_keys.into(),
        })
    }

    /// The next chunk of CSV, or `None` when the file is complete.
    ///
    /// Reading a batch runs on the database's thread and formatting one is CPU work of about
    /// the same size, so while batch k is formatted on a blocking thread batch k+1 is read:
    /// on two cores that takes an export from the sum of both to about the larger of them.
    pub async fn next_chunk(&mut self) -> AppResult<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let Some(txn) = self.txn.take() else {
            return Ok(None);
        };
        let batch = match self.ahead.take() {
            Some(batch) => batch,
            None => self.read(&txn).await?,
        };
        let complete = batch.len() < BATCH as usize;
        if let Some(last) = batch.last_id() {
            self.last_id = last;
        }
        let mut writer = Writer {
            crlf: self.writer.crlf,
            buf: std::mem::take(&mut self.writer.buf),
        };
        let keys = Arc::clone(&self.extra_keys);
        let formatting = tokio::task::spawn_blocking(move || {
            format_batch(&mut writer, &batch, &keys).map(|()| writer.buf)
        });
        let ahead = if complete {
            None
        } else {
            Some(self.read(&txn).await)
        };
        let chunk = formatting
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("export formatting: {e}")))??;
        match ahead {
            Some(next) => {
                self.ahead = Some(next?);
                self.txn = Some(txn);
            }
            None => {
                self.done = true;
                txn.commit().await?;
            }
        }
        self.writer.buf = Vec::with_capacity(chunk.len());
        if chunk.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(chunk))
    }

    /// The batch of rows after `last_id`.
    async fn read(&self, txn: &DatabaseTransaction) -> AppResult<Batch> {
        Ok(match self.kind {
            Kind::Customers => Batch::Customers(self.customers_batch(txn).await?),
            Kind::Contacts => Batch::Contacts(self.contacts_batch(txn).await?),
        })
    }

    fn where_after(&self, col: &str) -> String {
        if self.clause.is_empty() {
            format!(" WHERE {col} > ?")
        } else {
            format!("{} AND {col} > ?", self.clause)
        }
    }

    async fn customers_batch(&self, txn: &DatabaseTransaction) -> AppResult<CustomerBatch> {
        let mut values = self.values.clone();
        values.push(self.last_id.into());
        values.push(BATCH.into());
        let inner = format!(
            "SELECT c.id, c.customer_name, c.customer_number, t.name AS type_name, c.credit, c.line_1, \
             c.line_2, c.suburb, c.country, c.state, c.region, c.post_code, p.first_name, p.last_name, \
             p.phone, p.email, p.fax, p.mobile, p.language, c.invoice_prefix, c.tax_name, c.tax_rate_e4 \
             FROM customers c JOIN customer_types t ON t.id = c.customer_type_id \
             LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary{} ORDER BY c.id LIMIT ?",
            self.where_after("c.id")
        );
        let rows = batch_as_json(
            txn,
            &inner,
            "id, customer_name, customer_number, type_name, credit, line_1, line_2, suburb, \
             country, state, region, post_code, first_name, last_name, phone, email, fax, mobile, \
             language, invoice_prefix, tax_name, tax_rate_e4",
            values,
        )
        .await?;
        let (Some(first_id), Some(last_id)) = (rows.first_id, rows.last_id) else {
            return Ok(CustomerBatch {
                rows,
                groups: HashMap::new(),
                staff: HashMap::new(),
                extra: HashMap::new(),
            });
        };
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
        let mut extra: HashMap<i64, Vec<String>> = HashMap::new();
        if !self.extra_keys.is_empty() {
            for row in query_all(
                txn,
                "SELECT customer_id AS cid, field_key AS k, value AS v FROM customer_extra_fields \
                 WHERE customer_id BETWEEN ? AND ?",
                vec![first_id.into(), last_id.into()],
            )
            .await?
            {
                let k: String = row.try_get("", "k")?;
                // A key added after the export's header was written has no column.
                if let Ok(i) = self.extra_keys.binary_search(&k) {
                    extra
                        .entry(row.try_get("", "cid")?)
                        .or_insert_with(|| vec![String::new(); self.extra_keys.len()])[i] =
                        row.try_get("", "v")?;
                }
            }
        }
        Ok(CustomerBatch {
            rows,
            groups,
            staff,
            extra,
        })
    }

    async fn contacts_batch(&self, txn: &DatabaseTransaction) -> AppResult<RawRows> {
        let mut values = self.values.clone();
        values.push(self.last_id.into());
        values.push(BATCH.into());
        let inner = format!(
            "SELECT k.id, k.customer_id, c.customer_name, k.first_name, k.last_name, k.email, k.phone, \
             k.mobile, k.fax, k.language, k.position, CASE WHEN k.is_primary THEN 1 ELSE 0 END AS is_primary \
             FROM customers c JOIN contacts k ON k.customer_id = c.id{} ORDER BY k.id LIMIT ?",
            self.where_after("k.id")
        );
        batch_as_json(
            txn,
            &inner,
            "id, customer_id, customer_name, first_name, last_name, email, phone, mobile, fax, \
             language, position, is_primary",
            values,
        )
        .await
    }
}

fn format_batch(writer: &mut Writer, batch: &Batch, extra_keys: &[String]) -> AppResult<()> {
    match batch {
        Batch::Customers(b) => format_customers(
            writer,
            b,
            &parsed(&b.rows, |r: &CustomerRow| r.0)?,
            extra_keys,
        ),
        Batch::Contacts(rows) => format_contacts(writer, &parsed(rows, |r: &ContactRow| r.0)?),
    }
    Ok(())
}

/// The rows of a batch in id order.
fn parsed<T: serde::de::DeserializeOwned>(raw: &RawRows, id: fn(&T) -> i64) -> AppResult<Vec<T>> {
    let mut rows: Vec<T> = serde_json::from_str(&raw.json)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("export batch json: {e}")))?;
    rows.sort_by_key(id);
    Ok(rows)
}

fn format_customers(
    writer: &mut Writer,
    b: &CustomerBatch,
    rows: &[CustomerRow],
    extra_keys: &[String],
) {
    let none = String::new();
    let no_extra = vec![String::new(); extra_keys.len()];
    for r in rows {
        let tax_rate = match r.21 {
            Some(rate) => domain::format_rate_e4(rate),
            None => "-1.00".to_owned(),
        };
        let id = r.0.to_string();
        let credit = domain::format_money_minor(r.4);
        let fixed: [&str; 23] = [
            &id,
            &r.1,
            &r.2,
            &r.3,
            &credit,
            &r.5,
            &r.6,
            &r.7,
            &r.8,
            &r.9,
            &r.10,
            &r.11,
            o(&r.12),
            o(&r.13),
            o(&r.14),
            o(&r.15),
            o(&r.16),
            o(&r.17),
            o(&r.18),
            &r.19,
            o(&r.20),
            &tax_rate,
            b.staff.get(&r.0).unwrap_or(&none),
        ];
        let mut cells: Vec<&str> = Vec::with_capacity(fixed.len() + 1 + extra_keys.len());
        cells.extend(fixed);
        cells.extend(
            b.extra
                .get(&r.0)
                .unwrap_or(&no_extra)
                .iter()
                .map(String::as_str),
        );
        cells.push(b.groups.get(&r.0).unwrap_or(&none));
        writer.row(cells);
    }
}

fn format_contacts(writer: &mut Writer, rows: &[ContactRow]) {
    for r in rows {
        let customer_id = r.1.to_string();
        let id = r.0.to_string();
        let cells: [&str; 12] = [
            &customer_id,
            &r.2,
            &id,
            &r.3,
            &r.4,
            &r.5,
            &r.6,
            &r.7,
            &r.8,
            &r.9,
            &r.10,
            if r.11 != 0 { "yes" } else { "no" },
        ];
        writer.row(cells);
    }
}

fn o(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// One exported customer, in the order of `customers_batch`'s columns.
#[derive(serde::Deserialize)]
struct CustomerRow(
    i64,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
);

/// One exported contact, in the order of `contacts_batch`'s columns (`is_primary` as 0/1).
#[derive(serde::Deserialize)]
struct ContactRow(
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

/// Runs `inner` (whose first column is `id`) and returns its rows as one JSON array of arrays
/// built by the database, with their count and id range. Row by row, the driver hands every
/// row to the async side through a channel with a thread wake-up and copies every value: that
/// was most of an export's time.
async fn batch_as_json<C: ConnectionTrait>(
    c: &C,
    inner: &str,
    columns: &str,
    values: Vec<Value>,
) -> AppResult<RawRows> {
    let range = "COUNT(*) AS n, CAST(MIN(id) AS BIGINT) AS lo, CAST(MAX(id) AS BIGINT) AS hi";
    let sql = match c.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({columns}) ORDER BY id), '[]')::text AS j, \
             {range} FROM ({inner}) AS b"
        ),
        _ => format!(
            "SELECT json_group_array(json_array({columns})) AS j, {range} FROM ({inner}) AS b"
        ),
    };
    let row = query_one(c, &sql, values)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("export batch returned no row")))?;
    let n: i64 = row.try_get("", "n")?;
    Ok(RawRows {
        json: row.try_get("", "j")?,
        n: usize::try_from(n).unwrap_or(0),
        first_id: row.try_get("", "lo")?,
        last_id: row.try_get("", "hi")?,
    })
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
