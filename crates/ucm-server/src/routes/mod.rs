//! HTTP handlers: parse the request, call a service, shape the response. Every handler carries
//! a `#[utoipa::path]` so the OpenAPI document is generated from this code.

pub mod auth;
pub mod contacts;
pub mod customers;
pub mod imports;
pub mod lookups;
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
        .service(lookups::create_group)
        .service(lookups::list_users)
        .service(lookups::create_user)
        .service(imports::import_customers);
}
