//! Business rules. No actix types here: the same code serves HTTP, the CLI and tests.

pub mod contacts;
pub mod customers;
pub mod export;
pub mod extra;
pub mod files;
pub mod import;
pub mod invoices;
pub mod list_index;
pub mod lookups;
pub mod notes;
pub mod records;
pub mod users;
