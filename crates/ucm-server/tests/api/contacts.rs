use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    exactly_one_contact_is_primary_through_every_change,
    emails_are_validated_trimmed_and_unique_per_customer
);

async fn contacts_of(app: &TestApp, customer: i64) -> Vec<Value> {
    let (status, list) = app
        .get(&format!("/api/v1/customers/{customer}/contacts"))
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array().expect("list").clone()
}

fn primaries(list: &[Value]) -> Vec<String> {
    list.iter()
        .filter(|c| c["is_primary"] == true)
        .map(|c| c["first_name"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn exactly_one_contact_is_primary_through_every_change(app: &TestApp) {
    let acme = app.customer(json!({"customer_name": "Acme"})).await;
    let beta = app.customer(json!({"customer_name": "Beta"})).await;
    assert!(contacts_of(app, acme).await.is_empty());

    let (status, ann) = app
        .post(
            &format!("/api/v1/customers/{acme}/contacts"),
            json!({"first_name": "Ann", "email": "ann@acme.test"}),
        )
        .await;
    assert_eq!(status, 201, "{ann}");
    assert_eq!(ann["is_primary"], true, "the first contact becomes primary");
    let (_, bob) = app
        .post(
            &format!("/api/v1/customers/{acme}/contacts"),
            json!({"first_name": "Bob", "email": "bob@acme.test"}),
        )
        .await;
    assert_eq!(bob["is_primary"], false);
    let (_, cat) = app
        .post(
            &format!("/api/v1/customers/{acme}/contacts"),
            json!({"first_name": "Cat", "is_primary": true}),
        )
        .await;
    assert_eq!(cat["is_primary"], true);
    assert_eq!(primaries(&contacts_of(app, acme).await), vec!["Cat"]);

    let (_, before) = app.get(&format!("/api/v1/customers/{acme}")).await;
    let (status, bob2) = app
        .post(
            &format!("/api/v1/contacts/{}/make-primary", bob["id"]),
            json!({}),
        )
        .await;
    let (_, after) = app.get(&format!("/api/v1/customers/{acme}")).await;
    assert_ne!(
        before["version"], after["version"],
        "the customer's ETag follows its primary contact"
    );
    assert_eq!(status, 200);
    assert_eq!(bob2["is_primary"], true);
    let list = contacts_of(app, acme).await;
    assert_eq!(primaries(&list), vec!["Bob"]);
    assert_eq!(list[0]["first_name"], "Bob", "primary is listed first");
    assert_eq!(
        app.get(&format!("/api/v1/customers/{acme}")).await.1["primary_contact"]["first_name"],
        "Bob"
    );

    let (status, problem) = app
        .patch(
            &format!("/api/v1/contacts/{}", bob["id"]),
            json!({"is_primary": false}),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // Deleting the primary promotes the oldest remaining contact.
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{}", bob["id"])).await,
        204
    );
    assert_eq!(primaries(&contacts_of(app, acme).await), vec!["Ann"]);

    // Moving the primary away promotes another; the mover becomes primary where there was none.
    let (status, moved) = app
        .patch(
            &format!("/api/v1/contacts/{}", ann["id"]),
            json!({"customer_id": beta}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["customer_id"], beta);
    assert_eq!(moved["is_primary"], true);
    assert_eq!(primaries(&contacts_of(app, acme).await), vec!["Cat"]);
    assert_eq!(primaries(&contacts_of(app, beta).await), vec!["Ann"]);
    // Moving a non-primary into a customer with a primary keeps the target's primary.
    let (_, dan) = app
        .post(
            &format!("/api/v1/customers/{acme}/contacts"),
            json!({"first_name": "Dan"}),
        )
        .await;
    let (_, moved) = app
        .patch(
            &format!("/api/v1/contacts/{}", dan["id"]),
            json!({"customer_id": beta}),
            None,
        )
        .await;
    assert_eq!(moved["is_primary"], false);
    assert_eq!(primaries(&contacts_of(app, beta).await), vec!["Ann"]);
    // The search index follows the move.
    assert_eq!(app.search("ann@acme").await, vec!["Beta"]);

    let (status, _) = app
        .patch(
            &format!("/api/v1/contacts/{}", dan["id"]),
            json!({"customer_id": 999_999}),
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{}", cat["id"])).await,
        204
    );
    assert!(contacts_of(app, acme).await.is_empty());
    assert_eq!(
        app.get(&format!("/api/v1/customers/{acme}")).await.1["primary_contact"],
        Value::Null
    );
}

async fn emails_are_validated_trimmed_and_unique_per_customer(app: &TestApp) {
    let acme = app.customer(json!({"customer_name": "Acme"})).await;
    let beta = app.customer(json!({"customer_name": "Beta"})).await;
    let path = format!("/api/v1/customers/{acme}/contacts");
    let (status, c) = app
        .post(
            &path,
            json!({"first_name": "Ann", "email": "  Ann@Example.com "}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(c["email"], "Ann@Example.com");
    let (status, problem) = app
        .post(
            &path,
            json!({"first_name": "Ann2", "email": "ann@EXAMPLE.com"}),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["errors"]["email"].is_array());
    // The same email under another customer is allowed (UCM links such logins).
    let (status, _) = app
        .post(
            &format!("/api/v1/customers/{beta}/contacts"),
            json!({"first_name": "Ann", "email": "ann@example.com"}),
        )
        .await;
    assert_eq!(status, 201);
    for bad in ["not-an-email", "a@b", "a b@c.com", "@c.com"] {
        let (status, problem) = app
            .post(&path, json!({"first_name": "X", "email": bad}))
            .await;
        assert_eq!(status, 422, "{bad}");
        assert!(problem["errors"]["email"].is_array(), "{problem}");
    }
    let (status, problem) = app.post(&path, json!({"last_name": "Nofirst"})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["first_name"].is_array());
    let (_, second) = app
        .post(
            &path,
            json!({"first_name": "Bo", "email": "bo@example.com"}),
        )
        .await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/contacts/{}", second["id"]),
            json!({"email": "ANN@example.com"}),
            None,
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(
        contacts_of(app, acme).await.len(),
        2,
        "nothing half-written"
    );
}
