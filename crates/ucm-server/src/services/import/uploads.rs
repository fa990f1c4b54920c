//! Uploads kept for the step-wise import: the file is sent once and stays under
//! `UCM_DATA_DIR/imports/<id>/` (with who sent it and, once imported, the report) while the
//! user maps columns and previews. Uploads older than `KEEP_DAYS` are removed when the
//! server starts and whenever a new file arrives.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use ucm_types::ImportReport;

use crate::error::{AppError, AppResult};
use crate::services::files::{receive, sanitize_name};

pub const KEEP_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadMeta {
    pub file_name: String,
    pub size: u64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: i64,
}

pub struct ImportStore {
    dir: PathBuf,
    pub max_bytes: u64,
    /// Uploads being imported right now: a second commit of the same upload waits for none
    /// and is refused.
    busy: Mutex<HashSet<String>>,
}

/// Holds an upload for one import; dropping it lets the upload go.
pub struct Claim<'a> {
    store: &'a ImportStore,
    id: String,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.store.busy.lock() {
            busy.remove(&self.id);
        }
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

impl ImportStore {
    pub fn new(data_dir: &Path, max_bytes: u64) -> std::io::Result<Self> {
        let dir = data_dir.join("imports");
        std::fs::create_dir_all(&dir)?;
        let store = Self {
            dir,
            max_bytes,
            busy: Mutex::new(HashSet::new()),
        };
        store.remove_old();
        Ok(store)
    }

    fn remove_old(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let keep = std::time::Duration::from_secs(KEEP_DAYS as u64 * 86_400);
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > keep);
            if old {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    /// The folder of an upload; ids are 32 hex digits, so nothing else can name a path.
    fn dir_of(&self, id: &str) -> AppResult<PathBuf> {
        if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound(format!("no upload {id:?}")));
        }
        let dir = self.dir.join(id.to_ascii_lowercase());
        if !dir.join("meta.json").is_file() {
            return Err(AppError::NotFound(format!(
                "no upload {id:?} (uploads are kept {KEEP_DAYS} days)"
            )));
        }
        Ok(dir)
    }

    pub fn file_of(&self, id: &str) -> AppResult<PathBuf> {
        Ok(self.dir_of(id)?.join("upload.csv"))
    }

    /// Receives a file into a new upload. The body streams to disk; nothing is kept when it
    /// is over the limit, empty or broken off.
    pub async fn receive<S, B, E>(
        &self,
        name: &str,
        declared_len: Option<u64>,
        user_id: i64,
        mut body: S,
    ) -> AppResult<(String, UploadMeta)>
    where
        S: Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
        E: std::fmt::Display,
    {
        let too_large = || {
            AppError::PayloadTooLarge(format!(
                "the file is larger than the import limit of {} bytes",
                self.max_bytes
            ))
        };
        if declared_len.is_some_and(|l| l > self.max_bytes) {
            return Err(too_large());
        }
        let file_name = if name.trim().is_empty() {
            "upload.csv".to_owned()
        } else {
            sanitize_name(name).map_err(|e| AppError::field("name", e))?
        };
        self.remove_old();
        let id = format!("{:032x}", rand::random::<u128>());
        let dir = self.dir.join(&id);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| internal("creating the upload folder", e))?;
        let result = async {
            let (size, _) = receive(&dir.join("upload.csv"), self.max_bytes, &mut body)
                .await
                .map_err(|e| e.unwrap_or_else(too_large))?;
            if size == 0 {
                return Err(AppError::field("file", "the file is empty"));
            }
            let meta = UploadMeta {
                file_name,
                size,
                uploaded_at: Utc::now(),
                uploaded_by: user_id,
            };
            // Written last: an upload without meta.json does not exist.
            write_json(&dir.join("meta.json"), &meta).await?;
            Ok(meta)
        }
        .await;
        match result {
            Ok(meta) => Ok((id, meta)),
            Err(e) => {
                let _ = tokio::fs::remove_dir_all(&dir).await;
                Err(e)
            }
        }
    }

    pub async fn meta(&self, id: &str) -> AppResult<UploadMeta> {
        read_json(&self.dir_of(id)?.join("meta.json"))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no upload {id:?}")))
    }

    pub async fn report(&self, id: &str) -> AppResult<Option<ImportReport>> {
        read_json(&self.dir_of(id)?.join("report.json")).await
    }

    pub async fn save_report(&self, id: &str, report: &ImportReport) -> AppResult<()> {
        write_json(&self.dir_of(id)?.join("report.json"), report).await
    }

    pub async fn remove(&self, id: &str) -> AppResult<()> {
        let dir = self.dir_of(id)?;
        let _claim = self.claim(id)?;
        tokio::fs::remove_dir_all(dir)
            .await
            .map_err(|e| internal("removing the upload", e))
    }

    /// Whether a commit (or a removal) of this upload is running.
    pub fn is_busy(&self, id: &str) -> bool {
        self.busy.lock().map(|b| b.contains(id)).unwrap_or(false)
    }

    pub fn claim(&self, id: &str) -> AppResult<Claim<'_>> {
        let mut busy = self
            .busy
            .lock()
            .map_err(|e| internal("import lock", e.to_string()))?;
        if !busy.insert(id.to_owned()) {
            return Err(AppError::Conflict {
                message: "this upload is being imported right now".into(),
                errors: Default::default(),
            });
        }
        Ok(Claim {
            store: self,
            id: id.to_owned(),
        })
    }
}

async fn write_json<T: Serialize>(path: &Path, value: &T) -> AppResult<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| internal("encoding", e))?;
    let tmp = path.with_extension("tmp");
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| internal("writing upload data", e))?;
    tokio::fs::rename(&tmp, path)
        .await
        .map_err(|e| internal("writing upload data", e))
}

async fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> AppResult<Option<T>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| internal("reading upload data", e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(internal("reading upload data", e)),
    }
}
