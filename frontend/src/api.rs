//! The REST client: one request helper that adds the bearer token and turns every failure into a
//! [`Problem`], then one small function per endpoint.

use std::collections::BTreeMap;

use gloo_net::http::{Method, RequestBuilder, Response};
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;
use ucm_types::{
    Contact, ContactUpdate, Customer, CustomerDeleteQuery, CustomerPage, CustomerType,
    CustomerUpdate, ExtraFieldKey, FileMeta, FilePage, FileQuery, FileUpdate, FileUploadQuery,
    Group, ImportPreview, ImportReport, ImportSettings, ImportUpload, ImportUploadQuery, Invoice,
    InvoicePage, InvoiceUpdate, Job, JobPage, JobUpdate, LinkedAction, LinkedCounts, LoginRequest,
    LoginResponse, NewContact, NewCustomer, NewGroup, NewInvoice, NewJob, NewNote, NewTicket,
    NewWebsite, Note, NotePage, NoteQuery, NoteUpdate, PageQuery, Problem, RecordQuery,
    ReminderQuery, Ticket, TicketPage, TicketUpdate, User, Website, WebsitePage, WebsiteUpdate,
};
use wasm_bindgen::{JsCast, JsValue};

const BASE: &str = "/api/v1";
const TOKEN_KEY: &str = "ucm.token";
const USER_KEY: &str = "ucm.user";

pub type ApiResult<T> = Result<T, Problem>;

// ---- session storage -------------------------------------------------------------------------

/// The signed-in user and their bearer token, as kept in localStorage.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token: String,
    pub user: User,
}

pub fn load_session() -> Option<Session> {
    let token: String = LocalStorage::get(TOKEN_KEY).ok()?;
    let user: User = LocalStorage::get(USER_KEY).ok()?;
    Some(Session { token, user })
}

pub fn store_session(session: &Session) {
    // A full or disabled storage only costs the user a login after the next reload.
    let _ = LocalStorage::set(TOKEN_KEY, &session.token);
    let _ = LocalStorage::set(USER_KEY, &session.user);
}

pub fn clear_session() {
    LocalStorage::delete(TOKEN_KEY);
    LocalStorage::delete(USER_KEY);
}

fn token() -> Option<String> {
    LocalStorage::get(TOKEN_KEY).ok()
}

// ---- errors ----------------------------------------------------------------------------------

fn problem(status: u16, kind: &str, title: impl Into<String>) -> Problem {
    Problem {
        kind: kind.to_string(),
        title: title.into(),
        status,
        detail: None,
        errors: BTreeMap::new(),
    }
}

/// A validation failure found before sending, shaped like the server's.
pub fn invalid(field: &str, msg: &str) -> Problem {
    let mut p = problem(422, "validation", "Please correct the highlighted fields.");
    p.errors.insert(field.to_string(), vec![msg.to_string()]);
    p
}

/// A short sentence for a banner: the detail when the server gave one, else the title.
pub fn message(p: &Problem) -> String {
    match &p.detail {
        Some(d) if !d.trim().is_empty() => d.clone(),
        _ => p.title.clone(),
    }
}

/// The messages for one request field (`email`, `address.line_1`, ...), joined for display.
pub fn field_error(p: Option<&Problem>, field: &str) -> Option<String> {
    let msgs = p?.errors.get(field)?;
    if msgs.is_empty() {
        None
    } else {
        Some(msgs.join(" "))
    }
}

const RETURN_KEY: &str = "ucm.return_to";
const EXPIRED_KEY: &str = "ucm.session_expired";

/// Where the user was (path and query), so signing in takes them back there.
pub fn remember_here() {
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let path = location.pathname().unwrap_or_default();
        let search = location.search().unwrap_or_default();
        if path.starts_with('/') && path != "/login" && path != "/" {
            let _ = SessionStorage::set(RETURN_KEY, format!("{path}{search}"));
        }
    }
}

/// The page to go back to after signing in, once.
pub fn take_return_to() -> Option<String> {
    let p: String = SessionStorage::get(RETURN_KEY).ok()?;
    SessionStorage::delete(RETURN_KEY);
    // Only a path of this app, never another site.
    (p.starts_with('/') && !p.starts_with("//")).then_some(p)
}

/// Whether the last sign-out was the server refusing an expired or revoked token, once.
pub fn take_session_expired() -> bool {
    let expired = SessionStorage::get::<bool>(EXPIRED_KEY).unwrap_or(false);
    SessionStorage::delete(EXPIRED_KEY);
    expired
}

fn go_to_login() {
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let here = location.pathname().unwrap_or_default();
        if here != "/login" {
            remember_here();
            let _ = SessionStorage::set(EXPIRED_KEY, true);
            let _ = location.assign("/login");
        }
    }
}

// ---- the one request helper ------------------------------------------------------------------

enum Body {
    Json(String),
    /// Sent as is (a `File` or `Blob`) with this content type.
    Raw(JsValue, String),
}

struct Call<'a> {
    method: Method,
    path: &'a str,
    query: Vec<(String, String)>,
    body: Option<Body>,
    if_match: Option<i64>,
    auth: bool,
    accept: &'static str,
}

/// A query struct of `ucm_types` as URL pairs: `null`s are left out, strings, numbers, booleans,
/// dates and enums are written as JSON spells them.
fn pairs<Q: Serialize>(q: &Q) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(q) else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect()
}

impl<'a> Call<'a> {
    fn new(method: Method, path: &'a str) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            if_match: None,
            auth: true,
            accept: "application/json",
        }
    }

    fn json<B: Serialize>(mut self, body: &B) -> ApiResult<Self> {
        let text = serde_json::to_string(body)
            .map_err(|e| problem(0, "client", format!("Could not encode the request: {e}")))?;
        self.body = Some(Body::Json(text));
        Ok(self)
    }

    fn raw(mut self, body: JsValue, content_type: String) -> Self {
        self.body = Some(Body::Raw(body, content_type));
        self
    }

    fn version(mut self, version: i64) -> Self {
        self.if_match = Some(version);
        self
    }

    fn query(mut self, query: Vec<(String, String)>) -> Self {
        self.query = query;
        self
    }

    fn params<Q: Serialize>(self, q: &Q) -> Self {
        self.query(pairs(q))
    }

    fn anonymous(mut self) -> Self {
        self.auth = false;
        self
    }

    /// Sends the request; any non-2xx answer becomes the server's `Problem` (or one made up from
    /// the status line when the body is not one). A 401 on an authenticated call ends the session.
    async fn send(self) -> ApiResult<Response> {
        let url = format!("{BASE}{}", self.path);
        let mut builder = RequestBuilder::new(&url)
            .method(self.method)
            .header("Accept", self.accept);
        if !self.query.is_empty() {
            builder = builder.query(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let sent_token = if self.auth { token() } else { None };
        if let Some(t) = &sent_token {
            builder = builder.header("Authorization", &format!("Bearer {t}"));
        }
        if let Some(v) = self.if_match {
            builder = builder.header("If-Match", &format!("\"{v}\""));
        }
        let request = match self.body {
            Some(Body::Json(body)) => builder
                .header("Content-Type", "application/json")
                .body(body),
            Some(Body::Raw(body, content_type)) => {
                builder.header("Content-Type", &content_type).body(body)
            }
            None => builder.build(),
        }
        .map_err(|e| problem(0, "client", format!("Could not build the request: {e}")))?;

        let response = request.send().await.map_err(|_| {
            problem(
                0,
                "network",
                "Could not reach the server. Check your connection and try again.",
            )
        })?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        if status == 401 && self.auth {
            clear_session();
            go_to_login();
        }
        let text = response.text().await.unwrap_or_default();
        Err(match serde_json::from_str::<Problem>(&text) {
            Ok(p) => p,
            Err(_) => {
                let title = match status {
                    401 => "Your session has ended. Please sign in again.".to_string(),
                    403 => "You do not have permission to do that.".to_string(),
                    404 => "Not found.".to_string(),
                    412 => "This record was changed by someone else.".to_string(),
                    413 => "The file is too large for the server.".to_string(),
                    s if s >= 500 => format!("The server had a problem ({s})."),
                    s => format!("The request failed ({s} {}).", response.status_text()),
                };
                problem(status, "http", title)
            }
        })
    }

    async fn fetch<T: DeserializeOwned>(self) -> ApiResult<T> {
        let response = self.send().await?;
        response.json::<T>().await.map_err(|e| {
            problem(
                0,
                "client",
                format!("Unexpected answer from the server: {e}"),
            )
        })
    }

    async fn no_content(self) -> ApiResult<()> {
        self.send().await.map(|_| ())
    }
}

// ---- auth ------------------------------------------------------------------------------------

pub async fn login(req: &LoginRequest) -> ApiResult<LoginResponse> {
    Call::new(Method::POST, "/auth/login")
        .anonymous()
        .json(req)?
        .fetch()
        .await
}

pub async fn me() -> ApiResult<User> {
    Call::new(Method::GET, "/auth/me").fetch().await
}

// ---- customers -------------------------------------------------------------------------------

/// The list screen's query, as the URL and the API both spell it. Empty values are left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListParams {
    pub q: String,
    pub type_id: Option<i64>,
    pub group_id: Option<i64>,
    pub staff_id: Option<i64>,
    /// Computed invoice status: `no_invoices`, `paid`, `owing`, `overdue` or empty for any.
    pub status: String,
    pub archived: String,
    pub sort: String,
    pub dir: String,
    pub page: u64,
    pub per_page: u64,
}

impl ListParams {
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if !self.q.trim().is_empty() {
            v.push(("q", self.q.trim().to_string()));
        }
        if let Some(t) = self.type_id {
            v.push(("type_id", t.to_string()));
        }
        if let Some(g) = self.group_id {
            v.push(("group_id", g.to_string()));
        }
        if let Some(s) = self.staff_id {
            v.push(("staff_id", s.to_string()));
        }
        if !self.status.is_empty() {
            v.push(("status", self.status.clone()));
        }
        if !self.archived.is_empty() {
            v.push(("archived", self.archived.clone()));
        }
        if !self.sort.is_empty() {
            v.push(("sort", self.sort.clone()));
        }
        if !self.dir.is_empty() {
            v.push(("dir", self.dir.clone()));
        }
        if self.page > 1 {
            v.push(("page", self.page.to_string()));
        }
        if self.per_page > 0 {
            v.push(("per_page", self.per_page.to_string()));
        }
        v
    }
}

pub async fn list_customers(params: &ListParams) -> ApiResult<CustomerPage> {
    let query = params
        .to_pairs()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Call::new(Method::GET, "/customers")
        .query(query)
        .fetch()
        .await
}

pub async fn create_customer(body: &NewCustomer) -> ApiResult<Customer> {
    Call::new(Method::POST, "/customers")
        .json(body)?
        .fetch()
        .await
}

pub async fn get_customer(id: i64) -> ApiResult<Customer> {
    Call::new(Method::GET, &format!("/customers/{id}"))
        .fetch()
        .await
}

pub async fn update_customer(id: i64, version: i64, body: &CustomerUpdate) -> ApiResult<Customer> {
    Call::new(Method::PATCH, &format!("/customers/{id}"))
        .version(version)
        .json(body)?
        .fetch()
        .await
}

/// Deletes a customer with its contacts and notes; `linked` says whether its jobs, websites,
/// invoices, tickets and files go too or stay without a customer.
pub async fn delete_customer(id: i64, version: i64, linked: LinkedAction) -> ApiResult<()> {
    Call::new(Method::DELETE, &format!("/customers/{id}"))
        .params(&CustomerDeleteQuery {
            linked: Some(linked),
        })
        .version(version)
        .no_content()
        .await
}

pub async fn linked_counts(id: i64) -> ApiResult<LinkedCounts> {
    Call::new(Method::GET, &format!("/customers/{id}/linked"))
        .fetch()
        .await
}

// ---- contacts --------------------------------------------------------------------------------

pub async fn list_contacts(customer_id: i64) -> ApiResult<Vec<Contact>> {
    Call::new(Method::GET, &format!("/customers/{customer_id}/contacts"))
        .fetch()
        .await
}

pub async fn create_contact(customer_id: i64, body: &NewContact) -> ApiResult<Contact> {
    Call::new(Method::POST, &format!("/customers/{customer_id}/contacts"))
        .json(body)?
        .fetch()
        .await
}

pub async fn update_contact(id: i64, version: i64, body: &ContactUpdate) -> ApiResult<Contact> {
    Call::new(Method::PATCH, &format!("/contacts/{id}"))
        .version(version)
        .json(body)?
        .fetch()
        .await
}

pub async fn delete_contact(id: i64, version: i64) -> ApiResult<()> {
    Call::new(Method::DELETE, &format!("/contacts/{id}"))
        .version(version)
        .no_content()
        .await
}

pub async fn make_primary(id: i64) -> ApiResult<Contact> {
    Call::new(Method::POST, &format!("/contacts/{id}/make-primary"))
        .fetch()
        .await
}

// ---- lookups ---------------------------------------------------------------------------------

pub async fn customer_types() -> ApiResult<Vec<CustomerType>> {
    Call::new(Method::GET, "/customer-types").fetch().await
}

pub async fn groups() -> ApiResult<Vec<Group>> {
    Call::new(Method::GET, "/groups").fetch().await
}

pub async fn extra_fields() -> ApiResult<Vec<ExtraFieldKey>> {
    Call::new(Method::GET, "/extra-fields").fetch().await
}

pub async fn create_group(body: &NewGroup) -> ApiResult<Group> {
    Call::new(Method::POST, "/groups").json(body)?.fetch().await
}

pub async fn users() -> ApiResult<Vec<User>> {
    Call::new(Method::GET, "/users").fetch().await
}

// ---- jobs, websites, tickets, invoices -------------------------------------------------------

/// List, create, read, update and delete for one kind of record linked to a customer.
macro_rules! record_api {
    ($path:literal, $item:ty, $new:ty, $update:ty, $page:ty,
     $list:ident, $create:ident, $get:ident, $patch:ident, $delete:ident) => {
        pub async fn $list(q: &RecordQuery) -> ApiResult<$page> {
            Call::new(Method::GET, $path).params(q).fetch().await
        }

        pub async fn $create(body: &$new) -> ApiResult<$item> {
            Call::new(Method::POST, $path).json(body)?.fetch().await
        }

        pub async fn $get(id: i64) -> ApiResult<$item> {
            Call::new(Method::GET, &format!("{}/{id}", $path))
                .fetch()
                .await
        }

        pub async fn $patch(id: i64, version: i64, body: &$update) -> ApiResult<$item> {
            Call::new(Method::PATCH, &format!("{}/{id}", $path))
                .version(version)
                .json(body)?
                .fetch()
                .await
        }

        pub async fn $delete(id: i64, version: i64) -> ApiResult<()> {
            Call::new(Method::DELETE, &format!("{}/{id}", $path))
                .version(version)
                .no_content()
                .await
        }
    };
}

record_api!(
    "/jobs", Job, NewJob, JobUpdate, JobPage, list_jobs, create_job, get_job, update_job,
    delete_job
);
record_api!(
    "/websites",
    Website,
    NewWebsite,
    WebsiteUpdate,
    WebsitePage,
    list_websites,
    create_website,
    get_website,
    update_website,
    delete_website
);
record_api!(
    "/tickets",
    Ticket,
    NewTicket,
    TicketUpdate,
    TicketPage,
    list_tickets,
    create_ticket,
    get_ticket,
    update_ticket,
    delete_ticket
);
record_api!(
    "/invoices",
    Invoice,
    NewInvoice,
    InvoiceUpdate,
    InvoicePage,
    list_invoices,
    create_invoice,
    get_invoice,
    update_invoice,
    delete_invoice
);

// ---- files -----------------------------------------------------------------------------------

/// Sends the file's bytes as the request body (no multipart), with the browser's idea of its type.
pub async fn upload_file(
    customer_id: i64,
    job_id: Option<i64>,
    file: &web_sys::File,
) -> ApiResult<FileMeta> {
    let content_type = match file.type_() {
        t if t.trim().is_empty() => "application/octet-stream".to_string(),
        t => t,
    };
    Call::new(Method::POST, "/files")
        .params(&FileUploadQuery {
            customer_id,
            job_id,
            name: file.name(),
        })
        .raw(JsValue::from(file.clone()), content_type)
        .fetch()
        .await
}

pub async fn list_files(q: &FileQuery) -> ApiResult<FilePage> {
    Call::new(Method::GET, "/files").params(q).fetch().await
}

pub async fn update_file(id: i64, version: i64, body: &FileUpdate) -> ApiResult<FileMeta> {
    Call::new(Method::PATCH, &format!("/files/{id}"))
        .version(version)
        .json(body)?
        .fetch()
        .await
}

pub async fn delete_file(id: i64, version: i64) -> ApiResult<()> {
    Call::new(Method::DELETE, &format!("/files/{id}"))
        .version(version)
        .no_content()
        .await
}

/// Fetches the content with the bearer token and hands it to the browser as a download named
/// `name` (through an object URL and a clicked `<a download>`).
pub async fn download_file(id: i64, name: &str) -> ApiResult<()> {
    let path = format!("/files/{id}/content");
    download(Call::new(Method::GET, &path), Some(name), "download").await
}

/// The file name of a `Content-Disposition: attachment; filename="customers.csv"` header.
fn disposition_name(header: &str) -> Option<String> {
    let start = header.find("filename=")? + "filename=".len();
    let rest = header[start..].trim_start();
    let name = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split(';').next()?.trim(),
    };
    (!name.trim().is_empty()).then(|| name.to_string())
}

/// Sends `call` (with the bearer token) and saves the answer as a download: named `name`, else
/// as the server's `Content-Disposition` says, else `fallback`.
async fn download(mut call: Call<'_>, name: Option<&str>, fallback: &str) -> ApiResult<()> {
    call.accept = "*/*";
    let response = call.send().await?;
    let failed = |what: &str| problem(0, "client", format!("Could not save the download: {what}"));
    let file_name = name
        .map(str::to_string)
        .or_else(|| {
            response
                .headers()
                .get("content-disposition")
                .and_then(|h| disposition_name(&h))
        })
        .unwrap_or_else(|| fallback.to_string());
    let raw = web_sys::Response::from(response);
    let promise = raw.blob().map_err(|_| failed("no body"))?;
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| failed("the transfer was interrupted"))?
        .unchecked_into();
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed("no URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| failed("no document"))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failed("no link"))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(&file_name);
    a.set_attribute("style", "display:none").ok();
    if let Some(body) = document.body() {
        body.append_child(&a).ok();
        a.click();
        body.remove_child(&a).ok();
    } else {
        a.click();
    }
    // Give the browser time to start the download before the URL goes.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

// ---- import and export -----------------------------------------------------------------------

/// Step 1 of the import wizard: sends the file's bytes as `text/csv` (whatever the browser
/// thinks its type is; the server detects encoding and delimiter itself).
pub async fn upload_import(file: &web_sys::File) -> ApiResult<ImportUpload> {
    Call::new(Method::POST, "/imports")
        .params(&ImportUploadQuery {
            name: Some(file.name()),
        })
        .raw(JsValue::from(file.clone()), "text/csv".to_string())
        .fetch()
        .await
}

pub async fn get_import(id: &str) -> ApiResult<ImportUpload> {
    // Ids are 32 hex digits; anything else (a hand-edited URL) must not become a path.
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(problem(404, "not_found", format!("no upload {id:?}")));
    }
    Call::new(Method::GET, &format!("/imports/{id}"))
        .fetch()
        .await
}

/// A dry run of the whole upload with these settings.
pub async fn preview_import(id: &str, settings: &ImportSettings) -> ApiResult<ImportPreview> {
    Call::new(Method::POST, &format!("/imports/{id}/preview"))
        .json(settings)?
        .fetch()
        .await
}

/// The real import, in one transaction (409 once the upload has been imported).
pub async fn commit_import(id: &str, settings: &ImportSettings) -> ApiResult<ImportReport> {
    Call::new(Method::POST, &format!("/imports/{id}/commit"))
        .json(settings)?
        .fetch()
        .await
}

/// Which export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Customers,
    Contacts,
}

/// Downloads the customers (or their contacts) the list's filters select, as CSV; `bom` starts
/// the file with a UTF-8 byte order mark for Excel. Paging and sorting do not apply.
pub async fn export_csv(kind: ExportKind, params: &ListParams, bom: bool) -> ApiResult<()> {
    let (path, fallback) = match kind {
        ExportKind::Customers => ("/exports/customers", "customers.csv"),
        ExportKind::Contacts => ("/exports/contacts", "contacts.csv"),
    };
    let mut query: Vec<(String, String)> = params
        .to_pairs()
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "page" | "per_page" | "sort" | "dir"))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    query.push(("bom".to_string(), bom.to_string()));
    download(Call::new(Method::GET, path).query(query), None, fallback).await
}

// ---- notes and reminders ---------------------------------------------------------------------

pub async fn list_notes(q: &NoteQuery) -> ApiResult<NotePage> {
    Call::new(Method::GET, "/notes").params(q).fetch().await
}

/// The customer's own notes merged with those of its contacts and linked records.
pub async fn customer_notes(customer_id: i64, q: &PageQuery) -> ApiResult<NotePage> {
    Call::new(Method::GET, &format!("/customers/{customer_id}/notes"))
        .params(q)
        .fetch()
        .await
}

pub async fn create_note(body: &NewNote) -> ApiResult<Note> {
    let n = Call::new(Method::POST, "/notes").json(body)?.fetch().await;
    if n.as_ref().is_ok_and(|n: &Note| n.reminder) {
        reminders_changed();
    }
    n
}

pub async fn update_note(id: i64, version: i64, body: &NoteUpdate) -> ApiResult<Note> {
    let n = Call::new(Method::PATCH, &format!("/notes/{id}"))
        .version(version)
        .json(body)?
        .fetch()
        .await;
    if n.is_ok() {
        reminders_changed();
    }
    n
}

pub async fn delete_note(id: i64, version: i64) -> ApiResult<()> {
    let r = Call::new(Method::DELETE, &format!("/notes/{id}"))
        .version(version)
        .no_content()
        .await;
    if r.is_ok() {
        reminders_changed();
    }
    r
}

pub async fn reminders(q: &ReminderQuery) -> ApiResult<NotePage> {
    Call::new(Method::GET, "/reminders").params(q).fetch().await
}

/// The window event the reminders button listens to, fired after notes change.
pub const REMINDERS_EVENT: &str = "ucm-reminders-changed";

pub fn reminders_changed() {
    if let (Some(w), Ok(e)) = (web_sys::window(), web_sys::Event::new(REMINDERS_EVENT)) {
        let _ = w.dispatch_event(&e);
    }
}
