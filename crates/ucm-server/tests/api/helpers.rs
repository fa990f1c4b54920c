//! Starts the real server on port 0 against a fresh SQLite file or a fresh PostgreSQL database.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use reqwest::{header, Client, Method, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use ucm_server::config::Config;
use ucm_server::startup::Application;

pub const ADMIN_PASSWORD: &str = "test-admin-password";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub token: String,
    /// Kept so the SQLite file and web dir live as long as the app.
    _data_dir: tempfile::TempDir,
    pg_db: Option<String>,
    /// Where the server's database is, for tests that count rows behind the API.
    pub db_url: String,
}

/// The server's PostgreSQL for tests: UCM_TEST_PG_URL, else the local one with trust auth.
fn pg_admin_url() -> String {
    std::env::var("UCM_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_url_for(db: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{db}")
}

static RUN_ID: OnceLock<String> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn create_pg_database() -> String {
    let run =
        RUN_ID.get_or_init(|| format!("{}_{}", chrono::Utc::now().timestamp(), std::process::id()));
    let name = format!("ucmt_{run}_{}", COUNTER.fetch_add(1, Ordering::SeqCst));
    let admin = Database::connect(pg_admin_url())
        .await
        .expect("PostgreSQL must be reachable for the API tests (see README: UCM_TEST_PG_URL)");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await.ok();
    name
}

async fn drop_pg_database(name: &str) {
    if let Ok(admin) = Database::connect(pg_admin_url()).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        admin.close().await.ok();
    }
}

/// Small enough that a test can send one byte more.
pub const UPLOAD_LIMIT: u64 = 256 * 1024;

pub async fn spawn_app(backend: Backend) -> TestApp {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let web_dir = data_dir.path().join("web");
    std::fs::create_dir_all(&web_dir).expect("web dir");
    std::fs::write(
        web_dir.join("index.html"),
        "<!doctype html><title>ucm test shell</title>",
    )
    .expect("index");
    let pg_db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(create_pg_database().await),
    };
    let config = Config {
        database_url: match &pg_db {
            None => String::new(),
            Some(db) => pg_url_for(db),
        },
        data_dir: data_dir.path().to_path_buf(),
        bind: "127.0.0.1:0".into(),
        web_dir,
        jwt_secret: String::new(),
        token_ttl_minutes: 60,
        max_body_bytes: 64 * 1024,
        max_import_bytes: 1024 * 1024,
        max_upload_bytes: UPLOAD_LIMIT,
        currency: "EUR".into(),
        initial_admin_password: ADMIN_PASSWORD.into(),
        db_max_connections: 4,
    };
    let db_url = config.effective_database_url();
    let app = Application::build(config).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port);
    tokio::spawn(app.server);
    let client = Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client");
    let mut t = TestApp {
        base,
        client,
        token: String::new(),
        _data_dir: data_dir,
        pg_db,
        db_url,
    };
    let res = t
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}),
        )
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("login json");
    t.token = body["token"].as_str().expect("token").to_owned();
    t
}

impl TestApp {
    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        read(self.req(Method::GET, path).send().await.expect("send")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        read(self.post_json(path, &body).send().await.expect("send")).await
    }

    pub async fn patch(&self, path: &str, body: Value, if_match: Option<&str>) -> (u16, Value) {
        let mut r = self.req(Method::PATCH, path).json(&body);
        if let Some(tag) = if_match {
            r = r.header(header::IF_MATCH, tag);
        }
        read(r.send().await.expect("send")).await
    }

    pub async fn delete(&self, path: &str) -> u16 {
        self.req(Method::DELETE, path)
            .send()
            .await
            .expect("send")
            .status()
            .as_u16()
    }

    /// Creates a customer and returns its id.
    pub async fn customer(&self, body: Value) -> i64 {
        let (status, c) = self.post("/api/v1/customers", body).await;
        assert_eq!(status, 201, "{c}");
        c["id"].as_i64().expect("id")
    }

    pub async fn import(&self, bytes: Vec<u8>) -> (u16, Value) {
        self.import_with("", bytes).await
    }

    pub async fn import_with(&self, query: &str, bytes: Vec<u8>) -> (u16, Value) {
        let r = self
            .req(Method::POST, &format!("/api/v1/imports/customers?{query}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(bytes);
        read(r.send().await.expect("send")).await
    }

    pub async fn search(&self, q: &str) -> Vec<String> {
        let (status, page) = self
            .get(&format!(
                "/api/v1/customers?per_page=200&q={}",
                urlencode(q)
            ))
            .await;
        assert_eq!(status, 200, "{page}");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["customer_name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Rows in a table, read from the database itself.
    pub async fn rows(&self, table: &str) -> i64 {
        let db = Database::connect(&self.db_url).await.expect("db");
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        let n: i64 = row.try_get("", "n").expect("n");
        db.close().await.ok();
        n
    }

    /// Uploads raw bytes as a file.
    pub async fn upload(&self, query: &str, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
        let r = self
            .req(Method::POST, &format!("/api/v1/files?{query}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(bytes);
        read(r.send().await.expect("send")).await
    }

    pub async fn cleanup(self) {
        if let Some(db) = &self.pg_db {
            drop_pg_database(db).await;
        }
    }
}

pub async fn read(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn sample(name: &str) -> Vec<u8> {
    let dir = std::env::var("UCM_SAMPLES_DIR")
        .unwrap_or_else(|_| format!("{}/../../../shared/samples", env!("CARGO_MANIFEST_DIR")));
    std::fs::read(format!("{dir}/{name}")).unwrap_or_else(|e| panic!("sample {name} in {dir}: {e}"))
}

/// Defines `name::sqlite` and `name::postgres` tests that run `name(Backend)`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = spawn_app(Backend::Sqlite).await;
                super::$name(&app).await;
                app.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = spawn_app(Backend::Postgres).await;
                super::$name(&app).await;
                app.cleanup().await;
            }
        }
    )*};
}
