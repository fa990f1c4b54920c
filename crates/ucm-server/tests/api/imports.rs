use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both;

on_both!(
    ucm_export_imports_all_customers_and_reimport_changes_nothing,
    invoice_ninja_export_with_preamble_and_duplicate_phone_imports,
    import_reports_bad_rows_and_never_blanks_existing_values,
    a_dry_run_writes_nothing,
    matching_switches_clear_blanks_and_shared_ids,
    every_sample_file_imports_with_the_expected_counts,
    an_all_or_nothing_import_that_fails_on_one_row_writes_nothing,
    columns_can_be_remapped_and_ignored,
    numbered_contact_groups_add_contacts,
    damaged_utf8_keeps_its_accents_and_reports_the_bad_line,
    a_notes_column_adds_each_text_once,
    a_file_of_many_batches_lands_every_contact_on_its_customer,
    rows_after_a_batch_went_to_the_writer_see_its_customers,
);

fn count(report: &Value, key: &str) -> u64 {
    report[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {report}"))
}

async fn all_customers(app: &TestApp) -> Vec<Value> {
    let (_, page) = app.get("/api/v1/customers?per_page=200&archived=all").await;
    page["items"].as_array().expect("items").clone()
}

async fn ucm_export_imports_all_customers_and_reimport_changes_nothing(app: &TestApp) {
    let (status, report) = app.import(sample("ucm_customer_export.csv")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(count(&report, "created"), 10);
    assert_eq!(count(&report, "contacts_created"), 10);
    assert_eq!(report["skipped"], json!([]));
    assert_eq!(report["warnings"], json!([]));
    assert_eq!(report["encoding"], "UTF-8");
    assert_eq!(report["mapped_columns"].as_array().map(Vec::len), Some(22));
    assert_eq!(
        report["ignored_columns"],
        json!([]),
        "the trailing empty column is not reported"
    );
    let customers = all_customers(app).await;
    assert_eq!(customers.len(), 10);
    let gamma = customers
        .iter()
        .find(|c| c["customer_name"] == "Gamma, \"Quoted\" & Co")
        .expect("quoted name kept");
    assert_eq!(gamma["primary_contact"]["email"], "carol@gamma.test");
    let (_, full) = app.get(&format!("/api/v1/customers/{}", gamma["id"])).await;
    assert_eq!(full["address"]["line_1"], "333 Collins St");
    assert_eq!(full["address"]["post_code"], "3000");
    assert_eq!(
        full["default_tax"],
        Value::Null,
        "-1.00 means the system tax"
    );
    let bobs = customers
        .iter()
        .find(|c| c["customer_name"] == "Bobs Printing Service")
        .expect("bobs");
    let (_, contacts) = app
        .get(&format!("/api/v1/customers/{}/contacts", bobs["id"]))
        .await;
    assert_eq!(contacts[0]["mobile"], "+61419789789");
    assert_eq!(contacts[0]["fax"], "+61 7 56 321 654");
    assert_eq!(contacts[0]["language"], "en");

    let (status, again) = app.import(sample("ucm_customer_export.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            count(&again, "created"),
            count(&again, "updated"),
            count(&again, "unchanged")
        ),
        (0, 0, 10),
        "{again}"
    );
    assert_eq!(all_customers(app).await.len(), 10);
}

async fn invoice_ninja_export_with_preamble_and_duplicate_phone_imports(app: &TestApp) {
    let (status, report) = app
        .import(sample("invoiceninja_v4_clients_export.csv"))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["header_row"], 4);
    assert_eq!(count(&report, "created"), 20);
    assert_eq!(report["skipped"], json!([]));
    let ignored: Vec<&str> = report["ignored_columns"]
        .as_array()
        .expect("ignored")
        .iter()
        .filter_map(|c| c["header"].as_str())
        .collect();
    assert!(
        ignored.contains(&"Balance") && ignored.contains(&"Shipping Street"),
        "{ignored:?}"
    );
    let phones: Vec<u64> = report["mapped_columns"]
        .as_array()
        .expect("mapped")
        .iter()
        .filter(|m| m["header"] == "Phone")
        .map(|m| m["column"].as_u64().expect("col"))
        .collect();
    assert_eq!(
        phones,
        vec![19, 26],
        "both Phone columns are mapped, neither silently dropped"
    );
    let (_, page) = app.get("/api/v1/customers?q=Bradly").await;
    let id = page["items"][0]["id"].as_i64().expect("id");
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(c["address"]["post_code"], "05144", "leading zero kept");
    assert_eq!(c["address"]["state"], "Colorado");
    assert_eq!(c["primary_contact"]["first_name"], "Pink");
    assert_eq!(c["primary_contact"]["phone"], "1-995-790-2394 x58884");

    let (_, again) = app
        .import(sample("invoiceninja_v4_clients_export.csv"))
        .await;
    assert_eq!(
        (count(&again, "created"), count(&again, "unchanged")),
        (0, 20),
        "{again}"
    );
    assert_eq!(all_customers(app).await.len(), 20);
}

async fn import_reports_bad_rows_and_never_blanks_existing_values(app: &TestApp) {
    let id = app
        .customer(json!({"customer_name": "Keep Me", "address": {"suburb": "Hobart"}, "primary_contact": {"first_name": "K", "email": "k@keep.test", "phone": "111"}}))
        .await;
    let csv = "Customer Name;Email;Phone;Credit;City\n\
               Keep Me;k@keep.test;;12,50;\n\
               ;;;;\n\
               Bad Email;not-an-email;;;\n\
               Bad Money;m@x.test;;1,234;\n\
               Ragged;r@x.test\n\
               Zoë;z@x.test;0011;;\n";
    let (status, report) = app.import(csv.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["delimiter"], ";");
    assert_eq!(
        (count(&report, "created"), count(&report, "updated")),
        (1, 1),
        "{report}"
    );
    let skipped: Vec<u64> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["row"].as_u64().expect("row"))
        .collect();
    assert_eq!(skipped, vec![4, 5, 6], "{report}");
    assert!(
        report["skipped"][1]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("credit (column 4 \"Credit\")"),
        "the reason names the field and the column: {report}"
    );
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(c["credit"], 1250);
    assert_eq!(
        c["address"]["suburb"], "Hobart",
        "a blank cell leaves the value alone"
    );
    assert_eq!(c["primary_contact"]["phone"], "111");
    assert_eq!(app.search("zoe").await, vec!["Zoë"]);
    let (_, page) = app.get("/api/v1/customers?q=z@x.test").await;
    assert_eq!(
        page["items"][0]["primary_contact"]["phone"], "0011",
        "leading zeros kept"
    );

    let latin1 = b"name,email\nJ\xf6hn D\xf6e,john.doe@example.com\n".to_vec();
    let (_, report) = app.import(latin1).await;
    assert_eq!(report["encoding"], "windows-1252");
    assert_eq!(app.search("john doe").await, vec!["Jöhn Döe"]);

    let (status, problem) = app.import(b"foo,bar\n1,2\n".to_vec()).await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = app.import(Vec::new()).await;
    assert_eq!(status, 422);
    let res = app
        .req(reqwest::Method::POST, "/api/v1/imports/customers")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 415);
    let (status, _) = app.import(vec![b'a'; 2 * 1024 * 1024]).await;
    assert_eq!(status, 413);
}

async fn a_dry_run_writes_nothing(app: &TestApp) {
    let res = app
        .req(
            reqwest::Method::POST,
            "/api/v1/imports/customers?dry_run=true",
        )
        .header("content-type", "text/csv")
        .body(sample("ucm_customer_export.csv"))
        .send()
        .await
        .expect("send");
    let (status, report) = read(res).await;
    assert_eq!(status, 200);
    assert_eq!(report["dry_run"], true);
    assert_eq!(count(&report, "created"), 10);
    assert!(all_customers(app).await.is_empty());
}

async fn matching_switches_clear_blanks_and_shared_ids(app: &TestApp) {
    let first = "Customer Name,Primary Phone,Primary Email,Address Suburb\r\n\
                 Acme,0400 111 222,ann@acme.test,Brisbane\r\n";
    let (s, r) = app.import(first.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1);

    // Blank cells keep values by default, clear them when asked, and only in the file's columns.
    let blanks = "Customer Name,Primary Phone,Primary Email\r\nAcme,,ann@acme.test\r\n";
    let (_, r) = app.import(blanks.as_bytes().to_vec()).await;
    assert_eq!(r["unchanged"], 1, "{r}");
    let (_, r) = app
        .import_with("clear_blanks=true", blanks.as_bytes().to_vec())
        .await;
    assert_eq!(r["updated"], 1, "{r}");
    let (_, page) = app.get("/api/v1/customers?q=acme").await;
    let id = page["items"][0]["id"].as_i64().expect("id");
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(c["primary_contact"]["phone"], "");
    assert_eq!(
        c["address"]["suburb"], "Brisbane",
        "not a column of the file"
    );

    // Groups in the file are added; with clear_blanks the file's list replaces them.
    let groups_of = |c: &Value| -> Vec<String> {
        let mut g: Vec<String> = c["groups"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|g| g["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        g.sort();
        g
    };
    let with_group = |g: &str| format!("Customer Name,Customer Group\r\nAcme,{g}\r\n").into_bytes();
    app.import(with_group("\"North, South\"")).await;
    app.import(with_group("West")).await;
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(groups_of(&c), ["North", "South", "West"]);
    let (_, r) = app
        .import_with("clear_blanks=true", with_group("West"))
        .await;
    assert_eq!(r["updated"], 1, "{r}");
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(groups_of(&c), ["West"]);
    let (_, r) = app.import_with("clear_blanks=true", with_group("")).await;
    assert_eq!(r["updated"], 1, "{r}");
    let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
    assert!(groups_of(&c).is_empty(), "{c}");

    // Switching off name and email matching makes the same row a new customer.
    let (_, r) = app
        .import_with(
            "match_name=false&match_email=false",
            "Customer Name\r\nAcme\r\n".as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r["created"], 1, "{r}");
    let (_, page) = app.get("/api/v1/customers?q=acme").await;
    assert_eq!(page["total"], 2);

    // Rows sharing another system's Customer ID become one customer with several contacts;
    // an email given twice in the file is reported.
    let shared = "Customer ID,Customer Name,Primary Contact First Name,Primary Email\r\n\
                  9001,Beta Bakery,Bob,bob@beta.test\r\n\
                  9001,Beta Bakery Pty Ltd,Bea,bea@beta.test\r\n\
                  9002,Gamma,Gus,bob@beta.test\r\n";
    let (s, r) = app.import(shared.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1, "{r}");
    assert_eq!(r["contacts_created"], 2, "{r}");
    // Gamma's row gives Bob's email: it would rename Beta, so it is skipped, naming both lines.
    assert_eq!(r["skipped"][0]["row"], 4, "{r}");
    let reason = r["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("bob@beta.test is also on line 2"),
        "{reason}"
    );
    assert!(reason.contains("\"Gamma\""), "{reason}");
    // The same email on a later row of the same customer is applied and warned about.
    let again = "Customer Name,Primary Contact First Name,Primary Email\r\n\
                 Zeta,Zed,zed@zeta.test\r\n\
                 Zeta,Zed,ZED@zeta.test\r\n";
    let (_, r) = app.import(again.as_bytes().to_vec()).await;
    assert_eq!(r["created"], 1, "{r}");
    assert!(
        r["warnings"]
            .to_string()
            .contains("zed@zeta.test is also on line 2"),
        "{r}"
    );
    // Another system's ids need not be numbers: rows sharing one land on one customer.
    let foreign = "Customer ID,Customer Name,Primary Contact First Name,Primary Email\r\n\
                   X-77,Foreign Co,Fi,f1@foreign.test\r\n\
                   X-77,Foreign Co,Fo,f2@foreign.test\r\n\
                   X-77,Foreign Co Other,Fu,f3@foreign.test\r\n";
    let (_, r) = app.import(foreign.as_bytes().to_vec()).await;
    assert_eq!(r["created"], 1, "{r}");
    assert_eq!(r["contacts_created"], 3, "{r}");
    let (_, page) = app.get("/api/v1/customers?q=beta").await;
    assert_eq!(page["total"], 1, "{page}");
    let beta = page["items"][0]["id"].as_i64().expect("id");
    let (_, contacts) = app.get(&format!("/api/v1/customers/{beta}/contacts")).await;
    assert_eq!(contacts.as_array().map(Vec::len), Some(2), "{contacts}");
    // A customer created and then given a second contact by the same import is searchable in
    // its final form (SQLite indexes an import's new customers once, at its end).
    let (_, page) = app.get("/api/v1/customers?q=bea%40beta").await;
    assert_eq!(page["total"], 1, "{page}");

    // A customer that existed before the import stays searchable by what the import changed.
    let (_, stored) = app.get(&format!("/api/v1/customers/{beta}")).await;
    let name = stored["customer_name"].as_str().expect("name");
    let more = format!(
        "Customer Name,Primary Contact First Name,Primary Email\r\n{name},Cy,cy.newcontact@beta.test\r\n"
    );
    let (s, r) = app.import(more.into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["updated"], 1, "{r}");
    let (_, page) = app.get("/api/v1/customers?q=newcontact").await;
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["id"], beta, "{page}");
}

async fn every_sample_file_imports_with_the_expected_counts(app: &TestApp) {
    // (file, rows read, created, updated, skipped, contacts created), each into the same
    // database in this order, so later files also meet earlier ones' customers: Chatwoot's
    // "existing contacts" file is an upsert of three contacts of the first Chatwoot file (by
    // email), which gain their phone numbers; the "invalid contacts" file repeats three of them
    // (one email twice for two different people: that row is skipped with both lines named)
    // and has 22 ragged rows, each reported by its line; Zoho lists the
    // company "Defenders" on two rows, which become one customer with two contacts.
    let expected: [(&str, u64, u64, u64, u64, u64); 17] = [
        ("HEADER_ONLY_google_contacts_current.csv", 0, 0, 0, 0, 0),
        (
            "HEADER_ONLY_google_contacts_legacy_google_csv.csv",
            0,
            0,
            0,
            0,
            0,
        ),
        ("HEADER_ONLY_mailchimp_audience_export.csv", 0, 0, 0, 0, 0),
        ("HEADER_ONLY_outlook_classic_export.csv", 0, 0, 0, 0, 0),
        ("chatwoot_contacts.csv", 25, 25, 0, 0, 25),
        ("chatwoot_existing_contacts.csv", 3, 0, 3, 0, 0),
        ("chatwoot_invalid_bytes.RECONSTRUCTED.csv", 2, 2, 0, 0, 2),
        ("chatwoot_invalid_contacts.csv", 25, 0, 2, 23, 0),
        ("chatwoot_with_bom.RECONSTRUCTED.csv", 1, 1, 0, 0, 1),
        ("chatwoot_with_emoji.csv", 1, 1, 0, 0, 1),
        ("chatwoot_with_utf8_bom.RECONSTRUCTED.csv", 1, 1, 0, 0, 1),
        ("invoiceninja_freshbooks_clients_export.csv", 2, 2, 0, 0, 2),
        ("invoiceninja_invoicely_clients_export.csv", 2, 2, 0, 0, 2),
        ("invoiceninja_v4_clients_export.csv", 20, 20, 0, 0, 20),
        ("invoiceninja_wave_clients_export.csv", 4, 4, 0, 0, 4),
        ("invoiceninja_zoho_contacts_export.csv", 5, 4, 1, 0, 5),
        ("ucm_customer_export.csv", 10, 10, 0, 0, 10),
    ];
    let mut fresh = 0;
    for (file, rows, created, updated, skipped, contacts) in expected {
        let (s, r) = app.import(sample(file)).await;
        if rows == 0 {
            // Header-only files: the columns a person expects are recognised.
            assert_eq!(s, 200, "{file}: {r}");
            let fields: Vec<&str> = r["mapped_columns"]
                .as_array()
                .expect("mapped")
                .iter()
                .filter_map(|m| m["field"].as_str())
                .collect();
            for f in ["contact.email", "contact.first_name", "contact.last_name"] {
                assert!(fields.contains(&f), "{file} maps no {f}: {fields:?}");
            }
            continue;
        }
        assert_eq!(s, 200, "{file}: {r}");
        let got = (
            count(&r, "rows_read"),
            count(&r, "created"),
            count(&r, "updated"),
            r["skipped"].as_array().map_or(0, |a| a.len() as u64),
            count(&r, "contacts_created"),
        );
        assert_eq!(
            got,
            (rows, created, updated, skipped, contacts),
            "{file}: {r}"
        );
        fresh += created;
    }
    let (_, page) = app.get("/api/v1/customers?per_page=1").await;
    assert_eq!(page["total"], fresh);
    // Values that a careless importer mangles.
    for (q, name) in [("Jöhn", "Jöhn Döe"), ("🏠", "T 🏠 🔥 Test")] {
        let (_, page) = app
            .get(&format!("/api/v1/customers?q={}", urlencode(q)))
            .await;
        assert!(page["items"].to_string().contains(name), "{q}: {page}");
    }
    let csv = app
        .req(reqwest::Method::GET, "/api/v1/exports/customers")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(
        csv.contains(",05144,"),
        "the leading zero of a post code survives"
    );
}

async fn an_all_or_nothing_import_that_fails_on_one_row_writes_nothing(app: &TestApp) {
    let csv = "Customer Name,Email,Credit\n\
               One,one@x.test,1.00\n\
               Two,two@x.test,2.00\n\
               Three,not an email,3.00\n\
               Four,four@x.test,1,234\n";
    let before = app.rows("customers").await;
    let (s, e) = app
        .import_with("all_or_nothing=true", csv.as_bytes().to_vec())
        .await;
    assert_eq!(s, 422, "{e}");
    let problems = e["errors"]["file"].to_string();
    assert!(problems.contains("line 4"), "{e}");
    assert!(problems.contains("line 5"), "{e}");
    assert_eq!(app.rows("customers").await, before, "nothing written");
    assert_eq!(app.rows("contacts").await, 0);
    // An unclosed quote would swallow the rest of the file into one cell: refused, with the line.
    let broken = "Customer Name,Email,Phone\nAcme,\"a@x.test,1\nBeta,b@x.test,2\nGamma,g@x.test,3\nDelta,d@x.test,4\n";
    let (s, e) = app.import(broken.as_bytes().to_vec()).await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["errors"]["file"][0]
            .as_str()
            .unwrap_or("")
            .contains("line 2"),
        "{e}"
    );
    assert_eq!(app.rows("customers").await, before, "nothing written");
    // Without the switch the good rows land and the bad ones are listed.
    let (s, r) = app.import(csv.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(count(&r, "created"), 2, "{r}");
}

async fn columns_can_be_remapped_and_ignored(app: &TestApp) {
    let csv = "Customer Name,E-mail,Phone,Memo\nAcme,ann@acme.test,0400 111 222,VIP\n";
    let (s, r) = app
        .import_with(
            &format!(
                "columns={}",
                urlencode("2=ignore,3=contact.mobile,4=groups")
            ),
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let fields: Vec<String> = r["mapped_columns"]
        .as_array()
        .expect("mapped")
        .iter()
        .map(|m| format!("{}={}", m["column"], m["field"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        fields,
        vec!["1=customer_name", "3=contact.mobile", "4=groups"],
        "{r}"
    );
    assert_eq!(r["ignored_columns"][0]["header"], "E-mail");
    assert_eq!(r["ignored_columns"][0]["non_empty_cells"], 1);
    let (_, page) = app.get("/api/v1/customers?q=acme").await;
    let id = page["items"][0]["id"].as_i64().expect("id");
    let (_, c) = app.get(&format!("/api/v1/customers/{id}/contacts")).await;
    assert_eq!(c[0]["mobile"], "0400 111 222");
    assert_eq!(c[0]["email"], "");
    assert_eq!(page["items"][0]["groups"], json!(["VIP"]));

    for bad in ["9=credit", "2=emial", "x=credit", "2=credit,2=ignore"] {
        let (s, e) = app
            .import_with(
                &format!("columns={}", urlencode(bad)),
                csv.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(s, 422, "{bad}: {e}");
        assert!(e["errors"]["columns"].is_array(), "{bad}: {e}");
    }
}

async fn numbered_contact_groups_add_contacts(app: &TestApp) {
    let file = "Customer Name,Primary Contact First Name,Primary Email,Contact 2 First Name,Contact 2 Last Name,\
                Contact 2 Email,Contact 2 Mobile,Contact #3 Name,contact3_email\r\n\
                Delta Design,Dee,dee@delta.test,Dan,Dorsey,dan@delta.test,0400 000 002,Deb Diaz,deb@delta.test\r\n\
                Echo Events,Eve,eve@echo.test,,,,,,\r\n\
                Foxtrot,Fay,fay@fox.test,Fred,,not-an-email,,,\r\n";
    let (s, r) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(count(&r, "rows_read"), 3, "{r}");
    assert_eq!(count(&r, "created"), 2, "{r}");
    assert_eq!(count(&r, "contacts_created"), 4, "{r}");
    assert_eq!(r["skipped"][0]["row"], 4, "{r}");
    let reason = r["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("contact2.email (column 6 \"Contact 2 Email\")"),
        "{reason}"
    );
    let mapped: Vec<&str> = r["mapped_columns"]
        .as_array()
        .expect("mapped")
        .iter()
        .filter_map(|m| m["field"].as_str())
        .collect();
    assert_eq!(
        mapped,
        [
            "customer_name",
            "contact.first_name",
            "contact.email",
            "contact2.first_name",
            "contact2.last_name",
            "contact2.email",
            "contact2.mobile",
            "contact3.name",
            "contact3.email"
        ]
    );

    let (_, page) = app.get("/api/v1/customers?q=deb%40delta").await;
    assert_eq!(
        page["total"], 1,
        "the group's contact is searchable: {page}"
    );
    let delta = page["items"][0]["id"].as_i64().expect("id");
    let (_, contacts) = app
        .get(&format!("/api/v1/customers/{delta}/contacts"))
        .await;
    let contacts = contacts.as_array().expect("contacts").clone();
    assert_eq!(contacts.len(), 3, "{contacts:?}");
    assert_eq!(
        contacts[0]["email"], "dee@delta.test",
        "the row's own contact stays primary"
    );
    assert_eq!(contacts[0]["is_primary"], true);
    let by_email = |e: &str| {
        contacts
            .iter()
            .find(|c| c["email"] == e)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(by_email("dan@delta.test")["last_name"], "Dorsey");
    assert_eq!(
        by_email("dan@delta.test")["mobile"],
        "0400 000 002",
        "leading zero kept"
    );
    assert_eq!(by_email("deb@delta.test")["first_name"], "Deb");
    assert_eq!(by_email("deb@delta.test")["last_name"], "Diaz");
    let (_, page) = app.get("/api/v1/customers?q=foxtrot&archived=all").await;
    assert_eq!(page["total"], 0, "the bad row wrote nothing: {page}");

    // The same file again changes nothing; a changed group cell updates that contact only.
    let (_, r) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(count(&r, "unchanged"), 2, "{r}");
    assert_eq!(count(&r, "contacts_created"), 0, "{r}");
    let changed = file.replace("0400 000 002", "0400 999 002");
    let (_, r) = app.import(changed.into_bytes()).await;
    assert_eq!(count(&r, "updated"), 1, "{r}");
    assert_eq!(count(&r, "unchanged"), 1, "{r}");
    let (_, contacts) = app
        .get(&format!("/api/v1/customers/{delta}/contacts"))
        .await;
    let dan = contacts
        .as_array()
        .and_then(|a| a.iter().find(|c| c["email"] == "dan@delta.test").cloned())
        .unwrap_or_default();
    assert_eq!(dan["mobile"], "0400 999 002");

    // A group's email that is another customer's contact is not copied onto this one.
    let shared =
        "Customer Name,Primary Contact First Name,Primary Email,Contact 2 Name,Contact 2 Email\r\n\
                  NG Co,Ann,ann@ng.test,,\r\n\
                  NG4 Co,Nia,nia@ng4.test,Ann Other,ann@ng.test\r\n";
    let (_, r) = app.import(shared.as_bytes().to_vec()).await;
    assert_eq!(count(&r, "created"), 2, "{r}");
    assert_eq!(count(&r, "contacts_created"), 2, "{r}");
    assert!(
        r["warnings"]
            .to_string()
            .contains("contact2.email ann@ng.test is already a contact of customer"),
        "{r}"
    );
    let (_, r) = app.import(shared.as_bytes().to_vec()).await;
    assert_eq!(
        count(&r, "unchanged"),
        2,
        "re-importing changes nothing: {r}"
    );
    assert_eq!(r["skipped"], json!([]), "{r}");

    // The wizard offers the groups the file has, and the next one.
    let (s, up) =
        crate::wizard::upload(app, "groups.csv", "text/csv", file.as_bytes().to_vec()).await;
    assert_eq!(s, 201, "{up}");
    let fields: Vec<&str> = up["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(fields.contains(&"contact3.position"), "{fields:?}");
    assert!(fields.contains(&"contact4.email"), "{fields:?}");
    assert!(!fields.contains(&"contact5.email"), "{fields:?}");
    assert_eq!(up["columns"][5]["field"], "contact2.email", "{up}");
    let labels: Vec<&str> = up["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["label"].as_str())
        .collect();
    assert!(labels.contains(&"Contact 2 email"), "{labels:?}");
}

async fn damaged_utf8_keeps_its_accents_and_reports_the_bad_line(app: &TestApp) {
    let file = b"Customer Name,Primary Contact First Name\nRen\xC3\xA9e Caf\xC3\xA9,Ren\xC3\xA9e\nJ\xF6rg GmbH,J\xF6rg\n";
    let (s, r) = app.import(file.to_vec()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["encoding"], "UTF-8 (invalid bytes replaced)", "{r}");
    assert_eq!(count(&r, "created"), 2, "{r}");
    assert_eq!(r["warnings_total"], 1, "{r}");
    assert_eq!(r["warnings"][0]["row"], 3, "{r}");
    assert!(
        r["warnings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not valid UTF-8"),
        "{r}"
    );
    let names = app.search("caf").await;
    assert_eq!(names, ["Renée Café"], "accents are not mojibake");
}

/// UCM's `Notes` column: each distinct text becomes one note of the customer; importing the
/// same file again adds nothing, a new text adds a note, a blank cell removes nothing.
async fn a_notes_column_adds_each_text_once(app: &TestApp) {
    let notes_of = |id: i64| async move {
        let (s, page) = app.get(&format!("/api/v1/customers/{id}/notes")).await;
        assert_eq!(s, 200);
        let mut bodies: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["body"].as_str().expect("body").to_owned())
            .collect();
        bodies.sort();
        bodies
    };
    let file = "Customer Name,Primary Email,Notes\n\
        Noted Ltd,n@noted.test,\"Met at the fair.\nWants a quote, by May\"\n\
        Quiet Ltd,q@quiet.test,\n";
    let (s, report) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(count(&report, "created"), 2);
    assert_eq!(count(&report, "notes_added"), 1, "{report}");
    let mapped = report["mapped_columns"].to_string();
    assert!(mapped.contains("notes"), "{mapped}");
    let ids: Vec<(String, i64)> = all_customers(app)
        .await
        .iter()
        .map(|c| {
            (
                c["customer_name"].as_str().expect("name").to_owned(),
                c["id"].as_i64().expect("id"),
            )
        })
        .collect();
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).expect(name).1;
    assert_eq!(
        notes_of(id("Noted Ltd")).await,
        vec!["Met at the fair.\nWants a quote, by May"]
    );
    assert!(notes_of(id("Quiet Ltd")).await.is_empty());

    let (_, again) = app.import(file.as_bytes().to_vec()).await;
    assert_eq!(count(&again, "unchanged"), 2, "{again}");
    assert_eq!(count(&again, "notes_added"), 0, "{again}");
    assert_eq!(notes_of(id("Noted Ltd")).await.len(), 1);

    let (_, more) = app
        .import(b"Customer Name,Primary Email,Notes\nNoted Ltd,n@noted.test,Quote sent\nQuiet Ltd,q@quiet.test,First call\n".to_vec())
        .await;
    assert_eq!(count(&more, "updated"), 2, "{more}");
    assert_eq!(count(&more, "notes_added"), 2, "{more}");
    assert_eq!(
        notes_of(id("Noted Ltd")).await,
        vec!["Met at the fair.\nWants a quote, by May", "Quote sent"]
    );
    assert_eq!(notes_of(id("Quiet Ltd")).await, vec!["First call"]);

    let long = "x".repeat(20_001);
    let (_, bad) = app
        .import(format!("Customer Name,Notes\nLong Ltd,{long}\n").into_bytes())
        .await;
    assert_eq!(count(&bad, "created"), 0, "{bad}");
    let reason = bad["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("notes (column 2 \"Notes\")"), "{bad}");
}

/// Imports write new customers in batches on a task of their own, while later rows are
/// matched; ids are worked out per batch. Every contact, group and note must still land on the
/// customer of its row, and rows naming a customer of a batch not yet written must find it.
async fn a_file_of_many_batches_lands_every_contact_on_its_customer(app: &TestApp) {
    let mut csv =
        String::from("Customer Name,Primary Email,Primary Phone,Customer Group,Notes\r\n");
    let mut updates = 0;
    for i in 1..=1500 {
        let group = if i % 5 == 0 {
            format!("G{}", i % 3)
        } else {
            String::new()
        };
        let note = if i % 7 == 0 {
            format!("note {i}")
        } else {
            String::new()
        };
        csv.push_str(&format!("Batch {i:04},c{i}@batch.test,,{group},{note}\r\n"));
        if i % 97 == 0 {
            // The customer of the line before, still pending (not yet handed to the writer).
            let j = i - 1;
            csv.push_str(&format!("Batch {j:04},c{j}@batch.test,0400 {j},,\r\n"));
            updates += 1;
        }
    }
    let (s, r) = app.import(csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1500, "{r}");
    assert_eq!(r["updated"], updates, "{r}");
    assert_eq!(r["notes_added"], 1500 / 7, "{r}");
    assert_eq!(r["skipped"], json!([]), "{r}");

    let mut seen = 0;
    for page in 1..=8 {
        let (_, list) = app
            .get(&format!(
                "/api/v1/customers?per_page=200&sort=name&page={page}"
            ))
            .await;
        for c in list["items"].as_array().expect("items") {
            let name = c["customer_name"].as_str().expect("name");
            let i: u32 = name.trim_start_matches("Batch ").parse().expect("number");
            assert_eq!(
                c["primary_contact"]["email"],
                format!("c{i}@batch.test"),
                "{c}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 1500);
    for i in [96u32, 485, 1000, 1455] {
        let (_, list) = app
            .get(&format!("/api/v1/customers?q=Batch%20{i:04}"))
            .await;
        let id = list["items"][0]["id"].as_i64().expect("id");
        let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
        let phone = if (i + 1) % 97 == 0 {
            format!("0400 {i}")
        } else {
            String::new()
        };
        assert_eq!(c["primary_contact"]["phone"], phone, "{c}");
        let groups: Vec<&str> = c["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .filter_map(|g| g["name"].as_str())
            .collect();
        let group = format!("G{}", i % 3);
        assert_eq!(
            groups,
            if i % 5 == 0 {
                vec![group.as_str()]
            } else {
                vec![]
            },
            "{c}"
        );
        let (_, notes) = app.get(&format!("/api/v1/customers/{id}/notes")).await;
        let bodies: Vec<&str> = notes["items"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n["body"].as_str())
            .collect();
        let note = format!("note {i}");
        assert_eq!(
            bodies,
            if i % 7 == 0 {
                vec![note.as_str()]
            } else {
                vec![]
            },
            "{notes}"
        );
    }

    let (_, again) = app.import(csv.into_bytes()).await;
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["unchanged"], 1500 + updates, "{again}");
}

/// New customers go to the writer 400 at a time and later rows are matched while it writes.
/// Right after each hand-over (lines 400, 800 and 1,200 of new customers), one row gives an
/// existing customer a further contact with the email of a customer just handed over (refused
/// with a warning, as for any customer's primary email) and one updates that customer.
async fn rows_after_a_batch_went_to_the_writer_see_its_customers(app: &TestApp) {
    let beta = app.customer(json!({"customer_name": "Beta Ltd"})).await;
    let mut csv = String::from(
        "Customer Name,Primary Email,Primary Phone,Customer Group,Notes,Contact 2 Email\r\n",
    );
    for i in 1..=1200 {
        csv.push_str(&format!("Fill {i:04},f{i}@w.test,,,,\r\n"));
        if i % 400 == 0 {
            csv.push_str(&format!("Beta Ltd,,,,,f{i}@w.test\r\n"));
            csv.push_str(&format!(
                "Fill {i:04},f{i}@w.test,0500 {i},Touched,touched {i},more{i}@w.test\r\n"
            ));
        }
    }
    let (s, r) = app.import(csv.clone().into_bytes()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["created"], 1200, "{r}");
    assert_eq!(r["updated"], 3, "{r}");
    assert_eq!(r["unchanged"], 3, "{r}");
    assert_eq!(r["skipped"], json!([]), "{r}");
    let refused = r["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["message"].as_str())
        .filter(|w| w.contains("is already a contact of customer"))
        .count();
    assert_eq!(refused, 3, "{r}");
    let (_, contacts) = app.get(&format!("/api/v1/customers/{beta}/contacts")).await;
    assert_eq!(contacts, json!([]), "{contacts}");

    for i in [400, 800, 1200] {
        let (_, list) = app.get(&format!("/api/v1/customers?q=f{i}@w.test")).await;
        assert_eq!(list["total"], 1, "{list}");
        let id = list["items"][0]["id"].as_i64().expect("id");
        let (_, c) = app.get(&format!("/api/v1/customers/{id}")).await;
        assert_eq!(c["primary_contact"]["email"], format!("f{i}@w.test"), "{c}");
        assert_eq!(c["primary_contact"]["phone"], format!("0500 {i}"), "{c}");
        assert_eq!(c["groups"][0]["name"], "Touched", "{c}");
        let (_, contacts) = app.get(&format!("/api/v1/customers/{id}/contacts")).await;
        let emails: Vec<&str> = contacts
            .as_array()
            .expect("contacts")
            .iter()
            .filter_map(|k| k["email"].as_str())
            .collect();
        assert_eq!(emails.len(), 2, "{contacts}");
        assert!(
            emails.contains(&format!("more{i}@w.test").as_str()),
            "{contacts}"
        );
        let (_, notes) = app.get(&format!("/api/v1/customers/{id}/notes")).await;
        assert_eq!(notes["items"][0]["body"], format!("touched {i}"), "{notes}");
    }

    let (_, again) = app.import(csv.into_bytes()).await;
    assert_eq!(again["created"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
    assert_eq!(again["unchanged"], 1206, "{again}");
}
