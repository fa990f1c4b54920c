//! The REST client: one request helper that adds the bearer token and turns every failure into a
//! [`Problem`], then one small function per endpoint.

use std::collections::BTreeMap;

use gloo_net::http::{Method, RequestBuilder, Response};
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;
use ucm_types::{
    Contact, ContactUpdate, Customer, CustomerPage, CustomerType, CustomerUpdate, Group,
    LoginRequest, LoginResponse, NewContact, NewCustomer, NewGroup, Problem, User,
};

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

fn go_to_login() {
    if let Some(window) = web_sys::window() {
        let location = window.location();
        let here = location.pathname().unwrap_or_default();
        if here != "/login" {
            let _ = location.assign("/login");
        }
    }
}

// ---- the one request helper ------------------------------------------------------------------

struct Call<'a> {
    method: Method,
    path: &'a str,
    query: Vec<(&'static str, String)>,
    body: Option<String>,
    if_match: Option<i64>,
    auth: bool,
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
        }
    }

    fn json<B: Serialize>(mut self, body: &B) -> ApiResult<Self> {
        let text = serde_json::to_string(body)
            .map_err(|e| problem(0, "client", format!("Could not encode the request: {e}")))?;
        self.body = Some(text);
        Ok(self)
    }

    fn version(mut self, version: i64) -> Self {
        self.if_match = Some(version);
        self
    }

    fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
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
            .header("Accept", "application/json");
        if !self.query.is_empty() {
            builder = builder.query(self.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let sent_token = if self.auth { token() } else { None };
        if let Some(t) = &sent_token {
            builder = builder.header("Authorization", &format!("Bearer {t}"));
        }
        if let Some(v) = self.if_match {
            builder = builder.header("If-Match", &format!("\"{v}\""));
        }
        let request = match self.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body),
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
    Call::new(Method::GET, "/customers")
        .query(params.to_pairs())
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

pub async fn delete_customer(id: i64, version: i64) -> ApiResult<()> {
    Call::new(Method::DELETE, &format!("/customers/{id}"))
        .version(version)
        .no_content()
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

pub async fn create_group(body: &NewGroup) -> ApiResult<Group> {
    Call::new(Method::POST, "/groups").json(body)?.fetch().await
}

pub async fn users() -> ApiResult<Vec<User>> {
    Call::new(Method::GET, "/users").fetch().await
}
