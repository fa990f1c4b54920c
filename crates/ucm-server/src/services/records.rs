//! Jobs, websites and tickets: records that hang off a customer, with the paging and
//! filtering every linked-record list shares (invoices and files use the same helpers).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;
use ucm_types::{
    Job, JobPage, JobStatus, JobUpdate, NewJob, NewTicket, NewWebsite, RecordQuery, Ticket,
    TicketPage, TicketPriority, TicketStatus, TicketUpdate, Website, WebsitePage, WebsiteStatus,
    WebsiteUpdate,
};

use super::customers::{self, check_version, MAX_PER_PAGE};
use crate::db::{exec, query_all, query_one, Db};
use crate::domain::{self, optional_text, required_text};
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

pub const MAX_DESCRIPTION: usize = 10_000;

/// Validated page and page size (1-based page, 1..=200 items).
pub fn paging(page: Option<u64>, per_page: Option<u64>) -> AppResult<(u64, u64)> {
    let per_page = per_page.unwrap_or(25);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(AppError::field(
            "per_page",
            format!("per_page must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    let page = page.unwrap_or(1);
    if page == 0 || page > 1_000_000 {
        return Err(AppError::field("page", "page starts at 1"));
    }
    Ok((page, per_page))
}

/// A snake_case enum value as stored in the database.
pub fn enum_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn enum_from<T: DeserializeOwned>(s: &str) -> AppResult<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown stored value {s:?}")))
}

/// Longer free text (descriptions, note bodies): trimmed, tabs and line breaks allowed.
pub fn long_text(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

/// Dates a person could mean: years 1 to 9999. Later ones sort wrongly as text on SQLite.
pub fn plausible_date(d: NaiveDate) -> Result<(), String> {
    use chrono::Datelike;
    if (1..=9999).contains(&d.year()) {
        Ok(())
    } else {
        Err(format!("{d} is outside the years 1 to 9999"))
    }
}

pub fn plausible_time(t: DateTime<Utc>) -> Result<(), String> {
    plausible_date(t.date_naive())
}

/// Search terms are text a person typed: no NUL or other control characters.
pub fn search_text_ok(text: &str) -> AppResult<()> {
    if text.chars().any(char::is_control) {
        return Err(AppError::field(
            "q",
            "the search text must not contain control characters",
        ));
    }
    Ok(())
}

/// Checks every date of a request at once.
pub fn check_dates(v: &mut Validator, dates: &[(&str, Option<NaiveDate>)]) {
    for (field, d) in dates {
        if let Some(d) = d {
            if let Err(e) = plausible_date(*d) {
                v.add(*field, e);
            }
        }
    }
}

/// Which date a list's `date_from`/`date_to` filter.
pub enum DateColumn {
    /// A `DATE` column.
    Date(&'static str),
    /// A timestamp column, compared by its UTC day.
    Timestamp(&'static str),
}

pub struct ListSpec {
    pub date: DateColumn,
    /// Columns the `q` filter searches (case-insensitive substring).
    pub text: &'static [&'static str],
    /// The status values of this resource, for a clear error on an unknown one.
    pub statuses: &'static [&'static str],
    pub status_column: &'static str,
    pub customer_column: &'static str,
}

pub struct Filter {
    pub clause: String,
    pub values: Vec<Value>,
    pub page: u64,
    pub per_page: u64,
}

impl Filter {
    pub fn limit_values(&self) -> Vec<Value> {
        let mut v = self.values.clone();
        v.push((self.per_page as i64).into());
        v.push((((self.page - 1) * self.per_page) as i64).into());
        v
    }
}

pub fn record_filter(spec: &ListSpec, q: &RecordQuery, is_sqlite: bool) -> AppResult<Filter> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conds: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(c) = q.customer_id {
        conds.push(format!("{} = ?", spec.customer_column));
        values.push(c.into());
    }
    if q.unlinked == Some(true) {
        conds.push(format!("{} IS NULL", spec.customer_column));
    }
    if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
        if !spec.statuses.contains(&s) {
            return Err(AppError::field(
                "status",
                format!("unknown status {s:?}; one of {}", spec.statuses.join(", ")),
            ));
        }
        conds.push(format!("{} = ?", spec.status_column));
        values.push(s.into());
    }
    for (field, d) in [("date_from", q.date_from), ("date_to", q.date_to)] {
        if let Some(d) = d {
            plausible_date(d).map_err(|e| AppError::field(field, e))?;
        }
    }
    if let (Some(from), Some(to)) = (q.date_from, q.date_to) {
        if to < from {
            return Err(AppError::field("date_to", "date_to is before date_from"));
        }
    }
    let day_start = |d: NaiveDate| -> Value { d.and_time(chrono::NaiveTime::MIN).and_utc().into() };
    match spec.date {
        DateColumn::Date(col) => {
            if let Some(d) = q.date_from {
                conds.push(format!("{col} >= ?"));
                values.push(d.into());
            }
            if let Some(d) = q.date_to {
                conds.push(format!("{col} <= ?"));
                values.push(d.into());
            }
        }
        DateColumn::Timestamp(col) => {
            if let Some(d) = q.date_from {
                conds.push(format!("{col} >= ?"));
                values.push(day_start(d));
            }
            if let Some(d) = q.date_to.and_then(|d| d.succ_opt()) {
                conds.push(format!("{col} < ?"));
                values.push(day_start(d));
            }
        }
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 200 {
            return Err(AppError::field(
                "q",
                "the search text is too long (at most 200 characters)",
            ));
        }
        search_text_ok(text)?;
        // SQLite's LIKE ignores case for ASCII letters only (without ICU), PostgreSQL's ILIKE
        // for all; lower-casing the term in Rust would make SQLite miss "Ärger" for "Ärger".
        let pattern = format!("%{}%", domain::like_escape(text));
        let op = if is_sqlite { "LIKE" } else { "ILIKE" };
        let ors: Vec<String> = spec
            .text
            .iter()
            .map(|c| format!("{c} {op} ? ESCAPE '\\'"))
            .collect();
        for _ in spec.text {
            values.push(pattern.clone().into());
        }
        conds.push(format!("({})", ors.join(" OR ")));
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    Ok(Filter {
        clause,
        values,
        page,
        per_page,
    })
}

pub async fn count<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> AppResult<u64> {
    let row = query_one(c, sql, values).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64)
}

/// The customer a new or moved record links to must exist (422 on the field otherwise).
pub async fn check_customer<C: ConnectionTrait>(
    c: &C,
    v: &mut Validator,
    id: i64,
) -> AppResult<()> {
    if !customers::exists(c, id).await? {
        v.add("customer_id", format!("customer {id} does not exist"));
    }
    Ok(())
}

fn opt_date(row: &QueryResult, col: &str) -> AppResult<Option<NaiveDate>> {
    Ok(row.try_get::<Option<NaiveDate>>("", col)?)
}

fn desc(v: &mut Validator, text: Option<&str>) -> Option<String> {
    v.check(
        "description",
        long_text(text.unwrap_or(""), MAX_DESCRIPTION),
    )
}

// ---- jobs ----------------------------------------------------------------------------------

const JOB_SELECT: &str =
    "SELECT j.id, j.customer_id, cu.customer_name, j.name, j.status, j.start_date, \
     j.due_date, j.completed_date, j.description, j.created_at, j.updated_at, j.version \
     FROM jobs j LEFT JOIN customers cu ON cu.id = j.customer_id";

const JOB_SPEC: ListSpec = ListSpec {
    date: DateColumn::Date("j.start_date"),
    text: &["j.name"],
    statuses: &["new", "in_progress", "on_hold", "completed", "cancelled"],
    status_column: "j.status",
    customer_column: "j.customer_id",
};

fn job_from(r: &QueryResult) -> AppResult<Job> {
    Ok(Job {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        customer_name: r.try_get("", "customer_name")?,
        name: r.try_get("", "name")?,
        status: enum_from(&r.try_get::<String>("", "status")?)?,
        start_date: opt_date(r, "start_date")?,
        due_date: opt_date(r, "due_date")?,
        completed_date: opt_date(r, "completed_date")?,
        description: r.try_get("", "description")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: r.try_get("", "version")?,
    })
}

pub(crate) async fn get_job_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Job> {
    let row = query_one(c, &format!("{JOB_SELECT} WHERE j.id = ?"), vec![id.into()])
        .await?
        .ok_or_else(|| AppError::not_found("job", id))?;
    job_from(&row)
}

pub async fn get_job(db: &Db, id: i64) -> AppResult<Job> {
    get_job_in(&db.conn, id).await
}

pub async fn list_jobs(db: &Db, q: &RecordQuery) -> AppResult<JobPage> {
    let f = record_filter(&JOB_SPEC, q, db.is_sqlite())?;
    let rows = query_all(
        &db.conn,
        &format!(
            "{JOB_SELECT}{} ORDER BY COALESCE(j.start_date, j.due_date) IS NULL, \
             COALESCE(j.start_date, j.due_date) DESC, j.id DESC LIMIT ? OFFSET ?",
            f.clause
        ),
        f.limit_values(),
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM jobs j{}", f.clause),
        f.values.clone(),
    )
    .await?;
    Ok(JobPage {
        items: rows.iter().map(job_from).collect::<AppResult<_>>()?,
        total,
        page: f.page,
        per_page: f.per_page,
    })
}

struct JobFields {
    customer_id: i64,
    name: String,
    status: JobStatus,
    start_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    completed_date: Option<NaiveDate>,
    description: String,
}

fn check_job_dates(v: &mut Validator, f: &JobFields) {
    check_dates(
        v,
        &[
            ("start_date", f.start_date),
            ("due_date", f.due_date),
            ("completed_date", f.completed_date),
        ],
    );
    if let (Some(s), Some(d)) = (f.start_date, f.due_date) {
        if d < s {
            v.add("due_date", "the due date is before the start date");
        }
    }
    if let (Some(s), Some(c)) = (f.start_date, f.completed_date) {
        if c < s {
            v.add(
                "completed_date",
                "the completed date is before the start date",
            );
        }
    }
}

pub async fn create_job(db: &Db, input: NewJob) -> AppResult<Job> {
    let mut v = Validator::new();
    let name = v.check("name", required_text(&input.name, "name"));
    let description = desc(&mut v, input.description.as_deref());
    let fields = JobFields {
        customer_id: input.customer_id,
        name: name.unwrap_or_default(),
        status: input.status.unwrap_or_default(),
        start_date: input.start_date,
        due_date: input.due_date,
        completed_date: input.completed_date,
        description: description.unwrap_or_default(),
    };
    check_job_dates(&mut v, &fields);
    let txn = db.begin_write().await?;
    check_customer(&*txn, &mut v, fields.customer_id).await?;
    v.finish()?;
    let now = Utc::now();
    let row = query_one(
        &*txn,
        "INSERT INTO jobs (customer_id, name, status, start_date, due_date, completed_date, description, \
         version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        vec![
            fields.customer_id.into(),
            fields.name.into(),
            enum_str(&fields.status).into(),
            fields.start_date.into(),
            fields.due_date.into(),
            fields.completed_date.into(),
            fields.description.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let job = get_job_in(&*txn, row.try_get("", "id")?).await?;
    txn.commit().await?;
    Ok(job)
}

pub async fn update_job(db: &Db, id: i64, upd: JobUpdate, if_match: IfMatch) -> AppResult<Job> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "jobs", id).await?;
    let cur = get_job_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let name = match &upd.name {
        Some(n) => v.check("name", required_text(n, "name")),
        None => Some(cur.name.clone()),
    };
    let description = match &upd.description {
        Some(d) => desc(&mut v, Some(d)),
        None => Some(cur.description.clone()),
    };
    let customer_id = match upd.customer_id {
        Some(c) => {
            if Some(c) != cur.customer_id {
                check_customer(&*txn, &mut v, c).await?;
            }
            Some(c)
        }
        None => cur.customer_id,
    };
    let fields = JobFields {
        customer_id: customer_id.unwrap_or_default(),
        name: name.unwrap_or_default(),
        status: upd.status.unwrap_or(cur.status),
        start_date: upd.start_date.unwrap_or(cur.start_date),
        due_date: upd.due_date.unwrap_or(cur.due_date),
        completed_date: upd.completed_date.unwrap_or(cur.completed_date),
        description: description.unwrap_or_default(),
    };
    check_job_dates(&mut v, &fields);
    v.finish()?;
    let unchanged = customer_id == cur.customer_id
        && fields.name == cur.name
        && fields.status == cur.status
        && fields.start_date == cur.start_date
        && fields.due_date == cur.due_date
        && fields.completed_date == cur.completed_date
        && fields.description == cur.description;
    if unchanged {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE jobs SET customer_id = ?, name = ?, status = ?, start_date = ?, due_date = ?, \
         completed_date = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ?",
        vec![
            customer_id.into(),
            fields.name.into(),
            enum_str(&fields.status).into(),
            fields.start_date.into(),
            fields.due_date.into(),
            fields.completed_date.into(),
            fields.description.into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    if customer_id != cur.customer_id {
        // A job's files belong to the job's customer, so they move with it.
        exec(
            &*txn,
            "UPDATE files SET customer_id = ?, version = version + 1 WHERE job_id = ?",
            vec![customer_id.into(), id.into()],
        )
        .await?;
    }
    let job = get_job_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(job)
}

/// Deletes a row of `table` after checking its version; what hangs off it (notes, invoice
/// items) goes by ON DELETE CASCADE.
pub(crate) async fn delete_versioned(
    db: &Db,
    table: &'static str,
    what: &str,
    id: i64,
    if_match: IfMatch,
) -> AppResult<()> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, table, id).await?;
    let row = query_one(
        &*txn,
        &format!("SELECT version FROM {table} WHERE id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found(what, id))?;
    check_version(row.try_get("", "version")?, &if_match)?;
    if table == "jobs" {
        unlink(&*txn, "files", "job_id", id).await?;
    }
    exec(
        &*txn,
        &format!("DELETE FROM {table} WHERE id = ?"),
        vec![id.into()],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Clears a link to a record about to be deleted, as the schema's `ON DELETE SET NULL` would,
/// but as a change of the linking rows: their version moves on, so a client holding their old
/// ETag gets 412 instead of overwriting the unlink, and caches see the change. (The schema's
/// rule stays as the backstop.)
pub(crate) async fn unlink<C: sea_orm::ConnectionTrait>(
    c: &C,
    table: &'static str,
    column: &'static str,
    id: i64,
) -> AppResult<()> {
    // Files have no updated_at: they are never edited, only linked and unlinked.
    let touched = if table == "files" {
        ""
    } else {
        ", updated_at = ?"
    };
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if !touched.is_empty() {
        values.push(chrono::Utc::now().into());
    }
    values.push(id.into());
    exec(
        c,
        &format!(
            "UPDATE {table} SET {column} = NULL, version = version + 1{touched} WHERE {column} = ?"
        ),
        values,
    )
    .await?;
    Ok(())
}

/// A job's files stay with its customer, detached from the job (ON DELETE SET NULL).
pub async fn delete_job(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    delete_versioned(db, "jobs", "job", id, if_match).await
}

// ---- websites ------------------------------------------------------------------------------

const WEBSITE_SELECT: &str =
    "SELECT w.id, w.customer_id, cu.customer_name, w.name, w.url, w.status, \
     w.description, w.created_at, w.updated_at, w.version \
     FROM websites w LEFT JOIN customers cu ON cu.id = w.customer_id";

const WEBSITE_SPEC: ListSpec = ListSpec {
    date: DateColumn::Timestamp("w.created_at"),
    text: &["w.name", "w.url"],
    statuses: &["new", "live", "offline"],
    status_column: "w.status",
    customer_column: "w.customer_id",
};

fn website_from(r: &QueryResult) -> AppResult<Website> {
    Ok(Website {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        customer_name: r.try_get("", "customer_name")?,
        name: r.try_get("", "name")?,
        url: r.try_get("", "url")?,
        status: enum_from(&r.try_get::<String>("", "status")?)?,
        description: r.try_get("", "description")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: r.try_get("", "version")?,
    })
}

/// An http(s) address; a bare host gets `https://`. Anything else (javascript:, data:, ...)
/// is refused because the SPA renders it as a link.
pub fn website_url(input: &str) -> Result<String, String> {
    let v = optional_text(input)?;
    if v.is_empty() {
        return Ok(v);
    }
    let lower = v.to_ascii_lowercase();
    let full = if lower.starts_with("http://") || lower.starts_with("https://") {
        v
    } else if lower.contains("://") || lower.contains(':') && !lower.contains('.') {
        return Err("only http:// and https:// addresses are allowed".into());
    } else {
        format!("https://{v}")
    };
    let host = full.split("://").nth(1).unwrap_or("");
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || "-.:[]".contains(c))
        && !host.starts_with([':', '.', '-']);
    if !host_ok {
        return Err(format!("{full:?} is not a web address"));
    }
    Ok(full)
}

pub(crate) async fn get_website_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Website> {
    let row = query_one(
        c,
        &format!("{WEBSITE_SELECT} WHERE w.id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("website", id))?;
    website_from(&row)
}

pub async fn get_website(db: &Db, id: i64) -> AppResult<Website> {
    get_website_in(&db.conn, id).await
}

pub async fn list_websites(db: &Db, q: &RecordQuery) -> AppResult<WebsitePage> {
    let f = record_filter(&WEBSITE_SPEC, q, db.is_sqlite())?;
    let rows = query_all(
        &db.conn,
        &format!(
            "{WEBSITE_SELECT}{} ORDER BY LOWER(w.name), w.id LIMIT ? OFFSET ?",
            f.clause
        ),
        f.limit_values(),
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM websites w{}", f.clause),
        f.values.clone(),
    )
    .await?;
    Ok(WebsitePage {
        items: rows.iter().map(website_from).collect::<AppResult<_>>()?,
        total,
        page: f.page,
        per_page: f.per_page,
    })
}

pub async fn create_website(db: &Db, input: NewWebsite) -> AppResult<Website> {
    let mut v = Validator::new();
    let name = v.check("name", required_text(&input.name, "name"));
    let url = v.check("url", website_url(input.url.as_deref().unwrap_or("")));
    let description = desc(&mut v, input.description.as_deref());
    let txn = db.begin_write().await?;
    check_customer(&*txn, &mut v, input.customer_id).await?;
    v.finish()?;
    let now = Utc::now();
    let row = query_one(
        &*txn,
        "INSERT INTO websites (customer_id, name, url, status, description, version, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        vec![
            input.customer_id.into(),
            name.into(),
            url.into(),
            enum_str(&input.status.unwrap_or_default()).into(),
            description.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let w = get_website_in(&*txn, row.try_get("", "id")?).await?;
    txn.commit().await?;
    Ok(w)
}

pub async fn update_website(
    db: &Db,
    id: i64,
    upd: WebsiteUpdate,
    if_match: IfMatch,
) -> AppResult<Website> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "websites", id).await?;
    let cur = get_website_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let name = match &upd.name {
        Some(n) => v.check("name", required_text(n, "name")),
        None => Some(cur.name.clone()),
    };
    let url = match &upd.url {
        Some(u) => v.check("url", website_url(u)),
        None => Some(cur.url.clone()),
    };
    let description = match &upd.description {
        Some(d) => desc(&mut v, Some(d)),
        None => Some(cur.description.clone()),
    };
    let customer_id = upd.customer_id.or(cur.customer_id);
    if let Some(c) = upd.customer_id.filter(|c| Some(*c) != cur.customer_id) {
        check_customer(&*txn, &mut v, c).await?;
    }
    v.finish()?;
    let (name, url, description) = (
        name.unwrap_or_default(),
        url.unwrap_or_default(),
        description.unwrap_or_default(),
    );
    let status: WebsiteStatus = upd.status.unwrap_or(cur.status);
    if customer_id == cur.customer_id
        && name == cur.name
        && url == cur.url
        && description == cur.description
        && status == cur.status
    {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE websites SET customer_id = ?, name = ?, url = ?, status = ?, description = ?, \
         version = version + 1, updated_at = ? WHERE id = ?",
        vec![
            customer_id.into(),
            name.into(),
            url.into(),
            enum_str(&status).into(),
            description.into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    let w = get_website_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(w)
}

pub async fn delete_website(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    delete_versioned(db, "websites", "website", id, if_match).await
}

// ---- tickets -------------------------------------------------------------------------------

const TICKET_SELECT: &str =
    "SELECT t.id, t.customer_id, cu.customer_name, t.contact_id, t.subject, t.status, \
     t.priority, t.description, t.created_at, t.updated_at, t.version \
     FROM tickets t LEFT JOIN customers cu ON cu.id = t.customer_id";

const TICKET_SPEC: ListSpec = ListSpec {
    date: DateColumn::Timestamp("t.created_at"),
    text: &["t.subject"],
    statuses: &["new", "open", "pending", "resolved", "closed"],
    status_column: "t.status",
    customer_column: "t.customer_id",
};

fn ticket_from(r: &QueryResult) -> AppResult<Ticket> {
    Ok(Ticket {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        customer_name: r.try_get("", "customer_name")?,
        contact_id: r.try_get("", "contact_id")?,
        subject: r.try_get("", "subject")?,
        status: enum_from(&r.try_get::<String>("", "status")?)?,
        priority: enum_from(&r.try_get::<String>("", "priority")?)?,
        description: r.try_get("", "description")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        updated_at: r.try_get::<DateTime<Utc>>("", "updated_at")?,
        version: r.try_get("", "version")?,
    })
}

pub(crate) async fn get_ticket_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<Ticket> {
    let row = query_one(
        c,
        &format!("{TICKET_SELECT} WHERE t.id = ?"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::not_found("ticket", id))?;
    ticket_from(&row)
}

pub async fn get_ticket(db: &Db, id: i64) -> AppResult<Ticket> {
    get_ticket_in(&db.conn, id).await
}

pub async fn list_tickets(db: &Db, q: &RecordQuery) -> AppResult<TicketPage> {
    let f = record_filter(&TICKET_SPEC, q, db.is_sqlite())?;
    let rows = query_all(
        &db.conn,
        &format!(
            "{TICKET_SELECT}{} ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?",
            f.clause
        ),
        f.limit_values(),
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM tickets t{}", f.clause),
        f.values.clone(),
    )
    .await?;
    Ok(TicketPage {
        items: rows.iter().map(ticket_from).collect::<AppResult<_>>()?,
        total,
        page: f.page,
        per_page: f.per_page,
    })
}

/// A ticket's contact must be one of its customer's contacts.
async fn check_ticket_contact<C: ConnectionTrait>(
    c: &C,
    v: &mut Validator,
    customer_id: Option<i64>,
    contact_id: Option<i64>,
) -> AppResult<()> {
    let Some(contact) = contact_id else {
        return Ok(());
    };
    let owner = query_one(
        c,
        "SELECT customer_id FROM contacts WHERE id = ?",
        vec![contact.into()],
    )
    .await?
    .map(|r| r.try_get::<i64>("", "customer_id"))
    .transpose()?;
    match owner {
        None => v.add("contact_id", format!("contact {contact} does not exist")),
        Some(o) if Some(o) != customer_id => v.add(
            "contact_id",
            format!("contact {contact} belongs to another customer"),
        ),
        Some(_) => {}
    }
    Ok(())
}

pub async fn create_ticket(db: &Db, input: NewTicket) -> AppResult<Ticket> {
    let mut v = Validator::new();
    let subject = v.check("subject", required_text(&input.subject, "subject"));
    let description = desc(&mut v, input.description.as_deref());
    let txn = db.begin_write().await?;
    check_customer(&*txn, &mut v, input.customer_id).await?;
    check_ticket_contact(&*txn, &mut v, Some(input.customer_id), input.contact_id).await?;
    v.finish()?;
    let now = Utc::now();
    let row = query_one(
        &*txn,
        "INSERT INTO tickets (customer_id, contact_id, subject, status, priority, description, version, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
        vec![
            input.customer_id.into(),
            input.contact_id.into(),
            subject.into(),
            enum_str(&input.status.unwrap_or_default()).into(),
            enum_str(&input.priority.unwrap_or_default()).into(),
            description.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
    let t = get_ticket_in(&*txn, row.try_get("", "id")?).await?;
    txn.commit().await?;
    Ok(t)
}

pub async fn update_ticket(
    db: &Db,
    id: i64,
    upd: TicketUpdate,
    if_match: IfMatch,
) -> AppResult<Ticket> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "tickets", id).await?;
    let cur = get_ticket_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let subject = match &upd.subject {
        Some(s) => v.check("subject", required_text(s, "subject")),
        None => Some(cur.subject.clone()),
    };
    let description = match &upd.description {
        Some(d) => desc(&mut v, Some(d)),
        None => Some(cur.description.clone()),
    };
    let customer_id = upd.customer_id.or(cur.customer_id);
    if let Some(c) = upd.customer_id.filter(|c| Some(*c) != cur.customer_id) {
        check_customer(&*txn, &mut v, c).await?;
    }
    // Moving a ticket to another customer drops a contact that stays behind.
    let contact_id = match upd.contact_id {
        Some(c) => c,
        None if customer_id != cur.customer_id => None,
        None => cur.contact_id,
    };
    if contact_id != cur.contact_id || customer_id != cur.customer_id {
        check_ticket_contact(&*txn, &mut v, customer_id, contact_id).await?;
    }
    v.finish()?;
    let (subject, description) = (subject.unwrap_or_default(), description.unwrap_or_default());
    let status: TicketStatus = upd.status.unwrap_or(cur.status);
    let priority: TicketPriority = upd.priority.unwrap_or(cur.priority);
    if customer_id == cur.customer_id
        && contact_id == cur.contact_id
        && subject == cur.subject
        && description == cur.description
        && status == cur.status
        && priority == cur.priority
    {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE tickets SET customer_id = ?, contact_id = ?, subject = ?, status = ?, priority = ?, \
         description = ?, version = version + 1, updated_at = ? WHERE id = ?",
        vec![
            customer_id.into(),
            contact_id.into(),
            subject.into(),
            enum_str(&status).into(),
            enum_str(&priority).into(),
            description.into(),
            Utc::now().into(),
            id.into(),
        ],
    )
    .await?;
    let t = get_ticket_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(t)
}

pub async fn delete_ticket(db: &Db, id: i64, if_match: IfMatch) -> AppResult<()> {
    delete_versioned(db, "tickets", "ticket", id, if_match).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn website_urls_are_http_only() {
        assert_eq!(
            website_url("example.com").as_deref(),
            Ok("https://example.com")
        );
        assert_eq!(
            website_url("HTTP://example.com/a").as_deref(),
            Ok("HTTP://example.com/a")
        );
        assert_eq!(website_url("").as_deref(), Ok(""));
        assert!(website_url("javascript:alert(1)").is_err());
        assert!(website_url("ftp://example.com").is_err());
        assert!(website_url("https://").is_err());
        assert!(website_url("javascript:alert(1)//.com").is_err());
        assert!(website_url("mailto:x@y.com").is_err());
        assert!(website_url("https:\\\\evil.com").is_err());
        assert_eq!(
            website_url("https://xn--bcher-kva.example:8443/a?b#c").as_deref(),
            Ok("https://xn--bcher-kva.example:8443/a?b#c")
        );
    }

    #[test]
    fn long_text_keeps_line_breaks_but_not_other_controls() {
        assert_eq!(long_text(" a\nb\tc ", 10).as_deref(), Ok("a\nb\tc"));
        assert!(long_text("a\u{0}b", 10).is_err());
        assert!(long_text("abcdef", 5).is_err());
    }
}
