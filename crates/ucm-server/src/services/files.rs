//! Files attached to a customer (and optionally one of its jobs). The bytes live under
//! `UCM_DATA_DIR/files/<id>`, written through a temporary file so a half-received upload never
//! becomes a record; the SHA-256 taken while receiving is checked again on every download.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use sea_orm::{ConnectionTrait, QueryResult};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use ucm_types::{FileMeta, FilePage, FileQuery, FileUpdate};

use super::customers::check_version;
use super::records::{check_customer, count, paging};
use crate::db::{exec, query_all, query_one, Db};
use crate::error::{AppError, AppResult, Validator};
use crate::extract::IfMatch;

/// Where the bytes are kept.
#[derive(Debug, Clone)]
pub struct FileStore {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

impl FileStore {
    pub fn new(data_dir: &Path, max_bytes: u64) -> std::io::Result<Self> {
        let dir = data_dir.join("files");
        std::fs::create_dir_all(dir.join("tmp"))?;
        // Leftovers of uploads cut off by a crash: never records, safe to drop.
        if let Ok(entries) = std::fs::read_dir(dir.join("tmp")) {
            for e in entries.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Ok(Self { dir, max_bytes })
    }

    fn path_of(&self, id: i64) -> PathBuf {
        self.dir.join(id.to_string())
    }

    /// Removes stored bytes after their rows are gone; a leftover file harms nothing, so a
    /// failure is only logged.
    pub async fn remove(&self, ids: &[i64]) {
        for id in ids {
            if let Err(e) = tokio::fs::remove_file(self.path_of(*id)).await {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("could not remove stored file {id}: {e}");
                }
            }
        }
    }
}

/// The last path component, without control characters, trimmed; what the user called the
/// file, safe to store and to put in a header.
pub fn sanitize_name(input: &str) -> Result<String, String> {
    let last = input.rsplit(['/', '\\']).next().unwrap_or("");
    // Bidi overrides and zero-width characters can make `invoice\u{202e}fdp.exe` look like
    // a PDF; they never belong in a file name.
    let invisible = |c: &char| matches!(*c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !invisible(c))
        .collect::<String>()
        .trim()
        .to_owned();
    let cleaned = cleaned.trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        return Err(format!("{input:?} is not a usable file name"));
    }
    if cleaned.chars().count() <= 255 {
        return Ok(cleaned);
    }
    // Too long: shorten the stem, keep a short extension so the file still opens.
    let ext = cleaned
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 16)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let stem: String = cleaned.chars().take(255 - ext.chars().count()).collect();
    Ok(format!("{stem}{ext}"))
}

/// A `type/subtype` media type from the upload's Content-Type, or octet-stream.
pub fn media_type(header: Option<&str>) -> String {
    let Some(h) = header else {
        return "application/octet-stream".into();
    };
    let essence = h
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = essence.split_once('/').is_some_and(|(a, b)| {
        let token = |s: &str| {
            !s.is_empty()
                && s.len() <= 100
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
        };
        token(a) && token(b)
    });
    if ok {
        essence
    } else {
        "application/octet-stream".into()
    }
}

/// Types a browser would render or run; downloads of these are sent as plain bytes.
pub fn is_active_content(media_type: &str) -> bool {
    matches!(
        media_type,
        "text/html"
            | "application/xhtml+xml"
            | "image/svg+xml"
            | "text/xml"
            | "application/xml"
            | "text/javascript"
            | "application/javascript"
            | "application/x-javascript"
            | "text/css"
    ) || media_type.ends_with("+xml")
}

/// `Content-Disposition` for a download: an ASCII fallback and the exact UTF-8 name.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const FILE_SELECT: &str =
    "SELECT f.id, f.customer_id, f.job_id, f.name, f.content_type, f.size, f.sha256, \
     f.created_by, f.created_at, f.version FROM files f";

fn file_from(r: &QueryResult) -> AppResult<FileMeta> {
    let id: i64 = r.try_get("", "id")?;
    Ok(FileMeta {
        id,
        customer_id: r.try_get("", "customer_id")?,
        job_id: r.try_get("", "job_id")?,
        name: r.try_get("", "name")?,
        content_type: r.try_get("", "content_type")?,
        size: r.try_get("", "size")?,
        sha256: r.try_get("", "sha256")?,
        created_by: r.try_get("", "created_by")?,
        created_at: r.try_get::<DateTime<Utc>>("", "created_at")?,
        version: r.try_get("", "version")?,
        download_url: format!("/api/v1/files/{id}/content"),
    })
}

pub(crate) async fn get_in<C: ConnectionTrait>(c: &C, id: i64) -> AppResult<FileMeta> {
    let row = query_one(c, &format!("{FILE_SELECT} WHERE f.id = ?"), vec![id.into()])
        .await?
        .ok_or_else(|| AppError::not_found("file", id))?;
    file_from(&row)
}

pub async fn get(db: &Db, id: i64) -> AppResult<FileMeta> {
    get_in(&db.conn, id).await
}

pub async fn list(db: &Db, q: &FileQuery) -> AppResult<FilePage> {
    let (page, per_page) = paging(q.page, q.per_page)?;
    let mut conds = Vec::new();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if let Some(c) = q.customer_id {
        conds.push("f.customer_id = ?");
        values.push(c.into());
    }
    if let Some(j) = q.job_id {
        conds.push("f.job_id = ?");
        values.push(j.into());
    }
    if q.unlinked == Some(true) {
        conds.push("f.customer_id IS NULL");
    }
    let clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let mut page_values = values.clone();
    page_values.push((per_page as i64).into());
    page_values.push((((page - 1) * per_page) as i64).into());
    let rows = query_all(
        &db.conn,
        &format!("{FILE_SELECT}{clause} ORDER BY f.created_at DESC, f.id DESC LIMIT ? OFFSET ?"),
        page_values,
    )
    .await?;
    let total = count(
        &db.conn,
        &format!("SELECT COUNT(*) AS n FROM files f{clause}"),
        values,
    )
    .await?;
    Ok(FilePage {
        items: rows.iter().map(file_from).collect::<AppResult<_>>()?,
        total,
        page,
        per_page,
    })
}

/// The job must be one of the customer's.
async fn check_job<C: ConnectionTrait>(
    c: &C,
    v: &mut Validator,
    customer_id: Option<i64>,
    job_id: i64,
) -> AppResult<()> {
    let owner = query_one(
        c,
        "SELECT customer_id FROM jobs WHERE id = ?",
        vec![job_id.into()],
    )
    .await?;
    match owner {
        None => v.add("job_id", format!("job {job_id} does not exist")),
        Some(r) if r.try_get::<Option<i64>>("", "customer_id")? != customer_id => v.add(
            "job_id",
            format!("job {job_id} belongs to another customer"),
        ),
        Some(_) => {}
    }
    Ok(())
}

pub struct Upload<'a> {
    pub customer_id: i64,
    pub job_id: Option<i64>,
    pub name: &'a str,
    pub content_type: Option<&'a str>,
    /// The Content-Length the client announced, to refuse an oversized upload before reading.
    pub declared_len: Option<u64>,
    pub user_id: i64,
}

pub async fn upload<S, B, E>(
    db: &Db,
    store: &FileStore,
    up: Upload<'_>,
    mut body: S,
) -> AppResult<FileMeta>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "the file is larger than the upload limit of {} bytes",
            store.max_bytes
        ))
    };
    if up.declared_len.is_some_and(|l| l > store.max_bytes) {
        return Err(too_large());
    }
    let mut v = Validator::new();
    let name = v.check("name", sanitize_name(up.name));
    // Checked before reading the body, so a wrong id costs no upload; checked again below.
    check_customer(&db.conn, &mut v, up.customer_id).await?;
    if let Some(j) = up.job_id {
        check_job(&db.conn, &mut v, Some(up.customer_id), j).await?;
    }
    v.finish()?;
    let tmp = store
        .dir
        .join("tmp")
        .join(format!("{}.part", crate::auth::random_password(24)));
    let received = receive(&tmp, store.max_bytes, &mut body).await;
    let (size, sha) = match received {
        Ok(r) => r,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.unwrap_or_else(too_large));
        }
    };
    if size == 0 {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(AppError::field("file", "the file is empty"));
    }
    let result = async {
        let txn = db.begin_write().await?;
        let mut v = Validator::new();
        check_customer(&*txn, &mut v, up.customer_id).await?;
        if let Some(j) = up.job_id {
            check_job(&*txn, &mut v, Some(up.customer_id), j).await?;
        }
        v.finish()?;
        let row = query_one(
            &*txn,
            "INSERT INTO files (customer_id, job_id, name, content_type, size, sha256, created_by, version, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
            vec![
                up.customer_id.into(),
                up.job_id.into(),
                name.clone().into(),
                media_type(up.content_type).into(),
                (size as i64).into(),
                sha.clone().into(),
                up.user_id.into(),
                Utc::now().into(),
            ],
        )
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no row")))?;
        let id: i64 = row.try_get("", "id")?;
        tokio::fs::rename(&tmp, store.path_of(id))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("storing file {id}: {e}")))?;
        let meta = get_in(&*txn, id).await?;
        if let Err(e) = txn.commit().await {
            store.remove(&[id]).await;
            return Err(e.into());
        }
        AppResult::Ok(meta)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

/// Streams the body into `tmp`, hashing as it goes. `Err(None)` means over the limit.
pub(crate) async fn receive<S, B, E>(
    tmp: &Path,
    limit: u64,
    body: &mut S,
) -> Result<(u64, String), Option<AppError>>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let io = |e: std::io::Error| Some(AppError::Internal(anyhow::anyhow!("writing upload: {e}")));
    let mut file = tokio::fs::File::create(tmp).await.map_err(io)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| Some(AppError::BadRequest(format!("the upload broke off: {e}"))))?;
        let bytes = chunk.as_ref();
        size += bytes.len() as u64;
        if size > limit {
            return Err(None);
        }
        hasher.update(bytes);
        file.write_all(bytes).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    Ok((size, hex(&hasher.finalize())))
}

/// The metadata and the bytes, verified against the stored checksum.
pub async fn content(db: &Db, store: &FileStore, id: i64) -> AppResult<(FileMeta, Vec<u8>)> {
    let meta = get(db, id).await?;
    let bytes = tokio::fs::read(store.path_of(id))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading stored file {id}: {e}")))?;
    let sha = hex(&Sha256::digest(&bytes));
    if sha != meta.sha256 {
        return Err(AppError::Internal(anyhow::anyhow!(
            "stored file {id} does not match its checksum (expected {}, found {sha})",
            meta.sha256
        )));
    }
    Ok((meta, bytes))
}

pub async fn update(db: &Db, id: i64, upd: FileUpdate, if_match: IfMatch) -> AppResult<FileMeta> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "files", id).await?;
    let cur = get_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    let mut v = Validator::new();
    let name = match &upd.name {
        Some(n) => v.check("name", sanitize_name(n)),
        None => Some(cur.name.clone()),
    }
    .unwrap_or_default();
    let customer_id = upd.customer_id.or(cur.customer_id);
    if let Some(c) = upd.customer_id.filter(|c| Some(*c) != cur.customer_id) {
        check_customer(&*txn, &mut v, c).await?;
    }
    let moved = customer_id != cur.customer_id;
    // A job stays attached only while it belongs to the file's customer.
    let job_id = match upd.job_id {
        Some(j) => j,
        None if moved => None,
        None => cur.job_id,
    };
    if let Some(j) = job_id.filter(|j| Some(*j) != cur.job_id || moved) {
        check_job(&*txn, &mut v, customer_id, j).await?;
    }
    v.finish()?;
    if name == cur.name && job_id == cur.job_id && !moved {
        txn.rollback().await?;
        return Ok(cur);
    }
    exec(
        &*txn,
        "UPDATE files SET name = ?, customer_id = ?, job_id = ?, version = version + 1 WHERE id = ?",
        vec![name.into(), customer_id.into(), job_id.into(), id.into()],
    )
    .await?;
    let meta = get_in(&*txn, id).await?;
    txn.commit().await?;
    Ok(meta)
}

pub async fn delete(db: &Db, store: &FileStore, id: i64, if_match: IfMatch) -> AppResult<()> {
    let txn = db.begin_write().await?;
    crate::db::lock_row(&*txn, "files", id).await?;
    let cur = get_in(&*txn, id).await?;
    check_version(cur.version, &if_match)?;
    exec(&*txn, "DELETE FROM files WHERE id = ?", vec![id.into()]).await?;
    txn.commit().await?;
    store.remove(&[id]).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(sanitize_name("../../etc/passwd").as_deref(), Ok("passwd"));
        assert_eq!(
            sanitize_name("C:\\Users\\me\\report.pdf").as_deref(),
            Ok("report.pdf")
        );
        assert_eq!(sanitize_name("a\u{0}b\r\nc.txt").as_deref(), Ok("abc.txt"));
        assert_eq!(sanitize_name("..hidden").as_deref(), Ok("hidden"));
        assert!(sanitize_name("../").is_err());
        assert_eq!(
            sanitize_name("invoice\u{202e}fdp.exe").as_deref(),
            Ok("invoicefdp.exe")
        );
        let long = format!("{}.pdf", "a".repeat(300));
        let short = sanitize_name(&long).unwrap_or_default();
        assert_eq!(short.chars().count(), 255);
        assert!(short.ends_with("a.pdf"));
        assert!(sanitize_name("..").is_err());
        assert!(sanitize_name(" \t").is_err());
    }

    #[test]
    fn downloads_carry_a_safe_and_an_exact_name() {
        assert_eq!(
            content_disposition("Zoë \"quote\".pdf"),
            "attachment; filename=\"Zo_ _quote_.pdf\"; filename*=UTF-8''Zo%C3%AB%20%22quote%22.pdf"
        );
    }

    #[test]
    fn media_types_are_checked() {
        assert_eq!(media_type(Some("Text/Plain; charset=utf-8")), "text/plain");
        assert_eq!(media_type(Some("nonsense")), "application/octet-stream");
        assert_eq!(media_type(None), "application/octet-stream");
        assert!(is_active_content("text/html"));
        assert!(is_active_content("image/svg+xml"));
        assert!(!is_active_content("application/pdf"));
    }
}
