//! Notes: the panel of notes on one record (a job, an invoice...), the customer's merged notes
//! (its own and those of everything linked to it), the add/edit form with its reminder options,
//! and where a note's owner lives in the app.

use std::cell::RefCell;

use ucm_types::{
    NewNote, Note, NoteOwner, NoteOwnerKind, NoteQuery, NoteUpdate, PageQuery, Problem, User,
};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, field_error};
use crate::app::{Route, SessionCtx};
use crate::components::form::{
    bind_select, bind_text, bind_textarea, edit, Banner, Field, Form, FormAction, TextArea,
    TextInput,
};
use crate::components::modal::Modal;
use crate::components::pager::Pager;
use crate::components::tick::Tick;
use crate::format;

const PER_PAGE: u64 = 20;

pub fn owner_kind_label(k: NoteOwnerKind) -> &'static str {
    match k {
        NoteOwnerKind::Customer => "Customer",
        NoteOwnerKind::Contact => "Contact",
        NoteOwnerKind::Job => "Job",
        NoteOwnerKind::Website => "Website",
        NoteOwnerKind::Invoice => "Invoice",
        NoteOwnerKind::Ticket => "Ticket",
    }
}

/// `Job: Website redesign`.
pub fn owner_label(o: &NoteOwner) -> String {
    if o.label.trim().is_empty() {
        format!("{} #{}", owner_kind_label(o.kind), o.id)
    } else {
        format!("{}: {}", owner_kind_label(o.kind), o.label)
    }
}

/// Where the note's owner is shown: its tab or its record's page under the customer.
pub fn owner_route(customer_id: Option<i64>, o: &NoteOwner) -> Option<Route> {
    let record = |tab: &str| {
        customer_id.map(|id| Route::CustomerRecord {
            id,
            tab: tab.to_string(),
            record: o.id,
        })
    };
    match o.kind {
        NoteOwnerKind::Customer => Some(Route::CustomerTab {
            id: o.id,
            tab: "notes".into(),
        }),
        NoteOwnerKind::Contact => customer_id.map(|id| Route::CustomerContacts { id }),
        NoteOwnerKind::Job => record("jobs"),
        NoteOwnerKind::Website => record("websites"),
        NoteOwnerKind::Invoice => record("invoices"),
        NoteOwnerKind::Ticket => record("tickets"),
    }
}

pub fn user_label(u: &User) -> String {
    if u.name.trim().is_empty() {
        u.username.clone()
    } else {
        u.name.clone()
    }
}

thread_local! {
    static STAFF: RefCell<Option<Vec<User>>> = const { RefCell::new(None) };
}

/// The staff users (for the reminder picker), fetched once per page load.
#[hook]
pub fn use_staff() -> Vec<User> {
    let users = use_state(|| STAFF.with(|s| s.borrow().clone()).unwrap_or_default());
    {
        let users = users.clone();
        use_effect_with((), move |_| {
            if STAFF.with(|s| s.borrow().is_none()) {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(list) = api::users().await {
                        STAFF.with(|s| *s.borrow_mut() = Some(list.clone()));
                        users.set(list);
                    }
                });
            }
        });
    }
    (*users).clone()
}

fn my_id() -> Option<i64> {
    api::load_session().map(|s| s.user.id)
}

// ---- the panel -----------------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct NotesPanelProps {
    pub owner_kind: NoteOwnerKind,
    pub owner_id: i64,
    /// With a customer owner: list its notes merged with those of its contacts and records,
    /// each labelled with what it belongs to.
    #[prop_or_default]
    pub merged: bool,
}

#[component]
pub fn NotesPanel(props: &NotesPanelProps) -> Html {
    let (kind, owner_id, merged) = (props.owner_kind, props.owner_id, props.merged);
    let page_no = use_state(|| 1u64);
    let generation = use_reducer(Tick::default);
    let data = use_state(|| None::<ucm_types::NotePage>);
    let error = use_state(|| None::<Problem>);

    {
        let data = data.clone();
        let error = error.clone();
        use_effect_with(
            (kind, owner_id, merged, *page_no, generation.0),
            move |(kind, owner_id, merged, page, _)| {
                let (kind, owner_id, merged, page) = (*kind, *owner_id, *merged, *page);
                wasm_bindgen_futures::spawn_local(async move {
                    let r = if merged {
                        api::customer_notes(
                            owner_id,
                            &PageQuery {
                                page: Some(page),
                                per_page: Some(PER_PAGE),
                            },
                        )
                        .await
                    } else {
                        api::list_notes(&NoteQuery {
                            owner_kind: Some(kind),
                            owner_id: Some(owner_id),
                            page: Some(page),
                            per_page: Some(PER_PAGE),
                        })
                        .await
                    };
                    match r {
                        Ok(p) => {
                            data.set(Some(p));
                            error.set(None);
                        }
                        Err(p) => error.set(Some(p)),
                    }
                });
            },
        );
    }

    // Notes changed elsewhere (a reminder marked done from the top bar): show it here too.
    {
        let generation = generation.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, api::REMINDERS_EVENT, move |_| {
                    generation.dispatch(())
                })
            });
            move || drop(listener)
        });
    }

    let refresh = {
        let generation = generation.dispatcher();
        Callback::from(move |_: ()| generation.dispatch(()))
    };
    let on_added = {
        let refresh = refresh.clone();
        let page_no = page_no.clone();
        Callback::from(move |_: Note| {
            page_no.set(1);
            refresh.emit(());
        })
    };
    let on_page = {
        let page_no = page_no.clone();
        Callback::from(move |n: u64| page_no.set(n))
    };
    let customer_id = merged.then_some(owner_id);

    let list = match (*data).as_ref() {
        None if error.is_some() => html! {},
        None => html! { <div class="loading-block">{ "Loading notes…" }</div> },
        Some(p) if p.items.is_empty() => html! {
            <div class="empty-state small-empty" data-testid="notes-empty"><p>{ "No notes yet." }</p></div>
        },
        Some(p) => html! {
            <ul class="note-list" data-testid="note-list">
                { for p.items.iter().map(|n| html! {
                    <NoteItem key={n.id} note={n.clone()} show_owner={merged}
                        customer_id={n.customer_id.or(customer_id)} on_changed={refresh.clone()} />
                }) }
            </ul>
        },
    };
    let count = (*data).as_ref().map(|p| p.total).unwrap_or(0);

    html! {
        <section class="card notes-panel" data-testid={if merged { "customer-notes" } else { "notes-panel" }}>
            <div class="card-head">
                <h2 class="card-title">
                    { "Notes" }
                    if count > 0 { <span class="count">{ count }</span> }
                </h2>
                if merged {
                    <span class="muted small">{ "Including notes on its contacts, jobs, websites, invoices and tickets; newest first." }</span>
                }
            </div>
            <div class="card-pad-x note-new">
                <NoteForm owner_kind={kind} owner_id={owner_id} note={None::<Note>} on_saved={on_added} />
            </div>
            if let Some(e) = (*error).as_ref() {
                <div class="card-pad-x"><Banner testid="notes-error">{ api::message(e) }</Banner></div>
            }
            { list }
            if let Some(p) = (*data).as_ref() {
                <Pager page={p.page} per_page={p.per_page} total={p.total} shown={p.items.len()} {on_page} />
            }
        </section>
    }
}

// ---- one note ------------------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct NoteItemProps {
    pub note: Note,
    /// Say what it is written on (in the merged list and the reminders).
    #[prop_or_default]
    pub show_owner: bool,
    pub customer_id: Option<i64>,
    pub on_changed: Callback<()>,
}

/// "Reminder for you · due 2025-03-04 09:00".
fn reminder_text(n: &Note, staff: &[User]) -> String {
    let who = match n.reminder_user_id {
        None => "all staff".to_string(),
        Some(id) if Some(id) == my_id() => "you".to_string(),
        Some(id) => staff
            .iter()
            .find(|u| u.id == id)
            .map(user_label)
            .unwrap_or_else(|| format!("user #{id}")),
    };
    format!("Reminder for {who}")
}

#[component]
pub fn NoteItem(props: &NoteItemProps) -> Html {
    let n = &props.note;
    let staff = use_staff();
    let editing = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let run = {
        let problem = problem.clone();
        let busy = busy.clone();
        let on_changed = props.on_changed.clone();
        move |fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Problem>>>>| {
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_changed = on_changed.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match fut.await {
                    Ok(()) => {
                        problem.set(None);
                        on_changed.emit(());
                    }
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(
                                "Someone else changed this note — the list now shows their version."
                                    .into(),
                            );
                            on_changed.emit(());
                        }
                        problem.set(Some(p));
                    }
                }
                busy.set(false);
            });
        }
    };
    let on_done = {
        let run = run.clone();
        let (id, version) = (n.id, n.version);
        Callback::from(move |_: MouseEvent| {
            run(Box::pin(async move {
                let body = NoteUpdate {
                    reminder_done: Some(true),
                    ..Default::default()
                };
                api::update_note(id, version, &body).await.map(|_| ())
            }))
        })
    };
    let on_delete = {
        let run = run.clone();
        let (id, version) = (n.id, n.version);
        Callback::from(move |_: MouseEvent| {
            let ok = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message("Delete this note? This cannot be undone.")
                        .ok()
                })
                .unwrap_or(false);
            if ok {
                run(Box::pin(api::delete_note(id, version)))
            }
        })
    };
    let on_edit = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(true))
    };
    let close = {
        let editing = editing.clone();
        Callback::from(move |_: ()| editing.set(false))
    };
    let saved = {
        let editing = editing.clone();
        let on_changed = props.on_changed.clone();
        Callback::from(move |_: Note| {
            editing.set(false);
            on_changed.emit(());
        })
    };

    let owner = if props.show_owner {
        let label = owner_label(&n.owner);
        match owner_route(props.customer_id, &n.owner) {
            Some(route) => html! {
                <Link<Route> to={route} classes={classes!("note-owner", format!("owner-{}", n.owner.kind.as_str()))}>
                    <span data-testid="note-owner" title={label.clone()}>{ label }</span>
                </Link<Route>>
            },
            None => html! {
                <span class="note-owner" data-testid="note-owner" title={label.clone()}>{ label }</span>
            },
        }
    } else {
        html! {}
    };

    html! {
        <li class={classes!("note", (n.reminder && !n.reminder_done).then_some("note-reminder"))}
            data-testid="note-item" data-id={n.id.to_string()}>
            <div class="note-meta">
                { owner }
                <span class="note-when" title={format!("Written {}", format::local_date_time(&n.created_at))}>
                    { format::local_date_time(&n.note_at) }
                </span>
                if !n.created_by_name.trim().is_empty() {
                    <span class="muted">{ format!("by {}", n.created_by_name) }</span>
                }
                if n.reminder {
                    <span class={classes!("badge", if n.reminder_done { "badge-muted" } else { "badge-warn" })} data-testid="note-reminder-badge">
                        { reminder_text(n, &staff) }
                        if n.reminder_done { { " · done" } }
                    </span>
                }
                if n.public {
                    <span class="badge badge-type" title="Shown to the customer">{ "Public" }</span>
                }
                <span class="note-actions">
                    if n.reminder && !n.reminder_done {
                        <button type="button" class="btn btn-xs" onclick={on_done} disabled={*busy} data-testid="note-done">{ "Done" }</button>
                    }
                    <button type="button" class="btn btn-xs" onclick={on_edit} data-testid="note-edit">{ "Edit" }</button>
                    <button type="button" class="btn btn-xs btn-danger-outline" onclick={on_delete} disabled={*busy} data-testid="note-delete">{ "Delete" }</button>
                </span>
            </div>
            <div class="note-body" data-testid="note-body-text">{ n.body.clone() }</div>
            if let Some(p) = (*problem).as_ref() {
                <Banner>{ api::message(p) }</Banner>
            }
            if *editing {
                <Modal title="Edit note" on_close={close.clone()} testid="note-edit-form">
                    <NoteForm owner_kind={n.owner.kind} owner_id={n.owner.id} note={Some(n.clone())}
                        on_saved={saved} on_cancel={Some(close)} />
                </Modal>
            }
        </li>
    }
}

// ---- add / edit ----------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Default)]
struct NoteFields {
    body: String,
    note_at: String,
    reminder: bool,
    /// `me`, `all` or a user id.
    remind: String,
    public: bool,
    more: bool,
}

#[derive(Properties, PartialEq)]
pub struct NoteFormProps {
    pub owner_kind: NoteOwnerKind,
    pub owner_id: i64,
    /// `None` writes a new note.
    pub note: Option<Note>,
    pub on_saved: Callback<Note>,
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
}

const NOTE_FIELDS: &[&str] = &["body", "note_at", "reminder", "reminder_user_id", "public"];

#[component]
pub fn NoteForm(props: &NoteFormProps) -> Html {
    let session = use_context::<SessionCtx>();
    let me = session
        .as_ref()
        .and_then(|c| c.session.as_ref())
        .map(|s| s.user.id);
    let staff = use_staff();
    let initial = {
        let note = props.note.clone();
        move || match &note {
            None => NoteFields {
                remind: "me".into(),
                ..Default::default()
            },
            Some(n) => NoteFields {
                body: n.body.clone(),
                note_at: format::datetime_local_value(&n.note_at),
                reminder: n.reminder,
                remind: match n.reminder_user_id {
                    None => "all".into(),
                    Some(id) if Some(id) == me => "me".into(),
                    Some(id) => id.to_string(),
                },
                public: n.public,
                more: true,
            },
        }
    };
    let form = use_reducer(move || Form(initial()));
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);
    let prefix = match &props.note {
        None => format!("note-new-{}-{}", props.owner_kind.as_str(), props.owner_id),
        Some(n) => format!("note-edit-{}", n.id),
    };

    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let note = props.note.clone();
        let (owner_kind, owner_id) = (props.owner_kind, props.owner_id);
        let on_saved = props.on_saved.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let f = form.0.clone();
            let body = f.body.trim().to_string();
            if body.is_empty() {
                problem.set(Some(api::invalid("body", "Write the note first.")));
                return;
            }
            let note_at = if f.note_at.trim().is_empty() {
                None
            } else {
                match format::parse_datetime_local(&f.note_at) {
                    Some(t) => Some(t),
                    None => {
                        problem.set(Some(api::invalid("note_at", "Enter a date and time.")));
                        return;
                    }
                }
            };
            let remind_user = match f.remind.as_str() {
                "all" => None,
                "me" => me,
                id => id.parse::<i64>().ok(),
            };
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_saved = on_saved.clone();
            let form = form.clone();
            let note = note.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let r = match &note {
                    None => {
                        api::create_note(&NewNote {
                            owner_kind,
                            owner_id,
                            body,
                            note_at,
                            reminder: Some(f.reminder),
                            reminder_user_id: if f.reminder { remind_user } else { None },
                            public: Some(f.public),
                        })
                        .await
                    }
                    Some(old) => {
                        let u = NoteUpdate {
                            body: (body != old.body).then_some(body),
                            note_at: note_at.filter(|t| {
                                format::datetime_local_value(t)
                                    != format::datetime_local_value(&old.note_at)
                            }),
                            reminder: (f.reminder != old.reminder).then_some(f.reminder),
                            reminder_user_id: (f.reminder && remind_user != old.reminder_user_id)
                                .then_some(remind_user),
                            reminder_done: None,
                            public: (f.public != old.public).then_some(f.public),
                        };
                        if u == NoteUpdate::default() {
                            Ok(old.clone())
                        } else {
                            api::update_note(old.id, old.version, &u).await
                        }
                    }
                };
                busy.set(false);
                match r {
                    Ok(n) => {
                        problem.set(None);
                        if note.is_none() {
                            form.dispatch(FormAction::Reset(NoteFields {
                                remind: "me".into(),
                                ..Default::default()
                            }));
                        }
                        on_saved.emit(n);
                    }
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(
                                "Someone else changed this note — close this form and reload to see their changes."
                                    .into(),
                            );
                        }
                        problem.set(Some(p));
                    }
                }
            });
        })
    };

    let p = (*problem).as_ref();
    let f = &form.0;
    let id = |k: &str| format!("{prefix}-{k}");
    let body_error = field_error(p, "body");
    let others = p
        .filter(|p| p.errors.keys().all(|k| !NOTE_FIELDS.contains(&k.as_str())))
        .map(api::message);
    let editing = props.note.is_some();
    let toggle_more = edit(&form, |f: &mut NoteFields| f.more = !f.more);

    html! {
        <form class="note-form" onsubmit={onsubmit} novalidate=true data-testid="note-form">
            if let Some(m) = others { <Banner testid="note-form-error">{ m }</Banner> }
            <Field label={if editing { "Note" } else { "Add a note" }} name="body" error={body_error.clone()} input_id={id("body")}>
                <TextArea id={id("body")} testid="note-body" value={f.body.clone()} invalid={body_error.is_some()}
                    placeholder="Write a note…" oninput={bind_textarea(&form, |f, v| f.body = v)} />
            </Field>
            if f.more {
                <div class="note-options">
                    <Field label="When" name="note_at" error={field_error(p, "note_at")} input_id={id("at")}
                           hint="Default: now. A reminder is due at this time.">
                        <TextInput id={id("at")} testid="note-at" kind="datetime-local" value={f.note_at.clone()}
                            invalid={field_error(p, "note_at").is_some()} oninput={bind_text(&form, |f, v| f.note_at = v)} />
                    </Field>
                    <div class="field">
                        <label class="check" for={id("reminder")}>
                            <input id={id("reminder")} type="checkbox" checked={f.reminder} data-testid="note-reminder"
                                onchange={edit(&form, |f: &mut NoteFields| f.reminder = !f.reminder)} />
                            { "Remind" }
                        </label>
                        if f.reminder {
                            <label class="sr-only" for={id("remind-who")}>{ "Whom to remind" }</label>
                            <select id={id("remind-who")} class="select select-sm remind-who" data-testid="note-remind-who"
                                onchange={bind_select(&form, |f, v| f.remind = v)}>
                                <option value="me" selected={f.remind == "me"}>{ "Me" }</option>
                                <option value="all" selected={f.remind == "all"}>{ "All staff" }</option>
                                { for staff.iter().filter(|u| Some(u.id) != me).map(|u| html! {
                                    <option value={u.id.to_string()} selected={f.remind == u.id.to_string()}>{ user_label(u) }</option>
                                }) }
                            </select>
                        }
                        if let Some(e) = field_error(p, "reminder_user_id").or_else(|| field_error(p, "reminder")) {
                            <div class="field-error">{ e }</div>
                        }
                    </div>
                    <div class="field">
                        <label class="check" for={id("public")} title="Shown to the customer, e.g. on an invoice">
                            <input id={id("public")} type="checkbox" checked={f.public} data-testid="note-public"
                                onchange={edit(&form, |f: &mut NoteFields| f.public = !f.public)} />
                            { "Public" }
                        </label>
                    </div>
                </div>
            }
            <div class="note-form-actions">
                if !editing {
                    <button type="button" class="btn-link" onclick={toggle_more} data-testid="note-more" aria-expanded={f.more.to_string()}>
                        { if f.more { "Fewer options" } else { "Date, reminder, public…" } }
                    </button>
                }
                <span class="spacer"></span>
                if let Some(cancel) = props.on_cancel.clone() {
                    <button type="button" class="btn btn-sm" onclick={cancel.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                }
                <button type="submit" class="btn btn-primary btn-sm" disabled={*busy} data-testid="note-save">
                    { if *busy { "Saving…" } else if editing { "Save note" } else { "Add note" } }
                </button>
            </div>
        </form>
    }
}
