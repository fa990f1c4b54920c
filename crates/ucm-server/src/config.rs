//! Settings come from `UCM_*` environment variables; every one has a default that runs.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://...` or `postgres://...`; empty means a SQLite file in `data_dir`.
    pub database_url: String,
    pub data_dir: PathBuf,
    pub bind: String,
    pub web_dir: PathBuf,
    /// HMAC secret for JWTs; empty means "generate one and keep it in data_dir".
    pub jwt_secret: String,
    pub token_ttl_minutes: i64,
    pub max_body_bytes: usize,
    pub max_import_bytes: u64,
    pub max_upload_bytes: u64,
    /// ISO 4217 code for new invoices that do not name one.
    pub currency: String,
    /// Password for the admin created on first start; empty means a random one is printed.
    pub initial_admin_password: String,
    pub db_max_connections: u32,
}

pub const ENV_VARS: &[(&str, &str, &str)] = &[
    (
        "UCM_DATABASE_URL",
        "sqlite file in UCM_DATA_DIR",
        "`sqlite://PATH` or `postgres://USER@HOST:PORT/DB`",
    ),
    (
        "UCM_DATA_DIR",
        "./data",
        "where the SQLite file, the generated JWT secret and the first admin password live",
    ),
    (
        "UCM_BIND",
        "127.0.0.1:8080",
        "address and port to listen on (port 0 picks a free one)",
    ),
    ("UCM_WEB_DIR", "frontend/dist", "the built SPA served at /"),
    (
        "UCM_JWT_SECRET",
        "generated into UCM_DATA_DIR/jwt-secret",
        "HMAC secret for tokens; set the same value on every process sharing a database",
    ),
    (
        "UCM_TOKEN_TTL_MINUTES",
        "720",
        "how long a login token is valid",
    ),
    (
        "UCM_MAX_BODY_BYTES",
        "262144",
        "largest JSON request body (413 above)",
    ),
    (
        "UCM_MAX_IMPORT_BYTES",
        "1073741824",
        "largest CSV file the import endpoints take (413 above); it is streamed to disk, not held in memory",
    ),
    (
        "UCM_MAX_UPLOAD_BYTES",
        "26214400",
        "largest file upload (413 above); files are kept in UCM_DATA_DIR/files",
    ),
    (
        "UCM_CURRENCY",
        "USD",
        "currency of new invoices that do not name one (ISO 4217)",
    ),
    (
        "UCM_ADMIN_PASSWORD",
        "random, printed once",
        "password of the `admin` user created when there are no users",
    ),
    ("UCM_DB_MAX_CONNECTIONS", "8", "database pool size"),
    ("RUST_LOG", "info", "log filter (tracing-subscriber syntax)"),
];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a valid value")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(var("UCM_DATA_DIR").unwrap_or_else(|| "data".into()));
        Ok(Self {
            database_url: var("UCM_DATABASE_URL").unwrap_or_default(),
            data_dir,
            bind: var("UCM_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            web_dir: PathBuf::from(var("UCM_WEB_DIR").unwrap_or_else(|| "frontend/dist".into())),
            jwt_secret: var("UCM_JWT_SECRET").unwrap_or_default(),
            token_ttl_minutes: parsed("UCM_TOKEN_TTL_MINUTES", 720)?,
            max_body_bytes: parsed("UCM_MAX_BODY_BYTES", 256 * 1024)?,
            max_import_bytes: parsed("UCM_MAX_IMPORT_BYTES", 1024 * 1024 * 1024)?,
            max_upload_bytes: parsed("UCM_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)?,
            currency: var("UCM_CURRENCY")
                .map(|c| c.trim().to_ascii_uppercase())
                .unwrap_or_else(|| "USD".into()),
            initial_admin_password: var("UCM_ADMIN_PASSWORD").unwrap_or_default(),
            db_max_connections: parsed("UCM_DB_MAX_CONNECTIONS", 8)?,
        })
    }

    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("ucm.sqlite").display()
            )
        } else {
            self.database_url.clone()
        }
    }
}
