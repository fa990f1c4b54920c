//! API tests: the real server on port 0, against SQLite and PostgreSQL.

mod helpers;

mod auth;
mod contacts;
mod crash;
mod customers;
mod errors;
mod exports;
mod extra;
mod files;
mod imports;
mod notes;
mod openapi;
mod records;
mod search;
mod wizard;
