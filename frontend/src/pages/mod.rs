pub mod contacts;
pub mod customer;
pub mod customers;
pub mod details;
pub mod login;
