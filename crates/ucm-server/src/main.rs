//! `ucm`: serve, migrate, user create, import customers, openapi.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use ucm_server::config::Config;
use ucm_server::services::{export, import, users};
use ucm_server::startup::{self, Application};
use ucm_types::{NewUser, Role};

#[derive(Parser)]
#[command(
    name = "ucm",
    version,
    about = "ucm customer manager. Settings come from UCM_* environment variables (see README)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API and the web app (migrates first; creates an admin on first start).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import records from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export records as CSV (to stdout, or to a file).
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. Without --password a random one is generated and printed.
    Create {
        username: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Staff)]
        role: RoleArg,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long, env = "UCM_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a user's password. Without --password a random one is generated and printed.
    Password {
        username: String,
        #[arg(long, env = "UCM_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Staff,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import customers and contacts from a CSV file (UCM's export or another tool's).
    Customers {
        file: PathBuf,
        /// Read, match and report without writing.
        #[arg(long)]
        dry_run: bool,
        /// Do not match rows to customers by the Customer ID column.
        #[arg(long)]
        no_match_id: bool,
        /// Do not match rows to customers by contact email.
        #[arg(long)]
        no_match_email: bool,
        /// Do not match rows to customers by name.
        #[arg(long)]
        no_match_name: bool,
        /// Let blank cells clear stored values (in the columns the file has).
        #[arg(long)]
        clear_blanks: bool,
        /// Import nothing if any row would be skipped.
        #[arg(long)]
        all_or_nothing: bool,
        /// Re-map columns: `3=contact.email,5=ignore,7=extra:Birthday` (1-based; see the report's mapped columns).
        #[arg(long, default_value = "")]
        columns: String,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every customer (archived too) in UCM's columns.
    Customers(ExportArgs),
    /// Every contact of every customer.
    Contacts(ExportArgs),
}

#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long)]
    output: Option<PathBuf>,
    /// Start with a UTF-8 byte order mark (for Excel).
    #[arg(long)]
    bom: bool,
    /// End lines with LF instead of CRLF.
    #[arg(long)]
    lf: bool,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Openapi { output } => {
            let doc = ucm_server::openapi::json();
            match output {
                Some(path) => std::fs::write(&path, doc)?,
                None => print!("{doc}"),
            }
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            startup::connect(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Serve => serve().await,
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    role,
                    name,
                    email,
                    password,
                },
        } => {
            let config = Config::from_env()?;
            let db = startup::connect(&config).await?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| ucm_server::auth::random_password(16));
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Staff => Role::Staff,
            };
            let user = users::create(
                &db,
                NewUser {
                    username,
                    name,
                    email,
                    password: password.clone(),
                    role,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!("created user {} (id {})", user.username, user.id);
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Password { username, password },
        } => {
            let config = Config::from_env()?;
            let db = startup::connect(&config).await?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| ucm_server::auth::random_password(16));
            users::set_password(&db, &username, &password)
                .await
                .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
            println!("password of {username} changed");
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::Import {
            command:
                ImportCommand::Customers {
                    file,
                    dry_run,
                    no_match_id,
                    no_match_email,
                    no_match_name,
                    clear_blanks,
                    all_or_nothing,
                    columns,
                },
        } => {
            let columns = import::parse_column_map(&columns)
                .map_err(|e| anyhow::anyhow!("--columns: {e}"))?;
            let config = Config::from_env()?;
            let db = startup::connect(&config).await?;
            if !file.is_file() {
                anyhow::bail!("cannot read {}: no such file", file.display());
            }
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {elapsed_precise} ~{eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let report = import::import_file(
                &db,
                &file,
                import::ImportOptions {
                    dry_run,
                    match_id: !no_match_id,
                    match_email: !no_match_email,
                    match_name: !no_match_name,
                    clear_blanks,
                    all_or_nothing,
                    columns,
                },
                &progress,
                0,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?
            .report;
            bar.finish_and_clear();
            print_report(&report);
            Ok(())
        }
        Command::Export { command } => match command {
            ExportCommand::Customers(args) => export(export::Kind::Customers, args).await,
            ExportCommand::Contacts(args) => export(export::Kind::Contacts, args).await,
        },
    }
}

async fn export(kind: export::Kind, args: ExportArgs) -> anyhow::Result<()> {
    use std::io::Write;
    let config = Config::from_env()?;
    let db = startup::connect(&config).await?;
    let q = ucm_types::CustomerQuery {
        archived: Some(ucm_types::ArchivedFilter::All),
        ..Default::default()
    };
    let opts = ucm_types::ExportQuery {
        bom: Some(args.bom),
        line_ending: Some(if args.lf {
            ucm_types::LineEnding::Lf
        } else {
            ucm_types::LineEnding::Crlf
        }),
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut e = export::Export::start(&db, kind, &q, &opts)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?;
    while let Some(chunk) = e
        .next_chunk()
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))?
    {
        out.write_all(&chunk)?;
    }
    out.flush()?;
    Ok(())
}

fn describe(e: &ucm_server::error::AppError) -> String {
    let p = e.to_problem();
    let mut s = p.detail.unwrap_or(p.title);
    for (field, msgs) in &p.errors {
        s.push_str(&format!("\n  {field}: {}", msgs.join("; ")));
    }
    s
}

fn print_report(r: &ucm_types::ImportReport) {
    println!(
        "{}encoding {}, delimiter {:?}, header on line {}",
        if r.dry_run {
            "DRY RUN (nothing written): "
        } else {
            ""
        },
        r.encoding,
        r.delimiter,
        r.header_row
    );
    println!("mapped columns:");
    for m in &r.mapped_columns {
        println!("  {:>3} {:<32} -> {}", m.column, m.header, m.field);
    }
    if !r.ignored_columns.is_empty() {
        println!("ignored columns (not imported):");
        for c in &r.ignored_columns {
            println!(
                "  {:>3} {:<32} ({} rows had a value)",
                c.column, c.header, c.non_empty_cells
            );
        }
    }
    println!(
        "rows {}: created {}, updated {}, unchanged {}, skipped {}; contacts created {}, notes added {}",
        r.rows_read,
        r.created,
        r.updated,
        r.unchanged,
        r.skipped_total,
        r.contacts_created,
        r.notes_added
    );
    for s in &r.skipped {
        println!("  skipped line {}: {}", s.row, s.reason);
    }
    for w in &r.warnings {
        println!("  warning line {}: {}", w.row, w.message);
    }
}

async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let web_dir = config.web_dir.clone();
    let data_dir = config.data_dir.clone();
    let app = Application::build(config).await?;
    let url = format!("http://127.0.0.1:{}", app.port);
    println!("ucm is running at {url}  (API docs: {url}/api/docs/)");
    match &app.first_admin_password {
        Some(pw) => println!(
            "First start: created user `admin` with password {pw}\n  (also saved in {}; change it with `ucm user password admin`, add users with `ucm user create`)",
            data_dir.join("initial-admin-password.txt").display()
        ),
        None => println!("Log in with your ucm user (the first admin's password is in {} if you have not moved it).", data_dir.join("initial-admin-password.txt").display()),
    }
    if !web_dir.join("index.html").is_file() {
        println!(
            "note: no web app in {} (build it with scripts/build-frontend.sh)",
            web_dir.display()
        );
    }
    app.server.await?;
    Ok(())
}
