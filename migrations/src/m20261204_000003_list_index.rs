use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// On SQLite the server answers list searches from an in-memory trigram index (see
/// `services/list_index.rs`) instead of FTS5: FTS5's doclists for common trigrams made a broad
/// search cost milliseconds, and keeping it current was most of an import's and a create's
/// work. Each server process keeps its index current from two facts: new customers are the
/// ids above the largest it has seen (ids only grow: AUTOINCREMENT, and nothing inserts an
/// explicit id), and every update of what the index holds, or delete, is logged here by a
/// trigger, in commit order because SQLite has one writer. Servers prune the log to its
/// newest entries; one that finds a gap below what is left reloads everything.
const SQLITE_UP: &str = r#"
DROP TRIGGER customers_search_ai;
DROP TRIGGER customers_search_ad;
DROP TRIGGER customers_search_au;
DROP TABLE customer_search;
CREATE TABLE customer_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL
);
CREATE TRIGGER customers_changes_au AFTER UPDATE ON customers
WHEN old.customer_type_id IS NOT new.customer_type_id OR old.archived IS NOT new.archived
    OR old.name_key IS NOT new.name_key OR old.search_text IS NOT new.search_text BEGIN
    INSERT INTO customer_changes (customer_id) VALUES (new.id);
END;
CREATE TRIGGER customers_changes_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customer_changes (customer_id) VALUES (old.id);
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER customers_changes_au;
DROP TRIGGER customers_changes_ad;
DROP TABLE customer_changes;
CREATE VIRTUAL TABLE customer_search USING fts5(
    search_text, content='customers', content_rowid='id', tokenize='trigram'
);
INSERT INTO customer_search (customer_search) VALUES ('rebuild');
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
