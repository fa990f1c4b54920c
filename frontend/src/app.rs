//! Routes, the session context and the page frame.

use std::rc::Rc;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Session};
use crate::components::reminders::RemindersButton;
use crate::pages::customer::{CustomerPage, Tab};
use crate::pages::customers::CustomerList;
use crate::pages::import::ImportPage;
use crate::pages::login::Login;
use crate::pages::unlinked::UnlinkedPage;

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/login")]
    Login,
    #[at("/")]
    Home,
    #[at("/customers")]
    Customers,
    #[at("/customers/:id")]
    Customer { id: i64 },
    #[at("/customers/:id/contacts")]
    CustomerContacts { id: i64 },
    #[at("/customers/:id/:tab")]
    CustomerTab { id: i64, tab: String },
    /// One job, website, invoice or ticket: `/customers/42/jobs/7`.
    #[at("/customers/:id/:tab/:record")]
    CustomerRecord { id: i64, tab: String, record: i64 },
    /// Jobs, websites, invoices, tickets and files without a customer.
    #[at("/unlinked")]
    Unlinked,
    /// The CSV import wizard; `?upload=<id>` reopens an upload.
    #[at("/import")]
    Import,
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// What every page can read and change about who is signed in.
#[derive(Clone, PartialEq)]
pub struct SessionCtx {
    pub session: Option<Rc<Session>>,
    pub set: Callback<Option<Session>>,
}

#[component]
pub fn App() -> Html {
    let session = use_state(|| api::load_session().map(Rc::new));

    let set = {
        let session = session.clone();
        Callback::from(move |next: Option<Session>| {
            match &next {
                Some(s) => api::store_session(s),
                None => api::clear_session(),
            }
            session.set(next.map(Rc::new));
        })
    };

    // Refresh the user's name and role once per load; a dead token is sent to /login by the
    // request helper.
    {
        let set = set.clone();
        let had_session = session.is_some();
        use_effect_with(had_session, move |had| {
            if *had {
                wasm_bindgen_futures::spawn_local(async move {
                    if let (Ok(user), Some(current)) = (api::me().await, api::load_session()) {
                        if user != current.user {
                            set.emit(Some(Session {
                                token: current.token,
                                user,
                            }));
                        }
                    }
                });
            }
        });
    }

    let ctx = SessionCtx {
        session: (*session).clone(),
        set,
    };

    html! {
        <ContextProvider<SessionCtx> context={ctx}>
            <BrowserRouter>
                <Switch<Route> render={switch} />
            </BrowserRouter>
        </ContextProvider<SessionCtx>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Login => html! { <Login /> },
        Route::Home => html! { <Authed><Redirect<Route> to={Route::Customers} /></Authed> },
        Route::Customers => html! { <Authed><CustomerList /></Authed> },
        Route::Customer { id } => html! {
            <Authed><CustomerPage {id} tab={Tab::Details} /></Authed>
        },
        Route::CustomerContacts { id } => html! {
            <Authed><CustomerPage {id} tab={Tab::Contacts} /></Authed>
        },
        Route::CustomerTab { id, tab } => html! {
            <Authed><CustomerPage {id} tab={Tab::from_slug(&tab)} /></Authed>
        },
        Route::CustomerRecord { id, tab, record } => html! {
            <Authed><CustomerPage {id} tab={Tab::from_slug(&tab)} record={Some(record)} /></Authed>
        },
        Route::Unlinked => html! { <Authed><UnlinkedPage /></Authed> },
        Route::Import => html! { <Authed><ImportPage /></Authed> },
        Route::NotFound => html! {
            <Authed>
                <div class="page">
                    <div class="empty-state">
                        <h1>{ "Page not found" }</h1>
                        <p><Link<Route> to={Route::Customers}>{ "Back to customers" }</Link<Route>></p>
                    </div>
                </div>
            </Authed>
        },
    }
}

#[derive(Properties, PartialEq)]
struct AuthedProps {
    children: Html,
}

/// The frame around every signed-in page; without a session it goes to /login.
#[component]
fn Authed(props: &AuthedProps) -> Html {
    let ctx = use_context::<SessionCtx>();
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(session) = ctx.session.clone() else {
        api::remember_here();
        return html! { <Redirect<Route> to={Route::Login} /> };
    };
    html! {
        <div class="layout">
            <Header user_name={display_name(&session)} />
            <main class="main">{ props.children.clone() }</main>
        </div>
    }
}

fn display_name(s: &Session) -> AttrValue {
    if s.user.name.trim().is_empty() {
        AttrValue::from(s.user.username.clone())
    } else {
        AttrValue::from(s.user.name.clone())
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    user_name: AttrValue,
}

#[component]
fn Header(props: &HeaderProps) -> Html {
    let ctx = use_context::<SessionCtx>();
    let navigator = use_navigator();
    let route = use_route::<Route>();
    let on_logout = Callback::from(move |_: MouseEvent| {
        if let Some(ctx) = &ctx {
            ctx.set.emit(None);
        }
        if let Some(nav) = &navigator {
            nav.push(&Route::Login);
        }
    });
    let customers_active = matches!(
        route,
        Some(
            Route::Customers
                | Route::Customer { .. }
                | Route::CustomerContacts { .. }
                | Route::CustomerTab { .. }
                | Route::CustomerRecord { .. }
        )
    );
    let unlinked_active = matches!(route, Some(Route::Unlinked));
    let import_active = matches!(route, Some(Route::Import));
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="brand-mark">{ "U" }</span>
                <span class="brand-name">{ "Ultimate Client Manager" }</span>
            </div>
            <nav class="topnav">
                <Link<Route> to={Route::Customers} classes={classes!("topnav-link", customers_active.then_some("active"))}>
                    { "Customers" }
                </Link<Route>>
                <Link<Route> to={Route::Unlinked} classes={classes!("topnav-link", unlinked_active.then_some("active"))}>
                    { "Unlinked" }
                </Link<Route>>
                <Link<Route> to={Route::Import} classes={classes!("topnav-link", import_active.then_some("active"))}>
                    { "Import" }
                </Link<Route>>
            </nav>
            <div class="user-box">
                <RemindersButton />
                <span class="user-name" data-testid="user-name">{ props.user_name.clone() }</span>
                <button class="btn btn-ghost btn-sm" data-testid="logout" onclick={on_logout}>
                    { "Log out" }
                </button>
            </div>
        </header>
    }
}
