//! Sign in.

use ucm_types::LoginRequest;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Session};
use crate::app::{Route, SessionCtx};
use crate::components::form::{bind_text, Banner, Field, Form, TextInput};

#[derive(Clone, PartialEq, Default)]
struct Creds {
    username: String,
    password: String,
}

#[component]
pub fn Login() -> Html {
    let ctx = use_context::<SessionCtx>();
    let navigator = use_navigator();
    let form = use_reducer(Form::<Creds>::default);
    // Sent here because the server refused the token: say so instead of a bare login form.
    let error = use_state(|| {
        api::take_session_expired()
            .then(|| "Your session has ended. Please sign in again.".to_string())
    });
    let busy = use_state(|| false);

    // Already signed in: nothing to do here.
    if ctx.as_ref().is_some_and(|c| c.session.is_some()) {
        return html! { <Redirect<Route> to={Route::Customers} /> };
    }

    let onsubmit = {
        let form = form.clone();
        let error = error.clone();
        let busy = busy.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let creds = form.0.clone();
            if creds.username.trim().is_empty() || creds.password.is_empty() {
                error.set(Some("Enter your username and password.".to_string()));
                return;
            }
            busy.set(true);
            error.set(None);
            let error = error.clone();
            let busy = busy.clone();
            let ctx = ctx.clone();
            let navigator = navigator.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let req = LoginRequest {
                    username: creds.username.trim().to_string(),
                    password: creds.password,
                };
                match api::login(&req).await {
                    Ok(resp) => {
                        if let Some(ctx) = ctx {
                            ctx.set.emit(Some(Session {
                                token: resp.token,
                                user: resp.user,
                            }));
                        }
                        match api::take_return_to() {
                            // A full load of the page the user asked for, query string included.
                            Some(path) => {
                                if let Some(w) = web_sys::window() {
                                    let _ = w.location().assign(&path);
                                }
                            }
                            None => {
                                if let Some(nav) = navigator {
                                    nav.push(&Route::Customers);
                                }
                            }
                        }
                    }
                    Err(p) => {
                        busy.set(false);
                        error.set(Some(api::message(&p)));
                    }
                }
            });
        })
    };

    html! {
        <div class="login-screen">
            <form class="login-card" {onsubmit} novalidate=true>
                <div class="login-brand">
                    <span class="brand-mark">{ "U" }</span>
                    <div>
                        <h1>{ "Ultimate Client Manager" }</h1>
                        <p class="muted">{ "Sign in to manage your customers" }</p>
                    </div>
                </div>
                if let Some(msg) = (*error).clone() {
                    <Banner testid="login-error">{ msg }</Banner>
                }
                <Field label="Username" name="username" input_id="login-username">
                    <TextInput id="login-username" value={form.0.username.clone()} testid="login-username"
                        autocomplete="username" autofocus=true
                        oninput={bind_text(&form, |f, v| f.username = v)} />
                </Field>
                <Field label="Password" name="password" input_id="login-password">
                    <TextInput id="login-password" value={form.0.password.clone()} testid="login-password" kind="password"
                        autocomplete="current-password"
                        oninput={bind_text(&form, |f, v| f.password = v)} />
                </Field>
                <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit"
                        disabled={*busy}>
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </button>
            </form>
        </div>
    }
}
