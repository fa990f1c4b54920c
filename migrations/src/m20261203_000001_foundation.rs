use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; `{pk}`, `{ts}` and `{false}` are filled per backend.
const TABLES: &str = r#"
CREATE TABLE users (
    id {pk},
    username TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    disabled BOOLEAN NOT NULL DEFAULT {false},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE customer_types (
    id {pk},
    name TEXT NOT NULL,
    number_mask TEXT NOT NULL DEFAULT 'C-%05s',
    next_number BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX customer_types_name_key ON customer_types (name);

CREATE TABLE customer_groups (
    id {pk},
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX customer_groups_name_key ON customer_groups (name);

CREATE TABLE customers (
    id {pk},
    customer_name TEXT NOT NULL CHECK (customer_name <> ''),
    customer_type_id BIGINT NOT NULL REFERENCES customer_types (id),
    customer_number TEXT NOT NULL DEFAULT '',
    credit BIGINT NOT NULL DEFAULT 0,
    tax_name TEXT,
    tax_rate_e4 BIGINT,
    invoice_prefix TEXT NOT NULL DEFAULT '',
    line_1 TEXT NOT NULL DEFAULT '',
    line_2 TEXT NOT NULL DEFAULT '',
    suburb TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    post_code TEXT NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT {false},
    name_key TEXT NOT NULL,
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX customers_name_key_idx ON customers (name_key, id);
-- Covers the default list (active customers by name) and its count without reading rows.
CREATE INDEX customers_archived_name_key_idx ON customers (archived, name_key, id);
CREATE INDEX customers_created_idx ON customers (created_at, id);
CREATE INDEX customers_customer_name_idx ON customers (customer_name);
CREATE INDEX customers_type_idx ON customers (customer_type_id);

CREATE TABLE contacts (
    id {pk},
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    first_name TEXT NOT NULL CHECK (first_name <> ''),
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    email_key TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    mobile TEXT NOT NULL DEFAULT '',
    fax TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT {false},
    version BIGINT NOT NULL DEFAULT 1,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id);
CREATE INDEX contacts_email_key_idx ON contacts (email_key);
CREATE UNIQUE INDEX contacts_one_primary_per_customer ON contacts (customer_id) WHERE is_primary;
CREATE UNIQUE INDEX contacts_email_unique_per_customer ON contacts (customer_id, email_key) WHERE email_key <> '';

CREATE TABLE customer_group_members (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES customer_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, group_id)
);
CREATE INDEX customer_group_members_group_idx ON customer_group_members (group_id);

CREATE TABLE customer_staff (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, user_id)
);
CREATE INDEX customer_staff_user_idx ON customer_staff (user_id);

INSERT INTO customer_types (name, number_mask) VALUES ('Customer', 'C-%05s');
INSERT INTO customer_types (name, number_mask) VALUES ('Lead', 'L-%05s');
INSERT INTO customer_types (name, number_mask) VALUES ('Supplier', 'S-%05s');
"#;

/// SQLite keeps a trigram FTS5 index over the precomputed, accent-folded `search_text`, so a
/// substring search is an index lookup instead of a scan of every customer.
const SQLITE_SEARCH: &str = r#"
CREATE VIRTUAL TABLE customer_search USING fts5(
    search_text, content='customers', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER customers_search_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER customers_search_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER customers_search_au AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
"#;

fn sql_for(backend: DbBackend) -> String {
    let (pk, ts, false_) = match backend {
        DbBackend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "TIMESTAMPTZ",
            "FALSE",
        ),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "0"),
    };
    TABLES
        .replace("{pk}", pk)
        .replace("{ts}", ts)
        .replace("{false}", false_)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(&sql_for(backend)).await?;
        match backend {
            DbBackend::Sqlite => {
                db.execute_unprepared(SQLITE_SEARCH).await?;
            }
            DbBackend::Postgres => {
                // pg_trgm ships with PostgreSQL's contrib package; without it search still
                // works, only by scanning.
                let available = db
                    .query_one_raw(Statement::from_string(
                        backend,
                        "SELECT 1 AS x FROM pg_available_extensions WHERE name = 'pg_trgm'",
                    ))
                    .await?
                    .is_some();
                if available {
                    db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                        .await?;
                    db.execute_unprepared(
                        "CREATE INDEX customers_search_trgm ON customers \
                         USING gin (search_text gin_trgm_ops)",
                    )
                    .await?;
                }
            }
            _ => {
                return Err(DbErr::Migration(
                    "ucm supports SQLite and PostgreSQL only".into(),
                ))
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "DROP TABLE IF EXISTS customer_staff; DROP TABLE IF EXISTS customer_group_members; \
             DROP TABLE IF EXISTS contacts; DROP TABLE IF EXISTS customers; \
             DROP TABLE IF EXISTS customer_groups; DROP TABLE IF EXISTS customer_types; \
             DROP TABLE IF EXISTS users;",
        )
        .await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            db.execute_unprepared("DROP TABLE IF EXISTS customer_search;")
                .await?;
        }
        Ok(())
    }
}
