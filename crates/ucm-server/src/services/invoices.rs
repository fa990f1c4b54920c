//! Invoices: numbers from the customer's prefix, line items in minor units, the paid/cancelled
//! lifecycle, and the customer status that is computed from them.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use ucm_types::{
    Invoice, InvoiceItem, InvoicePage, InvoiceStatus, InvoiceUpdate, NewInvoice, NewInvoiceItem,
    RecordQuery,
};

use super::customers::check_version;
use super::records::{
    check_customer, check_dates, count, enum_from, enum_str, long_text, record_filter,
};
use super::records::{DateColumn, ListSpec, MAX_DESCRIPTION};
use crate::db::{exec, query_all, query_one, Db};
use crate::domain::optional_text;
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

/// UCM's customer status, computed at read time so it is right the moment an invoice is
/// added, paid or cancelled, or passes its due date. Its one placeholder is today's date.
/// Drafts have not been sent, so nothing is owed on them yet.
pub const CUSTOMER_STATUS_SQL: &str = "(CASE \
     WHEN EXISTS (SELECT 1 FROM invoices si WHERE si.customer_id = c.id AND si.status = 'sent' AND si.due_date < ?) THEN 'overdue' \
     WHEN EXISTS (SELECT 1 FROM invoices si WHERE si.customer_id = c.id AND si.status = 'sent') THEN 'owing' \
     WHEN EXISTS (SELECT 1 FROM invoices si WHERE si.customer_id = c.id AND si.status = 'paid') THEN 'paid' \
     ELSE 'no_invoices' END)";

pub const DEFAULT_PREFIX: &str = "INV-";
pub const DEFAULT_DUE_DAYS: u64 = 14;
/// 100 billion in major units: far beyond any real invoice, far below overflow.
const MAX_MONEY: i64 = 10_000_000_000_000;

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub use ucm_types::money::{format_quantity_e3, parse_quantity_e3};

/// quantity × unit price, rounded half away from zero to a whole minor unit.
pub fn line_amount(quantity_e3: i64, unit_price: i64) -> Result<i64, String> {
    let p = i128::from(quantity_e3) * i128::from(unit_price);
    let rounded = (p.abs() + 500) / 1000 * p.signum();
    i64::try_from(rounded)
        .ok()
        .filter(|a| a.abs() <= MAX_MONEY)
        .ok_or_else(|| "the line amount is too large".to_owned())
}

pub fn currency_code(input: &str) -> Result<String, String> {
    let c = input.trim().to_ascii_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(format!(
            "{input:?} is not a currency code (three letters, e.g. USD)"
        ))
    }
}

struct ItemRow {
    description: String,
    quantity_e3: i64,
    unit_price: i64,
    amount: i64,
}

fn validate_items(v: &mut Validator, items: &[NewInvoiceItem]) -> (Vec<ItemRow>, i64) {
    let mut rows = Vec::with_capacity(items.len());
    let mut total: i64 = 0;
    if items.len() > 500 {
        v.add("items", "an invoice has at most 500 line items");
        return (rows, 0);
    }
    for (i, it) in items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        let description = v.check(&f("description"), optional_text(&it.description));
        let quantity = v.check(
            &f("quantity"),
            parse_quantity_e3(it.quantity.as_deref().unwrap_or("1")),
        );
        if it.unit_price.unsigned_abs() > MAX_MONEY.unsigned_abs() {
            v.add(f("unit_price"), "the unit price is too large");
            continue;
        }
        let (Some(description), Some(quantity)) = (description, quantity) else {
            continue;
        };
        let Some(amount) = v.check(&f("quantity"), line_amount(quantity, it.unit_price)) else {
            continue;
        };
        total = total.saturating_add(amount);
        rows.push(ItemRow {
            description,
            quantity_e3: quantity,
            unit_price: it.unit_price,
            amount,
        });
    }
    (rows, total)
}

/// The total from items (when there are any) or as given; never negative.
fn settle_total(v: &mut Validator, items: Option<&(Vec<ItemRow>, i64)>, given: Option<i64>) -> i64 {
    let total = match (items.filter(|(rows, _)| !rows.is_empty()), given) {
        (Some((_, sum)), Some(t)) if *sum != t => {
            v.add(
                "total",
                format!("must equal the sum of the line items ({sum}) or be left out"),
            );
            *sum
        }
        (Some((_, sum)), _) => *sum,
        (None, Some(t)) => t,
        (None, None) => 0,
    };
    if total < 0 {
        v.add("total", "an invoice total cannot be negative");
    } else if total > MAX_MONEY {
        v.add("total", "the total is too large");
    }
    total
}

const INVOICE_SELECT: &str = "SELECT i.id, i.customer_id, cu.customer_name, i.number, i.currency, i.issue_date, \
     i.due_date, i.status, i.paid_date, i.total, i.description, i.created_at, i.updated_at, i.version \
     FROM invoices i LEFT JOIN customers cu ON cu.id = i.customer_id";

const INVOICE_SPEC: ListSpec = ListSpec {
    date: DateColumn::Date("i.issue_date"),
    text: &["i.number", "i.description"],
    statuses: &["draft", "sent", "paid", "cancelled"],
    status_column: "i.status",
    customer_column: "i.customer_id",
};

fn invoice_from(r: &QueryResult, items: Vec<InvoiceItem>, today: NaiveDate) -> AppResult<Invoice> {
    let status: InvoiceStatus = enum_from(&r.try_get::<String>("", "status")?)?;
    let due_date: NaiveDate = r.try_get("", "due_date")?;
    Ok(Invoice {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        customer_name: r.try_get("", "customer_name")?,
        number: r.try_get("", "number")?,
        currency: r.try_get("", "currency")?,
        issue_date: r.try_get("", "issue_date")?,
        due_date,
        status,
        paid_date: r.try_get("", "paid_date")?,
        overdue: status == InvoiceStatus::Sent && due_date < today,
        items,
        total: r.try_get("", "total")?,
        description: r.try_get("", "description")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: r.try_get("", "version")?,
    })
}

async fn items_of<C: ConnectionTrait>(
    c: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<InvoiceItem>>> {
    let mut out: HashMap<i64, Vec<InvoiceItem>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // The ids are integers read from the database, so inlining them is safe.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = query_all(
        c,
        &format!(
            "SELECT invoice_id, description, quantity_e3, unit_price, amount FROM invoice_items \
             WHERE invoice_id IN ({list}) ORDER BY invoice_id, position"
        ),
        vec![],
    )
    .await?;
    for r in &rows {
        out.entry(r.try_get("", "invoice_id")?)
            .or_default()
            .push(InvoiceItem {
                description: r.try_get("", "description")?,
                quantity: format_quantity_e3(r.try_get("", "quantity_e3")?),
                unit_price: r.try_get("", "unit_price")?,
                amount: r.try_get("", "amount")?,
            });
    }
    Ok(out)
}

pub(crate) async fn get_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Invoice> {
    let row = query_one(
        c,
        &format!("{INVOICE_SELECT} WHERE i.id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("invoice", id))?;
    let mut items = items_of(c, &[id]).await?;
    invoice_from(&row, items.remove(&id).unwrap_or_default(), today())
}

pub async fn get(db: &Db, id: i64) -> AppResult<Invoice> {
    get_in(&db.conn, id).await
}

/// `status=overdue` lists sent invoices past their due date.
pub async fn list(db: &Db, q: &RecordQuery) -> AppResult<InvoicePage> {
    let overdue = q.status.as_deref() == Some("overdue");
    let mut q2 = q.clone();
    if overdue {
        q2.status = None;
    }
    let mut f = record_filter(&INVOICE_SPEC, &q2, db.is_sqlite())?;
    let today = today();
    if overdue {
        f.clause = if f.clause.is_empty() {
            " WHERE i.status = 'sent' AND i.due_date < ?".into()
        } else {
            format!("{} AND i.status = 'sent' AND i.due_date < ?", f.clause)
        };
        f.values.push(today.into());
    }
    let rows = query_all(
        &db.conn,
        &format!(
            "{INVOICE_SELECT}{} ORDER BY i.issue_date DESC, i.id DESC LIMIT ? OFFSET ?",
            f.clause
        ),
        f.limit_values(),
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM invoices i{}", f.clause),
        f.values.clone(),
    )
    .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    let mut items = items_of(&db.conn, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (r, id) in rows.iter().zip(ids) {
        out.push(invoice_from(
            r,
            items.remove(&id).unwrap_or_default(),
            today,
        )?);
    }
    Ok(InvoicePage {
        items: out,
        total,
        page: f.page,
        per_page: f.per_page,
    })
}

/// The next free number for a prefix; numbers typed in by hand are skipped over.
async fn next_number<C: ConnectionTrait>(c: &C, prefix: &str) -> AppResult<String> {
    for _ in 0..1000 {
        let row = query_one(
            c,
            "INSERT INTO invoice_sequences (prefix, next_value) VALUES (?, 2) \
             ON CONFLICT (prefix) DO UPDATE SET next_value = invoice_sequences.next_value + 1 \
             RETURNING next_value",
            vec![prefix.into()],
        )
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("sequence returned no row")))?;
        let n: i64 = row.try_get::<i64>("", "next_value")? - 1;
        let number = format!("{prefix}{n:05}");
        if !number_taken(c, &number, None).await? {
            return Ok(number);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "no free invoice number for prefix {prefix:?}"
    )))
}

async fn number_taken<C: ConnectionTrait>(
    c: &C,
    number: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    Ok(query_one(
        c,
        "SELECT id FROM invoices WHERE number = ? AND id <> ?",
        vec![number.into(), except.unwrap_or(0).into()],
    )
    .await?
    .is_some())
}

async fn write_items<C: ConnectionTrait>(c: &C, id: i64, rows: &[ItemRow]) -> AppResult<()> {
    exec(
        c,
        "DELETE FROM invoice_items WHERE invoice_id = ?",
        vec![id.into()],
    )
    .await?;
    for (pos, it) in rows.iter().enumerate() {
        exec(
            c,
            "INSERT INTO invoice_items (invoice_id, position, description, quantity_e3, unit_price, amount) \
             VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                (pos as i64).into(),
                it.description.clone().into(),
                it.quantity_e3.into(),
                it.unit_price.into(),
                it.amount.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The dates and status an invoice may have together.
fn check_lifecycle(
    v: &mut Validator,
    issue: NaiveDate,
    due: NaiveDate,
    status: InvoiceStatus,
    paid: Option<NaiveDate>,
) {
    check_dates(
        v,
        &[
            ("issue_date", Some(issue)),
            ("due_date", Some(due)),
            ("paid_date", paid),
        ],
    );
    if due < issue {
        v.add("due_date", "the due date is before the issue date");
    }
    match (status, paid) {
        (InvoiceStatus::Paid, Some(p)) if p < issue => {
            v.add("paid_date", "the paid date is before the issue date")
        }
        (InvoiceStatus::Paid, _) => {}
        (_, Some(_)) => v.add("paid_date", "only a paid invoice has a paid date"),
        (_, None) => {}
    }
}

pub async fn create(db: &Db, input: NewInvoice, default_currency: &str) -> AppResult<Invoice> {
    let mut v = Validator::new();
    let currency = v.check(
        "currency",
        currency_code(input.currency.as_deref().unwrap_or(default_currency)),
    );
    let number = match input.number.as_deref().map(str::trim) {
        Some(n) => v
            .check("number", optional_text(n))
            .filter(|n| !n.is_empty()),
        None => None,
    };
    let description = v.check(
        "description",
        long_text(input.description.as_deref().unwrap_or(""), MAX_DESCRIPTION),
    );
    let items = input.items.as_deref().map(|i| validate_items(&mut v, i));
    let total = settle_total(&mut v, items.as_ref(), input.total);
    let issue = input.issue_date.unwrap_or_else(today);
    let due = input.due_date.unwrap_or_else(|| {
        issue
            .checked_add_days(Days::new(DEFAULT_DUE_DAYS))
            .unwrap_or(issue)
    });
    let status = input.status.unwrap_or_default();
    let paid = match status {
        InvoiceStatus::Paid => Some(input.paid_date.unwrap_or_else(today)),
        _ => input.paid_date,
    };
    check_lifecycle(&mut v, issue, due, status, paid);
    let txn = db.begin_write().await?;
    crate::db::lock_invoice_numbers(&*txn).await?;
    check_customer(&*txn, &mut v, input.customer_id).await?;
    if let Some(n) = &number {
        if number_taken(&*txn, n, None).await? {
            return Err(AppError::conflict_field(
                "number",
                format!("invoice number {n:?} is already used"),
            ));
        }
    }
    v.finish()?;
    let number = match number {
        Some(n) => n,
        None => {
            let prefix = query_one(
                &*txn,
                "SELECT invoice_prefix FROM customers WHERE id = ?",
                vec![input.customer_id.into()],
            )
            .await?
            .map(|r| r.try_get::<String>("", "invoice_prefix"))
            .transpose()?
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
            next_number(&*txn, &prefix).await?
        }
    };
    let now = Utc::now();
    let row = query_one(
        &*txn,
        "INSERT INTO invoices (customer_id, number, currency, issue_date, due_date, status, paid_date, total, \
         description, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        vec![
            input.customer_id.into(),
            number.into(),
            currency.into(),
            issue.into(),
            due.into(),
            enum_str(&status).into(),
            paid.into(),
            total.into(),
            description.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let id: i64 = row.try_get("", "id")?;
    if let Some((rows, _)) = &items {
        write_items(&*txn, id, rows).await?;
    }
    let inv = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(inv)
}

pub async fn update(db: &Db, id: i64, upd: InvoiceUpdate, if_match: IfMatch) -> AppResult<Invoice> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "invoices", id).await?;
    let cur = get_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let currency = match &upd.currency {
        Some(c) => v.check("currency", currency_code(c)),
        None => Some(cur.currency.clone()),
    }
    .unwrap_or_default();
    let number = match &upd.number {
        Some(n) => v
            .check("number", optional_text(n))
            .filter(|n| !n.is_empty())
            .or_else(|| {
                v.add("number", "the number cannot be empty");
                None
            }),
        None => Some(cur.number.clone()),
    }
    .unwrap_or_default();
    let description = match &upd.description {
        Some(d) => v.check("description", long_text(d, MAX_DESCRIPTION)),
        None => Some(cur.description.clone()),
    }
    .unwrap_or_default();
    let items = upd.items.as_deref().map(|i| validate_items(&mut v, i));
    // Changing only the total of an itemised invoice would contradict its lines.
    let keeps_items = items.is_none() && !cur.items.is_empty();
    let total = if keeps_items {
        if upd.total.is_some_and(|t| t != cur.total) {
            v.add(
                "total",
                "this invoice has line items; change the items instead",
            );
        }
        cur.total
    } else if items.is_none() && upd.total.is_none() {
        cur.total
    } else {
        settle_total(&mut v, items.as_ref(), upd.total)
    };
    let issue = upd.issue_date.unwrap_or(cur.issue_date);
    let due = upd.due_date.unwrap_or(cur.due_date);
    let status = upd.status.unwrap_or(cur.status);
    let paid = match status {
        InvoiceStatus::Paid => upd.paid_date.or(cur.paid_date).or_else(|| Some(today())),
        _ => upd.paid_date,
    };
    check_lifecycle(&mut v, issue, due, status, paid);
    let customer_id = upd.customer_id.or(cur.customer_id);
    if let Some(c) = upd.customer_id.filter(|c| Some(*c) != cur.customer_id) {
        check_customer(&*txn, &mut v, c).await?;
    }
    if number != cur.number {
        crate::db::lock_invoice_numbers(&*txn).await?;
    }
    if number != cur.number && number_taken(&*txn, &number, Some(id)).await? {
        return Err(AppError::conflict_field(
            "number",
            format!("invoice number {number:?} is already used"),
        ));
    }
    v.finish()?;
    let items_changed = items.as_ref().is_some_and(|(rows, _)| {
        rows.len() != cur.items.len()
            || rows.iter().zip(&cur.items).any(|(a, b)| {
                a.description != b.description
                    || format_quantity_e3(a.quantity_e3) != b.quantity
                    || a.unit_price != b.unit_price
            })
    });
    if !items_changed
        && customer_id == cur.customer_id
        && number == cur.number
        && currency == cur.currency
        && issue == cur.issue_date
        && due == cur.due_date
        && status == cur.status
        && paid == cur.paid_date
        && total == cur.total
        && description == cur.description
    {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE invoices SET customer_id = ?, number = ?, currency = ?, issue_date = ?, due_date = ?, \
         status = ?, paid_date = ?, total = ?, description = ?, version = version + 1, updated_at = ? \
         WHERE id = ?",
        vec![
            customer_id.into(),
            number.into(),
            currency.into(),
            issue.into(),
            due.into(),
            enum_str(&status).into(),
            paid.into(),
            total.into(),
            description.into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    if items_changed {
        if let Some((rows, _)) = &items {
            write_items(&*txn, id, rows).await?;
        }
    }
    let inv = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(inv)
}

pub async fn delete(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    super::records::delete_versioned(db, "invoices", "invoice", id, if_match).await
}

/// Lets callers bind today's date where `CUSTOMER_STATUS_SQL` appears.
pub fn today_value() -> Value {
    today().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_have_at_most_three_decimals() {
        assert_eq!(parse_quantity_e3("1"), Ok(1000));
        assert_eq!(parse_quantity_e3("1.5"), Ok(1500));
        assert_eq!(parse_quantity_e3(".25"), Ok(250));
        assert_eq!(parse_quantity_e3("0.001"), Ok(1));
        assert!(parse_quantity_e3("1.0001").is_err());
        assert!(parse_quantity_e3("-1").is_err());
        assert!(parse_quantity_e3("0").is_err());
        assert!(parse_quantity_e3("1,5").is_err());
        assert!(parse_quantity_e3("").is_err());
        assert!(parse_quantity_e3(".").is_err());
        assert_eq!(format_quantity_e3(1500), "1.5");
        assert_eq!(format_quantity_e3(2000), "2");
        assert_eq!(format_quantity_e3(1), "0.001");
    }

    #[test]
    fn line_amounts_round_half_away_from_zero() {
        assert_eq!(line_amount(1500, 333), Ok(500)); // 499.5
        assert_eq!(line_amount(1500, -333), Ok(-500));
        assert_eq!(line_amount(1000, 1999), Ok(1999));
        assert_eq!(line_amount(333, 1), Ok(0));
        assert!(line_amount(1_000_000_000_000, MAX_MONEY).is_err());
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(currency_code(" eur ").as_deref(), Ok("EUR"));
        assert!(currency_code("EURO").is_err());
        assert!(currency_code("€").is_err());
    }
}
