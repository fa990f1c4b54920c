//! Contacts: exactly one primary per customer that has contacts; emails unique per customer.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use ucm_types::{Contact, ContactUpdate, NewContact};

use super::customers;
use crate::db::{exec, query_all, query_one, Db};
use crate::domain::{optional_text, split_full_name, EmailAddress};
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

/// A contact's columns after validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub fax: String,
    pub language: String,
    pub position: String,
}

impl ContactFields {
    pub fn email_key(&self) -> String {
        self.email.to_lowercase()
    }
}

pub(crate) fn check_email(v: &mut Validator, field: &str, email: &str) -> String {
    let email = email.trim();
    if email.is_empty() {
        return String::new();
    }
    v.check(
        field,
        EmailAddress::parse(email).map(|e| e.as_str().to_owned()),
    )
    .unwrap_or_default()
}

/// Validates a new contact, recording problems under `prefix` + field name.
pub(crate) fn validate_new(
    v: &mut Validator,
    prefix: &str,
    c: &NewContact,
) -> Option<ContactFields> {
    let before = v.has_errors();
    let mut first = c.first_name.clone();
    let mut last = c.last_name.clone();
    if first.trim().is_empty() {
        if let Some(name) = c.name.as_deref().filter(|n| !n.trim().is_empty()) {
            let (f, l) = split_full_name(name);
            first = f;
            if last.trim().is_empty() {
                last = l;
            }
        }
    }
    let mut f = |field: &str, value: &str| {
        v.check(&format!("{prefix}{field}"), optional_text(value))
            .unwrap_or_default()
    };
    let fields = ContactFields {
        first_name: f("first_name", &first),
        last_name: f("last_name", &last),
        email: String::new(),
        phone: f("phone", &c.phone),
        mobile: f("mobile", &c.mobile),
        fax: f("fax", &c.fax),
        language: f("language", &c.language),
        position: f("position", &c.position),
    };
    if fields.first_name.is_empty() && !v.has_errors() {
        v.add(
            format!("{prefix}first_name"),
            "first_name (or name) is required",
        );
    }
    let email = check_email(v, &format!("{prefix}email"), &c.email);
    let fields = ContactFields { email, ..fields };
    if v.has_errors() && !before {
        return None;
    }
    Some(fields)
}

const CONTACT_COLUMNS: &str =
    "id, customer_id, first_name, last_name, email, phone, mobile, fax, language, \
     position, is_primary, version, created_at, updated_at";

fn from_row(r: &QueryResult) -> AppResult<Contact> {
    Ok(Contact {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        first_name: r.try_get("", "first_name")?,
        last_name: r.try_get("", "last_name")?,
        email: r.try_get("", "email")?,
        phone: r.try_get("", "phone")?,
        mobile: r.try_get("", "mobile")?,
        fax: r.try_get("", "fax")?,
        language: r.try_get("", "language")?,
        position: r.try_get("", "position")?,
        is_primary: r.try_get("", "is_primary")?,
        version: r.try_get("", "version")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
    })
}

pub(crate) fn fields_of(c: &Contact) -> ContactFields {
    ContactFields {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        mobile: c.mobile.clone(),
        fax: c.fax.clone(),
        language: c.language.clone(),
        position: c.position.clone(),
    }
}

pub(crate) async fn get_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Contact> {
    let row = query_one(
        c,
        &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("contact", id))?;
    from_row(&row)
}

pub async fn get(db: &Db, id: i64) -> AppResult<Contact> {
    get_in(&db.conn, id).await
}

pub async fn list_for_customer(db: &Db, customer_id: i64) -> AppResult<Vec<Contact>> {
    list_in(&db.conn, customer_id).await
}

pub(crate) async fn list_in<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
) -> AppResult<Vec<Contact>> {
    if !customers::exists(c, customer_id).await? {
        return Err(AppError::not_found("customer", customer_id));
    }
    let rows = query_all(
        c,
        &format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id = ? \
             ORDER BY is_primary DESC, LOWER(first_name), LOWER(last_name), id"
        ),
        vec![customer_id.into()],
    )
    .await?;
    rows.iter().map(from_row).collect()
}

/// The contacts of the customers with ids in `from..to`, by customer, each list in
/// `list_in`'s order (an import reads ahead with it).
pub(crate) async fn list_range_in<C: ConnectionTrait>(
    c: &C,
    from: i64,
    to: i64,
) -> AppResult<HashMap<i64, Vec<Contact>>> {
    let rows = query_all(
        c,
        &format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id >= ? AND customer_id < ? \
             ORDER BY customer_id, is_primary DESC, LOWER(first_name), LOWER(last_name), id"
        ),
        vec![from.into(), to.into()],
    )
    .await?;
    let mut out: HashMap<i64, Vec<Contact>> = HashMap::new();
    for r in &rows {
        let contact = from_row(r)?;
        out.entry(contact.customer_id).or_default().push(contact);
    }
    Ok(out)
}

/// Whether another contact of `customer_id` (other than `except`) has this email.
async fn email_taken<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
    email_key: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    if email_key.is_empty() {
        return Ok(false);
    }
    let row = query_one(
        c,
        "SELECT id FROM contacts WHERE customer_id = ? AND email_key = ? AND id <> ?",
        vec![
            customer_id.into(),
            email_key.to_owned().into(),
            except.unwrap_or(-1).into(),
        ],
    )
    .await?;
    Ok(row.is_some())
}

fn email_conflict() -> AppError {
    AppError::conflict_field(
        "email",
        "another contact of this customer already has this email",
    )
}

async fn has_primary<C: ConnectionTrait>(c: &C, customer_id: i64) -> AppResult<bool> {
    Ok(query_one(
        c,
        "SELECT id FROM contacts WHERE customer_id = ? AND is_primary",
        vec![customer_id.into()],
    )
    .await?
    .is_some())
}

/// Inserts a contact. It becomes primary when asked or when the customer has none yet.
pub(crate) async fn insert<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
    f: &ContactFields,
    make_primary: bool,
) -> AppResult<i64> {
    if email_taken(c, customer_id, &f.email_key(), None).await? {
        return Err(email_conflict());
    }
    let primary = make_primary || !has_primary(c, customer_id).await?;
    if primary {
        exec(
            c,
            "UPDATE contacts SET is_primary = ? WHERE customer_id = ? AND is_primary",
            vec![false.into(), customer_id.into()],
        )
        .await?;
    }
    insert_unchecked(c, customer_id, f, primary).await
}

/// Inserts without the email and primary checks: for a customer created in the same transaction.
pub(crate) async fn insert_unchecked<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
    f: &ContactFields,
    primary: bool,
) -> AppResult<i64> {
    let now = Utc::now();
    let row = query_one(
        c,
        "INSERT INTO contacts (customer_id, first_name, last_name, email, email_key, phone, mobile, fax, language, \
         position, is_primary, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) \
         RETURNING id",
        vec![
            customer_id.into(),
            f.first_name.clone().into(),
            f.last_name.clone().into(),
            f.email.clone().into(),
            f.email_key().into(),
            f.phone.clone().into(),
            f.mobile.clone().into(),
            f.fax.clone().into(),
            f.language.clone().into(),
            f.position.clone().into(),
            primary.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    Ok(row.try_get("", "id")?)
}

pub(crate) async fn write_fields<C: ConnectionTrait>(
    c: &C,
    id: i64,
    f: &ContactFields,
) -> AppResult<()> {
    exec(
        c,
        "UPDATE contacts SET first_name = ?, last_name = ?, email = ?, email_key = ?, phone = ?, mobile = ?, fax = ?, \
         language = ?, position = ?, version = version + 1, updated_at = ? WHERE id = ?",
        vec![
            f.first_name.clone().into(),
            f.last_name.clone().into(),
            f.email.clone().into(),
            f.email_key().into(),
            f.phone.clone().into(),
            f.mobile.clone().into(),
            f.fax.clone().into(),
            f.language.clone().into(),
            f.position.clone().into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn create(db: &Db, customer_id: i64, input: NewContact) -> AppResult<Contact> {
    let mut v = Validator::new();
    let fields = validate_new(&mut v, "", &input);
    let txn = db.begin_write().await?;
    if !customers::exists(&*txn, customer_id).await? {
        return Err(AppError::not_found("customer", customer_id));
    }
    v.finish()?;
    let fields =
        fields.ok_or_else(|| AppError::Internal(anyhow::anyhow!("validated contact missing")))?;
    let id = insert(&*txn, customer_id, &fields, input.is_primary).await?;
    if get_in(&*txn, id).await?.is_primary {
        customers::touch(&*txn, customer_id).await?;
    }
    customers::refresh_search(&*txn, customer_id).await?;
    let contact = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(contact)
}

/// Makes `id` the primary contact of its customer.
async fn promote<C: ConnectionTrait>(c: &C, customer_id: i64, id: i64) -> AppResult<()> {
    // Demote first: the partial unique index allows one primary per customer at any moment.
    exec(
        c,
        "UPDATE contacts SET is_primary = ?, version = version + 1, updated_at = ? WHERE customer_id = ? AND is_primary AND id <> ?",
        vec![false.into(), Utc::now().into(), customer_id.into(), id.into()],
    )
    .await?;
    exec(
        c,
        "UPDATE contacts SET is_primary = ?, version = version + 1, updated_at = ? WHERE id = ? AND NOT is_primary",
        vec![true.into(), Utc::now().into(), id.into()],
    )
    .await?;
    // The customer's body shows its primary contact, so its ETag must change too.
    customers::touch(c, customer_id).await?;
    Ok(())
}

/// After the primary left a customer, the oldest remaining contact takes its place.
async fn promote_successor<C: ConnectionTrait>(c: &C, customer_id: i64) -> AppResult<()> {
    if has_primary(c, customer_id).await? {
        return Ok(());
    }
    let next = query_one(
        c,
        "SELECT id FROM contacts WHERE customer_id = ? ORDER BY id LIMIT 1",
        vec![customer_id.into()],
    )
    .await?;
    if let Some(row) = next {
        promote(c, customer_id, row.try_get("", "id")?).await?;
    }
    Ok(())
}

pub async fn make_primary(db: &Db, id: i64) -> AppResult<Contact> {
    let txn = db.begin_write().await?;
    let contact = get_in(&*txn, id).await?;
    if !contact.is_primary {
        promote(&*txn, contact.customer_id, id).await?;
    }
    let contact = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(contact)
}

pub async fn update(db: &Db, id: i64, upd: ContactUpdate, if_match: IfMatch) -> AppResult<Contact> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "contacts", id).await?;
    let current = get_in(&*txn, id).await?;
    customers::check_version(current.version, &if_match)?;
    let before = fields_of(&current);
    let mut after = before.clone();
    let mut v = Validator::new();
    let mut text = |field: &str, value: &Option<String>, target: &mut String| {
        if let Some(value) = value {
            if let Some(t) = v.check(field, optional_text(value)) {
                *target = t;
            }
        }
    };
    text("first_name", &upd.first_name, &mut after.first_name);
    text("last_name", &upd.last_name, &mut after.last_name);
    text("phone", &upd.phone, &mut after.phone);
    text("mobile", &upd.mobile, &mut after.mobile);
    text("fax", &upd.fax, &mut after.fax);
    text("language", &upd.language, &mut after.language);
    text("position", &upd.position, &mut after.position);
    if after.first_name.is_empty() {
        v.add("first_name", "first_name is required");
    }
    if let Some(e) = &upd.email {
        after.email = check_email(&mut v, "email", e);
    }
    if upd.is_primary == Some(false) && current.is_primary {
        v.add(
            "is_primary",
            "make another contact primary instead; a customer with contacts always has one",
        );
    }
    let target = upd.customer_id.unwrap_or(current.customer_id);
    if target != current.customer_id && !customers::exists(&*txn, target).await? {
        v.add("customer_id", format!("customer {target} does not exist"));
    }
    v.finish()?;
    if email_taken(&*txn, target, &after.email_key(), Some(id)).await? {
        return Err(email_conflict());
    }
    if after != before {
        write_fields(&*txn, id, &after).await?;
        if current.is_primary {
            customers::touch(&*txn, current.customer_id).await?;
        }
    }
    if target != current.customer_id {
        exec(
            &*txn,
            "UPDATE contacts SET customer_id = ?, is_primary = ?, version = version + 1, updated_at = ? WHERE id = ?",
            vec![target.into(), false.into(), Utc::now().into(), id.into()],
        )
        .await?;
        if current.is_primary {
            customers::touch(&*txn, current.customer_id).await?;
        }
        promote_successor(&*txn, current.customer_id).await?;
        customers::refresh_search(&*txn, current.customer_id).await?;
        // A ticket's contact is one of its customer's contacts; one that moves away stops
        // being the contact of the tickets it leaves behind.
        exec(
            &*txn,
            "UPDATE tickets SET contact_id = NULL, version = version + 1, updated_at = ? \
             WHERE contact_id = ? AND (customer_id IS NULL OR customer_id <> ?)",
            vec![Utc::now().into(), id.into(), target.into()],
        )
        .await?;
        if upd.is_primary == Some(true) {
            promote(&*txn, target, id).await?;
        } else {
            promote_successor(&*txn, target).await?;
        }
    } else if upd.is_primary == Some(true) && !current.is_primary {
        promote(&*txn, target, id).await?;
    }
    customers::refresh_search(&*txn, target).await?;
    let contact = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(contact)
}

pub async fn delete(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "contacts", id).await?;
    let current = get_in(&*txn, id).await?;
    customers::check_version(current.version, &if_match)?;
    super::records::unlink(&*txn, "tickets", "contact_id", id).await?;
    exec(&*txn, "DELETE FROM contacts WHERE id = ?", vec![id.into()]).await?;
    if current.is_primary {
        customers::touch(&*txn, current.customer_id).await?;
    }
    promote_successor(&*txn, current.customer_id).await?;
    customers::refresh_search(&*txn, current.customer_id).await?;
    txn.commit().await?;
    Ok(())
}
