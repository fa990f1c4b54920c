//! The committed `openapi/openapi.json` must be what the code generates.

#[test]
fn committed_openapi_document_matches_the_code() {
    let path = format!("{}/../../openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let generated = ucm_server::openapi::json();
    if std::env::var("UCM_UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UCM_UPDATE_OPENAPI=1 cargo test -p ucm-server --test api openapi` \
         (or `ucm openapi --output openapi/openapi.json`) and commit it"
    );
}

#[test]
fn every_schema_reference_resolves() {
    let text = ucm_server::openapi::json();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for piece in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap_or_default();
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not defined"
        );
    }
}

#[test]
fn every_operation_documents_its_errors_and_auth() {
    let doc: serde_json::Value = serde_json::from_str(&ucm_server::openapi::json()).expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 12);
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            let public = path == "/api/v1/health" || path == "/api/v1/auth/login";
            if !public {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents 401"
                );
                assert!(
                    op["security"].is_array(),
                    "{method} {path} documents its auth"
                );
            }
            assert!(op["tags"].is_array(), "{method} {path} has a tag");
        }
    }
}
