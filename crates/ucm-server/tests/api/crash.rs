//! An import killed mid-way (SIGKILL, no chance to clean up) leaves the database as it was:
//! no customer or contact of the file, nothing in the change log the servers' list indexes
//! follow, and a database SQLite itself finds intact.

use std::io::Write;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

async fn one_i64(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("a row");
    row.try_get("", "n").expect("n")
}

async fn assert_integrity(db: &DatabaseConnection) {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity_check")
        .expect("a row");
    let verdict: String = row.try_get("", "integrity_check").expect("verdict");
    assert_eq!(verdict, "ok");
}

fn ucm(data: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ucm"));
    cmd.env("UCM_DATA_DIR", data)
        .env("UCM_ADMIN_PASSWORD", "crash-test-password")
        .env_remove("UCM_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_midway_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let status = ucm(&data).arg("migrate").status().expect("migrate");
    assert!(status.success());
    let db_file = data.join("ucm.sqlite");
    let wal = data.join("ucm.sqlite-wal");
    let url = format!("sqlite://{}?mode=rw", db_file.display());

    let file = dir.path().join("big.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).expect("csv"));
        writeln!(
            f,
            "Customer Name,Primary Contact First Name,Primary Email,Primary Phone"
        )
        .expect("write");
        for i in 0..150_000 {
            writeln!(
                f,
                "Crash Co {i},Person{i},person{i}@crash.test,+61 7 3000 {i:04}"
            )
            .expect("write");
        }
    }

    // The import spills its transaction into the WAL once SQLite's cache is full: a WAL
    // that keeps growing is proof that rows were being written when the kill came.
    let before = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut child = ucm(&data)
        .args(["import", "customers"])
        .arg(&file)
        .spawn()
        .expect("spawn import");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if wal_len > before + 8 * 1024 * 1024 {
            break;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the import ended ({status}) before it could be killed mid-way");
        }
        assert!(
            Instant::now() < deadline,
            "the import wrote nothing in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("reap");

    let db = Database::connect(&url).await.expect("open after the kill");
    assert_eq!(one_i64(&db, "SELECT COUNT(*) AS n FROM customers").await, 0);
    assert_eq!(one_i64(&db, "SELECT COUNT(*) AS n FROM contacts").await, 0);
    assert_eq!(
        one_i64(&db, "SELECT COUNT(*) AS n FROM customer_changes").await,
        0
    );
    assert_integrity(&db).await;
    db.close().await.ok();

    // The database is usable: a small import afterwards lands and is searchable.
    let small = dir.path().join("small.csv");
    std::fs::write(
        &small,
        "Customer Name,Primary Email\nAfter Crash Pty Ltd,after@crash.test\n",
    )
    .expect("small csv");
    let status = ucm(&data)
        .args(["import", "customers"])
        .arg(&small)
        .status()
        .expect("import");
    assert!(status.success());
    let db = Database::connect(&url).await.expect("open");
    assert_eq!(
        one_i64(
            &db,
            "SELECT COUNT(*) AS n FROM customers WHERE search_text LIKE '%after@crash%'"
        )
        .await,
        1
    );
    assert_integrity(&db).await;
    db.close().await.ok();
}
