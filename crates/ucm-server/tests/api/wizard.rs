//! The step-wise import the SPA's wizard uses: upload once, detect, map, preview, commit,
//! report.

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    the_wizard_uploads_maps_previews_commits_and_reports,
    unusable_uploads_are_refused_and_not_kept,
    a_preview_shows_what_each_row_would_do_to_existing_customers,
);

pub(crate) async fn upload(
    app: &TestApp,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let r = app
        .req(
            Method::POST,
            &format!("/api/v1/imports?name={}", urlencode(name)),
        )
        .header(header::CONTENT_TYPE, content_type)
        .body(bytes);
    read(r.send().await.expect("send")).await
}

/// Windows-1252, `;`-delimited, a preamble line, a column the automatic match does not
/// know ("Handy"), two rows for one company, and a row with a bad credit.
fn messy_file() -> Vec<u8> {
    let text = "Exported by Kundenliste 3.1\r\n\
                Company;First Name;Last Name;Email;Handy;Credit\r\n\
                M\u{fc}ller GmbH;Anna;M\u{fc}ller;anna@mueller.test;0171 555;12,50\r\n\
                M\u{fc}ller GmbH;Bernd;Schmidt;bernd@mueller.test;0172 666;\r\n\
                Beta AG;Carla;Beta;carla@beta.test;;zw\u{f6}lf\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

async fn the_wizard_uploads_maps_previews_commits_and_reports(app: &TestApp) {
    let (status, up) = upload(app, "kunden.csv", "text/csv", messy_file()).await;
    assert_eq!(status, 201, "{up}");
    let id = up["id"].as_str().expect("id").to_owned();
    assert_eq!(up["file_name"], "kunden.csv");
    assert_eq!(up["encoding"], "windows-1252");
    assert_eq!(up["delimiter"], ";");
    assert_eq!(up["header_row"], 2);
    assert_eq!(up["data_rows"], 3);
    assert_eq!(up["columns"][0]["header"], "Company");
    assert_eq!(up["columns"][0]["field"], "customer_name");
    assert_eq!(
        up["columns"][0]["samples"],
        json!(["Müller GmbH", "Beta AG"])
    );
    assert_eq!(up["columns"][4]["header"], "Handy");
    assert_eq!(up["columns"][4]["field"], Value::Null);
    assert_eq!(up["columns"][4]["samples"], json!(["0171 555", "0172 666"]));
    assert!(up["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .any(|f| f["name"] == "contact.mobile" && f["label"] == "Contact mobile"));
    assert!(up.get("report").is_none(), "{up}");
    let (status, again) = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(again, up);

    // A mapping naming a column or field that does not exist is refused, naming it.
    for bad in [
        json!({"columns": [{"column": 9, "field": "contact.mobile"}]}),
        json!({"columns": [{"column": 5, "field": "contact.handy"}]}),
        json!({"columns": [{"column": 5, "field": "contact.mobile"}, {"column": 5, "field": null}]}),
        json!({"columns": [{"column": 0, "field": null}]}),
    ] {
        let (status, problem) = app
            .post(&format!("/api/v1/imports/{id}/preview"), bad.clone())
            .await;
        assert_eq!(status, 422, "{bad} -> {problem}");
        assert!(problem["errors"]["columns"].is_array(), "{problem}");
    }
    let (status, problem) = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            json!({"match_nme": true}),
        )
        .await;
    assert_eq!(status, 422, "unknown settings are refused: {problem}");

    let settings = json!({"columns": [{"column": 5, "field": "contact.mobile"}]});
    let (status, preview) = app
        .post(&format!("/api/v1/imports/{id}/preview"), settings.clone())
        .await;
    assert_eq!(status, 200, "{preview}");
    let report = &preview["report"];
    assert_eq!(report["dry_run"], true);
    assert_eq!(
        (
            &report["created"],
            &report["updated"],
            &report["skipped_total"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{report}"
    );
    let rows = preview["rows"].as_array().expect("rows");
    let actions: Vec<(&Value, &Value)> = rows.iter().map(|r| (&r["row"], &r["action"])).collect();
    assert_eq!(
        actions,
        vec![
            (&json!(3), &json!("create")),
            (&json!(4), &json!("update")),
            (&json!(5), &json!("skip"))
        ]
    );
    assert_eq!(rows[0]["cells"][0], "Müller GmbH");
    let reason = rows[2]["problems"][0].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("credit (column 6 \"Credit\")"),
        "the skipped row names field and column: {reason}"
    );
    assert_eq!(report["skipped"][0]["row"], 5);
    assert_eq!(app.rows("customers").await, 0, "a preview writes nothing");
    let (status, _) = app.get(&format!("/api/v1/imports/{id}/report")).await;
    assert_eq!(status, 404, "no report before the import");

    let (status, committed) = app
        .post(&format!("/api/v1/imports/{id}/commit"), settings.clone())
        .await;
    assert_eq!(status, 200, "{committed}");
    assert_eq!(committed["dry_run"], false);
    assert_eq!(committed["created"], 1);
    assert_eq!(committed["contacts_created"], 2);
    let (_, found) = app.get("/api/v1/customers?q=M%C3%BCller").await;
    assert_eq!(found["total"], 1, "{found}");
    let cid = found["items"][0]["id"].as_i64().expect("id");
    let (_, full) = app.get(&format!("/api/v1/customers/{cid}")).await;
    assert_eq!(full["credit"], 1250, "{full}");
    let (_, contacts) = app.get(&format!("/api/v1/customers/{cid}/contacts")).await;
    let mut mobiles: Vec<&str> = contacts
        .as_array()
        .or(contacts["items"].as_array())
        .expect("contacts")
        .iter()
        .map(|c| c["mobile"].as_str().unwrap_or_default())
        .collect();
    mobiles.sort_unstable();
    assert_eq!(
        mobiles,
        vec!["0171 555", "0172 666"],
        "the re-mapped column, leading zeros kept"
    );
    assert_eq!(
        app.search("Beta AG").await,
        Vec::<String>::new(),
        "the bad row wrote nothing"
    );

    // Imported once: a second commit is refused and the report stays readable.
    let (status, problem) = app
        .post(&format!("/api/v1/imports/{id}/commit"), settings)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(app.rows("customers").await, 1);
    let (status, stored) = app.get(&format!("/api/v1/imports/{id}/report")).await;
    assert_eq!(status, 200);
    assert_eq!(stored, committed);
    let (_, up) = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(up["report"], committed);

    assert_eq!(app.delete(&format!("/api/v1/imports/{id}")).await, 204);
    let (status, _) = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(
        app.rows("customers").await,
        1,
        "forgetting an upload keeps its customers"
    );
}

async fn unusable_uploads_are_refused_and_not_kept(app: &TestApp) {
    let (status, problem) = upload(app, "empty.csv", "text/csv", Vec::new()).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["file"].is_array(), "{problem}");
    let (status, problem) = upload(app, "x.csv", "text/csv", b"foo,bar\n1,2\n".to_vec()).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"]["file"][0]
            .as_str()
            .unwrap_or_default()
            .contains("no header row"),
        "{problem}"
    );
    let (status, problem) = upload(
        app,
        "q.csv",
        "text/csv",
        b"Name,Email,Phone\nAcme,\"a@x.test,1\nBeta,b@x.test,2\nGamma,g@x.test,3\nDelta,d@x.test,4\n"
            .to_vec(),
    )
    .await;
    assert_eq!(status, 422, "an unclosed quote: {problem}");
    let (status, _) = upload(app, "x.json", "application/json", b"{}".to_vec()).await;
    assert_eq!(status, 415);
    let (status, problem) = upload(app, "big.csv", "text/csv", vec![b'a'; 1024 * 1024 + 1]).await;
    assert_eq!(status, 413, "{problem}");
    let (status, problem) = upload(
        app,
        "../../x\u{202e}.csv",
        "text/csv",
        b"Name\nAcme\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{problem}");
    assert_eq!(
        problem["file_name"], "x.csv",
        "the name loses its path and bidi override"
    );
    let (status, _) = app
        .req(Method::POST, "/api/v1/imports")
        .header(header::CONTENT_TYPE, "text/csv")
        .body(b"Name\nAcme\n".to_vec())
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("send");
    assert_eq!(status, 201, "a name is optional");
    // Nothing but the two good uploads is kept, and no id names anything else.
    let kept = std::fs::read_dir(app.data_dir().join("imports"))
        .expect("imports dir")
        .count();
    assert_eq!(kept, 2);
    for bad in [
        "0123456789abcdef0123456789abcdef",
        "..%2F..%2Fjwt-secret",
        "zz",
    ] {
        let (status, _) = app.get(&format!("/api/v1/imports/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
    }
    let (status, _) = app
        .post(
            "/api/v1/imports/0123456789abcdef0123456789abcdef/commit",
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
}

async fn a_preview_shows_what_each_row_would_do_to_existing_customers(app: &TestApp) {
    let acme = app
        .customer(json!({"customer_name": "Acme", "primary_contact": {"first_name": "Al", "email": "al@acme.test", "phone": "07 1"}}))
        .await;
    let file = b"Customer Name,Email,Phone\n\
                 Acme,al@acme.test,07 1\n\
                 Acme,al@acme.test,07 2\n\
                 New Co,new@co.test,\n"
        .to_vec();
    let (status, up) = upload(app, "a.csv", "text/csv", file).await;
    assert_eq!(status, 201, "{up}");
    let id = up["id"].as_str().expect("id");
    let (status, preview) = app
        .post(&format!("/api/v1/imports/{id}/preview"), json!({}))
        .await;
    assert_eq!(status, 200, "{preview}");
    let rows = preview["rows"].as_array().expect("rows");
    assert_eq!(rows[0]["action"], "unchanged");
    assert_eq!(rows[0]["customer_id"], acme);
    assert_eq!(rows[1]["action"], "update");
    assert_eq!(rows[1]["customer_id"], acme);
    assert!(
        rows[1]["problems"][0]
            .as_str()
            .unwrap_or_default()
            .contains("also on line 2"),
        "{preview}"
    );
    assert_eq!(rows[2]["action"], "create");
    assert!(rows[2].get("customer_id").is_none());
    // Matching by email switched off: Acme still matches by name.
    let (_, by_name) = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            json!({"match_email": false}),
        )
        .await;
    assert_eq!(by_name["rows"][0]["customer_id"], acme);
    // All or nothing with nothing to skip previews normally; matching switched off creates.
    let (_, none) = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            json!({"match_email": false, "match_name": false, "all_or_nothing": true}),
        )
        .await;
    assert_eq!(none["report"]["created"], 3, "{none}");
    let (_, phone) = app.get(&format!("/api/v1/customers/{acme}")).await;
    assert_eq!(
        phone["primary_contact"]["phone"], "07 1",
        "previews write nothing"
    );
}
