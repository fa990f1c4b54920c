use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both;

/// method, path, content type, body, expected status, expected problem type
type Case<'a> = (Method, &'a str, Option<&'a str>, Vec<u8>, u16, &'a str);

on_both!(
    malformed_requests_get_a_problem_with_the_right_status,
    the_spa_is_served_for_deep_links
);

async fn malformed_requests_get_a_problem_with_the_right_status(app: &TestApp) {
    let send = |method: Method, path: &str, ctype: Option<&str>, body: Vec<u8>| {
        let mut r = app.req(method, path).body(body);
        if let Some(ct) = ctype {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            b"{\"customer_name\": ".to_vec(),
            400,
            "bad-request",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            b"[1,2]".to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            br#"["Seq Co"]"#.to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            br#"{"customer_name": "x", "address": {"town": "y"}}"#.to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            br#"{"customer_name": 42}"#.to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            br#"{"customer_name": "x", "colour": "red"}"#.to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            br#"{"customer_name": "   "}"#.to_vec(),
            422,
            "validation",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("text/plain"),
            br#"{"customer_name": "x"}"#.to_vec(),
            415,
            "unsupported-media-type",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            None,
            br#"{"customer_name": "x"}"#.to_vec(),
            415,
            "unsupported-media-type",
        ),
        (
            Method::POST,
            "/api/v1/customers",
            Some("application/json"),
            format!("{{\"customer_name\": \"{}\"}}", "x".repeat(100_000)).into_bytes(),
            413,
            "payload-too-large",
        ),
        (
            Method::GET,
            "/api/v1/customers/999999",
            None,
            vec![],
            404,
            "not-found",
        ),
        (
            Method::GET,
            "/api/v1/customers/abc",
            None,
            vec![],
            404,
            "not-found",
        ),
        (
            Method::GET,
            "/api/v1/contacts/999999",
            None,
            vec![],
            404,
            "not-found",
        ),
        (
            Method::PATCH,
            "/api/v1/customers/999999",
            Some("application/json"),
            b"{}".to_vec(),
            404,
            "not-found",
        ),
        (
            Method::POST,
            "/api/v1/customers/999999/contacts",
            Some("application/json"),
            br#"{"first_name":"A"}"#.to_vec(),
            404,
            "not-found",
        ),
        (
            Method::GET,
            "/api/v1/nothing-here",
            None,
            vec![],
            404,
            "not-found",
        ),
        (
            Method::PUT,
            "/api/v1/customers",
            Some("application/json"),
            b"{}".to_vec(),
            405,
            "method-not-allowed",
        ),
    ];
    for (method, path, ctype, body, status, kind) in cases {
        let res = send(method.clone(), path, ctype, body).await.expect("send");
        assert_eq!(res.status().as_u16(), status, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let (_, problem) = read(res).await;
        assert_eq!(problem["type"], kind, "{method} {path}: {problem}");
        assert_eq!(problem["status"], status);
    }
    // An unreadable query parameter is named, like a body field.
    for (query, param) in [
        ("page=abc", "page"),
        ("per_page=-1", "per_page"),
        ("archived=sometimes", "archived"),
        ("sort=colour", "sort"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/customers?{query}")).await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert_eq!(problem["type"], "bad-request");
        assert!(problem["errors"][param].is_array(), "{query}: {problem}");
    }
    // Wrong types name the field, nested ones by path.
    let (status, problem) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "x", "address": {"post_code": 4000}}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        problem["errors"]["address.post_code"].is_array(),
        "{problem}"
    );
    let (status, problem) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "x", "colour": 1}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["colour"].is_array(), "{problem}");
    // Every problem is reported at once, and nothing is written.
    let (status, problem) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "", "customer_type_id": 99, "group_ids": [12345], "staff_ids": [999],
                   "default_tax": {"name": "", "rate": "abc"}, "primary_contact": {"first_name": "A", "email": "bad"}}),
        )
        .await;
    assert_eq!(status, 422);
    for field in [
        "customer_name",
        "customer_type_id",
        "group_ids",
        "staff_ids",
        "default_tax.name",
        "default_tax.rate",
        "primary_contact.email",
    ] {
        assert!(problem["errors"][field].is_array(), "{field} in {problem}");
    }
    let (_, page) = app.get("/api/v1/customers?archived=all").await;
    assert_eq!(page["total"], 0, "nothing half-written");
    let (status, _) = app
        .post(
            "/api/v1/customers",
            json!({"customer_name": "x".repeat(300)}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post("/api/v1/customers", json!({"customer_name": "tab\tname"}))
        .await;
    assert_eq!(status, 422);
}

async fn the_spa_is_served_for_deep_links(app: &TestApp) {
    for path in ["/", "/customers/42/contacts", "/login"] {
        let res = app.client.get(app.url(path)).send().await.expect("send");
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.expect("text").contains("ucm test shell"));
    }
    let res = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200, "/api/docs redirects to /api/docs/");
    let res = app
        .client
        .get(app.url("/api/docs/"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("text");
    assert!(
        !html.contains("https://"),
        "the docs page loads nothing from the internet"
    );
}
