use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(
    search_is_case_and_accent_insensitive_and_literal,
    writes_by_other_processes_reach_the_list,
    search_combines_with_filters_and_other_sorts
);

/// A search with a group filter or a sort other than name (on SQLite: the index's matches
/// handed to SQL) gives the same rows as the filter alone, narrowed by the words.
async fn search_combines_with_filters_and_other_sorts(app: &TestApp) {
    let (_, vip) = app.post("/api/v1/groups", json!({"name": "VIP"})).await;
    for (name, email, vip_member) in [
        ("Harbour Bakery", "zed@harbour.test", true),
        ("Hillside Bakery", "amy@hill.test", false),
        ("Bakery Central", "bob@central.test", true),
        ("Tool Shed", "cy@shed.test", true),
    ] {
        let groups = if vip_member {
            json!([vip["id"]])
        } else {
            json!([])
        };
        app.customer(json!({"customer_name": name, "group_ids": groups, "primary_contact": {"first_name": "P", "email": email}}))
            .await;
    }
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["customer_name"].as_str().expect("name").to_owned())
            .collect()
    };
    let (s, page) = app
        .get(&format!(
            "/api/v1/customers?q=bakery&group_id={}",
            vip["id"]
        ))
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(names(&page), vec!["Bakery Central", "Harbour Bakery"]);
    assert_eq!(page["total"], 2);
    let (_, page) = app.get("/api/v1/customers?q=bakery&sort=email").await;
    assert_eq!(
        names(&page),
        vec!["Hillside Bakery", "Bakery Central", "Harbour Bakery"]
    );
    let (_, page) = app
        .get("/api/v1/customers?q=bakery&sort=email&dir=desc&per_page=2&page=2")
        .await;
    assert_eq!(names(&page), vec!["Hillside Bakery"]);
    assert_eq!(page["total"], 3);
    let (_, page) = app
        .get("/api/v1/customers?q=nothing-like-it&sort=created")
        .await;
    assert_eq!(page["total"], 0);
    assert!(names(&page).is_empty());
}

/// The list answers from what the database holds now, whoever wrote it: another process's
/// import, and updates and deletes made behind the server's back (on SQLite the server keeps
/// an in-memory index that must follow them, including after its change log was pruned).
async fn writes_by_other_processes_reach_the_list(app: &TestApp) {
    let keep = app.customer(json!({"customer_name": "Keeper Ltd"})).await;
    let gone = app.customer(json!({"customer_name": "Goner Ltd"})).await;
    assert_eq!(app.search("goner").await, vec!["Goner Ltd"]);

    let csv = app.data_dir().join("other.csv");
    std::fs::write(
        &csv,
        "Customer Name,Primary Email\nOutsider Pty,out@side.test\nOther Co,other@co.test\n",
    )
    .expect("csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ucm"))
        .args(["import", "customers"])
        .arg(&csv)
        .env("UCM_DATA_DIR", app.data_dir())
        .env("UCM_DATABASE_URL", &app.db_url)
        .env("UCM_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("ucm import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(app.search("outsider").await, vec!["Outsider Pty"]);
    assert_eq!(app.search("other@co").await, vec!["Other Co"]);

    let db = Database::connect(&app.db_url).await.expect("db");
    db.execute_unprepared(&format!(
        "UPDATE customers SET customer_name = 'Zanzibar Traders', name_key = 'zanzibar traders', \
         search_text = 'zanzibar traders' WHERE id = {keep}"
    ))
    .await
    .expect("update");
    db.execute_unprepared(&format!("DELETE FROM customers WHERE id = {gone}"))
        .await
        .expect("delete");
    assert_eq!(app.search("zanzibar").await, vec!["Zanzibar Traders"]);
    assert!(app.search("keeper").await.is_empty());
    assert!(app.search("goner").await.is_empty());
    let (_, page) = app.get("/api/v1/customers?per_page=200").await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["customer_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["Other Co", "Outsider Pty", "Zanzibar Traders"]);
    assert_eq!(page["total"], 3);

    // Two changes the server has not seen, then the older one pruned from the log: only a
    // server that notices the gap and reads everything again finds the first.
    db.execute_unprepared(&format!(
        "UPDATE customers SET customer_name = 'Yonder Ltd', name_key = 'yonder ltd', \
         search_text = 'yonder ltd' WHERE id = {keep}"
    ))
    .await
    .expect("update");
    db.execute_unprepared(
        "UPDATE customers SET customer_name = 'Other Co 2', name_key = 'other co 2', \
         search_text = 'other co 2' WHERE customer_name = 'Other Co'",
    )
    .await
    .expect("update");
    if app.db_url.starts_with("sqlite") {
        db.execute_unprepared(
            "DELETE FROM customer_changes WHERE seq < (SELECT MAX(seq) FROM customer_changes)",
        )
        .await
        .expect("prune");
    }
    assert_eq!(app.search("other co").await, vec!["Other Co 2"]);
    assert_eq!(app.search("yonder").await, vec!["Yonder Ltd"]);
    assert!(app.search("zanzibar").await.is_empty());
    db.close().await.ok();
}

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
