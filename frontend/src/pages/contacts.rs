//! The Contacts tab: list, add, edit, make primary, move to another customer, delete.

use gloo_timers::callback::Timeout;
use ucm_types::{Contact, ContactUpdate, CustomerListItem, NewContact, Problem};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{self, field_error, ListParams};
use crate::components::form::{bind_text, Banner, Field, Form, ProblemBanner, TextInput};
use crate::components::modal::Modal;
use crate::format;

#[derive(Clone, PartialEq)]
enum Dialog {
    None,
    Add,
    Edit(Contact),
    Move(Contact),
}

#[derive(Properties, PartialEq)]
pub struct ContactsProps {
    pub customer_id: i64,
    pub customer_name: String,
    /// Called after anything that can change the customer's primary contact.
    pub on_changed: Callback<()>,
}

#[component]
pub fn ContactsTab(props: &ContactsProps) -> Html {
    let id = props.customer_id;
    let contacts = use_state(|| None::<Vec<Contact>>);
    let error = use_state(|| None::<Problem>);
    let dialog = use_state(|| Dialog::None);
    let generation = use_state(|| 0u32);
    let busy_row = use_state(|| None::<i64>);

    {
        let contacts = contacts.clone();
        let error = error.clone();
        use_effect_with((id, *generation), move |(id, _)| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                match api::list_contacts(id).await {
                    Ok(mut list) => {
                        // Primary first; the server's order otherwise.
                        list.sort_by_key(|c| !c.is_primary);
                        contacts.set(Some(list));
                    }
                    Err(p) => error.set(Some(p)),
                }
            });
        });
    }

    // Reload the list (and the customer, whose primary contact may have changed).
    let refresh = {
        let generation = generation.clone();
        let on_changed = props.on_changed.clone();
        Callback::from(move |_: ()| {
            generation.set(generation.wrapping_add(1));
            on_changed.emit(());
        })
    };

    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: ()| dialog.set(Dialog::None))
    };
    let after_dialog = {
        let dialog = dialog.clone();
        let refresh = refresh.clone();
        let error = error.clone();
        Callback::from(move |_: ()| {
            dialog.set(Dialog::None);
            error.set(None);
            refresh.emit(());
        })
    };

    let make_primary = {
        let refresh = refresh.clone();
        let error = error.clone();
        let busy_row = busy_row.clone();
        Callback::from(move |contact_id: i64| {
            let refresh = refresh.clone();
            let error = error.clone();
            let busy_row = busy_row.clone();
            busy_row.set(Some(contact_id));
            wasm_bindgen_futures::spawn_local(async move {
                match api::make_primary(contact_id).await {
                    Ok(_) => {
                        error.set(None);
                        refresh.emit(());
                    }
                    Err(p) => error.set(Some(p)),
                }
                busy_row.set(None);
            });
        })
    };

    let delete = {
        let refresh = refresh.clone();
        let error = error.clone();
        Callback::from(move |c: Contact| {
            let who = format::full_name(&c.first_name, &c.last_name);
            let question = format!("Delete the contact “{who}”? This cannot be undone.");
            let ok = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !ok {
                return;
            }
            let refresh = refresh.clone();
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_contact(c.id, c.version).await {
                    Ok(()) => {
                        error.set(None);
                        refresh.emit(());
                    }
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(
                                "Someone else changed this contact; the list now shows their changes."
                                    .to_string(),
                            );
                            refresh.emit(());
                        }
                        error.set(Some(p));
                    }
                }
            });
        })
    };

    let open_add = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(Dialog::Add))
    };

    let table = match (*contacts).as_ref() {
        None if error.is_some() => html! {},
        None => html! { <div class="loading-block">{ "Loading contacts…" }</div> },
        Some(list) if list.is_empty() => html! {
            <div class="empty-state" data-testid="contacts-empty">
                <p>{ "This customer has no contacts yet." }</p>
            </div>
        },
        Some(list) => html! {
            <div class="table-wrap">
                <table class="table contacts-table" data-testid="contacts-table">
                    <thead>
                        <tr>
                            <th>{ "Name" }</th>
                            <th>{ "Email" }</th>
                            <th>{ "Phone" }</th>
                            <th>{ "Mobile" }</th>
                            <th>{ "Position" }</th>
                            <th class="actions-col">{ "Actions" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for list.iter().map(|c| {
                            let cid = c.id;
                            let busy = *busy_row == Some(cid);
                            let on_edit = { let dialog = dialog.clone(); let c = c.clone(); Callback::from(move |_: MouseEvent| dialog.set(Dialog::Edit(c.clone()))) };
                            let on_move = { let dialog = dialog.clone(); let c = c.clone(); Callback::from(move |_: MouseEvent| dialog.set(Dialog::Move(c.clone()))) };
                            let on_delete = { let delete = delete.clone(); let c = c.clone(); Callback::from(move |_: MouseEvent| delete.emit(c.clone())) };
                            let on_primary = make_primary.reform(move |_: MouseEvent| cid);
                            let mailto = format!("mailto:{}", c.email);
                            html! {
                                <tr key={cid} data-testid="contact-row" data-id={cid.to_string()}
                                    data-primary={c.is_primary.to_string()}
                                    class={classes!(c.is_primary.then_some("row-primary"))}>
                                    <td class="cell-name">
                                        <span data-testid="contact-name">{ format::full_name(&c.first_name, &c.last_name) }</span>
                                        if c.is_primary {
                                            <span class="badge badge-primary" data-testid="primary-badge">{ "Primary" }</span>
                                        }
                                    </td>
                                    <td>if !c.email.is_empty() { <a href={mailto}>{ c.email.clone() }</a> }</td>
                                    <td class="nowrap">{ c.phone.clone() }</td>
                                    <td class="nowrap">{ c.mobile.clone() }</td>
                                    <td>{ c.position.clone() }</td>
                                    <td class="actions-col">
                                        <div class="row-actions">
                                            <button class="btn btn-xs" onclick={on_edit} data-testid="contact-edit">{ "Edit" }</button>
                                            if !c.is_primary {
                                                <button class="btn btn-xs" onclick={on_primary} disabled={busy} data-testid="make-primary">
                                                    { if busy { "Saving…" } else { "Make primary" } }
                                                </button>
                                            }
                                            <button class="btn btn-xs" onclick={on_move} data-testid="contact-move">{ "Move…" }</button>
                                            <button class="btn btn-xs btn-danger-outline" onclick={on_delete} data-testid="contact-delete">{ "Delete" }</button>
                                        </div>
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };

    let modal = match &*dialog {
        Dialog::None => html! {},
        Dialog::Add => html! {
            <ContactForm customer_id={id} contact={None::<Contact>} on_close={close.clone()} on_saved={after_dialog.clone()} />
        },
        Dialog::Edit(c) => html! {
            <ContactForm customer_id={id} contact={Some(c.clone())} on_close={close.clone()} on_saved={after_dialog.clone()} />
        },
        Dialog::Move(c) => html! {
            <MoveContact contact={c.clone()} from_name={props.customer_name.clone()}
                on_close={close.clone()} on_moved={after_dialog.clone()} />
        },
    };

    let count = (*contacts).as_ref().map(|l| l.len()).unwrap_or(0);

    html! {
        <div class="card">
            <div class="card-head">
                <h2 class="card-title">
                    { "Contacts" }
                    if count > 0 { <span class="count">{ count }</span> }
                </h2>
                <button class="btn btn-primary btn-sm" onclick={open_add} data-testid="add-contact">{ "+ Add contact" }</button>
            </div>
            if let Some(e) = (*error).as_ref() {
                <div class="card-pad-x"><Banner testid="contacts-error">{ api::message(e) }</Banner></div>
            }
            { table }
            { modal }
        </div>
    }
}

// ---- add / edit --------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Default)]
struct ContactFields {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    mobile: String,
    fax: String,
    language: String,
    position: String,
}

impl ContactFields {
    fn from_contact(c: &Contact) -> Self {
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            mobile: c.mobile.clone(),
            fax: c.fax.clone(),
            language: c.language.clone(),
            position: c.position.clone(),
        }
    }

    fn trimmed(&self) -> Self {
        Self {
            first_name: self.first_name.trim().to_string(),
            last_name: self.last_name.trim().to_string(),
            email: self.email.trim().to_string(),
            phone: self.phone.trim().to_string(),
            mobile: self.mobile.trim().to_string(),
            fax: self.fax.trim().to_string(),
            language: self.language.trim().to_string(),
            position: self.position.trim().to_string(),
        }
    }

    fn to_new(&self) -> NewContact {
        let t = self.trimmed();
        NewContact {
            first_name: t.first_name,
            last_name: t.last_name,
            name: None,
            email: t.email,
            phone: t.phone,
            mobile: t.mobile,
            fax: t.fax,
            language: t.language,
            position: t.position,
            is_primary: false,
        }
    }

    fn to_update(&self, old: &Contact) -> ContactUpdate {
        let t = self.trimmed();
        let changed = |new: String, old: &str| (new != old).then_some(new);
        ContactUpdate {
            first_name: changed(t.first_name, &old.first_name),
            last_name: changed(t.last_name, &old.last_name),
            email: changed(t.email, &old.email),
            phone: changed(t.phone, &old.phone),
            mobile: changed(t.mobile, &old.mobile),
            fax: changed(t.fax, &old.fax),
            language: changed(t.language, &old.language),
            position: changed(t.position, &old.position),
            customer_id: None,
            is_primary: None,
        }
    }
}

const CONTACT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "mobile",
    "fax",
    "language",
    "position",
];

#[derive(Properties, PartialEq)]
struct ContactFormProps {
    customer_id: i64,
    /// `None` adds a new contact.
    contact: Option<Contact>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
}

#[component]
fn ContactForm(props: &ContactFormProps) -> Html {
    let form = use_reducer({
        let initial = props
            .contact
            .as_ref()
            .map(ContactFields::from_contact)
            .unwrap_or_default();
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let contact = props.contact.clone();
        let customer_id = props.customer_id;
        let on_saved = props.on_saved.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let fields = form.0.clone();
            if fields.first_name.trim().is_empty() {
                problem.set(Some(api::invalid("first_name", "Enter a first name.")));
                return;
            }
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let contact = contact.clone();
            let on_saved = on_saved.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match &contact {
                    None => api::create_contact(customer_id, &fields.to_new())
                        .await
                        .map(|_| ()),
                    Some(old) => {
                        let update = fields.to_update(old);
                        if update == ContactUpdate::default() {
                            Ok(())
                        } else {
                            api::update_contact(old.id, old.version, &update)
                                .await
                                .map(|_| ())
                        }
                    }
                };
                busy.set(false);
                match result {
                    Ok(()) => on_saved.emit(()),
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(
                                "Someone else changed this contact — close this form to see their changes."
                                    .to_string(),
                            );
                        }
                        problem.set(Some(p));
                    }
                }
            });
        })
    };

    let p = (*problem).as_ref();
    let err = |k: &str| field_error(p, k);
    let f = &form.0;
    let title = if props.contact.is_some() {
        "Edit contact"
    } else {
        "Add contact"
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());

    let text = |label: &'static str,
                key: &'static str,
                kind: &'static str,
                value: &str,
                set: fn(&mut ContactFields, String),
                required: bool| {
        let e = if key == "first_name" {
            err("first_name").or_else(|| err("name"))
        } else {
            err(key)
        };
        html! {
            <Field label={label} name={key} error={e.clone()} required={required}>
                <TextInput value={value.to_string()} kind={kind} invalid={e.is_some()}
                    testid={format!("contact-{}", key.replace('_', "-"))}
                    autofocus={key == "first_name"}
                    oninput={bind_text(&form, set)} />
            </Field>
        }
    };

    html! {
        <Modal title={title} on_close={props.on_close.clone()} testid="contact-form">
            <form {onsubmit} novalidate=true>
                <ProblemBanner problem={(*problem).clone()} fields={CONTACT_FIELDS} testid="contact-form-error" />
                <div class="form-grid">
                    { text("First name", "first_name", "text", &f.first_name, |f, v| f.first_name = v, true) }
                    { text("Last name", "last_name", "text", &f.last_name, |f, v| f.last_name = v, false) }
                    <div class="span-2">
                        { text("Email", "email", "email", &f.email, |f, v| f.email = v, false) }
                    </div>
                    { text("Phone", "phone", "tel", &f.phone, |f, v| f.phone = v, false) }
                    { text("Mobile", "mobile", "tel", &f.mobile, |f, v| f.mobile = v, false) }
                    { text("Fax", "fax", "tel", &f.fax, |f, v| f.fax = v, false) }
                    { text("Language", "language", "text", &f.language, |f, v| f.language = v, false) }
                    <div class="span-2">
                        { text("Position", "position", "text", &f.position, |f, v| f.position = v, false) }
                    </div>
                </div>
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="contact-save">
                        { if *busy { "Saving…" } else if props.contact.is_some() { "Save contact" } else { "Add contact" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}

// ---- move ----------------------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct MoveProps {
    contact: Contact,
    from_name: String,
    on_close: Callback<()>,
    on_moved: Callback<()>,
}

#[component]
fn MoveContact(props: &MoveProps) -> Html {
    let query = use_state(String::new);
    let results = use_state(|| None::<Vec<CustomerListItem>>);
    let problem = use_state(|| None::<Problem>);
    let timer = use_mut_ref(|| None::<Timeout>);
    let seq = use_mut_ref(|| 0u32);
    let busy = use_state(|| false);

    let on_input = {
        let query = query.clone();
        let results = results.clone();
        let timer = timer.clone();
        let seq = seq.clone();
        let exclude = props.contact.customer_id;
        Callback::from(move |e: InputEvent| {
            let q = e.target_unchecked_into::<HtmlInputElement>().value();
            query.set(q.clone());
            let results = results.clone();
            let seq = seq.clone();
            let t = Timeout::new(300, move || {
                if q.trim().is_empty() {
                    results.set(None);
                    return;
                }
                let my = {
                    let mut s = seq.borrow_mut();
                    *s += 1;
                    *s
                };
                let params = ListParams {
                    q,
                    archived: "all".into(),
                    per_page: 8,
                    ..Default::default()
                };
                wasm_bindgen_futures::spawn_local(async move {
                    let r = api::list_customers(&params).await;
                    if *seq.borrow() != my {
                        return;
                    }
                    if let Ok(page) = r {
                        results.set(Some(
                            page.items.into_iter().filter(|c| c.id != exclude).collect(),
                        ));
                    }
                });
            });
            *timer.borrow_mut() = Some(t);
        })
    };

    let move_to = {
        let contact = props.contact.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let on_moved = props.on_moved.clone();
        Callback::from(move |target: i64| {
            busy.set(true);
            let contact = contact.clone();
            let problem = problem.clone();
            let busy = busy.clone();
            let on_moved = on_moved.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let body = ContactUpdate {
                    customer_id: Some(target),
                    ..Default::default()
                };
                match api::update_contact(contact.id, contact.version, &body).await {
                    Ok(_) => on_moved.emit(()),
                    Err(p) => {
                        problem.set(Some(p));
                        busy.set(false);
                    }
                }
            });
        })
    };

    let who = format::full_name(&props.contact.first_name, &props.contact.last_name);

    html! {
        <Modal title="Move contact" on_close={props.on_close.clone()} testid="move-contact">
            <p>
                { "Move " }<strong>{ who }</strong>{ " from " }<strong>{ props.from_name.clone() }</strong>
                { " to another customer." }
            </p>
            if props.contact.is_primary {
                <Banner kind="warning">{ "This is the primary contact; the customer will need a new one." }</Banner>
            }
            if let Some(p) = (*problem).as_ref() {
                <Banner>{ api::message(p) }</Banner>
            }
            <input class="input" type="search" placeholder="Search customers…" value={(*query).clone()}
                oninput={on_input} data-testid="move-search" aria-label="Search customers" autofocus=true />
            <ul class="pick-list">
                { match (*results).as_ref() {
                    None => html! { <li class="muted">{ "Type to search for the customer to move to." }</li> },
                    Some(list) if list.is_empty() => html! { <li class="muted">{ "No other customer matches." }</li> },
                    Some(list) => html! {
                        { for list.iter().map(|c| {
                            let target = c.id;
                            let onclick = move_to.reform(move |_: MouseEvent| target);
                            html! {
                                <li key={target}>
                                    <div>
                                        <div class="pick-name">{ c.customer_name.clone() }</div>
                                        <div class="muted small">
                                            { c.customer_number.clone() }
                                            if let Some(pc) = &c.primary_contact {
                                                { " · " }{ format::full_name(&pc.first_name, &pc.last_name) }
                                            }
                                        </div>
                                    </div>
                                    <button class="btn btn-sm" {onclick} disabled={*busy} data-testid="move-target">{ "Move here" }</button>
                                </li>
                            }
                        }) }
                    },
                } }
            </ul>
        </Modal>
    }
}
