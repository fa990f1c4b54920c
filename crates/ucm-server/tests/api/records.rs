use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    jobs_websites_and_tickets_have_crud_filters_and_etags,
    invoices_number_total_and_refuse_bad_money,
    customer_status_follows_its_invoices,
    deleting_a_customer_unlinks_or_deletes_its_records,
    concurrent_writers_with_one_etag_get_one_success,
    moves_keep_files_and_ticket_contacts_consistent,
    odd_input_is_refused_not_crashed,
);

fn days_from_today(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

async fn jobs_websites_and_tickets_have_crud_filters_and_etags(app: &TestApp) {
    let acme = app
        .customer(json!({"customer_name": "Acme", "primary_contact": {"name": "Ann Able"}}))
        .await;
    let other = app
        .customer(json!({"customer_name": "Other", "primary_contact": {"name": "Olga Other"}}))
        .await;

    // Jobs: defaults, ETag, partial update with a cleared date, stale If-Match.
    let res = app
        .post_json(
            "/api/v1/jobs",
            &json!({"customer_id": acme, "name": " Website redesign ", "start_date": "2026-01-10", "due_date": "2026-02-01"}),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 201);
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    let (_, job) = read(res).await;
    assert_eq!(job["name"], "Website redesign");
    assert_eq!(job["status"], "new");
    assert_eq!(job["customer_name"], "Acme");
    let job_id = job["id"].as_i64().expect("id");
    let (status, upd) = app
        .patch(
            &format!("/api/v1/jobs/{job_id}"),
            json!({"status": "in_progress", "due_date": null}),
            Some(&etag),
        )
        .await;
    assert_eq!(status, 200, "{upd}");
    assert_eq!(upd["status"], "in_progress");
    assert_eq!(upd["due_date"], Value::Null);
    assert_eq!(upd["start_date"], "2026-01-10");
    let (status, _) = app
        .patch(
            &format!("/api/v1/jobs/{job_id}"),
            json!({"name": "Lost update"}),
            Some(&etag),
        )
        .await;
    assert_eq!(status, 412);
    let (status, e) = app
        .patch(
            &format!("/api/v1/jobs/{job_id}"),
            json!({"due_date": "2025-12-31"}),
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert!(e["errors"]["due_date"].is_array(), "{e}");
    let (status, e) = app
        .post("/api/v1/jobs", json!({"customer_id": 999999, "name": "x"}))
        .await;
    assert_eq!(status, 422);
    assert!(e["errors"]["customer_id"].is_array(), "{e}");
    let (status, e) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": acme, "name": "x", "start_date": "2026-02-30"}),
        )
        .await;
    assert_eq!(status, 422, "{e}");
    app.post(
        "/api/v1/jobs",
        json!({"customer_id": acme, "name": "Logo", "status": "completed", "start_date": "2025-06-01"}),
    )
    .await;
    app.post(
        "/api/v1/jobs",
        json!({"customer_id": other, "name": "Other job"}),
    )
    .await;

    let (_, page) = app.get(&format!("/api/v1/jobs?customer_id={acme}")).await;
    assert_eq!(page["total"], 2);
    let (_, page) = app
        .get(&format!("/api/v1/jobs?customer_id={acme}&status=completed"))
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], "Logo");
    let (_, page) = app
        .get("/api/v1/jobs?date_from=2026-01-01&date_to=2026-01-31")
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], job_id);
    let (_, page) = app.get("/api/v1/jobs?q=LOGO").await;
    assert_eq!(page["total"], 1);
    let (status, e) = app.get("/api/v1/jobs?status=done").await;
    assert_eq!(status, 422);
    assert!(e["errors"]["status"][0]
        .as_str()
        .expect("msg")
        .contains("in_progress"));

    // Websites: only http(s) addresses.
    let (status, w) = app
        .post(
            "/api/v1/websites",
            json!({"customer_id": acme, "name": "Shop", "url": "shop.acme.test"}),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(w["url"], "https://shop.acme.test");
    let (status, e) = app
        .post(
            "/api/v1/websites",
            json!({"customer_id": acme, "name": "Bad", "url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(e["errors"]["url"].is_array());
    let w_id = w["id"].as_i64().expect("id");
    let (status, w2) = app
        .patch(
            &format!("/api/v1/websites/{w_id}"),
            json!({"status": "live"}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(w2["version"], 2);
    // An update that changes nothing keeps the version.
    let (_, w3) = app
        .patch(
            &format!("/api/v1/websites/{w_id}"),
            json!({"status": "live"}),
            None,
        )
        .await;
    assert_eq!(w3["version"], 2);

    // Tickets: the contact must be the customer's.
    let (_, acme_contacts) = app.get(&format!("/api/v1/customers/{acme}/contacts")).await;
    let (_, other_contacts) = app
        .get(&format!("/api/v1/customers/{other}/contacts"))
        .await;
    let ann = acme_contacts[0]["id"].as_i64().expect("id");
    let olga = other_contacts[0]["id"].as_i64().expect("id");
    let (status, t) = app
        .post(
            "/api/v1/tickets",
            json!({"customer_id": acme, "contact_id": ann, "subject": "Login broken", "priority": "high"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["status"], "new");
    assert_eq!(t["priority"], "high");
    let (status, e) = app
        .post(
            "/api/v1/tickets",
            json!({"customer_id": acme, "contact_id": olga, "subject": "Wrong contact"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(e["errors"]["contact_id"].is_array());
    let t_id = t["id"].as_i64().expect("id");
    // Moving the ticket to another customer drops the contact that stays behind.
    let (status, moved) = app
        .patch(
            &format!("/api/v1/tickets/{t_id}"),
            json!({"customer_id": other}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["contact_id"], Value::Null);

    // Archiving is the soft path: the customer's records stay readable.
    let (s, _) = app
        .patch(
            &format!("/api/v1/customers/{acme}"),
            json!({"archived": true}),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, page) = app.get(&format!("/api/v1/jobs?customer_id={acme}")).await;
    assert_eq!(page["total"], 2);
    let (s, _) = app.get(&format!("/api/v1/customers/{acme}/notes")).await;
    assert_eq!(s, 200);

    for path in [
        format!("/api/v1/jobs/{job_id}"),
        format!("/api/v1/websites/{w_id}"),
        format!("/api/v1/tickets/{t_id}"),
    ] {
        assert_eq!(app.delete(&path).await, 204);
        assert_eq!(app.get(&path).await.0, 404);
        assert_eq!(app.delete(&path).await, 404);
    }
}

async fn invoices_number_total_and_refuse_bad_money(app: &TestApp) {
    let aw = app
        .customer(json!({"customer_name": "Acme Widgets", "default_invoice_prefix": "AW-"}))
        .await;
    let plain = app.customer(json!({"customer_name": "Plain"})).await;
    let (status, inv) = app
        .post(
            "/api/v1/invoices",
            json!({
                "customer_id": aw,
                "issue_date": "2026-11-01",
                "items": [
                    {"description": "Design", "quantity": "1.5", "unit_price": 8000},
                    {"description": "Hosting", "unit_price": 1999},
                    {"description": "Discount", "unit_price": -999}
                ]
            }),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    assert_eq!(inv["number"], "AW-00001");
    assert_eq!(inv["currency"], "EUR");
    assert_eq!(inv["total"], 12000 + 1999 - 999);
    assert_eq!(inv["items"][0]["amount"], 12000);
    assert_eq!(inv["items"][0]["quantity"], "1.5");
    assert_eq!(inv["due_date"], "2026-11-15");
    assert_eq!(inv["status"], "draft");
    let (_, second) = app
        .post("/api/v1/invoices", json!({"customer_id": aw, "total": 500}))
        .await;
    assert_eq!(second["number"], "AW-00002");
    let (_, third) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": plain, "total": 500, "currency": "usd"}),
        )
        .await;
    assert_eq!(third["number"], "INV-00001");
    assert_eq!(third["currency"], "USD");

    let before = app.rows("invoices").await;
    let items_before = app.rows("invoice_items").await;
    let bad: Vec<(Value, u16, &str)> = vec![
        (
            json!({"customer_id": aw, "number": "AW-00001", "total": 1}),
            409,
            "number",
        ),
        (
            json!({"customer_id": aw, "issue_date": "2026-11-10", "due_date": "2026-11-09", "total": 1}),
            422,
            "due_date",
        ),
        (
            json!({"customer_id": aw, "items": [{"description": "x", "unit_price": "12.50"}]}),
            422,
            "items[0].unit_price",
        ),
        (
            json!({"customer_id": aw, "items": [{"description": "x", "unit_price": 12.5}]}),
            422,
            "items[0].unit_price",
        ),
        (
            json!({"customer_id": aw, "items": [{"description": "ok", "unit_price": 100}, {"description": "x", "quantity": "two", "unit_price": 100}]}),
            422,
            "items[1].quantity",
        ),
        (json!({"customer_id": aw, "total": -5}), 422, "total"),
        (json!({"customer_id": aw, "total": "lots"}), 422, "total"),
        (
            json!({"customer_id": aw, "items": [{"description": "x", "unit_price": 100}], "total": 99}),
            422,
            "total",
        ),
        (
            json!({"customer_id": aw, "total": 1, "currency": "Euro"}),
            422,
            "currency",
        ),
        (
            json!({"customer_id": aw, "total": 1, "status": "sent", "paid_date": "2026-11-02"}),
            422,
            "paid_date",
        ),
        (
            json!({"customer_id": aw, "total": 1, "status": "late"}),
            422,
            "status",
        ),
    ];
    for (body, want, field) in bad {
        let (status, e) = app.post("/api/v1/invoices", body.clone()).await;
        assert_eq!(status, want, "{body} -> {e}");
        assert!(e["errors"][field].is_array(), "{body} -> {e}");
    }
    assert_eq!(app.rows("invoices").await, before, "nothing half-written");
    assert_eq!(app.rows("invoice_items").await, items_before);

    // Paying sets today's date unless given; replacing items recomputes the total.
    let id = inv["id"].as_i64().expect("id");
    let (status, paid) = app
        .patch(
            &format!("/api/v1/invoices/{id}"),
            json!({"status": "paid", "items": [{"description": "All in", "unit_price": 20000}]}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["total"], 20000);
    assert_eq!(paid["paid_date"], days_from_today(0));
    assert_eq!(paid["items"].as_array().map(Vec::len), Some(1));
    let (status, e) = app
        .patch(&format!("/api/v1/invoices/{id}"), json!({"total": 5}), None)
        .await;
    assert_eq!(status, 422, "{e}");
    let (status, reopened) = app
        .patch(
            &format!("/api/v1/invoices/{id}"),
            json!({"status": "sent"}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(reopened["paid_date"], Value::Null);
    let (_, page) = app
        .get(&format!("/api/v1/invoices?customer_id={aw}&status=sent"))
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["items"][0]["description"], "All in");
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    let (_, page) = app.get("/api/v1/customers?per_page=200").await;
    let in_list = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .map(|i| i["status"].clone())
        .expect("listed");
    assert_eq!(c["status"], in_list, "detail and list agree");
    c["status"].as_str().expect("status").to_owned()
}

async fn filtered(app: &TestApp, status: &str) -> Vec<String> {
    let (s, page) = app
        .get(&format!("/api/v1/customers?status={status}&per_page=200"))
        .await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["customer_name"].as_str().expect("name").to_owned())
        .collect()
}

async fn customer_status_follows_its_invoices(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Tracked"})).await;
    app.customer(json!({"customer_name": "Bystander"})).await;
    assert_eq!(status_of(app, c).await, "no_invoices");

    let (_, draft) = app
        .post("/api/v1/invoices", json!({"customer_id": c, "total": 100}))
        .await;
    assert_eq!(
        status_of(app, c).await,
        "no_invoices",
        "a draft is not owed"
    );

    let (_, a) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": c, "total": 100, "status": "sent", "issue_date": days_from_today(-5), "due_date": days_from_today(10)}),
        )
        .await;
    assert_eq!(status_of(app, c).await, "owing");
    assert_eq!(filtered(app, "owing").await, vec!["Tracked"]);

    // An invoice whose due date has passed makes the customer overdue when read.
    let (_, b) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": c, "total": 100, "status": "sent", "issue_date": days_from_today(-40), "due_date": days_from_today(-1)}),
        )
        .await;
    assert_eq!(b["overdue"], true);
    assert_eq!(status_of(app, c).await, "overdue");
    assert_eq!(filtered(app, "overdue").await, vec!["Tracked"]);
    let (_, od) = app.get("/api/v1/invoices?status=overdue").await;
    assert_eq!(od["total"], 1);
    // Due today is not yet overdue.
    let b_id = b["id"].as_i64().expect("id");
    let (_, b2) = app
        .patch(
            &format!("/api/v1/invoices/{b_id}"),
            json!({"due_date": days_from_today(0)}),
            None,
        )
        .await;
    assert_eq!(b2["overdue"], false);
    assert_eq!(status_of(app, c).await, "owing");
    app.patch(
        &format!("/api/v1/invoices/{b_id}"),
        json!({"due_date": days_from_today(-1)}),
        None,
    )
    .await;
    assert_eq!(status_of(app, c).await, "overdue");

    app.patch(
        &format!("/api/v1/invoices/{b_id}"),
        json!({"status": "paid"}),
        None,
    )
    .await;
    assert_eq!(status_of(app, c).await, "owing");
    let a_id = a["id"].as_i64().expect("id");
    app.patch(
        &format!("/api/v1/invoices/{a_id}"),
        json!({"status": "paid"}),
        None,
    )
    .await;
    assert_eq!(status_of(app, c).await, "paid");
    assert_eq!(filtered(app, "paid").await, vec!["Tracked"]);
    assert_eq!(filtered(app, "no_invoices").await, vec!["Bystander"]);

    // Cancelled invoices never count.
    for id in [a_id, b_id, draft["id"].as_i64().expect("id")] {
        let (s, inv) = app
            .patch(
                &format!("/api/v1/invoices/{id}"),
                json!({"status": "cancelled"}),
                None,
            )
            .await;
        assert_eq!(s, 200, "{inv}");
        assert_eq!(inv["paid_date"], Value::Null);
    }
    assert_eq!(status_of(app, c).await, "no_invoices");
}

/// Everything that can hang off a customer, one of each kind, each with a note.
async fn populate(app: &TestApp, name: &str) -> (i64, i64) {
    let c = app
        .customer(json!({"customer_name": name, "primary_contact": {"name": "Pat Person"}}))
        .await;
    let (_, contacts) = app.get(&format!("/api/v1/customers/{c}/contacts")).await;
    let contact = contacts[0]["id"].as_i64().expect("id");
    let (_, g) = app
        .post("/api/v1/groups", json!({"name": format!("{name} group")}))
        .await;
    app.patch(
        &format!("/api/v1/customers/{c}"),
        json!({"group_ids": [g["id"]]}),
        None,
    )
    .await;
    let (_, job) = app
        .post("/api/v1/jobs", json!({"customer_id": c, "name": "Job"}))
        .await;
    let (_, w) = app
        .post(
            "/api/v1/websites",
            json!({"customer_id": c, "name": "Site"}),
        )
        .await;
    let (_, inv) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": c, "items": [{"description": "Work", "unit_price": 100}]}),
        )
        .await;
    let (_, t) = app
        .post(
            "/api/v1/tickets",
            json!({"customer_id": c, "contact_id": contact, "subject": "Help"}),
        )
        .await;
    let (s, f) = app
        .upload(
            &format!("customer_id={c}&job_id={}&name=brief.txt", job["id"]),
            "text/plain",
            b"the brief".to_vec(),
        )
        .await;
    assert_eq!(s, 201, "{f}");
    for (kind, id) in [
        ("customer", c),
        ("contact", contact),
        ("job", job["id"].as_i64().expect("id")),
        ("website", w["id"].as_i64().expect("id")),
        ("invoice", inv["id"].as_i64().expect("id")),
        ("ticket", t["id"].as_i64().expect("id")),
    ] {
        let (s, n) = app
            .post(
                "/api/v1/notes",
                json!({"owner_kind": kind, "owner_id": id, "body": format!("note on {kind}")}),
            )
            .await;
        assert_eq!(s, 201, "{n}");
    }
    (c, f["id"].as_i64().expect("id"))
}

const TABLES: [&str; 11] = [
    "customers",
    "contacts",
    "customer_group_members",
    "notes",
    "jobs",
    "websites",
    "invoices",
    "invoice_items",
    "tickets",
    "files",
    "customer_groups",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(app.rows(t).await);
    }
    out
}

async fn deleting_a_customer_unlinks_or_deletes_its_records(app: &TestApp) {
    let (keep, keep_file) = populate(app, "Keeper").await;
    let (gone, gone_file) = populate(app, "Goner").await;
    let (_, linked) = app.get(&format!("/api/v1/customers/{keep}/linked")).await;
    assert_eq!(
        linked,
        json!({"contacts": 1, "notes": 2, "jobs": 1, "websites": 1, "invoices": 1, "tickets": 1, "files": 1})
    );
    let before = counts(app).await;
    assert_eq!(before, vec![2, 2, 2, 12, 2, 2, 2, 2, 2, 2, 2]);

    // Unlink: the customer, its contact, its group membership and the notes on the customer
    // and on the contact go; everything else stays, unlinked, with its own notes.
    assert_eq!(
        app.delete(&format!("/api/v1/customers/{keep}?linked=unlink"))
            .await,
        204
    );
    let after = counts(app).await;
    assert_eq!(after, vec![1, 1, 1, 10, 2, 2, 2, 2, 2, 2, 2]);
    for kind in ["jobs", "websites", "invoices", "tickets"] {
        let (_, page) = app.get(&format!("/api/v1/{kind}?unlinked=true")).await;
        assert_eq!(page["total"], 1, "{kind}: {page}");
        assert_eq!(page["items"][0]["customer_id"], Value::Null);
        // The unlink is a change of the record: an ETag read before it is stale now.
        let rec = page["items"][0]["id"].as_i64().expect("id");
        let (_, one) = app.get(&format!("/api/v1/{kind}/{rec}")).await;
        assert!(
            one["version"].as_i64().expect("version") > 1,
            "{kind}: {one}"
        );
    }
    let (_, t) = app.get("/api/v1/tickets?unlinked=true").await;
    assert_eq!(t["items"][0]["contact_id"], Value::Null);
    let res = app
        .req(
            reqwest::Method::GET,
            &format!("/api/v1/files/{keep_file}/content"),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), b"the brief");
    // A kept file can be found and linked to another customer; its job (kept, but now of no
    // customer) is detached.
    let (_, files) = app.get("/api/v1/files?unlinked=true").await;
    assert_eq!(files["total"], 1, "{files}");
    assert_eq!(files["items"][0]["id"], keep_file);
    assert!(
        files["items"][0]["version"].as_i64().expect("version") > 1,
        "{files}"
    );
    let adopter = app.customer(json!({"customer_name": "Adopter"})).await;
    let (s, relinked) = app
        .patch(
            &format!("/api/v1/files/{keep_file}"),
            json!({"customer_id": adopter}),
            None,
        )
        .await;
    assert_eq!(s, 200, "{relinked}");
    assert_eq!(relinked["customer_id"], adopter);
    assert_eq!(relinked["job_id"], Value::Null);

    // Delete: the linked records go too, with their notes, items and stored files.
    assert_eq!(
        app.delete(&format!("/api/v1/customers/{gone}?linked=delete"))
            .await,
        204
    );
    assert_eq!(counts(app).await, vec![1, 0, 0, 4, 1, 1, 1, 1, 1, 1, 2]);
    let (s, _) = app.get(&format!("/api/v1/files/{gone_file}/content")).await;
    assert_eq!(s, 404);
    let (s, e) = app.get(&format!("/api/v1/customers/{gone}/notes")).await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = app
        .req(
            reqwest::Method::DELETE,
            "/api/v1/customers/1?linked=everything",
        )
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map(|s| (s, ()))
        .expect("send");
    assert_eq!(s, 400, "{e:?}");
}

async fn concurrent_writers_with_one_etag_get_one_success(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Racy"})).await;
    let (_, inv) = app
        .post("/api/v1/invoices", json!({"customer_id": c, "total": 100}))
        .await;
    let path = format!("/api/v1/invoices/{}", inv["id"]);
    let tag = format!("\"{}\"", inv["version"]);
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            app.req(reqwest::Method::PATCH, &path)
                .header("if-match", tag.clone())
                .json(&json!({"description": format!("writer {i}")}))
                .send()
        })
        .collect();
    let mut ok = 0;
    let mut stale = 0;
    // Sent together so the requests overlap on the server.
    for r in futures_util::future::join_all(tasks).await {
        match r.expect("send").status().as_u16() {
            200 => ok += 1,
            412 => stale += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((ok, stale), (1, 7));
    let (_, now) = app.get(&path).await;
    assert_eq!(now["version"], 2);
}

async fn moves_keep_files_and_ticket_contacts_consistent(app: &TestApp) {
    let a = app
        .customer(json!({"customer_name": "A", "primary_contact": {"name": "Ann A"}}))
        .await;
    let b = app.customer(json!({"customer_name": "B"})).await;
    let (_, job) = app
        .post("/api/v1/jobs", json!({"customer_id": a, "name": "Move me"}))
        .await;
    let (s, f) = app
        .upload(
            &format!("customer_id={a}&job_id={}&name=x.txt", job["id"]),
            "text/plain",
            b"x".to_vec(),
        )
        .await;
    assert_eq!(s, 201, "{f}");
    let (s, _) = app
        .patch(
            &format!("/api/v1/jobs/{}", job["id"]),
            json!({"customer_id": b}),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, moved) = app.get(&format!("/api/v1/files/{}", f["id"])).await;
    assert_eq!(moved["customer_id"], b);
    assert_eq!(moved["job_id"], job["id"]);

    let (_, contacts) = app.get(&format!("/api/v1/customers/{a}/contacts")).await;
    let ann = &contacts[0]["id"];
    let (_, t) = app
        .post(
            "/api/v1/tickets",
            json!({"customer_id": a, "contact_id": ann, "subject": "Hi"}),
        )
        .await;
    let (s, _) = app
        .patch(
            &format!("/api/v1/contacts/{ann}"),
            json!({"customer_id": b}),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, t) = app.get(&format!("/api/v1/tickets/{}", t["id"])).await;
    assert_eq!(t["contact_id"], Value::Null);
    assert_eq!(t["customer_id"], a);
}

async fn odd_input_is_refused_not_crashed(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Odd"})).await;
    app.post(
        "/api/v1/jobs",
        json!({"customer_id": c, "name": "Ärger Projekt"}),
    )
    .await;
    let (_, page) = app
        .get(&format!("/api/v1/jobs?q={}", urlencode("Ärger")))
        .await;
    assert_eq!(page["total"], 1, "{page}");
    let (_, page) = app.get("/api/v1/jobs?q=PROJEKT").await;
    assert_eq!(page["total"], 1, "{page}");
    for path in [
        "/api/v1/jobs?q=a%00b",
        "/api/v1/customers?q=a%00b",
        "/api/v1/invoices?q=%00",
    ] {
        let (s, e) = app.get(path).await;
        assert_eq!(s, 422, "{path}: {e}");
        assert!(e["errors"]["q"].is_array(), "{e}");
    }
    let (s, e) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": c, "issue_date": "2026-12-01", "due_date": "+10000-01-01", "total": 1}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["errors"]["due_date"].is_array(), "{e}");
    let (s, e) = app
        .post(
            "/api/v1/invoices",
            json!({"customer_id": c, "items": [{"description": "x", "unit_price": i64::MIN}]}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["errors"]["items[0].unit_price"].is_array(), "{e}");
    // null on a field that cannot be cleared is an error, not a silent no-op.
    let (_, job) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": c, "name": "Keep my name"}),
        )
        .await;
    for body in [
        json!({"name": null}),
        json!({"customer_id": null}),
        json!({"status": null}),
    ] {
        let (s, e) = app
            .patch(&format!("/api/v1/jobs/{}", job["id"]), body.clone(), None)
            .await;
        assert_eq!(s, 422, "{body}: {e}");
        let field = body
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_default();
        assert!(e["errors"][field.as_str()].is_array(), "{body}: {e}");
    }
    let (s, e) = app
        .patch(
            &format!("/api/v1/customers/{c}"),
            json!({"customer_name": null}),
            None,
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = app.get("/api/v1/jobs?date_from=%2B10000-01-01").await;
    assert!(s == 400 || s == 422, "{s}: {e}");
    let (s, e) = app
        .get("/api/v1/reminders?until=%2B10000-01-01T00:00:00Z")
        .await;
    assert!(s == 400 || s == 422, "{s}: {e}");
}
