//! Customers: create, read, update, delete, list and search.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Value};
use ucm_types::{
    Address, ArchivedFilter, ContactSummary, Customer, CustomerListItem, CustomerPage,
    CustomerQuery, CustomerSort, CustomerStatus, CustomerType, CustomerUpdate, Group, LinkedAction,
    LinkedCounts, NewCustomer, SortDir, TaxChoice, TaxOverride, User,
};

use super::contacts::{self, ContactFields};
use super::files::FileStore;
use super::invoices::{today_value, CUSTOMER_STATUS_SQL};
use super::list_index::Filter;
use super::{extra, lookups, users};
use crate::db::{exec, query_all, query_one, Db};
use crate::domain::{self, fold, optional_text, required_text};
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

/// A customer's own columns after validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerFields {
    pub name: String,
    pub type_id: i64,
    pub number: String,
    pub credit: i64,
    pub tax: Option<(String, i64)>,
    pub invoice_prefix: String,
    pub address: Address,
    pub archived: bool,
}

pub const DEFAULT_TYPE_ID: i64 = 1;

pub(crate) fn validate_address(v: &mut Validator, a: &Address) -> Address {
    let mut f = |name: &str, value: &str| {
        v.check(&format!("address.{name}"), optional_text(value))
            .unwrap_or_default()
    };
    Address {
        line_1: f("line_1", &a.line_1),
        line_2: f("line_2", &a.line_2),
        suburb: f("suburb", &a.suburb),
        state: f("state", &a.state),
        region: f("region", &a.region),
        country: f("country", &a.country),
        post_code: f("post_code", &a.post_code),
    }
}

pub(crate) fn validate_tax(v: &mut Validator, t: &TaxOverride) -> Option<(String, i64)> {
    let name = v.check("default_tax.name", required_text(&t.name, "tax name"));
    let rate = v.check("default_tax.rate", domain::parse_rate_e4(&t.rate));
    Some((name?, rate?))
}

async fn check_refs<C: ConnectionTrait>(
    c: &C,
    v: &mut Validator,
    type_id: Option<i64>,
    group_ids: Option<&[i64]>,
    staff_ids: Option<&[i64]>,
) -> AppResult<()> {
    if let Some(t) = type_id {
        if lookups::get_type(c, t).await?.is_none() {
            v.add(
                "customer_type_id",
                format!("customer type {t} does not exist"),
            );
        }
    }
    if let Some(ids) = group_ids {
        let missing = lookups::missing_group_ids(c, ids).await?;
        if !missing.is_empty() {
            v.add("group_ids", format!("no such group: {missing:?}"));
        }
    }
    if let Some(ids) = staff_ids {
        let missing = users::missing_ids(c, ids).await?;
        if !missing.is_empty() {
            v.add("staff_ids", format!("no such user: {missing:?}"));
        }
    }
    Ok(())
}

pub async fn create(db: &Db, input: NewCustomer) -> AppResult<Customer> {
    let mut v = Validator::new();
    let name = v.check(
        "customer_name",
        required_text(&input.customer_name, "customer_name"),
    );
    let number = v.check(
        "customer_number",
        optional_text(input.customer_number.as_deref().unwrap_or("")),
    );
    let prefix = v.check(
        "default_invoice_prefix",
        optional_text(input.default_invoice_prefix.as_deref().unwrap_or("")),
    );
    let address = validate_address(&mut v, &input.address.clone().unwrap_or_default());
    let tax = input
        .default_tax
        .as_ref()
        .and_then(|t| validate_tax(&mut v, t));
    let contact = input
        .primary_contact
        .as_ref()
        .map(|c| contacts::validate_new(&mut v, "primary_contact.", c));
    let extra_fields: Vec<(String, String)> = input
        .extra
        .as_ref()
        .map(|m| extra::validate(&mut v, m))
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let type_id = input.customer_type_id.unwrap_or(DEFAULT_TYPE_ID);
    let number = number.unwrap_or_default();
    let txn = db.begin_write().await?;
    // Drawing a number checks the type (see `next_number`); it is looked up separately only
    // when a number was typed in, or when other fields already failed, so the 422 still lists
    // every problem at once.
    let check_type = !number.is_empty() || v.has_errors();
    check_refs(
        &*txn,
        &mut v,
        check_type.then_some(type_id),
        input.group_ids.as_deref(),
        input.staff_ids.as_deref(),
    )
    .await?;
    v.finish()?;
    let fields = CustomerFields {
        name: name.unwrap_or_default(),
        type_id,
        number,
        credit: input.credit.unwrap_or(0),
        tax,
        invoice_prefix: prefix.unwrap_or_default(),
        address,
        archived: input.archived.unwrap_or(false),
    };
    let contact = contact.flatten();
    let ins = insert(&*txn, &fields, contact.as_ref()).await?;
    let has_links = input.group_ids.as_ref().is_some_and(|g| !g.is_empty())
        || input.staff_ids.as_ref().is_some_and(|s| !s.is_empty())
        || !extra_fields.is_empty();
    extra::apply(&*txn, ins.id, &extra_fields).await?;
    if let Some(ids) = &input.group_ids {
        set_groups(&*txn, ins.id, ids).await?;
    }
    if let Some(ids) = &input.staff_ids {
        set_staff(&*txn, ins.id, ids).await?;
    }
    // The common create (no groups or staff) answers from what it wrote: two fewer queries
    // while SQLite's one write lock is held.
    let customer = match (&ins.customer_type, has_links) {
        (Some(t), false) => Customer {
            id: ins.id,
            customer_name: fields.name,
            customer_type: t.clone(),
            customer_number: ins.number,
            credit: fields.credit,
            default_tax: fields.tax.map(|(name, rate)| TaxOverride {
                name,
                rate: domain::format_rate_e4(rate),
            }),
            default_invoice_prefix: fields.invoice_prefix,
            address: fields.address,
            groups: Vec::new(),
            staff: Vec::new(),
            primary_contact: contact.zip(ins.contact_id).map(|(c, id)| ContactSummary {
                id,
                first_name: c.first_name,
                last_name: c.last_name,
                email: c.email,
                phone: c.phone,
            }),
            extra: BTreeMap::new(),
            status: CustomerStatus::NoInvoices,
            archived: fields.archived,
            created_at: ins.now,
            updated_at: ins.now,
            version: 1,
        },
        _ => get_in(&*txn, ins.id).await?,
    };
    txn.commit().await?;
    Ok(customer)
}

/// Inserts the customer row; draws a number from the type's mask when none is given.
/// A new customer arrives with its search text computed here, so creating one costs one
/// index write instead of an insert followed by a refresh.
pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    f: &CustomerFields,
    primary: Option<&ContactFields>,
) -> AppResult<Inserted> {
    let (number, customer_type) = if f.number.is_empty() {
        let (n, t) = next_number(c, f.type_id).await?;
        (n, Some(t))
    } else {
        (f.number.clone(), None)
    };
    let text = search_text(&f.name, &number, primary.into_iter());
    // Microseconds are what PostgreSQL keeps; storing no more lets a create answer with the
    // same timestamps a later read returns.
    let now = Utc::now().trunc_subsecs(6);
    let (tax_name, tax_rate): (Option<String>, Option<i64>) = match &f.tax {
        Some((n, r)) => (Some(n.clone()), Some(*r)),
        None => (None, None),
    };
    let cols = String::from(
        "customer_name, customer_type_id, customer_number, credit, tax_name, tax_rate_e4, invoice_prefix, \
         line_1, line_2, suburb, state, region, country, post_code, archived, name_key, search_text, \
         version, created_at, updated_at",
    );
    let values: Vec<Value> = vec![
        f.name.clone().into(),
        f.type_id.into(),
        number.clone().into(),
        f.credit.into(),
        tax_name.into(),
        tax_rate.into(),
        f.invoice_prefix.clone().into(),
        f.address.line_1.clone().into(),
        f.address.line_2.clone().into(),
        f.address.suburb.clone().into(),
        f.address.state.clone().into(),
        f.address.region.clone().into(),
        f.address.country.clone().into(),
        f.address.post_code.clone().into(),
        f.archived.into(),
        fold(&f.name).into(),
        text.into(),
        1i64.into(),
        now.into(),
        now.into(),
    ];
    let placeholders = vec!["?"; values.len()].join(", ");
    let row = query_one(
        c,
        &format!("INSERT INTO customers ({cols}) VALUES ({placeholders}) RETURNING id"),
        values,
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let id = row.try_get("", "id")?;
    let contact_id = match primary {
        Some(p) => Some(contacts::insert_unchecked(c, id, p, true).await?),
        None => None,
    };
    Ok(Inserted {
        id,
        number,
        customer_type,
        contact_id,
        now,
    })
}

/// Rows per multi-row INSERT: far below SQLite's and PostgreSQL's bound-parameter limits.
const INSERT_CHUNK: usize = 400;

/// Inserts many new customers, each with an optional primary contact, in a few multi-row
/// statements (for imports); returns their ids in input order. Numbers are drawn per type in
/// one UPDATE each. Ids come back sorted: within one INSERT both databases hand out ids in
/// VALUES order (SQLite's AUTOINCREMENT under its write lock, PostgreSQL's identity sequence).
pub(crate) async fn insert_many<C: ConnectionTrait>(
    c: &C,
    rows: &[(CustomerFields, Option<ContactFields>)],
) -> AppResult<Vec<i64>> {
    let mut numbers: Vec<String> = rows.iter().map(|(f, _)| f.number.clone()).collect();
    let mut need: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
    for (i, (f, _)) in rows.iter().enumerate() {
        if f.number.is_empty() {
            need.entry(f.type_id).or_default().push(i);
        }
    }
    for (type_id, idxs) in need {
        let k = idxs.len() as i64;
        let row = query_one(
            c,
            "UPDATE customer_types SET next_number = next_number + ? WHERE id = ? \
             RETURNING next_number - ? AS first, number_mask",
            vec![k.into(), type_id.into(), k.into()],
        )
        .await?
        .ok_or_else(|| {
            AppError::field(
                "customer_type_id",
                format!("customer type {type_id} does not exist"),
            )
        })?;
        let first: i64 = row.try_get("", "first")?;
        let mask: String = row.try_get("", "number_mask")?;
        for (j, i) in idxs.into_iter().enumerate() {
            numbers[i] = domain::apply_number_mask(&mask, first + j as i64);
        }
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut ids = Vec::with_capacity(rows.len());
    for (chunk_no, chunk) in rows.chunks(INSERT_CHUNK).enumerate() {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 20);
        for (k, (f, contact)) in chunk.iter().enumerate() {
            let number = &numbers[chunk_no * INSERT_CHUNK + k];
            let (tax_name, tax_rate): (Option<String>, Option<i64>) = match &f.tax {
                Some((n, r)) => (Some(n.clone()), Some(*r)),
                None => (None, None),
            };
            values.extend([
                f.name.clone().into(),
                f.type_id.into(),
                number.clone().into(),
                f.credit.into(),
                tax_name.into(),
                tax_rate.into(),
                f.invoice_prefix.clone().into(),
                f.address.line_1.clone().into(),
                f.address.line_2.clone().into(),
                f.address.suburb.clone().into(),
                f.address.state.clone().into(),
                f.address.region.clone().into(),
                f.address.country.clone().into(),
                f.address.post_code.clone().into(),
                f.archived.into(),
                fold(&f.name).into(),
                search_text(&f.name, number, contact.iter()).into(),
                1i64.into(),
                now.into(),
                now.into(),
            ]);
        }
        let tuple = format!("({})", vec!["?"; 20].join(", "));
        let sql = format!(
            "INSERT INTO customers (customer_name, customer_type_id, customer_number, credit, tax_name, \
             tax_rate_e4, invoice_prefix, line_1, line_2, suburb, state, region, country, post_code, archived, \
             name_key, search_text, version, created_at, updated_at) VALUES {}",
            vec![tuple.as_str(); chunk.len()].join(", ")
        );
        if c.get_database_backend() == sea_orm::DbBackend::Sqlite {
            // One INSERT numbers its rows consecutively under the write lock, so the last id
            // gives them all; streaming RETURNING's rows back cost more than the insert.
            let last = c
                .execute_raw(crate::db::stmt(sea_orm::DbBackend::Sqlite, &sql, values))
                .await?;
            let last = i64::try_from(last.last_insert_id())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("customer id: {e}")))?;
            ids.extend(last + 1 - chunk.len() as i64..=last);
        } else {
            let mut got: Vec<i64> = query_all(c, &format!("{sql} RETURNING id"), values)
                .await?
                .iter()
                .map(|r| r.try_get::<i64>("", "id"))
                .collect::<Result<_, _>>()?;
            got.sort_unstable();
            ids.extend(got);
        }
    }
    let with_contact: Vec<(i64, &ContactFields)> = rows
        .iter()
        .zip(&ids)
        .filter_map(|((_, ct), id)| ct.as_ref().map(|ct| (*id, ct)))
        .collect();
    for chunk in with_contact.chunks(INSERT_CHUNK) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 13);
        for (id, f) in chunk {
            values.extend([
                (*id).into(),
                f.first_name.clone().into(),
                f.last_name.clone().into(),
                f.email.clone().into(),
                f.email_key().into(),
                f.phone.clone().into(),
                f.mobile.clone().into(),
                f.fax.clone().into(),
                f.language.clone().into(),
                f.position.clone().into(),
                true.into(),
                now.into(),
                now.into(),
            ]);
        }
        let tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
        exec(
            c,
            &format!(
                "INSERT INTO contacts (customer_id, first_name, last_name, email, email_key, phone, mobile, fax, \
                 language, position, is_primary, version, created_at, updated_at) VALUES {}",
                vec![tuple; chunk.len()].join(", ")
            ),
            values,
        )
        .await?;
    }
    Ok(ids)
}

/// What `insert` wrote that the caller did not already know.
pub(crate) struct Inserted {
    pub id: i64,
    pub number: String,
    /// Read while drawing the number (None when the number was given).
    pub customer_type: Option<CustomerType>,
    pub contact_id: Option<i64>,
    pub now: DateTime<Utc>,
}

async fn next_number<C: ConnectionTrait>(c: &C, type_id: i64) -> AppResult<(String, CustomerType)> {
    // One UPDATE reserves and reads the number and proves the type exists, so concurrent
    // creators never share a number and a create needs no separate type lookup.
    let row = query_one(
        c,
        "UPDATE customer_types SET next_number = next_number + 1 WHERE id = ? \
         RETURNING next_number - 1 AS n, number_mask, name",
        vec![type_id.into()],
    )
    .await?
    .ok_or_else(|| {
        AppError::field(
            "customer_type_id",
            format!("customer type {type_id} does not exist"),
        )
    })?;
    let n: i64 = row.try_get("", "n")?;
    let mask: String = row.try_get("", "number_mask")?;
    let number = domain::apply_number_mask(&mask, n);
    Ok((
        number,
        CustomerType {
            id: type_id,
            name: row.try_get("", "name")?,
            number_mask: mask,
        },
    ))
}

pub(crate) async fn set_groups<C: ConnectionTrait>(
    c: &C,
    id: i64,
    group_ids: &[i64],
) -> AppResult<()> {
    exec(
        c,
        "DELETE FROM customer_group_members WHERE customer_id = ?",
        vec![id.into()],
    )
    .await?;
    let mut ids = group_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for g in ids {
        exec(
            c,
            "INSERT INTO customer_group_members (customer_id, group_id) VALUES (?, ?)",
            vec![id.into(), g.into()],
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn set_staff<C: ConnectionTrait>(
    c: &C,
    id: i64,
    user_ids: &[i64],
) -> AppResult<()> {
    exec(
        c,
        "DELETE FROM customer_staff WHERE customer_id = ?",
        vec![id.into()],
    )
    .await?;
    let mut ids = user_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for u in ids {
        exec(
            c,
            "INSERT INTO customer_staff (customer_id, user_id) VALUES (?, ?)",
            vec![id.into(), u.into()],
        )
        .await?;
    }
    Ok(())
}

/// The folded text that search matches: the customer's name and number and each contact's
/// name, email and phones (phones also as bare digits, so `0711` finds `07 11`). Newlines keep
/// a search term from matching across two fields.
pub(crate) fn search_text<'a>(
    name: &str,
    number: &str,
    contacts: impl Iterator<Item = &'a ContactFields>,
) -> String {
    let mut parts = vec![fold(name), fold(number)];
    for ct in contacts {
        parts.push(fold(&format!("{} {}", ct.first_name, ct.last_name)));
        for (value, is_phone) in [(&ct.email, false), (&ct.phone, true), (&ct.mobile, true)] {
            if value.is_empty() {
                continue;
            }
            parts.push(fold(value));
            if is_phone {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                if digits.len() != value.len() && !digits.is_empty() {
                    parts.push(digits);
                }
            }
        }
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n")
}

/// Recomputes a stored customer's search text after it or its contacts changed.
pub(crate) async fn refresh_search<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<()> {
    let Some(row) = query_one(
        c,
        "SELECT customer_name, customer_number FROM customers WHERE id = ?",
        vec![id.into()],
    )
    .await?
    else {
        return Ok(());
    };
    let name: String = row.try_get("", "customer_name")?;
    let number: String = row.try_get("", "customer_number")?;
    let contacts: Vec<ContactFields> = contacts::list_in(c, id)
        .await?
        .iter()
        .map(contacts::fields_of)
        .collect();
    exec(
        c,
        "UPDATE customers SET search_text = ?, name_key = ? WHERE id = ?",
        vec![
            search_text(&name, &number, contacts.iter()).into(),
            fold(&name).into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Its first placeholder is today's date (for the computed status).
fn customer_select() -> String {
    format!("SELECT c.id, c.customer_name, c.customer_type_id, c.customer_number, c.credit, \
     c.tax_name, c.tax_rate_e4, c.invoice_prefix, c.line_1, c.line_2, c.suburb, c.state, c.region, c.country, \
     c.post_code, c.archived, c.version, c.created_at, c.updated_at, {CUSTOMER_STATUS_SQL} AS status, \
     t.name AS type_name, t.number_mask AS type_mask, \
     p.id AS p_id, p.first_name AS p_first_name, p.last_name AS p_last_name, p.email AS p_email, p.phone AS p_phone \
     FROM customers c JOIN customer_types t ON t.id = c.customer_type_id \
     LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary")
}

fn status_from_row(row: &QueryResult) -> AppResult<CustomerStatus> {
    let s: String = row.try_get("", "status")?;
    CustomerStatus::parse(&s)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("customer status {s:?}")))
}

fn primary_from_row(row: &QueryResult) -> AppResult<Option<ContactSummary>> {
    let Some(id) = row.try_get::<Option<i64>>("", "p_id")? else {
        return Ok(None);
    };
    Ok(Some(ContactSummary {
        id,
        first_name: row.try_get("", "p_first_name")?,
        last_name: row.try_get("", "p_last_name")?,
        email: row.try_get("", "p_email")?,
        phone: row.try_get("", "p_phone")?,
    }))
}

pub async fn get(db: &Db, id: i64) -> AppResult<Customer> {
    get_in(&db.conn, id).await
}

/// The customer's groups and staff as JSON arrays in the same row, so reading a customer is
/// one query. SQLite and PostgreSQL spell JSON aggregation differently.
fn links_sql(backend: sea_orm::DbBackend) -> &'static str {
    match backend {
        sea_orm::DbBackend::Postgres => {
            ", (SELECT COALESCE(json_agg(json_build_array(g.id, g.name) ORDER BY g.name, g.id), '[]'::json)::text \
               FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id \
               WHERE m.customer_id = c.id) AS groups_json, \
             (SELECT COALESCE(json_agg(json_build_array(u.id, u.username, u.name, u.email, u.role) ORDER BY u.name, u.id), '[]'::json)::text \
               FROM customer_staff s JOIN users u ON u.id = s.user_id \
               WHERE s.customer_id = c.id) AS staff_json, \
             (SELECT COALESCE(json_object_agg(e.field_key, e.value), '{}'::json)::text \
               FROM customer_extra_fields e WHERE e.customer_id = c.id) AS extra_json"
        }
        _ => {
            ", (SELECT json_group_array(json_array(x.id, x.name)) FROM (SELECT g.id, g.name \
               FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id \
               WHERE m.customer_id = c.id ORDER BY g.name, g.id) x) AS groups_json, \
             (SELECT json_group_array(json_array(x.id, x.username, x.name, x.email, x.role)) FROM (SELECT u.id, \
               u.username, u.name, u.email, u.role FROM customer_staff s JOIN users u ON u.id = s.user_id \
               WHERE s.customer_id = c.id ORDER BY u.name, u.id) x) AS staff_json, \
             (SELECT json_group_object(e.field_key, e.value) FROM customer_extra_fields e \
               WHERE e.customer_id = c.id) AS extra_json"
        }
    }
}

/// The full customer select with its groups and staff as JSON.
fn customer_with_links_select(backend: DbBackend) -> String {
    customer_select().replacen(
        " FROM customers c",
        &format!("{} FROM customers c", links_sql(backend)),
        1,
    )
}

pub(crate) async fn get_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Customer> {
    let select = customer_with_links_select(c.get_database_backend());
    let row = query_one(
        c,
        &format!("{select} WHERE c.id = ?"),
        vec![today_value(), id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("customer", id))?;
    customer_from_row(&row)
}

/// The customers with ids in `from..to`, in id order (an import reads ahead with it).
pub(crate) async fn get_range_in<C: ConnectionTrait>(
    c: &C,
    from: i64,
    to: i64,
) -> AppResult<Vec<Customer>> {
    let select = customer_with_links_select(c.get_database_backend());
    query_all(
        c,
        &format!("{select} WHERE c.id >= ? AND c.id < ? ORDER BY c.id"),
        vec![today_value(), from.into(), to.into()],
    )
    .await?
    .iter()
    .map(customer_from_row)
    .collect()
}

fn customer_from_row(row: &QueryResult) -> AppResult<Customer> {
    let bad_json = |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("links json: {e}"));
    let groups: Vec<(i64, String)> =
        serde_json::from_str(&row.try_get::<String>("", "groups_json")?).map_err(bad_json)?;
    let staff: Vec<(i64, String, String, String, String)> =
        serde_json::from_str(&row.try_get::<String>("", "staff_json")?).map_err(bad_json)?;
    let extra: BTreeMap<String, String> =
        serde_json::from_str(&row.try_get::<String>("", "extra_json")?).map_err(bad_json)?;
    let groups: Vec<Group> = groups
        .into_iter()
        .map(|(id, name)| Group { id, name })
        .collect();
    let staff: Vec<User> = staff
        .into_iter()
        .map(|(id, username, name, email, role)| User {
            id,
            username,
            name,
            email,
            role: users::role_from_str(&role),
        })
        .collect();
    let tax_name: Option<String> = row.try_get("", "tax_name")?;
    let tax_rate: Option<i64> = row.try_get("", "tax_rate_e4")?;
    Ok(Customer {
        id: row.try_get("", "id")?,
        customer_name: row.try_get("", "customer_name")?,
        customer_type: CustomerType {
            id: row.try_get("", "customer_type_id")?,
            name: row.try_get("", "type_name")?,
            number_mask: row.try_get("", "type_mask")?,
        },
        customer_number: row.try_get("", "customer_number")?,
        credit: row.try_get("", "credit")?,
        default_tax: match (tax_name, tax_rate) {
            (Some(name), Some(rate)) => Some(TaxOverride {
                name,
                rate: domain::format_rate_e4(rate),
            }),
            _ => None,
        },
        default_invoice_prefix: row.try_get("", "invoice_prefix")?,
        address: Address {
            line_1: row.try_get("", "line_1")?,
            line_2: row.try_get("", "line_2")?,
            suburb: row.try_get("", "suburb")?,
            state: row.try_get("", "state")?,
            region: row.try_get("", "region")?,
            country: row.try_get("", "country")?,
            post_code: row.try_get("", "post_code")?,
        },
        groups,
        staff,
        primary_contact: primary_from_row(row)?,
        extra,
        status: status_from_row(row)?,
        archived: row.try_get("", "archived")?,
        created_at: row.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: row.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: row.try_get("", "version")?,
    })
}

pub(crate) fn fields_of(c: &Customer) -> CustomerFields {
    CustomerFields {
        name: c.customer_name.clone(),
        type_id: c.customer_type.id,
        number: c.customer_number.clone(),
        credit: c.credit,
        tax: c.default_tax.as_ref().and_then(|t| {
            domain::parse_rate_e4(&t.rate)
                .ok()
                .map(|r| (t.name.clone(), r))
        }),
        invoice_prefix: c.default_invoice_prefix.clone(),
        address: c.address.clone(),
        archived: c.archived,
    }
}

/// Writes changed columns and bumps the version; returns false when nothing changed.
pub(crate) async fn write_fields<C: ConnectionTrait>(
    c: &C,
    id: i64,
    before: &CustomerFields,
    after: &CustomerFields,
) -> AppResult<bool> {
    if before == after {
        return Ok(false);
    }
    let (tax_name, tax_rate): (Option<String>, Option<i64>) = match &after.tax {
        Some((n, r)) => (Some(n.clone()), Some(*r)),
        None => (None, None),
    };
    exec(
        c,
        "UPDATE customers SET customer_name = ?, customer_type_id = ?, customer_number = ?, credit = ?, \
         tax_name = ?, tax_rate_e4 = ?, invoice_prefix = ?, line_1 = ?, line_2 = ?, suburb = ?, state = ?, \
         region = ?, country = ?, post_code = ?, archived = ?, name_key = ?, version = version + 1, \
         updated_at = ? WHERE id = ?",
        vec![
            after.name.clone().into(),
            after.type_id.into(),
            after.number.clone().into(),
            after.credit.into(),
            tax_name.into(),
            tax_rate.into(),
            after.invoice_prefix.clone().into(),
            after.address.line_1.clone().into(),
            after.address.line_2.clone().into(),
            after.address.suburb.clone().into(),
            after.address.state.clone().into(),
            after.address.region.clone().into(),
            after.address.country.clone().into(),
            after.address.post_code.clone().into(),
            after.archived.into(),
            fold(&after.name).into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    if before.name != after.name || before.number != after.number {
        refresh_search(c, id).await?;
    }
    Ok(true)
}

/// Bumps the version of a customer whose groups or staff changed (those live in other tables).
pub(crate) async fn touch<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<()> {
    exec(
        c,
        "UPDATE customers SET version = version + 1, updated_at = ? WHERE id = ?",
        vec![Utc::now().into(), id.into()],
    )
    .await?;
    Ok(())
}

pub fn check_version(current: i64, if_match: &IfMatch) -> AppResult<()> {
    if if_match.allows(current) {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed)
    }
}

pub async fn update(
    db: &Db,
    id: i64,
    upd: CustomerUpdate,
    if_match: IfMatch,
) -> AppResult<Customer> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "customers", id).await?;
    let current = get_in(&*txn, id).await?;
    check_version(current.version, &if_match)?;
    let before = fields_of(&current);
    let mut after = before.clone();
    let mut v = Validator::new();
    if let Some(n) = &upd.customer_name {
        if let Some(n) = v.check("customer_name", required_text(n, "customer_name")) {
            after.name = n;
        }
    }
    if let Some(t) = upd.customer_type_id {
        after.type_id = t;
    }
    if let Some(n) = &upd.customer_number {
        if let Some(n) = v.check("customer_number", optional_text(n)) {
            after.number = n;
        }
    }
    if let Some(c) = upd.credit {
        after.credit = c;
    }
    match &upd.default_tax {
        Some(TaxChoice::Custom(t)) => after.tax = validate_tax(&mut v, t),
        Some(TaxChoice::System { use_system: true }) => after.tax = None,
        Some(TaxChoice::System { use_system: false }) => v.add(
            "default_tax",
            "give {\"name\", \"rate\"} or {\"use_system\": true}",
        ),
        None => {}
    }
    if let Some(p) = &upd.default_invoice_prefix {
        if let Some(p) = v.check("default_invoice_prefix", optional_text(p)) {
            after.invoice_prefix = p;
        }
    }
    if let Some(a) = &upd.address {
        let current = &after.address;
        let merged = Address {
            line_1: a.line_1.clone().unwrap_or_else(|| current.line_1.clone()),
            line_2: a.line_2.clone().unwrap_or_else(|| current.line_2.clone()),
            suburb: a.suburb.clone().unwrap_or_else(|| current.suburb.clone()),
            state: a.state.clone().unwrap_or_else(|| current.state.clone()),
            region: a.region.clone().unwrap_or_else(|| current.region.clone()),
            country: a.country.clone().unwrap_or_else(|| current.country.clone()),
            post_code: a
                .post_code
                .clone()
                .unwrap_or_else(|| current.post_code.clone()),
        };
        after.address = validate_address(&mut v, &merged);
    }
    if let Some(a) = upd.archived {
        after.archived = a;
    }
    let extra_changes = upd
        .extra
        .as_ref()
        .map(|m| extra::diff(&current.extra, &extra::validate(&mut v, m)))
        .unwrap_or_default();
    check_refs(
        &*txn,
        &mut v,
        upd.customer_type_id,
        upd.group_ids.as_deref(),
        upd.staff_ids.as_deref(),
    )
    .await?;
    v.finish()?;
    let mut changed = write_fields(&*txn, id, &before, &after).await?;
    if let Some(ids) = &upd.group_ids {
        let mut old: Vec<i64> = current.groups.iter().map(|g| g.id).collect();
        let mut new = ids.clone();
        old.sort_unstable();
        new.sort_unstable();
        new.dedup();
        if old != new {
            set_groups(&*txn, id, ids).await?;
            changed = true;
        }
    }
    if let Some(ids) = &upd.staff_ids {
        let mut old: Vec<i64> = current.staff.iter().map(|s| s.id).collect();
        let mut new = ids.clone();
        old.sort_unstable();
        new.sort_unstable();
        new.dedup();
        if old != new {
            set_staff(&*txn, id, ids).await?;
            changed = true;
        }
    }
    if !extra_changes.is_empty() {
        extra::apply(&*txn, id, &extra_changes).await?;
        changed = true;
    }
    if !changed {
        txn.rollback().await?;
        return Ok(current);
    }
    if before == after {
        touch(&*txn, id).await?;
    }
    let customer = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(customer)
}

/// Deletes a customer. Contacts, notes, group and staff links always go (ON DELETE CASCADE);
/// its jobs, websites, invoices, tickets and files are either deleted too or kept without a
/// customer (ON DELETE SET NULL), as the user chose. One transaction either way.
pub async fn delete(
    db: &Db,
    store: &FileStore,
    id: i64,
    linked: LinkedAction,
    if_match: IfMatch,
) -> AppResult<()> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "customers", id).await?;
    let row = query_one(
        &*txn,
        "SELECT version FROM customers WHERE id = ?",
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("customer", id))?;
    check_version(row.try_get("", "version")?, &if_match)?;
    let mut file_ids = Vec::new();
    if linked == LinkedAction::Delete {
        for r in query_all(
            &*txn,
            "SELECT id FROM files WHERE customer_id = ?",
            vec![id.into()],
        )
        .await?
        {
            file_ids.push(r.try_get::<i64>("", "id")?);
        }
        // Files first (they may point at the jobs), then the records; their notes and
        // invoice items follow by cascade.
        for table in ["files", "jobs", "websites", "invoices", "tickets"] {
            exec(
                &*txn,
                &format!("DELETE FROM {table} WHERE customer_id = ?"),
                vec![id.into()],
            )
            .await?;
        }
    } else {
        for table in ["jobs", "websites", "invoices", "tickets", "files"] {
            super::records::unlink(&*txn, table, "customer_id", id).await?;
        }
    }
    // The customer's contacts go by cascade; tickets of other customers may name them.
    for r in query_all(
        &*txn,
        "SELECT id FROM contacts WHERE customer_id = ?",
        vec![id.into()],
    )
    .await?
    {
        super::records::unlink(&*txn, "tickets", "contact_id", r.try_get("", "id")?).await?;
    }
    exec(&*txn, "DELETE FROM customers WHERE id = ?", vec![id.into()]).await?;
    txn.commit().await?;
    store.remove(&file_ids).await;
    Ok(())
}

/// What hangs off a customer: what a delete would take along or leave unlinked.
pub async fn linked_counts(db: &Db, id: i64) -> AppResult<LinkedCounts> {
    if !exists(&db.conn, id).await? {
        return Err(AppError::not_found("customer", id));
    }
    let row = query_one(
        &db.conn,
        "SELECT \
         (SELECT COUNT(*) FROM contacts WHERE customer_id = ?) AS contacts, \
         (SELECT COUNT(*) FROM jobs WHERE customer_id = ?) AS jobs, \
         (SELECT COUNT(*) FROM websites WHERE customer_id = ?) AS websites, \
         (SELECT COUNT(*) FROM invoices WHERE customer_id = ?) AS invoices, \
         (SELECT COUNT(*) FROM tickets WHERE customer_id = ?) AS tickets, \
         (SELECT COUNT(*) FROM files WHERE customer_id = ?) AS files, \
         (SELECT COUNT(*) FROM notes WHERE customer_id = ?) \
         + (SELECT COUNT(*) FROM notes m JOIN contacts k ON k.id = m.contact_id WHERE k.customer_id = ?) AS notes",
        vec![id.into(); 8],
    )
    .await?
    .ok_or_else(|| AppError::not_found("customer", id))?;
    let n = |col: &str| -> AppResult<u64> { Ok(row.try_get::<i64>("", col)? as u64) };
    Ok(LinkedCounts {
        contacts: n("contacts")?,
        notes: n("notes")?,
        jobs: n("jobs")?,
        websites: n("websites")?,
        invoices: n("invoices")?,
        tickets: n("tickets")?,
        files: n("files")?,
    })
}

pub const MAX_PER_PAGE: u64 = 200;

/// The WHERE clause of a list query and the values for its placeholders.
pub(crate) struct ListFilter {
    pub(crate) clause: String,
    pub(crate) values: Vec<Value>,
}

/// The search box's words, folded as the stored search text is.
pub(crate) fn search_words(q: &CustomerQuery) -> AppResult<Vec<String>> {
    let Some(text) = q.q.as_deref() else {
        return Ok(Vec::new());
    };
    super::records::search_text_ok(text)?;
    let words: Vec<String> = fold(text).split_whitespace().map(str::to_owned).collect();
    if words.iter().map(|w| w.chars().count()).sum::<usize>() > 200 {
        return Err(AppError::field(
            "q",
            "the search text is too long (at most 200 characters)",
        ));
    }
    Ok(words)
}

/// The list's filters as SQL. `matched`, when given, are the ids the in-memory index found for
/// the search words (SQLite only); otherwise each word is a substring test of the search text
/// (indexed by `pg_trgm` on PostgreSQL; a scan on SQLite, which only the CLI's export does).
pub(crate) fn list_filter(
    q: &CustomerQuery,
    words: &[String],
    matched: Option<&[i64]>,
) -> AppResult<ListFilter> {
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    match q.archived.unwrap_or_default() {
        ArchivedFilter::Active => {
            conds.push("c.archived = ?".into());
            values.push(false.into());
        }
        ArchivedFilter::Archived => {
            conds.push("c.archived = ?".into());
            values.push(true.into());
        }
        ArchivedFilter::All => {}
    }
    if let Some(t) = q.type_id {
        conds.push("c.customer_type_id = ?".into());
        values.push(t.into());
    }
    if let Some(g) = q.group_id {
        conds.push("EXISTS (SELECT 1 FROM customer_group_members m WHERE m.customer_id = c.id AND m.group_id = ?)".into());
        values.push(g.into());
    }
    if let Some(s) = q.staff_id {
        conds.push(
            "EXISTS (SELECT 1 FROM customer_staff s WHERE s.customer_id = c.id AND s.user_id = ?)"
                .into(),
        );
        values.push(s.into());
    }
    if let Some(st) = q.status {
        conds.push(format!("{CUSTOMER_STATUS_SQL} = ?"));
        values.push(today_value());
        values.push(st.as_str().into());
    }
    match matched {
        Some(ids) => {
            conds.push("c.id IN (SELECT value FROM json_each(?))".into());
            values.push(
                serde_json::to_string(ids)
                    .unwrap_or_else(|_| "[]".into())
                    .into(),
            );
        }
        None => {
            for w in words {
                conds.push("c.search_text LIKE ? ESCAPE '\\'".into());
                values.push(format!("%{}%", domain::like_escape(w)).into());
            }
        }
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    Ok(ListFilter { clause, values })
}

pub async fn list(db: &Db, q: &CustomerQuery) -> AppResult<CustomerPage> {
    let (page, per_page) = super::records::paging(q.page, q.per_page)?;
    let words = search_words(q)?;
    let offset = (page - 1) * per_page;
    let sort = q.sort.unwrap_or_default();
    let desc = q.dir.unwrap_or_default() == SortDir::Desc;
    let mut matched = None;
    if let Some(index) = &db.list_index {
        let by_index = sort == CustomerSort::Name
            && q.group_id.is_none()
            && q.staff_id.is_none()
            && q.status.is_none();
        if by_index || !words.is_empty() {
            index.sync(db).await?;
            let f = Filter {
                words: &words,
                archived: q.archived.unwrap_or_default(),
                type_id: q.type_id,
            };
            if by_index {
                let (total, ids) = index.page(&f, desc, offset, per_page);
                return Ok(CustomerPage {
                    items: list_items(db, &ids).await?,
                    total,
                    page,
                    per_page,
                });
            }
            matched = Some(index.matching_ids(&f));
        }
    }
    let searching = !words.is_empty();
    let ListFilter {
        clause: filter,
        values,
    } = list_filter(q, &words, matched.as_deref())?;
    let dir = if desc { "DESC" } else { "ASC" };
    let order = match sort {
        CustomerSort::Name => format!("c.name_key {dir}, c.id {dir}"),
        CustomerSort::PrimaryContact => format!(
            "COALESCE(LOWER(p.first_name), '') {dir}, COALESCE(LOWER(p.last_name), '') {dir}, c.name_key {dir}, c.id {dir}"
        ),
        CustomerSort::Email => format!("COALESCE(p.email_key, '') {dir}, c.name_key {dir}, c.id {dir}"),
        CustomerSort::Created => format!("c.created_at {dir}, c.id {dir}"),
    };
    // A search's matches are counted by the same query that pages them (one pass); the
    // unfiltered list is counted from the covering index, which is cheaper than
    // materializing every row for a window.
    let window = if searching {
        ", COUNT(*) OVER () AS total_count"
    } else {
        ""
    };
    // Pass one finds the page's ids (and, for a search, counts the matches) touching only
    // what the filter and sort need; `list_items` then reads the display columns, status and
    // groups of those ids alone.
    let contact_join = match sort {
        CustomerSort::PrimaryContact | CustomerSort::Email => {
            " LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary"
        }
        _ => "",
    };
    let mut page_values = values.clone();
    page_values.push((per_page as i64).into());
    page_values.push((offset as i64).into());
    let id_rows = query_all(
        &db.conn,
        &format!(
            "SELECT c.id{window} FROM customers c{contact_join}{filter} ORDER BY {order} LIMIT ? OFFSET ?"
        ),
        page_values,
    )
    .await?;
    let total = match id_rows.first() {
        Some(r) if searching => r.try_get::<i64>("", "total_count")?,
        None if searching && page == 1 => 0,
        _ => {
            let row = query_one(
                &db.conn,
                &format!("SELECT COUNT(*) AS n FROM customers c{filter}"),
                values,
            )
            .await?;
            row.map(|r| r.try_get::<i64>("", "n"))
                .transpose()?
                .unwrap_or(0)
        }
    };
    let ids: Vec<i64> = id_rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    Ok(CustomerPage {
        items: list_items(db, &ids).await?,
        total: total as u64,
        page,
        per_page,
    })
}

/// The list's rows for these ids, in their order: display columns, computed status and groups.
async fn list_items(db: &Db, ids: &[i64]) -> AppResult<Vec<CustomerListItem>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let groups = match db.backend {
        sea_orm::DbBackend::Postgres => {
            "(SELECT COALESCE(json_agg(g.name ORDER BY g.name), '[]'::json)::text \
             FROM customer_group_members m JOIN customer_groups g ON g.id = m.group_id \
             WHERE m.customer_id = c.id)"
        }
        _ => {
            "(SELECT json_group_array(x.name) FROM (SELECT g.name FROM customer_group_members m \
             JOIN customer_groups g ON g.id = m.group_id WHERE m.customer_id = c.id ORDER BY g.name) x)"
        }
    };
    // The ids are integers, so inlining them is safe.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = query_all(
        &db.conn,
        &format!(
            "SELECT c.id, c.customer_name, c.customer_number, c.customer_type_id, t.name AS type_name, \
             c.archived, c.created_at, p.id AS p_id, p.first_name AS p_first_name, p.last_name AS p_last_name, \
             p.email AS p_email, p.phone AS p_phone, {CUSTOMER_STATUS_SQL} AS status, {groups} AS groups_json \
             FROM customers c JOIN customer_types t ON t.id = c.customer_type_id \
             LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary WHERE c.id IN ({list})"
        ),
        vec![today_value()],
    )
    .await?;
    let mut by_id: HashMap<i64, CustomerListItem> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let groups: Vec<String> = serde_json::from_str(&r.try_get::<String>("", "groups_json")?)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("groups json: {e}")))?;
        let item = CustomerListItem {
            id: r.try_get("", "id")?,
            customer_name: r.try_get("", "customer_name")?,
            customer_number: r.try_get("", "customer_number")?,
            customer_type: r.try_get("", "type_name")?,
            customer_type_id: r.try_get("", "customer_type_id")?,
            primary_contact: primary_from_row(r)?,
            groups,
            status: status_from_row(r)?,
            archived: r.try_get("", "archived")?,
            created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        };
        by_id.insert(item.id, item);
    }
    // A customer deleted between the two reads is left out.
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

pub async fn exists<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<bool> {
    Ok(
        query_one(c, "SELECT id FROM customers WHERE id = ?", vec![id.into()])
            .await?
            .is_some(),
    )
}
