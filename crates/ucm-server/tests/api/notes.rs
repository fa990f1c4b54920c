use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    the_customer_notes_tab_merges_every_linked_record,
    notes_refuse_missing_owners_and_users,
    reminders_reach_their_user_until_done,
);

fn labels(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| {
            format!(
                "{}:{}:{}",
                n["owner"]["kind"].as_str().expect("kind"),
                n["owner"]["label"].as_str().expect("label"),
                n["body"].as_str().expect("body")
            )
        })
        .collect()
}

async fn note(app: &TestApp, kind: &str, id: &Value, body: &str, at: &str) -> Value {
    let (s, n) = app
        .post(
            "/api/v1/notes",
            json!({"owner_kind": kind, "owner_id": id, "body": body, "note_at": at}),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    n
}

async fn the_customer_notes_tab_merges_every_linked_record(app: &TestApp) {
    let c = app
        .customer(json!({"customer_name": "Hub", "primary_contact": {"name": "Jane Doe"}}))
        .await;
    let stranger = app.customer(json!({"customer_name": "Stranger"})).await;
    let (_, contacts) = app.get(&format!("/api/v1/customers/{c}/contacts")).await;
    let (_, job) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": c, "name": "Website redesign"}),
        )
        .await;
    let (_, site) = app
        .post(
            "/api/v1/websites",
            json!({"customer_id": c, "name": "hub.test"}),
        )
        .await;
    let (_, inv) = app
        .post("/api/v1/invoices", json!({"customer_id": c, "total": 100}))
        .await;
    let (_, ticket) = app
        .post(
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": "Broken form"}),
        )
        .await;
    let (_, other_job) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": stranger, "name": "Not ours"}),
        )
        .await;

    let n = note(
        app,
        "customer",
        &json!(c),
        "called them",
        "2026-03-01T09:00:00Z",
    )
    .await;
    assert_eq!(
        n["owner"],
        json!({"kind": "customer", "id": c, "label": "Hub"})
    );
    assert_eq!(n["created_by_name"], "Administrator");
    note(
        app,
        "contact",
        &contacts[0]["id"],
        "birthday",
        "2026-03-02T09:00:00Z",
    )
    .await;
    note(app, "job", &job["id"], "kick-off", "2026-03-03T09:00:00Z").await;
    note(
        app,
        "website",
        &site["id"],
        "renewed",
        "2026-03-04T09:00:00Z",
    )
    .await;
    note(
        app,
        "invoice",
        &inv["id"],
        "asked to split",
        "2026-03-05T09:00:00Z",
    )
    .await;
    // Same time as the invoice note: the newer id comes first.
    note(
        app,
        "ticket",
        &ticket["id"],
        "reproduced",
        "2026-03-05T09:00:00Z",
    )
    .await;
    note(
        app,
        "job",
        &other_job["id"],
        "someone else's",
        "2026-03-09T09:00:00Z",
    )
    .await;

    let (s, page) = app.get(&format!("/api/v1/customers/{c}/notes")).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["total"], 6);
    assert_eq!(
        labels(&page),
        vec![
            "ticket:Broken form:reproduced",
            format!(
                "invoice:{}:asked to split",
                inv["number"].as_str().expect("n")
            )
            .as_str(),
            "website:hub.test:renewed",
            "job:Website redesign:kick-off",
            "contact:Jane Doe:birthday",
            "customer:Hub:called them",
        ]
    );
    assert!(page["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|n| n["customer_id"] == c && n["customer_name"] == "Hub"));

    // Pages of two walk the same order without gaps or repeats.
    let mut walked = Vec::new();
    for p in 1..=3 {
        let (_, page) = app
            .get(&format!("/api/v1/customers/{c}/notes?per_page=2&page={p}"))
            .await;
        assert_eq!(page["total"], 6);
        walked.extend(labels(&page));
    }
    let (_, all) = app.get(&format!("/api/v1/customers/{c}/notes")).await;
    assert_eq!(walked, labels(&all));

    // The notes of one record.
    let (_, on_job) = app
        .get(&format!(
            "/api/v1/notes?owner_kind=job&owner_id={}",
            job["id"]
        ))
        .await;
    assert_eq!(labels(&on_job), vec!["job:Website redesign:kick-off"]);
}

async fn notes_refuse_missing_owners_and_users(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Noted"})).await;
    let before = app.rows("notes").await;
    for kind in ["customer", "contact", "job", "website", "invoice", "ticket"] {
        let (s, e) = app
            .post(
                "/api/v1/notes",
                json!({"owner_kind": kind, "owner_id": 987654, "body": "x"}),
            )
            .await;
        assert_eq!(s, 404, "{kind}: {e}");
    }
    let (s, e) = app
        .post(
            "/api/v1/notes",
            json!({"owner_kind": "customer", "owner_id": c, "body": "x", "reminder": true, "reminder_user_id": 4242}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["errors"]["reminder_user_id"].is_array(), "{e}");
    let (s, e) = app
        .post(
            "/api/v1/notes",
            json!({"owner_kind": "customer", "owner_id": c, "body": "  "}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(e["errors"]["body"].is_array(), "{e}");
    let (s, e) = app
        .post(
            "/api/v1/notes",
            json!({"owner_kind": "planet", "owner_id": c, "body": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["errors"]["owner_kind"].is_array(), "{e}");
    let (s, _) = app
        .get("/api/v1/notes?owner_kind=job&owner_id=987654")
        .await;
    assert_eq!(s, 404);
    assert_eq!(app.rows("notes").await, before, "nothing half-written");
}

async fn reminders_reach_their_user_until_done(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Remind me"})).await;
    let (s, other) = app
        .post(
            "/api/v1/users",
            json!({"username": "sam", "password": "a long password 1", "role": "staff"}),
        )
        .await;
    assert_eq!(s, 201, "{other}");
    let remind = |body: &str, at: &str, user: Value| json!({"owner_kind": "customer", "owner_id": c, "body": body, "note_at": at, "reminder": true, "reminder_user_id": user});
    let (_, mine) = app
        .post(
            "/api/v1/notes",
            remind("mine", "2026-01-01T08:00:00Z", json!(1)),
        )
        .await;
    app.post(
        "/api/v1/notes",
        remind("everyone", "2026-01-02T08:00:00Z", Value::Null),
    )
    .await;
    app.post(
        "/api/v1/notes",
        remind("sam's", "2026-01-01T08:00:00Z", other["id"].clone()),
    )
    .await;
    app.post(
        "/api/v1/notes",
        remind("later", "2099-01-01T08:00:00Z", json!(1)),
    )
    .await;
    app.post(
        "/api/v1/notes",
        json!({"owner_kind": "customer", "owner_id": c, "body": "plain note", "note_at": "2026-01-01T00:00:00Z"}),
    )
    .await;

    let bodies = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["body"].as_str().expect("body").to_owned())
            .collect()
    };
    let (s, due) = app.get("/api/v1/reminders").await;
    assert_eq!(s, 200, "{due}");
    assert_eq!(bodies(&due), vec!["mine", "everyone"]);
    assert_eq!(due["items"][0]["customer_name"], "Remind me");
    let (_, ahead) = app
        .get("/api/v1/reminders?until=2100-01-01T00:00:00Z")
        .await;
    assert_eq!(bodies(&ahead), vec!["mine", "everyone", "later"]);

    let (s, done) = app
        .patch(
            &format!("/api/v1/notes/{}", mine["id"]),
            json!({"reminder_done": true}),
            Some(&format!("\"{}\"", mine["version"])),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    let (_, due) = app.get("/api/v1/reminders").await;
    assert_eq!(bodies(&due), vec!["everyone"]);
    let (_, all) = app.get("/api/v1/reminders?include_done=true").await;
    assert_eq!(bodies(&all), vec!["mine", "everyone"]);
}
