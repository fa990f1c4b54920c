//! Notes on customers, contacts, jobs, websites, invoices and tickets; the customer's merged
//! notes list; staff reminders.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use ucm_types::{
    NewNote, Note, NoteOwner, NoteOwnerKind, NotePage, NoteQuery, NoteUpdate, ReminderQuery,
};

use super::customers::check_version;
use super::records::{count, long_text, paging};
use crate::db::{exec, query_all, query_one, Db};
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

pub const MAX_NOTE: usize = 20_000;

/// The owner column and table of each kind of note owner.
fn owner_column(kind: NoteOwnerKind) -> (&'static str, &'static str) {
    match kind {
        NoteOwnerKind::Customer => ("customer_id", "customers"),
        NoteOwnerKind::Contact => ("contact_id", "contacts"),
        NoteOwnerKind::Job => ("job_id", "jobs"),
        NoteOwnerKind::Website => ("website_id", "websites"),
        NoteOwnerKind::Invoice => ("invoice_id", "invoices"),
        NoteOwnerKind::Ticket => ("ticket_id", "tickets"),
    }
}

/// Every note with what it is written on, a label for that, and the customer it rolls up to.
const NOTE_SELECT: &str = "SELECT n.id, n.body, n.note_at, n.reminder, n.reminder_user_id, n.reminder_done, \
     n.public, n.created_by, COALESCE(NULLIF(u.name, ''), u.username, '') AS created_by_name, n.created_at, n.updated_at, n.version, \
     CASE WHEN n.customer_id IS NOT NULL THEN 'customer' WHEN n.contact_id IS NOT NULL THEN 'contact' \
          WHEN n.job_id IS NOT NULL THEN 'job' WHEN n.website_id IS NOT NULL THEN 'website' \
          WHEN n.invoice_id IS NOT NULL THEN 'invoice' ELSE 'ticket' END AS owner_kind, \
     COALESCE(n.customer_id, n.contact_id, n.job_id, n.website_id, n.invoice_id, n.ticket_id) AS owner_id, \
     COALESCE(oc.customer_name, TRIM(ct.first_name || ' ' || ct.last_name), j.name, w.name, i.number, t.subject, '') AS owner_label, \
     COALESCE(n.customer_id, ct.customer_id, j.customer_id, w.customer_id, i.customer_id, t.customer_id) AS roll_customer_id \
     FROM notes n \
     LEFT JOIN users u ON u.id = n.created_by \
     LEFT JOIN customers oc ON oc.id = n.customer_id \
     LEFT JOIN contacts ct ON ct.id = n.contact_id \
     LEFT JOIN jobs j ON j.id = n.job_id \
     LEFT JOIN websites w ON w.id = n.website_id \
     LEFT JOIN invoices i ON i.id = n.invoice_id \
     LEFT JOIN tickets t ON t.id = n.ticket_id";

/// Wraps NOTE_SELECT so the rolled-up customer's name can be joined once.
fn select_with_customer(inner_where: &str, tail: &str) -> String {
    format!(
        "SELECT x.*, rc.customer_name AS roll_customer_name FROM ({NOTE_SELECT}{inner_where}) x \
         LEFT JOIN customers rc ON rc.id = x.roll_customer_id{tail}"
    )
}

fn note_from(r: &QueryResult) -> AppResult<Note> {
    let kind: String = r.try_get("", "owner_kind")?;
    Ok(Note {
        id: r.try_get("", "id")?,
        owner: NoteOwner {
            kind: NoteOwnerKind::parse(&kind)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("owner kind {kind:?}")))?,
            id: r.try_get("", "owner_id")?,
            label: r.try_get("", "owner_label")?,
        },
        customer_id: r.try_get("", "roll_customer_id")?,
        customer_name: r.try_get("", "roll_customer_name")?,
        body: r.try_get("", "body")?,
        note_at: r.try_get::<DateTime<Utc>>("", "note_at")?,
        reminder: r.try_get("", "reminder")?,
        reminder_user_id: r.try_get("", "reminder_user_id")?,
        reminder_done: r.try_get("", "reminder_done")?,
        public: r.try_get("", "public")?,
        created_by: r.try_get("", "created_by")?,
        created_by_name: r.try_get("", "created_by_name")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: r.try_get("", "version")?,
    })
}

pub(crate) async fn get_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Note> {
    let row = query_one(
        c,
        &select_with_customer(" WHERE n.id = ?", ""),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("note", id))?;
    note_from(&row)
}

pub async fn get(db: &Db, id: i64) -> AppResult<Note> {
    get_in(&db.conn, id).await
}

/// Newest first: the order of every notes list except reminders.
const NEWEST_FIRST: &str = "x.note_at DESC, x.id DESC";

async fn page_of(
    db: &Db,
    inner_where: &str,
    order: &str,
    values: Vec<Value>,
    page: u64,
    per_page: u64,
) -> AppResult<NotePage> {
    let mut page_values = values.clone();
    page_values.push((per_page as i64).into());
    page_values.push((((page - 1) * per_page) as i64).into());
    let rows = query_all(
        &db.conn,
        &select_with_customer(inner_where, &format!(" ORDER BY {order} LIMIT ? OFFSET ?")),
        page_values,
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM notes n{inner_where}"),
        values,
    )
    .await?;
    Ok(NotePage {
        items: rows.iter().map(note_from).collect::<AppResult<_>>()?,
        total,
        page,
        per_page,
    })
}

async fn owner_exists<C: ConnectionTrait>(c: &C, kind: NoteOwnerKind, id: i64) -> AppResult<bool> {
    let (_, table) = owner_column(kind);
    Ok(query_one(
        c,
        &format!("SELECT id FROM {table} WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .is_some())
}

/// The notes written on one record (any kind), newest first.
pub async fn list(db: &Db, q: &NoteQuery) -> AppResult<NotePage> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    match (q.owner_kind, q.owner_id) {
        (Some(kind), Some(id)) => {
            if !owner_exists(&db.conn, kind, id).await? {
                return Err(AppError::not_found(kind.as_str(), id));
            }
            let (col, _) = owner_column(kind);
            page_of(
                db,
                &format!(" WHERE n.{col} = ?"),
                NEWEST_FIRST,
                vec![id.into()],
                page,
                per_page,
            )
            .await
        }
        (None, None) => page_of(db, "", NEWEST_FIRST, vec![], page, per_page).await,
        _ => Err(AppError::field(
            "owner_kind",
            "owner_kind and owner_id go together",
        )),
    }
}

/// The customer's own notes merged with those of its contacts, jobs, websites, invoices and
/// tickets, newest first. Each branch of the IN list walks one owner index.
pub async fn list_for_customer(
    db: &Db,
    customer_id: i64,
    page: Option<u64>,
    per_page: Option<u64>,
) -> AppResult<NotePage> {
    let (page, per_page) = paging(page, per_page)?;
    if !owner_exists(&db.conn, NoteOwnerKind::Customer, customer_id).await? {
        return Err(AppError::not_found("customer", customer_id));
    }
    let inner = " WHERE n.id IN ( \
         SELECT id FROM notes WHERE customer_id = ? \
         UNION ALL SELECT m.id FROM notes m JOIN contacts o ON o.id = m.contact_id WHERE o.customer_id = ? \
         UNION ALL SELECT m.id FROM notes m JOIN jobs o ON o.id = m.job_id WHERE o.customer_id = ? \
         UNION ALL SELECT m.id FROM notes m JOIN websites o ON o.id = m.website_id WHERE o.customer_id = ? \
         UNION ALL SELECT m.id FROM notes m JOIN invoices o ON o.id = m.invoice_id WHERE o.customer_id = ? \
         UNION ALL SELECT m.id FROM notes m JOIN tickets o ON o.id = m.ticket_id WHERE o.customer_id = ?)";
    page_of(
        db,
        inner,
        NEWEST_FIRST,
        vec![customer_id.into(); 6],
        page,
        per_page,
    )
    .await
}

/// Reminders due to this user (or to all staff) up to `until`, oldest first.
pub async fn reminders(db: &Db, user_id: i64, q: &ReminderQuery) -> AppResult<NotePage> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let until = q.until.unwrap_or_else(Utc::now);
    super::records::plausible_time(until).map_err(|e| AppError::field("until", e))?;
    let done = if q.include_done == Some(true) {
        ""
    } else {
        " AND n.reminder_done = ?"
    };
    let inner = format!(
        " WHERE n.reminder = ? AND (n.reminder_user_id = ? OR n.reminder_user_id IS NULL) AND n.note_at <= ?{done}"
    );
    let mut values: Vec<Value> = vec![true.into(), user_id.into(), until.into()];
    if q.include_done != Some(true) {
        values.push(false.into());
    }
    page_of(db, &inner, "x.note_at, x.id", values, page, per_page).await
}

async fn check_reminder_user<C: ConnectionTrait>(
    c: &C,
    v: &mut Validator,
    user_id: i64,
) -> AppResult<()> {
    let row = query_one(
        c,
        "SELECT disabled FROM users WHERE id = ?",
        vec![user_id.into()],
    )
    .await?;
    match row {
        None => v.add("reminder_user_id", format!("user {user_id} does not exist")),
        Some(r) if r.try_get::<bool>("", "disabled")? => {
            v.add("reminder_user_id", format!("user {user_id} is disabled"))
        }
        Some(_) => {}
    }
    Ok(())
}

/// A note as stored, already validated.
pub(crate) struct NoteRow<'a> {
    pub owner_kind: NoteOwnerKind,
    pub owner_id: i64,
    pub body: &'a str,
    /// None: now.
    pub note_at: Option<DateTime<Utc>>,
    pub reminder: bool,
    pub reminder_user_id: Option<i64>,
    pub public: bool,
    /// None for notes the system writes (an import's `Notes` cells).
    pub created_by: Option<i64>,
}

/// Writes a note; returns its id.
pub(crate) async fn insert<C: ConnectionTrait>(c: &C, n: NoteRow<'_>) -> AppResult<i64> {
    let (col, _) = owner_column(n.owner_kind);
    let now = Utc::now();
    let row = query_one(
        c,
        &format!(
            "INSERT INTO notes ({col}, body, note_at, reminder, reminder_user_id, reminder_done, public, \
             created_by, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id"
        ),
        vec![
            n.owner_id.into(),
            n.body.into(),
            n.note_at.unwrap_or(now).into(),
            n.reminder.into(),
            n.reminder_user_id.into(),
            false.into(),
            n.public.into(),
            n.created_by.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    Ok(row.try_get("", "id")?)
}

pub async fn create(db: &Db, input: NewNote, creator: i64) -> AppResult<Note> {
    let mut v = Validator::new();
    let body = v.check("body", long_text(&input.body, MAX_NOTE));
    if body.as_deref() == Some("") {
        v.add("body", "the note is empty");
    }
    if let Some(at) = input.note_at {
        v.check("note_at", super::records::plausible_time(at));
    }
    let reminder = input.reminder.unwrap_or(false);
    if !reminder && input.reminder_user_id.is_some() {
        v.add("reminder_user_id", "only a reminder has a user to remind");
    }
    let txn = db.begin_write().await?;
    // A note on something that does not exist is a 404, like reading it would be.
    if !owner_exists(&*txn, input.owner_kind, input.owner_id).await? {
        return Err(AppError::not_found(
            input.owner_kind.as_str(),
            input.owner_id,
        ));
    }
    if let Some(u) = input.reminder_user_id {
        check_reminder_user(&*txn, &mut v, u).await?;
    }
    v.finish()?;
    let id = insert(
        &*txn,
        NoteRow {
            owner_kind: input.owner_kind,
            owner_id: input.owner_id,
            body: body.as_deref().unwrap_or_default(),
            note_at: input.note_at,
            reminder,
            reminder_user_id: input.reminder_user_id,
            public: input.public.unwrap_or(false),
            created_by: Some(creator),
        },
    )
    .await?;
    let note = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(note)
}

pub async fn update(db: &Db, id: i64, upd: NoteUpdate, if_match: IfMatch) -> AppResult<Note> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "notes", id).await?;
    let cur = get_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let body = match &upd.body {
        Some(b) => {
            let b = v.check("body", long_text(b, MAX_NOTE));
            if b.as_deref() == Some("") {
                v.add("body", "the note is empty");
            }
            b
        }
        None => Some(cur.body.clone()),
    }
    .unwrap_or_default();
    let reminder = upd.reminder.unwrap_or(cur.reminder);
    let reminder_user_id = if reminder {
        upd.reminder_user_id.unwrap_or(cur.reminder_user_id)
    } else {
        if upd.reminder_user_id.flatten().is_some() {
            v.add("reminder_user_id", "only a reminder has a user to remind");
        }
        None
    };
    if let Some(u) = reminder_user_id.filter(|u| Some(*u) != cur.reminder_user_id) {
        check_reminder_user(&*txn, &mut v, u).await?;
    }
    v.finish()?;
    if let Some(at) = upd.note_at {
        if let Err(e) = super::records::plausible_time(at) {
            return Err(AppError::field("note_at", e));
        }
    }
    let note_at = upd.note_at.unwrap_or(cur.note_at);
    let reminder_done = reminder && upd.reminder_done.unwrap_or(cur.reminder_done);
    let public = upd.public.unwrap_or(cur.public);
    if body == cur.body
        && note_at == cur.note_at
        && reminder == cur.reminder
        && reminder_user_id == cur.reminder_user_id
        && reminder_done == cur.reminder_done
        && public == cur.public
    {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE notes SET body = ?, note_at = ?, reminder = ?, reminder_user_id = ?, reminder_done = ?, \
         public = ?, version = version + 1, updated_at = ? WHERE id = ?",
        vec![
            body.into(),
            note_at.into(),
            reminder.into(),
            reminder_user_id.into(),
            reminder_done.into(),
            public.into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    let note = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(note)
}

pub async fn delete(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    super::records::delete_versioned(db, "notes", "note", id, if_match).await
}
