//! Extra fields: set through the API, listed, imported from `extra:<key>` columns and from
//! columns named like a key in use, and removed with their customer.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    extra_fields_are_set_merged_and_removed_through_the_api,
    extra_field_columns_import_and_reimport_unchanged,
    keys_differing_only_in_case_round_trip_unchanged,
);

async fn customer(app: &TestApp, id: i64) -> Value {
    let (s, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(s, 200, "{c}");
    c
}

async fn extra_fields_are_set_merged_and_removed_through_the_api(app: &TestApp) {
    let id = app
        .customer(json!({
            "customer_name": "Extra Ltd",
            "extra": {" VAT number ": " GB 1 ", "Blank": "  ", "Referrer": "Fair 2026"}
        }))
        .await;
    let c = customer(app, id).await;
    // Keys and values are trimmed; a blank value is no field.
    assert_eq!(
        c["extra"],
        json!({"VAT number": "GB 1", "Referrer": "Fair 2026"})
    );
    let version = c["version"].as_i64().expect("version");

    // A PATCH sets the keys it names, an empty value removes one, others stay.
    let (s, c) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"extra": {"Referrer": "", "Birthday": "1980-02-29", "Missing": ""}}),
            None,
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        c["extra"],
        json!({"Birthday": "1980-02-29", "VAT number": "GB 1"})
    );
    assert_eq!(c["version"], version + 1);
    // The same values again change nothing, not even the version.
    let (s, same) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"extra": {"Birthday": "1980-02-29", "Missing": ""}}),
            None,
        )
        .await;
    assert_eq!(s, 200, "{same}");
    assert_eq!(same["version"], version + 1);

    // Bad keys and values are 422s naming the key, and nothing is written.
    let long_key = "k".repeat(65);
    let (s, p) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"extra": {long_key.clone(): "x", "Bell": "a\u{7}b", "Birthday": "changed"}}),
            None,
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p["errors"][format!("extra.{long_key}")].is_array(), "{p}");
    assert!(p["errors"]["extra.Bell"].is_array(), "{p}");
    assert_eq!(customer(app, id).await["extra"]["Birthday"], "1980-02-29");
    let (s, p) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"extra": null}),
            None,
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (s, p) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"extra": {"n": 5}}),
            None,
        )
        .await;
    assert!(s == 400 || s == 422, "{s} {p}");

    app.customer(json!({"customer_name": "Other", "extra": {"VAT number": "FR 2"}}))
        .await;
    let (s, keys) = app.get("/api/v1/extra-fields").await;
    assert_eq!(s, 200, "{keys}");
    assert_eq!(
        keys,
        json!([{"key": "Birthday", "customers": 1}, {"key": "VAT number", "customers": 2}])
    );

    // Deleting the customer deletes its extra fields.
    assert_eq!(app.delete(&format!("/api/v1/customers/{id}")).await, 204);
    assert_eq!(app.rows("customer_extra_fields").await, 1);
}

async fn extra_field_columns_import_and_reimport_unchanged(app: &TestApp) {
    // "VAT number" is in use, so a column with that header feeds it (as in UCM's own export,
    // which writes extra fields under their plain names); "Hobby" is not, until mapped.
    app.customer(json!({"customer_name": "Seed", "extra": {"VAT number": "X"}}))
        .await;
    let file = "Customer Name,Primary Email,extra:Birthday,vat NUMBER,Hobby\n\
        Alpha Ltd,a@alpha.test,1980-02-29,GB 1,chess\n\
        Beta Ltd,b@beta.test,,GB 2,\n";
    let (s, r) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 2, "{r}");
    let mapped = r["mapped_columns"].to_string();
    assert!(mapped.contains("\"extra:Birthday\""), "{mapped}");
    assert!(mapped.contains("\"extra:VAT number\""), "{mapped}");
    assert_eq!(r["ignored_columns"][0]["header"], "Hobby", "{r}");
    assert_eq!(r["ignored_columns"][0]["non_empty_cells"], 1, "{r}");
    let find = |name: &'static str| async move {
        let (_, page) = app
            .get(&format!("/api/v1/customers?q={}", urlencode(name)))
            .await;
        customer(app, page["items"][0]["id"].as_i64().expect(name)).await
    };
    assert_eq!(
        find("Alpha Ltd").await["extra"],
        json!({"Birthday": "1980-02-29", "VAT number": "GB 1"})
    );
    assert_eq!(
        find("Beta Ltd").await["extra"],
        json!({"VAT number": "GB 2"})
    );

    // The same file again: nothing changes.
    let (_, again) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(again["unchanged"], 2, "{again}");
    assert_eq!(again["updated"], 0, "{again}");

    // Hobby mapped by hand; a blank Birthday leaves the stored one alone...
    let file2 = "Customer Name,Primary Email,extra:Birthday,vat NUMBER,Hobby\n\
        Alpha Ltd,a@alpha.test,,GB 1,go\n";
    let (_, r) = app
        .import_with("columns=5%3Dextra%3AHobby", file2.as_bytes().to_vec())
        .await;
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(
        find("Alpha Ltd").await["extra"],
        json!({"Birthday": "1980-02-29", "Hobby": "go", "VAT number": "GB 1"})
    );
    // ... unless blanks clear. "Hobby" is a key in use now, so its column maps by itself.
    let (_, r) = app
        .import_with("clear_blanks=true", file2.as_bytes().to_vec())
        .await;
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(
        find("Alpha Ltd").await["extra"],
        json!({"Hobby": "go", "VAT number": "GB 1"})
    );

    // A value too long for an extra field skips its row, naming the column.
    let long = "v".repeat(10_001);
    let (_, r) = app
        .import(format!("Customer Name,extra:Bio\nGamma Ltd,{long}\n").into_bytes())
        .await;
    assert_eq!(r["created"], 0, "{r}");
    let reason = r["skipped"][0]["reason"].as_str().expect("reason");
    assert!(
        reason.starts_with("extra:Bio (column 2 \"extra:Bio\")"),
        "{reason}"
    );

    // An unknown target is refused with the forms it takes.
    let (s, p) = app
        .import_with("columns=5%3Dextra%3A", file2.as_bytes().to_vec())
        .await;
    assert_eq!(s, 422, "{p}");
}

/// `VAT` and `vat` are two keys: an export of both imports back with every row unchanged, and
/// a file with both columns re-imports unchanged. A header like `extra:` names no key and is
/// reported, not dropped silently.
async fn keys_differing_only_in_case_round_trip_unchanged(app: &TestApp) {
    app.customer(json!({"customer_name": "Alpha", "extra": {"VAT": "GB1"}}))
        .await;
    app.customer(json!({"customer_name": "Beta", "extra": {"vat": "x"}}))
        .await;
    let res = app
        .req(reqwest::Method::GET, "/api/v1/exports/customers")
        .send()
        .await
        .expect("export");
    let csv = res.bytes().await.expect("bytes").to_vec();
    let (s, r) = app.import(csv).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["unchanged"], 2, "{r}");
    let (_, keys) = app.get("/api/v1/extra-fields").await;
    assert_eq!(
        keys,
        json!([{"key": "VAT", "customers": 1}, {"key": "vat", "customers": 1}])
    );

    let file =
        "Customer Name,Email,extra:Hobby,extra:hobby,extra:\nC,c@x.test,,x,lost?\nD,d@x.test,y,,\n";
    let (_, first) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(first["created"], 2, "{first}");
    let warning = first["warnings"][0]["message"].as_str().expect("a warning");
    assert_eq!(
        warning,
        "column 5 (\"extra:\") was not imported: an extra field needs a name; rename the header or map the column"
    );
    let (_, again) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(again["unchanged"], 2, "{again}");
}
