//! HTTP handlers: parse the request, call a service, shape the response. Every handler carries
//! a `#[utoipa::path]` so the OpenAPI document is generated from this code.

pub mod auth;
pub mod contacts;
pub mod customers;
pub mod exports;
pub mod files;
pub mod imports;
pub mod lookups;
pub mod notes;
pub mod records;
pub mod system;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::me)
        .service(system::health)
        .service(customers::list)
        .service(customers::create)
        .service(customers::get)
        .service(customers::update)
        .service(customers::delete)
        .service(contacts::list_for_customer)
        .service(contacts::create)
        .service(contacts::get)
        .service(contacts::update)
        .service(contacts::delete)
        .service(contacts::make_primary)
        .service(lookups::list_types)
        .service(lookups::create_type)
        .service(lookups::list_groups)
        .service(lookups::list_extra_fields)
        .service(lookups::create_group)
        .service(lookups::list_users)
        .service(lookups::create_user)
        .service(imports::import_customers)
        .service(imports::upload)
        .service(imports::get)
        .service(imports::preview)
        .service(imports::commit)
        .service(imports::report)
        .service(imports::remove)
        .service(customers::linked)
        .service(records::list_jobs)
        .service(records::create_job)
        .service(records::get_job)
        .service(records::update_job)
        .service(records::delete_job)
        .service(records::list_websites)
        .service(records::create_website)
        .service(records::get_website)
        .service(records::update_website)
        .service(records::delete_website)
        .service(records::list_tickets)
        .service(records::create_ticket)
        .service(records::get_ticket)
        .service(records::update_ticket)
        .service(records::delete_ticket)
        .service(records::list_invoices)
        .service(records::create_invoice)
        .service(records::get_invoice)
        .service(records::update_invoice)
        .service(records::delete_invoice)
        .service(files::upload)
        .service(files::list)
        .service(files::get)
        .service(files::content)
        .service(files::update)
        .service(files::delete)
        .service(notes::list)
        .service(notes::create)
        .service(notes::get)
        .service(notes::update)
        .service(notes::delete)
        .service(notes::for_customer)
        .service(notes::reminders)
        .service(exports::customers)
        .service(exports::contacts);
}
