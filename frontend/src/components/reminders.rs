//! The top bar's "Reminders (n)" button and its panel: reminders due to me (or to all staff),
//! each with a "Done" button and a link to its customer.

use gloo_timers::callback::Interval;
use ucm_types::{Note, NotePage, NoteUpdate, Problem, ReminderQuery};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::notes::{owner_label, owner_route};
use crate::components::tick::Tick;
use crate::format;

const REFRESH_MS: u32 = 60_000;

#[component]
pub fn RemindersButton() -> Html {
    let data = use_state(|| None::<NotePage>);
    let error = use_state(|| None::<Problem>);
    let open = use_state(|| false);
    let generation = use_reducer(Tick::default);
    let route = use_route::<Route>();

    {
        let data = data.clone();
        let error = error.clone();
        use_effect_with((generation.0, route.clone()), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let q = ReminderQuery {
                    per_page: Some(50),
                    ..Default::default()
                };
                match api::reminders(&q).await {
                    Ok(p) => {
                        data.set(Some(p));
                        error.set(None);
                    }
                    Err(p) => error.set(Some(p)),
                }
            });
        });
    }
    // Every minute, and whenever a note changes anywhere in the app.
    {
        let generation = generation.dispatcher();
        use_effect_with((), move |_| {
            let tick = {
                let generation = generation.clone();
                Interval::new(REFRESH_MS, move || generation.dispatch(()))
            };
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, api::REMINDERS_EVENT, move |_| {
                    generation.dispatch(())
                })
            });
            move || {
                drop(tick);
                drop(listener);
            }
        });
    }

    let toggle = {
        let open = open.clone();
        let generation = generation.clone();
        Callback::from(move |_: MouseEvent| {
            if !*open {
                generation.dispatch(());
            }
            open.set(!*open);
        })
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let done = {
        let error = error.clone();
        Callback::from(move |n: Note| {
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let body = NoteUpdate {
                    reminder_done: Some(true),
                    ..Default::default()
                };
                // Success fires the reminders event, which reloads this list.
                if let Err(p) = api::update_note(n.id, n.version, &body).await {
                    error.set(Some(p));
                    api::reminders_changed();
                }
            });
        })
    };

    let count = (*data).as_ref().map(|p| p.total).unwrap_or(0);
    let label = if count > 0 {
        format!("Reminders ({count})")
    } else {
        "Reminders".to_string()
    };

    html! {
        <div class="reminders">
            <button type="button" class={classes!("btn", "btn-ghost", "btn-sm", (count > 0).then_some("has-reminders"))}
                onclick={toggle} aria-expanded={open.to_string()} aria-haspopup="true" data-testid="reminders-button">
                { label }
            </button>
            if *open {
                <div class="reminders-panel" role="dialog" aria-label="Reminders" data-testid="reminders-panel">
                    <div class="reminders-head">
                        <strong>{ "Reminders due" }</strong>
                        <button type="button" class="icon-btn" title="Close" aria-label="Close" onclick={close.clone()}>{ "×" }</button>
                    </div>
                    if let Some(e) = (*error).as_ref() {
                        <div class="banner banner-error">{ api::message(e) }</div>
                    }
                    { match (*data).as_ref() {
                        None => html! { <p class="muted reminders-empty">{ "Loading…" }</p> },
                        Some(p) if p.items.is_empty() => html! {
                            <p class="muted reminders-empty" data-testid="reminders-empty">{ "Nothing is due. " }</p>
                        },
                        Some(p) => html! {
                            <ul class="reminder-list">
                                { for p.items.iter().map(|n| {
                                    let on_done = { let done = done.clone(); let n = n.clone(); Callback::from(move |_: MouseEvent| done.emit(n.clone())) };
                                    // A record whose customer was deleted is found on the Unlinked page.
                                    let customer = n.customer_name.clone().unwrap_or_else(|| "No customer (see Unlinked)".into());
                                    let target = owner_route(n.customer_id, &n.owner)
                                        .or_else(|| Some(n.customer_id.map_or(Route::Unlinked, |id| Route::Customer { id })));
                                    html! {
                                        <li key={n.id} class="reminder" data-testid="reminder-item" data-id={n.id.to_string()}>
                                            <div class="reminder-top">
                                                if let Some(t) = target {
                                                    <Link<Route> to={t} classes="reminder-link">
                                                        <span onclick={close.clone()} title={owner_label(&n.owner)}>{ customer }</span>
                                                    </Link<Route>>
                                                } else {
                                                    <span class="reminder-link">{ customer }</span>
                                                }
                                                <span class="muted small nowrap">{ format::local_date_time(&n.note_at) }</span>
                                            </div>
                                            <div class="muted small ellipsis">{ owner_label(&n.owner) }</div>
                                            <div class="reminder-body">{ n.body.clone() }</div>
                                            <div class="reminder-actions">
                                                <button type="button" class="btn btn-xs" onclick={on_done} data-testid="reminder-done">{ "Done" }</button>
                                            </div>
                                        </li>
                                    }
                                }) }
                            </ul>
                        },
                    } }
                </div>
            }
        </div>
    }
}
