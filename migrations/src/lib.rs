//! The ucm schema. Each migration is plain SQL written for SQLite and PostgreSQL side by side,
//! because the parts that matter (partial unique indexes, pg_trgm, triggers) are exactly
//! the parts a portable builder cannot express.

pub use sea_orm_migration::prelude::*;

mod m20261203_000001_foundation;
mod m20261203_000002_linked_records;
mod m20261204_000003_list_index;
mod m20261204_000004_extra_fields;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261203_000001_foundation::Migration),
            Box::new(m20261203_000002_linked_records::Migration),
            Box::new(m20261204_000003_list_index::Migration),
            Box::new(m20261204_000004_extra_fields::Migration),
        ]
    }
}
