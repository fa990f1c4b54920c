use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both;

on_both!(
    files_round_trip_byte_for_byte_as_attachments,
    bad_uploads_are_refused_and_leave_nothing,
);

async fn files_round_trip_byte_for_byte_as_attachments(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Filer"})).await;
    let (_, job) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": c, "name": "Brochure"}),
        )
        .await;
    // Every byte value, many times over, so no encoding step can go unnoticed.
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let name = urlencode("../../etc/Zoë's\u{1}\r\nplan.pdf");
    let (s, meta) = app
        .upload(
            &format!("customer_id={c}&job_id={}&name={name}", job["id"]),
            "application/pdf",
            bytes.clone(),
        )
        .await;
    assert_eq!(s, 201, "{meta}");
    assert_eq!(meta["name"], "Zoë'splan.pdf");
    assert_eq!(meta["size"], 100_000);
    assert_eq!(meta["content_type"], "application/pdf");
    assert_eq!(meta["job_id"], job["id"]);
    assert_eq!(meta["sha256"].as_str().map(str::len), Some(64));
    let id = meta["id"].as_i64().expect("id");

    let res = app
        .req(Method::GET, &format!("/api/v1/files/{id}/content"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Zo_'splan.pdf\"; filename*=UTF-8''Zo%C3%AB%27splan.pdf"
    );
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), bytes);

    // HTML is never served as HTML.
    let (_, html) = app
        .upload(
            &format!("customer_id={c}&name=page.html"),
            "text/html",
            b"<script>alert(1)</script>".to_vec(),
        )
        .await;
    let res = app
        .req(
            Method::GET,
            &format!("/api/v1/files/{}/content", html["id"]),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .expect("cd")
        .starts_with("attachment;"));

    let (_, page) = app.get(&format!("/api/v1/files?customer_id={c}")).await;
    assert_eq!(page["total"], 2);
    let (_, page) = app
        .get(&format!("/api/v1/files?job_id={}", job["id"]))
        .await;
    assert_eq!(page["total"], 1);

    let (s, renamed) = app
        .patch(
            &format!("/api/v1/files/{id}"),
            json!({"name": "sub/dir/final.pdf", "job_id": null}),
            Some(&format!("\"{}\"", meta["version"])),
        )
        .await;
    assert_eq!(s, 200, "{renamed}");
    assert_eq!(renamed["name"], "final.pdf");
    assert_eq!(renamed["job_id"], serde_json::Value::Null);

    assert_eq!(app.delete(&format!("/api/v1/files/{id}")).await, 204);
    let (s, _) = app.get(&format!("/api/v1/files/{id}/content")).await;
    assert_eq!(s, 404);
}

async fn bad_uploads_are_refused_and_leave_nothing(app: &TestApp) {
    let c = app.customer(json!({"customer_name": "Careful"})).await;
    let other = app.customer(json!({"customer_name": "Elsewhere"})).await;
    let (_, foreign_job) = app
        .post(
            "/api/v1/jobs",
            json!({"customer_id": other, "name": "Theirs"}),
        )
        .await;

    let (s, e) = app
        .upload(
            &format!("customer_id={c}&name=big.bin"),
            "application/octet-stream",
            vec![1u8; UPLOAD_LIMIT as usize + 1],
        )
        .await;
    assert_eq!(s, 413, "{e}");
    assert!(
        e["detail"]
            .as_str()
            .expect("detail")
            .contains(&UPLOAD_LIMIT.to_string()),
        "{e}"
    );
    // Exactly at the limit is fine.
    let (s, e) = app
        .upload(
            &format!("customer_id={c}&name=edge.bin"),
            "application/octet-stream",
            vec![2u8; UPLOAD_LIMIT as usize],
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let files_before = app.rows("files").await;

    let cases = [
        (
            format!("customer_id={c}&name=empty.txt"),
            Vec::new(),
            422,
            "file",
        ),
        (
            format!("customer_id={c}&name=..%2F"),
            b"x".to_vec(),
            422,
            "name",
        ),
        (
            "customer_id=424242&name=a.txt".to_string(),
            b"x".to_vec(),
            422,
            "customer_id",
        ),
        (
            format!("customer_id={c}&job_id={}&name=a.txt", foreign_job["id"]),
            b"x".to_vec(),
            422,
            "job_id",
        ),
    ];
    for (q, body, want, field) in cases {
        let (s, e) = app.upload(&q, "text/plain", body).await;
        assert_eq!(s, want, "{q}: {e}");
        assert!(e["errors"][field].is_array(), "{q}: {e}");
    }
    let (s, e) = app.upload("name=a.txt", "text/plain", b"x".to_vec()).await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(
        app.rows("files").await,
        files_before,
        "nothing half-written"
    );
}
