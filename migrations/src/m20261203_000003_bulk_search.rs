use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Lets a bulk write (an import) leave its new customers out of the SQLite search index and
/// index them in one statement at the end. Kept row by row, FTS5 flushes its pending terms to
/// disk at every statement of the transaction and then merges the many small segments: that
/// was a third of a 100,000-row import. Customers with an id at or above
/// `search_bulk.from_id` are skipped by the triggers; the bulk writer sets it inside its own
/// transaction (so nobody else ever sees it set, and a rollback or a killed process puts it
/// back) and indexes exactly those rows before it commits. Rows older than `from_id` stay
/// indexed live, so an import's updates of existing customers are searchable as before.
const SQLITE_UP: &str = r#"
CREATE TABLE search_bulk (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    from_id BIGINT NOT NULL
);
INSERT INTO search_bulk (only_row, from_id) VALUES (1, 9223372036854775807);
-- FTS5 writes its pending terms out as a new segment whenever they pass 1 MB, then merges the
-- segments; 4 MB lets the bulk statement build far fewer, larger segments. A normal write
-- never comes near it.
INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 4194304);

DROP TRIGGER customers_search_ai;
DROP TRIGGER customers_search_ad;
DROP TRIGGER customers_search_au;
CREATE TRIGGER customers_search_ai AFTER INSERT ON customers
WHEN new.id < (SELECT from_id FROM search_bulk) BEGIN
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER customers_search_ad AFTER DELETE ON customers
WHEN old.id < (SELECT from_id FROM search_bulk) BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER customers_search_au AFTER UPDATE OF search_text ON customers
WHEN new.id < (SELECT from_id FROM search_bulk) BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
"#;

const SQLITE_DOWN: &str = r#"
DELETE FROM customer_search_config WHERE k = 'hashsize';
DROP TRIGGER customers_search_ai;
DROP TRIGGER customers_search_ad;
DROP TRIGGER customers_search_au;
DROP TABLE search_bulk;
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared(SQLITE_UP)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared(SQLITE_DOWN)
                .await?;
        }
        Ok(())
    }
}
