//! Business rules. No actix types here: the same code serves HTTP, the CLI and tests.

pub mod contacts;
pub mod customers;
pub mod import;
pub mod lookups;
pub mod users;
