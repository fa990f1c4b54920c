//! Builds the application and binds its listener (port 0 works, for tests).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::db::Db;
use crate::error::{handlers, AppError};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::services::files::FileStore;
use crate::services::import::uploads::ImportStore;
use crate::services::list_index::{self, ListIndex};
use crate::services::users;

pub struct AppState {
    pub db: Db,
    pub files: FileStore,
    pub imports: ImportStore,
    pub jwt: JwtKeys,
    pub config: Arc<Config>,
}

pub struct Application {
    pub server: Server,
    pub port: u16,
    pub db: Db,
    /// Set when this start created the first admin, with its password.
    pub first_admin_password: Option<String>,
}

/// Reads the JWT secret from config, or from `data_dir/jwt-secret` (created on first start),
/// so tokens survive a restart.
fn jwt_secret(config: &Config) -> anyhow::Result<Vec<u8>> {
    if !config.jwt_secret.is_empty() {
        return Ok(config.jwt_secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing.trim().len() >= 32 {
            return Ok(existing.trim().as_bytes().to_vec());
        }
    }
    let secret = crate::auth::random_password(48);
    write_private(&path, &secret)?;
    Ok(secret.into_bytes())
}

pub fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

/// The database for a CLI command (see `Db::connect` on `mmap`).
pub async fn connect(config: &Config) -> anyhow::Result<Db> {
    connect_with(config, true).await
}

async fn connect_with(config: &Config, mmap: bool) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!("cannot create data dir {}: {e}", config.data_dir.display())
    })?;
    let db = Db::connect(
        &config.effective_database_url(),
        config.db_max_connections,
        mmap,
    )
    .await?;
    db.migrate().await?;
    Ok(db)
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let mut db = connect_with(&config, false).await?;
        if db.is_sqlite() {
            let index = ListIndex::load(&db)
                .await
                .map_err(|e| anyhow::anyhow!("loading the customer list index failed: {e}"))?;
            db.list_index = Some(Arc::new(index));
            tokio::spawn(prune_changes_now_and_then(db.clone()));
        }
        let first_admin_password = users::ensure_first_admin(&db, &config.initial_admin_password)
            .await
            .map_err(|e| anyhow::anyhow!("creating the first admin failed: {e}"))?;
        if let Some(pw) = &first_admin_password {
            write_private(
                &config.data_dir.join("initial-admin-password.txt"),
                &format!("username: admin\npassword: {pw}\n"),
            )?;
        }
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr()?.port();
        let files = FileStore::new(&config.data_dir, config.max_upload_bytes).map_err(|e| {
            anyhow::anyhow!(
                "cannot prepare {}: {e}",
                config.data_dir.join("files").display()
            )
        })?;
        let imports = ImportStore::new(&config.data_dir, config.max_import_bytes).map_err(|e| {
            anyhow::anyhow!(
                "cannot prepare {}: {e}",
                config.data_dir.join("imports").display()
            )
        })?;
        let state = web::Data::new(AppState {
            files,
            imports,
            jwt: JwtKeys::new(&jwt_secret(&config)?, config.token_ttl_minutes)?,
            db: db.clone(),
            config: Arc::new(config),
        });
        let server = HttpServer::new(move || {
            let web_dir = state.config.web_dir.clone();
            App::new()
                .app_data(state.clone())
                .app_data(web::PathConfig::default().error_handler(handlers::path))
                .app_data(web::QueryConfig::default().error_handler(handlers::query))
                .wrap(
                    actix_web::middleware::Logger::new("%a \"%r\" %s %b %Dms")
                        .exclude("/api/v1/health"),
                )
                .configure(routes::configure)
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()),
                )
                .route(
                    "/api/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/api/docs/"))
                            .finish()
                    }),
                )
                .service(web::scope("/api").default_service(web::to(api_not_found)))
                .default_service(web::to(move |req: HttpRequest| spa(req, web_dir.clone())))
        })
        .listen(listener)?
        .run();
        Ok(Self {
            server,
            port,
            db,
            first_admin_password,
        })
    }
}

/// Keeps the customer change log short (see `services::list_index`).
async fn prune_changes_now_and_then(db: Db) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        if let Err(e) = list_index::prune_changes(&db).await {
            tracing::warn!("pruning the customer change log failed: {e}");
        }
    }
}

async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(
        if req.method() == Method::GET || req.method() == Method::HEAD {
            AppError::NotFound(format!("no API route {}", req.path()))
        } else {
            AppError::MethodNotAllowed(format!(
                "{} {} is not a route of this API",
                req.method(),
                req.path()
            ))
        },
    )
}

/// Serves the built SPA: a file when it exists, else `index.html` so deep links such as
/// `/customers/42/contacts` load the app, which then routes on the client.
async fn spa(req: HttpRequest, web_dir: PathBuf) -> HttpResponse {
    let rel = req.path().trim_start_matches('/');
    let safe = !rel
        .split('/')
        .any(|seg| seg == ".." || seg.starts_with('.'));
    let candidate = web_dir.join(rel);
    let path = if safe && !rel.is_empty() && candidate.is_file() {
        candidate
    } else {
        web_dir.join("index.html")
    };
    match actix_files::NamedFile::open_async(&path).await {
        Ok(file) => {
            let mut res = file.use_etag(true).into_response(&req);
            if path.ends_with("index.html") {
                res.headers_mut().insert(
                    actix_web::http::header::CACHE_CONTROL,
                    actix_web::http::header::HeaderValue::from_static("no-cache"),
                );
            }
            res
        }
        Err(_) => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("The web app is not built. Run scripts/run.sh (it builds frontend/dist), or set UCM_WEB_DIR."),
    }
}
