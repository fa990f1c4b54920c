use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(
    every_api_route_but_login_and_health_needs_a_token,
    login_rejects_wrong_passwords_and_issues_working_tokens,
    users_can_be_added_by_an_admin_only
);

async fn every_api_route_but_login_and_health_needs_a_token(app: &TestApp) {
    let id = app.customer(json!({"customer_name": "Locked"})).await;
    let routes = [
        (Method::GET, "/api/v1/customers".to_owned()),
        (Method::POST, "/api/v1/customers".to_owned()),
        (Method::GET, format!("/api/v1/customers/{id}")),
        (Method::PATCH, format!("/api/v1/customers/{id}")),
        (Method::DELETE, format!("/api/v1/customers/{id}")),
        (Method::GET, format!("/api/v1/customers/{id}/contacts")),
        (Method::POST, format!("/api/v1/customers/{id}/contacts")),
        (Method::GET, "/api/v1/contacts/1".to_owned()),
        (Method::GET, "/api/v1/customer-types".to_owned()),
        (Method::GET, "/api/v1/groups".to_owned()),
        (Method::GET, "/api/v1/users".to_owned()),
        (Method::GET, "/api/v1/auth/me".to_owned()),
        (Method::POST, "/api/v1/imports/customers".to_owned()),
    ];
    for (method, path) in routes {
        let res = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), 401, "{method} {path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let (_, body) = read(res).await;
        assert_eq!(body["status"], 401);
        assert_eq!(body["type"], "unauthorized");
    }
    let res = app
        .client
        .get(app.url("/api/v1/customers"))
        .bearer_auth("not.a.token")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 401);
    let (status, health) = read(
        app.client
            .get(app.url("/api/v1/health"))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    // Nothing was deleted by the refused DELETE.
    assert_eq!(app.get(&format!("/api/v1/customers/{id}")).await.0, 200);
}

async fn login_rejects_wrong_passwords_and_issues_working_tokens(app: &TestApp) {
    for body in [
        json!({"username": "admin", "password": "wrong"}),
        json!({"username": "nobody", "password": ADMIN_PASSWORD}),
    ] {
        let (status, problem) = read(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&body)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(problem["detail"], "wrong username or password");
    }
    let (status, me) = app.get("/api/v1/auth/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");
}

async fn users_can_be_added_by_an_admin_only(app: &TestApp) {
    let (status, user) = app
        .post("/api/v1/users", json!({"username": "sam", "password": "long-enough-pw", "role": "staff", "name": "Sam Staff"}))
        .await;
    assert_eq!(status, 201, "{user}");
    let (status, problem) = app
        .post(
            "/api/v1/users",
            json!({"username": "SAM", "password": "long-enough-pw", "role": "staff"}),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    let (status, problem) = app
        .post(
            "/api/v1/users",
            json!({"username": "x y", "password": "short", "role": "staff"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        problem["errors"]["username"].is_array() && problem["errors"]["password"].is_array(),
        "{problem}"
    );

    let (_, login) = read(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "Sam", "password": "long-enough-pw"}))
            .send()
            .await
            .expect("send"),
    )
    .await;
    let staff_token = login["token"].as_str().expect("token");
    let res = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(staff_token)
        .json(&json!({"username": "eve", "password": "long-enough-pw", "role": "admin"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .get(app.url("/api/v1/customers"))
        .bearer_auth(staff_token)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
}
