use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A customer's extra fields (UCM's "extra fields"): free-form keys, one value each. A blank
/// value is stored as no row, so "has the field" and "the field is not empty" are one test.
const UP: &str = r#"
CREATE TABLE customer_extra_fields (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    field_key VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (customer_id, field_key)
);
CREATE INDEX customer_extra_fields_key_idx ON customer_extra_fields (field_key);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE IF EXISTS customer_extra_fields;")
            .await?;
        Ok(())
    }
}
