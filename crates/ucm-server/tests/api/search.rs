use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(search_is_case_and_accent_insensitive_and_literal);

async fn search_is_case_and_accent_insensitive_and_literal(app: &TestApp) {
    for (name, first, email, phone) in [
        ("Zoë's Café", "Renée", "zoe@cafe.test", "+61 7 1111 2222"),
        ("100% Organic", "Pat", "pat@organic.test", ""),
        ("snake_case Ltd", "Sam", "sam@snake.test", ""),
        ("Back\\slash Co", "Bea", "bea@back.test", ""),
        ("Plain Foods", "Ola", "ola@plain.test", "0400 123 456"),
        ("Straße GmbH", "Jörg", "jorg@strasse.test", ""),
    ] {
        app.customer(json!({"customer_name": name, "primary_contact": {"first_name": first, "email": email, "phone": phone}})).await;
    }
    let cases: &[(&str, &[&str])] = &[
        ("zoe", &["Zoë's Café"]),
        ("ZOË", &["Zoë's Café"]),
        ("cafe", &["Zoë's Café"]),
        ("renee", &["Zoë's Café"]),
        ("strasse", &["Straße GmbH"]),
        ("jörg", &["Straße GmbH"]),
        ("%", &["100% Organic"]),
        ("0%", &["100% Organic"]),
        ("100%", &["100% Organic"]),
        ("_", &["snake_case Ltd"]),
        ("e_c", &["snake_case Ltd"]),
        ("\\", &["Back\\slash Co"]),
        ("k\\s", &["Back\\slash Co"]),
        ("ola@plain", &["Plain Foods"]),
        ("0400 123", &["Plain Foods"]),
        ("0400123456", &["Plain Foods"]),
        ("1111 2222", &["Zoë's Café"]),
        ("plain ola", &["Plain Foods"]),
        ("pl", &["Plain Foods"]),
        ("zz", &[]),
        ("\"", &[]),
        ("' OR 1=1 --", &[]),
        ("organic*", &[]),
    ];
    for (q, expected) in cases {
        let mut got = app.search(q).await;
        got.sort();
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "search {q:?}");
    }
    // Contact edits and renames reach the index.
    let (_, page) = app.get("/api/v1/customers?q=plain").await;
    let id = page["items"][0]["id"].as_i64().expect("id");
    let contact = page["items"][0]["primary_contact"]["id"]
        .as_i64()
        .expect("contact");
    app.patch(
        &format!("/api/v1/contacts/{contact}"),
        json!({"first_name": "Ngozi"}),
        None,
    )
    .await;
    assert_eq!(app.search("ngozi").await, vec!["Plain Foods"]);
    app.patch(
        &format!("/api/v1/customers/{id}"),
        json!({"customer_name": "Fancy Foods"}),
        None,
    )
    .await;
    assert_eq!(app.search("fancy").await, vec!["Fancy Foods"]);
    let (_, page) = app.get("/api/v1/customers?q=gmbh").await;
    let strasse = page["items"][0]["id"].as_i64().expect("id");
    app.patch(
        &format!("/api/v1/customers/{strasse}"),
        json!({"customer_name": "Road AG"}),
        None,
    )
    .await;
    assert!(
        app.search("gmbh").await.is_empty(),
        "the old name leaves the index"
    );
    assert_eq!(app.search("road").await, vec!["Road AG"]);
    let (status, _) = app
        .get(&format!("/api/v1/customers?q={}", "a".repeat(300)))
        .await;
    assert_eq!(status, 422);
}
