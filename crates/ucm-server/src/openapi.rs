//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ucm API",
        description = "Customers, contacts and their records for freelancers and small agencies. \
            Log in with POST /api/v1/auth/login and send the token as `Authorization: Bearer <token>`. \
            Errors are `application/problem+json`; validation errors carry a per-field `errors` map. \
            Money is in integer minor units. Writes accept `If-Match` with the `ETag` of a previous read \
            and answer 412 when it is stale (strong comparison: a weak `W/` tag never matches)."
    ),
    paths(
        routes::auth::login,
        routes::auth::me,
        routes::system::health,
        routes::customers::list,
        routes::customers::create,
        routes::customers::get,
        routes::customers::update,
        routes::customers::delete,
        routes::contacts::list_for_customer,
        routes::contacts::create,
        routes::contacts::get,
        routes::contacts::update,
        routes::contacts::delete,
        routes::contacts::make_primary,
        routes::lookups::list_types,
        routes::lookups::create_type,
        routes::lookups::list_groups,
        routes::lookups::list_extra_fields,
        routes::lookups::create_group,
        routes::lookups::list_users,
        routes::lookups::create_user,
        routes::imports::import_customers,
        routes::imports::upload,
        routes::imports::get,
        routes::imports::preview,
        routes::imports::commit,
        routes::imports::report,
        routes::imports::remove,
        routes::customers::linked,
        routes::records::list_jobs,
        routes::records::create_job,
        routes::records::get_job,
        routes::records::update_job,
        routes::records::delete_job,
        routes::records::list_websites,
        routes::records::create_website,
        routes::records::get_website,
        routes::records::update_website,
        routes::records::delete_website,
        routes::records::list_tickets,
        routes::records::create_ticket,
        routes::records::get_ticket,
        routes::records::update_ticket,
        routes::records::delete_ticket,
        routes::records::list_invoices,
        routes::records::create_invoice,
        routes::records::get_invoice,
        routes::records::update_invoice,
        routes::records::delete_invoice,
        routes::files::upload,
        routes::files::list,
        routes::files::get,
        routes::files::content,
        routes::files::update,
        routes::files::delete,
        routes::notes::list,
        routes::notes::create,
        routes::notes::get,
        routes::notes::update,
        routes::notes::delete,
        routes::notes::for_customer,
        routes::notes::reminders,
        routes::exports::customers,
        routes::exports::contacts,
    ),
    // Enums used only as query parameters are not collected from the paths by utoipa.
    components(schemas(
        ucm_types::ArchivedFilter,
        ucm_types::CustomerSort,
        ucm_types::SortDir,
        ucm_types::CustomerStatus,
        ucm_types::LinkedAction,
        ucm_types::NoteOwnerKind,
        ucm_types::LineEnding,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in"),
        (name = "customers", description = "Customers"),
        (name = "contacts", description = "A customer's contacts"),
        (name = "lookups", description = "Customer types, groups and extra field names"),
        (name = "users", description = "Staff users"),
        (name = "import", description = "CSV import"),
        (name = "export", description = "CSV export"),
        (name = "jobs", description = "Jobs linked to customers"),
        (name = "websites", description = "Websites linked to customers"),
        (name = "invoices", description = "Invoices; they decide a customer's status"),
        (name = "tickets", description = "Support tickets linked to customers"),
        (name = "files", description = "Files attached to customers and jobs"),
        (name = "notes", description = "Notes on any record, the customer's merged notes, reminders"),
        (name = "system", description = "Health"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as committed in `openapi/openapi.json` (pretty, trailing newline).
pub fn json() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
