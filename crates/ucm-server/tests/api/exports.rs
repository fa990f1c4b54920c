use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(
    an_export_imports_back_unchanged,
    exports_neutralise_formulas_and_follow_the_switches,
    an_export_of_several_batches_has_every_row_once_in_order,
);

async fn export(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let res = app.req(Method::GET, path).send().await.expect("send");
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().expect("ct").to_owned())
        .unwrap_or_default();
    (status, ct, res.bytes().await.expect("bytes").to_vec())
}

async fn an_export_imports_back_unchanged(app: &TestApp) {
    let (s, r) = app.import(sample("ucm_customer_export.csv")).await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = app
        .import(sample("invoiceninja_v4_clients_export.csv"))
        .await;
    assert_eq!(s, 200, "{r}");
    // Values a careless export would mangle.
    let (_, g) = app.post("/api/v1/groups", json!({"name": "VIP"})).await;
    // The export joins a customer's groups with ", "; a name with a comma must come back whole.
    let (_, g2) = app
        .post("/api/v1/groups", json!({"name": "Sales, East"}))
        .await;
    app.customer(json!({
        "customer_name": "=HYPERLINK(\"http://evil.test\",\"click\")",
        "credit": -14285,
        "default_tax": {"name": "GST", "rate": "10"},
        "group_ids": [g["id"], g2["id"]],
        "staff_ids": [1],
        "address": {"line_1": "Line \"one\", with comma", "line_2": " starts with a space? no, trimmed", "post_code": "0042"},
        "primary_contact": {"first_name": "@Ann", "last_name": "-Lee", "email": "ann@x.test", "phone": "+61 7 1111 1111"},
        "extra": {"VAT number": "GB 123 456", "Birthday": "=1+1", "Notes, long": "line one\nline \"two\""}
    }))
    .await;
    // No contact at all, and text that JSON and CSV both escape (the export fetches rows as
    // JSON built by the database).
    app.customer(json!({
        "customer_name": "Zoë 🏠 back\\slash \"quoted\" \u{1F600}",
        "address": {"suburb": "Ünïcödé Straße"}
    }))
    .await;
    let (_, total) = app.get("/api/v1/customers?archived=all&per_page=1").await;

    let (s, ct, csv) = export(app, "/api/v1/exports/customers?archived=all").await;
    assert_eq!(s, 200);
    assert_eq!(ct, "text/csv; charset=utf-8");
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    assert!(text.starts_with("Customer ID,Customer Name,Customer Number,Customer Type,Credit,"));
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"click\"\")\""),
        "{text}"
    );
    assert!(text.contains(",+61 7 1111 1111,"), "{text}");
    assert!(text.contains(",-142.85,"), "{text}");
    assert!(text.contains(",'@Ann,'-Lee,"), "{text}");
    assert!(text.contains(",0042,"), "{text}");
    let header = text.lines().next().expect("header");
    assert!(
        header.ends_with(
            ",Staff,extra:Birthday,\"extra:Notes, long\",extra:VAT number,Customer Group"
        ),
        "{header}"
    );
    assert!(
        text.contains(",'=1+1,\"line one\nline \"\"two\"\"\",GB 123 456,"),
        "{text}"
    );
    assert!(
        text.contains("\"Zoë 🏠 back\\slash \"\"quoted\"\" \u{1F600}\""),
        "{text}"
    );

    let (s, report) = app.import(csv).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["rows_read"], total["total"], "{report}");
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(report["skipped"], json!([]), "{report}");
    assert_eq!(report["unchanged"], total["total"], "{report}");
    let (_, c) = app.get("/api/v1/customers?q=hyperlink").await;
    assert_eq!(
        c["items"][0]["customer_name"],
        "=HYPERLINK(\"http://evil.test\",\"click\")"
    );
}

async fn exports_neutralise_formulas_and_follow_the_switches(app: &TestApp) {
    let acme = app
        .customer(json!({"customer_name": "Acme", "primary_contact": {"name": "Ann Able", "email": "ann@acme.test"}}))
        .await;
    app.post(
        &format!("/api/v1/customers/{acme}/contacts"),
        json!({"first_name": "Bob", "last_name": "=1+1", "phone": "-"}),
    )
    .await;
    app.customer(json!({"customer_name": "Zeta"})).await;
    let archived = app
        .customer(json!({"customer_name": "Old", "archived": true}))
        .await;

    let (_, _, csv) = export(app, "/api/v1/exports/customers").await;
    let text = String::from_utf8(csv).expect("utf-8");
    assert!(!text.starts_with('\u{feff}'));
    assert!(text.ends_with("\r\n"));
    assert_eq!(
        text.lines().count(),
        3,
        "header + 2 active customers: {text}"
    );
    assert!(!text.contains(&format!("\r\n{archived},")));

    let (_, _, csv) = export(
        app,
        "/api/v1/exports/customers?bom=true&line_ending=lf&q=acme",
    )
    .await;
    assert!(csv.starts_with(b"\xEF\xBB\xBFCustomer ID,"));
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    assert!(!text.contains('\r'));
    assert_eq!(text.lines().count(), 2, "{text}");

    let (_, _, csv) = export(app, "/api/v1/exports/contacts?line_ending=lf").await;
    let text = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Customer ID,Customer Name,Contact ID,First Name,Last Name,Email,Phone,Mobile,Fax,Language,Position,Primary");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].ends_with(",yes"));
    assert!(lines[2].contains(",Bob,'=1+1,,'-,"), "{text}");

    let (s, e) = app.get("/api/v1/exports/customers?line_ending=cr").await;
    assert_eq!(s, 400, "{e}");
    let (s, _) = app.get("/api/v1/exports/customers?per_page=0").await;
    assert_eq!(s, 200, "paging does not apply to exports");
}

/// The export reads 2,000 rows at a time and reads the next batch while formatting one: 4,000
/// customers end exactly on a batch boundary (an empty last read), and the group filter picks
/// 2,667 rows, so its export reads two batches too.
async fn an_export_of_several_batches_has_every_row_once_in_order(app: &TestApp) {
    let (_, group) = app
        .post("/api/v1/groups", json!({"name": "Two in three"}))
        .await;
    let mut csv = String::from("Customer Name,Primary Email,Customer Group,extra:Code\r\n");
    for i in 1..=4000 {
        let group = if i % 3 != 0 { "Two in three" } else { "" };
        csv.push_str(&format!("Bulk {i:04},b{i}@bulk.test,{group},K{i}\r\n"));
    }
    let (s, report) = app.import(csv.into_bytes()).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["created"], 4000, "{report}");

    let (s, _, body) = export(app, "/api/v1/exports/customers?line_ending=lf").await;
    assert_eq!(s, 200);
    let text = String::from_utf8(body.clone()).expect("utf-8");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let name_at = header
        .iter()
        .position(|h| *h == "Customer Name")
        .expect("name");
    let email_at = header
        .iter()
        .position(|h| *h == "Primary Email")
        .expect("email");
    let code_at = header
        .iter()
        .position(|h| *h == "extra:Code")
        .expect("code");
    let group_at = header
        .iter()
        .position(|h| *h == "Customer Group")
        .expect("group");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4000);
    let mut last_id = 0;
    for (n, row) in rows.iter().enumerate() {
        let i = n + 1;
        let id: i64 = row[0].parse().expect("id");
        assert!(id > last_id, "ids in order: {id} after {last_id}");
        last_id = id;
        assert_eq!(row[name_at], format!("Bulk {i:04}"));
        assert_eq!(row[email_at], format!("b{i}@bulk.test"));
        assert_eq!(row[code_at], format!("K{i}"));
        assert_eq!(row[group_at], if i % 3 != 0 { "Two in three" } else { "" });
    }

    let (_, _, thirds) = export(
        app,
        &format!(
            "/api/v1/exports/customers?line_ending=lf&group_id={}",
            group["id"]
        ),
    )
    .await;
    let names: Vec<String> = String::from_utf8(thirds)
        .expect("utf-8")
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(name_at).expect("name").to_owned())
        .collect();
    let expected: Vec<String> = (1..=4000)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("Bulk {i:04}"))
        .collect();
    assert_eq!(names, expected);

    let (_, _, contacts) = export(app, "/api/v1/exports/contacts?line_ending=lf").await;
    let contacts = String::from_utf8(contacts).expect("utf-8");
    let emails: Vec<&str> = contacts
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(5).expect("email"))
        .collect();
    let expected: Vec<String> = (1..=4000).map(|i| format!("b{i}@bulk.test")).collect();
    assert_eq!(emails, expected);

    let (s, report) = app.import(body).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["unchanged"], 4000, "{report}");
}
