//! ucm: a customer manager. The binary in `main.rs` is a thin CLI over this library.

pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod startup;
