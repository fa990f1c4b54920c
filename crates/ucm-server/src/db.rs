//! The connection: SQLite (WAL, foreign keys on) or PostgreSQL, and the write-transaction rule.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::services::list_index::ListIndex;

/// SQLite's busy timeout, and how long a write of this process waits for another one.
const WRITE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Db {
    pub conn: DatabaseConnection,
    pub backend: DbBackend,
    /// SQLite allows one writer; queueing writers here instead of in SQLite's busy handler
    /// (which sleeps and polls) keeps write latency flat under concurrency.
    write_gate: Option<Arc<Mutex<()>>>,
    /// How long a write waits at the gate before it gives up with 503, like SQLite's busy
    /// timeout does for writers in other processes.
    write_wait: Duration,
    /// The customer list's in-memory index; only servers on SQLite load one.
    pub list_index: Option<Arc<ListIndex>>,
}

pub struct WriteTxn {
    pub txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
    /// SQLite's page cache was enlarged for this transaction and is put back before it ends.
    bulk: bool,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// SQLite's default page cache (2 MB), which pooled connections go back to after a bulk write.
const DEFAULT_CACHE_PRAGMA: &str = "PRAGMA cache_size = -2000";
/// The page cache of a bulk write. With 2 MB a 100,000-row import spills its dirty index pages
/// to the WAL and reads them back over and over (a third of its time went to pread/pwrite);
/// 32 MB holds the hot pages of the indexes while memory stays bounded for any file size.
const BULK_CACHE_PRAGMA: &str = "PRAGMA cache_size = -32768";

impl WriteTxn {
    async fn restore_cache(&self) -> Result<(), DbErr> {
        if self.bulk {
            self.txn.execute_unprepared(DEFAULT_CACHE_PRAGMA).await?;
        }
        Ok(())
    }
    pub async fn commit(self) -> Result<(), DbErr> {
        self.restore_cache().await?;
        self.txn.commit().await
    }
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.restore_cache().await?;
        self.txn.rollback().await
    }
}

impl Db {
    /// `mmap` reads the file through the OS page cache instead of SQLite's 2 MB cache per
    /// connection: faster for one process reading a lot (an import or export), but a long
    /// running server would then count the mapped database in its resident memory once per
    /// pooled connection (690 MB peak for a 100,000-customer file), so `ucm serve` leaves it off.
    pub async fn connect(url: &str, max_connections: u32, mmap: bool) -> anyhow::Result<Self> {
        let is_sqlite = url.starts_with("sqlite:");
        if !is_sqlite && !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
            anyhow::bail!("UCM_DATABASE_URL must start with sqlite:// or postgres://");
        }
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false);
        if is_sqlite {
            opts.map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(WRITE_WAIT)
                    .pragma("mmap_size", if mmap { "268435456" } else { "0" })
                    // Statement journals in memory: a multi-row INSERT inside a long
                    // transaction otherwise writes every page it touches to a temp file first.
                    .pragma("temp_store", "memory")
                    // A large import's transaction grows the WAL to about the size of what it
                    // wrote (1 GB for a million rows); truncate it after checkpoints instead
                    // of keeping that disk space forever.
                    .pragma("journal_size_limit", "67108864")
                    .create_if_missing(true)
            });
        }
        let conn = Database::connect(opts).await?;
        let backend = conn.get_database_backend();
        let db = Self {
            conn,
            backend,
            write_gate: is_sqlite.then(|| Arc::new(Mutex::new(()))),
            write_wait: WRITE_WAIT,
            list_index: None,
        };
        if is_sqlite && !db.sqlite_plans_are_stable().await? {
            tracing::warn!(
                "this build's SQLite lacks SQLITE_ENABLE_QPSG (set by .cargo/config.toml): \
                 every query will be parsed again on each execution, about half the speed"
            );
        }
        Ok(db)
    }

    /// Whether the SQLite library was built with the query-planner stability guarantee (see
    /// `.cargo/config.toml`): without it cached statements are re-parsed on every execution.
    pub async fn sqlite_plans_are_stable(&self) -> Result<bool, DbErr> {
        for row in query_all(&self.conn, "PRAGMA compile_options", vec![]).await? {
            let option: String = row.try_get_by_index(0)?;
            if option == "ENABLE_QPSG" {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        self.begin(false).await
    }

    /// A write transaction for many rows (imports): on SQLite with a larger page cache while
    /// it lasts. A transaction dropped on an error path keeps the larger cache on its pooled
    /// connection, which bounds it at 32 MB rather than leaking.
    pub async fn begin_bulk_write(&self) -> Result<WriteTxn, DbErr> {
        self.begin(true).await
    }

    async fn begin(&self, bulk: bool) -> Result<WriteTxn, DbErr> {
        let gate = match &self.write_gate {
            Some(g) => Some(
                tokio::time::timeout(self.write_wait, g.clone().lock_owned())
                    .await
                    // Worded so that it maps to 503 like SQLite's own busy error.
                    .map_err(|_| {
                        DbErr::Custom(format!(
                            "database is locked: another write (an import?) held it for {} s",
                            self.write_wait.as_secs()
                        ))
                    })?,
            ),
            None => None,
        };
        let txn = self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        let bulk = bulk && self.is_sqlite();
        if bulk {
            txn.execute_unprepared(BULK_CACHE_PRAGMA).await?;
        }
        Ok(WriteTxn {
            txn,
            _gate: gate,
            bulk,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend == DbBackend::Sqlite
    }

    pub fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        stmt(self.backend, sql, values)
    }
}

/// Builds a statement from SQL written with `?` placeholders, numbering them for PostgreSQL.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for ch in sql.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
        Statement::from_sql_and_values(backend, out, values)
    } else {
        Statement::from_sql_and_values(backend, sql, values)
    }
}

/// Locks a row for the rest of a write transaction before its version is checked, so two
/// writers holding the same ETag cannot both pass the If-Match check. SQLite needs nothing:
/// `begin_write` already holds its only write lock.
pub async fn lock_row<C: ConnectionTrait>(c: &C, table: &str, id: i64) -> Result<(), DbErr> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.query_one_raw(stmt(
            DbBackend::Postgres,
            &format!("SELECT id FROM {table} WHERE id = ? FOR UPDATE"),
            vec![id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Serialises invoice numbering across processes on PostgreSQL (SQLite's write lock already
/// does), so an automatic number and a typed-in one cannot collide between check and insert.
pub async fn lock_invoice_numbers<C: ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_unprepared("SELECT pg_advisory_xact_lock(7465001)")
            .await?;
    }
    Ok(())
}

/// Runs a statement on a connection or transaction.
pub async fn exec<C: ConnectionTrait>(c: &C, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    let backend = c.get_database_backend();
    Ok(c.execute_raw(stmt(backend, sql, values))
        .await?
        .rows_affected())
}

pub async fn query_all<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let backend = c.get_database_backend();
    c.query_all_raw(stmt(backend, sql, values)).await
}

pub async fn query_one<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<sea_orm::QueryResult>, DbErr> {
    let backend = c.get_database_backend();
    c.query_one_raw(stmt(backend, sql, values)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        let s = stmt(
            DbBackend::Postgres,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = $1 AND b = $2");
        let s = stmt(
            DbBackend::Sqlite,
            "a = ? AND b = ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = ? AND b = ?");
    }

    /// `.cargo/config.toml` must reach libsqlite3-sys's build: a build without it still works
    /// but re-parses every statement on every execution.
    #[tokio::test]
    async fn bundled_sqlite_has_plan_stability() {
        let db = Db::connect("sqlite::memory:", 1, false)
            .await
            .expect("in-memory SQLite");
        assert!(db.sqlite_plans_are_stable().await.expect("compile options"));
    }

    /// A write queued behind a long one (an import) gets 503 after the wait instead of
    /// hanging, and the next one goes through once the long one is done.
    #[tokio::test]
    async fn a_write_that_waits_too_long_for_another_is_busy() {
        let mut db = Db::connect("sqlite::memory:", 1, false)
            .await
            .expect("in-memory SQLite");
        db.write_wait = Duration::from_millis(50);
        let long = db.begin_write().await.expect("first write");
        let err = match db.begin_write().await {
            Ok(_) => panic!("a second write went past the gate"),
            Err(e) => crate::error::AppError::from(e),
        };
        assert!(matches!(err, crate::error::AppError::Busy(_)), "{err:?}");
        long.commit().await.expect("commit");
        db.begin_write().await.expect("a write after the long one");
    }
}
