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
            and answer 412 when it is stale."
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
        routes::lookups::create_group,
        routes::lookups::list_users,
        routes::lookups::create_user,
        routes::imports::import_customers,
    ),
    // Enums used only as query parameters are not collected from the paths by utoipa.
    components(schemas(ucm_types::ArchivedFilter, ucm_types::CustomerSort, ucm_types::SortDir)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in"),
        (name = "customers", description = "Customers"),
        (name = "contacts", description = "A customer's contacts"),
        (name = "lookups", description = "Customer types and groups"),
        (name = "users", description = "Staff users"),
        (name = "import", description = "CSV import"),
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
