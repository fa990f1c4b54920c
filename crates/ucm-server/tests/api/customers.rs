use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(
    customers_are_created_read_updated_and_deleted,
    customer_numbers_come_from_the_type_mask,
    a_stale_if_match_is_refused_and_changes_nothing,
    lists_filter_sort_and_page_stably,
);

async fn customers_are_created_read_updated_and_deleted(app: &TestApp) {
    let (_, group) = app.post("/api/v1/groups", json!({"name": "VIP"})).await;
    let res = app
        .post_json(
            "/api/v1/customers",
            &json!({
                "customer_name": "  Acme Widgets  ",
                "customer_type_id": 2,
                "credit": 1250,
                "default_tax": {"name": "GST", "rate": "10"},
                "default_invoice_prefix": "AW-",
                "address": {"line_1": "1 Main St", "suburb": "Brisbane", "post_code": "0400", "country": "Australia"},
                "group_ids": [group["id"]],
                "staff_ids": [1],
                "primary_contact": {"name": "Alice Mary Anderson", "email": " Alice@Acme.test "}
            }),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 201);
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    let (_, c) = read(res).await;
    assert_eq!(etag, format!("\"{}\"", c["version"]));
    assert_eq!(c["customer_name"], "Acme Widgets");
    assert_eq!(c["customer_type"]["name"], "Lead");
    assert_eq!(c["credit"], 1250);
    assert_eq!(c["default_tax"], json!({"name": "GST", "rate": "10.00"}));
    assert_eq!(c["address"]["post_code"], "0400");
    assert_eq!(c["groups"][0]["name"], "VIP");
    assert_eq!(c["staff"][0]["username"], "admin");
    assert_eq!(c["primary_contact"]["first_name"], "Alice Mary");
    assert_eq!(c["primary_contact"]["last_name"], "Anderson");
    assert_eq!(c["primary_contact"]["email"], "Alice@Acme.test");
    let id = c["id"].as_i64().expect("id");

    let (status, got) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got, c);

    let (status, updated) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"customer_name": "Acme Widgets Pty Ltd", "default_tax": {"use_system": true}, "group_ids": [], "archived": true}),
            Some(&etag),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["customer_name"], "Acme Widgets Pty Ltd");
    assert_eq!(updated["default_tax"], json!(null));
    assert_eq!(updated["groups"], json!([]));
    assert_eq!(updated["archived"], true);
    assert_eq!(updated["credit"], 1250, "fields not sent are kept");
    assert!(updated["version"].as_i64() > c["version"].as_i64());

    // A partial address changes only the fields it names.
    let (status, partial) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"address": {"post_code": "4001"}}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{partial}");
    assert_eq!(partial["address"]["post_code"], "4001");
    assert_eq!(partial["address"]["line_1"], "1 Main St");
    assert_eq!(partial["address"]["suburb"], "Brisbane");
    let updated = partial;

    // An update that changes nothing keeps the version.
    let (_, same) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"credit": 1250}),
            None,
        )
        .await;
    assert_eq!(same["version"], updated["version"]);

    assert_eq!(app.delete(&format!("/api/v1/customers/{id}")).await, 204);
    assert_eq!(app.get(&format!("/api/v1/customers/{id}")).await.0, 404);
    let (status, _) = app.get(&format!("/api/v1/customers/{id}/contacts")).await;
    assert_eq!(status, 404);
    assert_eq!(app.delete(&format!("/api/v1/customers/{id}")).await, 404);
}

async fn customer_numbers_come_from_the_type_mask(app: &TestApp) {
    let (_, a) = app
        .post("/api/v1/customers", json!({"customer_name": "A"}))
        .await;
    let (_, b) = app
        .post("/api/v1/customers", json!({"customer_name": "B"}))
        .await;
    let (_, lead) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "L", "customer_type_id": 2}),
        )
        .await;
    let (_, own) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "O", "customer_number": "MINE-1"}),
        )
        .await;
    assert_eq!(a["customer_number"], "C-00001");
    assert_eq!(b["customer_number"], "C-00002");
    assert_eq!(lead["customer_number"], "L-00001");
    assert_eq!(own["customer_number"], "MINE-1");
    let (status, t) = app
        .post(
            "/api/v1/customer-types",
            json!({"name": "Partner", "number_mask": "P%03d"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let (_, p) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "P", "customer_type_id": t["id"]}),
        )
        .await;
    assert_eq!(p["customer_number"], "P001");
    let (status, _) = app
        .post("/api/v1/customer-types", json!({"name": "partner"}))
        .await;
    assert_eq!(status, 409);
    // A mask asking for absurd padding is refused instead of taking the server down.
    let (status, problem) = app
        .post(
            "/api/v1/customer-types",
            json!({"name": "Big", "number_mask": "B-%0999999999s"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["number_mask"].is_array());
}

async fn a_stale_if_match_is_refused_and_changes_nothing(app: &TestApp) {
    let id = app.customer(json!({"customer_name": "Versioned", "primary_contact": {"first_name": "V", "email": "v@x.test"}})).await;
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    let first = format!("\"{}\"", c["version"]);
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"customer_name": "One"}),
            Some(&first),
        )
        .await;
    assert_eq!(status, 200);
    let (status, problem) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"customer_name": "Two"}),
            Some(&first),
        )
        .await;
    assert_eq!(status, 412);
    assert_eq!(problem["type"], "precondition-failed");
    assert_eq!(
        app.get(&format!("/api/v1/customers/{id}")).await.1["customer_name"],
        "One"
    );
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"customer_name": "Two"}),
            Some("\"garbage\""),
        )
        .await;
    assert_eq!(status, 412);
    let (status, _) = app
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"customer_name": "Three"}),
            Some("*"),
        )
        .await;
    assert_eq!(status, 200);

    let contact_id = c["primary_contact"]["id"].as_i64().expect("contact");
    let (_, contact) = app.get(&format!("/api/v1/contacts/{contact_id}")).await;
    // If-Match compares strongly (RFC 9110): a weak tag of the current version matches nothing.
    let weak = format!("W/\"{}\"", contact["version"]);
    let (status, _) = app
        .patch(
            &format!("/api/v1/contacts/{contact_id}"),
            json!({"phone": "0"}),
            Some(&weak),
        )
        .await;
    assert_eq!(status, 412);
    // A list matches when any of its tags is the current version.
    let tag = format!("\"999\", W/\"998\", \"{}\"", contact["version"]);
    let (status, _) = app
        .patch(
            &format!("/api/v1/contacts/{contact_id}"),
            json!({"phone": "1"}),
            Some(&tag),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .patch(
            &format!("/api/v1/contacts/{contact_id}"),
            json!({"phone": "2"}),
            Some(&tag),
        )
        .await;
    assert_eq!(status, 412);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{contact_id}")).await.1["phone"],
        "1"
    );
    let res = app
        .req(reqwest::Method::DELETE, &format!("/api/v1/customers/{id}"))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 412);
    assert_eq!(app.get(&format!("/api/v1/customers/{id}")).await.0, 200);
}

async fn lists_filter_sort_and_page_stably(app: &TestApp) {
    // 23 customers with the same name: only the id orders them.
    let mut ids = Vec::new();
    for i in 0..23 {
        ids.push(app.customer(json!({"customer_name": "Same Name", "primary_contact": {"first_name": "P", "email": format!("p{i}@x.test")}})).await);
    }
    for dir in ["asc", "desc"] {
        let mut seen = Vec::new();
        for page in 1..=4 {
            let (status, p) = app
                .get(&format!(
                    "/api/v1/customers?q=same&per_page=7&page={page}&dir={dir}"
                ))
                .await;
            assert_eq!(status, 200);
            assert_eq!(p["total"], 23);
            for item in p["items"].as_array().expect("items") {
                seen.push(item["id"].as_i64().expect("id"));
            }
        }
        let mut expected = ids.clone();
        if dir == "desc" {
            expected.reverse();
        }
        assert_eq!(seen, expected, "pages in {dir} order cover every row once");
    }
    let (_, past_end) = app.get("/api/v1/customers?q=same&per_page=7&page=9").await;
    assert_eq!(past_end["items"], json!([]));
    assert_eq!(
        past_end["total"], 23,
        "a page past the end still reports the total"
    );
    let (_, nothing) = app.get("/api/v1/customers?q=nosuchthing").await;
    assert_eq!(nothing["total"], 0);
    let (_, vip) = app.post("/api/v1/groups", json!({"name": "VIP"})).await;
    let a = app.customer(json!({"customer_name": "alpha", "group_ids": [vip["id"]], "primary_contact": {"first_name": "Zed", "email": "a@z.test"}})).await;
    let b = app.customer(json!({"customer_name": "Bravo", "customer_type_id": 2, "staff_ids": [1], "primary_contact": {"first_name": "Amy", "email": "z@b.test"}})).await;
    let c = app
        .customer(json!({"customer_name": "charlie", "archived": true}))
        .await;
    let names = |p: &serde_json::Value| -> Vec<i64> {
        p["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_i64().expect("id"))
            .filter(|id| [a, b, c].contains(id))
            .collect()
    };
    let (_, p) = app.get("/api/v1/customers?per_page=200").await;
    assert_eq!(
        names(&p),
        vec![a, b],
        "case-insensitive name order; archived hidden"
    );
    let (_, p) = app
        .get("/api/v1/customers?per_page=200&archived=all&dir=desc")
        .await;
    assert_eq!(names(&p), vec![c, b, a]);
    let (_, p) = app.get("/api/v1/customers?archived=archived").await;
    assert_eq!(names(&p), vec![c]);
    assert_eq!(p["total"], 1);
    let (_, p) = app
        .get("/api/v1/customers?per_page=200&sort=primary_contact")
        .await;
    assert_eq!(names(&p), vec![b, a]);
    let (_, p) = app
        .get("/api/v1/customers?per_page=200&sort=email&dir=desc")
        .await;
    assert_eq!(names(&p), vec![b, a]);
    let (_, p) = app
        .get("/api/v1/customers?per_page=200&sort=created&dir=desc")
        .await;
    assert_eq!(names(&p), vec![b, a]);
    let (_, p) = app.get("/api/v1/customers?type_id=2").await;
    assert_eq!(names(&p), vec![b]);
    let (_, p) = app
        .get(&format!("/api/v1/customers?group_id={}", vip["id"]))
        .await;
    assert_eq!(names(&p), vec![a]);
    assert_eq!(p["items"][0]["groups"], json!(["VIP"]));
    let (_, p) = app.get("/api/v1/customers?staff_id=1").await;
    assert_eq!(names(&p), vec![b]);
    for bad in ["per_page=0", "per_page=201", "page=0"] {
        assert_eq!(
            app.get(&format!("/api/v1/customers?{bad}")).await.0,
            422,
            "{bad}"
        );
    }
    for bad in ["sort=colour", "page=-1", "archived=maybe", "type_id=x"] {
        assert_eq!(
            app.get(&format!("/api/v1/customers?{bad}")).await.0,
            400,
            "{bad}"
        );
    }
}
