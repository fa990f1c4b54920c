//! The Tickets tab: the customer's support tickets, and a ticket's page with its notes.

use ucm_types::{
    Contact, NewTicket, NoteOwnerKind, Problem, RecordQuery, Ticket, TicketPriority, TicketStatus,
    TicketUpdate,
};
use yew::prelude::*;

use crate::api::{self, ApiResult};
use crate::components::form::Form;
use crate::components::modal::Modal;
use crate::components::notes::NotesPanel;
use crate::components::status::{from_wire, humanize, wire, StatusBadge};
use crate::format;
use crate::paged;
use crate::pages::records::{
    fact, invalid_many, submit, DetailArgs, Fields, FormArgs, FormProblem, Fut, Kind, Opt, Paged,
};

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

#[derive(PartialEq)]
pub struct Tickets;

fn contact_name(contacts: &[Contact], id: Option<i64>) -> String {
    match id {
        None => String::new(),
        Some(id) => contacts
            .iter()
            .find(|c| c.id == id)
            .map(|c| format::full_name(&c.first_name, &c.last_name))
            .unwrap_or_else(|| format!("Contact #{id}")),
    }
}

fn priority_badge(p: &TicketPriority) -> Html {
    let v = wire(p);
    html! {
        <StatusBadge value={format!("priority-{v}")} label={humanize(&v)} testid="priority-badge"
            title={format!("Priority: {}", humanize(&v))} />
    }
}

impl Kind for Tickets {
    type Item = Ticket;
    type Ctx = Vec<Contact>;
    const SLUG: &'static str = "tickets";
    const ONE: &'static str = "ticket";
    const TITLE: &'static str = "Tickets";
    const NAME_HEADING: &'static str = "Subject";
    const STATUSES: &'static [&'static str] = &["new", "open", "pending", "resolved", "closed"];
    const EMPTY: &'static str = "This customer has no tickets yet.";

    fn load_ctx(customer_id: i64) -> Fut<Vec<Contact>> {
        Box::pin(async move { api::list_contacts(customer_id).await.unwrap_or_default() })
    }
    fn list(q: RecordQuery) -> Fut<ApiResult<Paged<Ticket>>> {
        Box::pin(async move { api::list_tickets(&q).await.map(|p| paged!(p)) })
    }
    fn get(id: i64) -> Fut<ApiResult<Ticket>> {
        Box::pin(api::get_ticket(id))
    }
    fn delete(id: i64, version: i64) -> Fut<ApiResult<()>> {
        Box::pin(api::delete_ticket(id, version))
    }
    fn id(it: &Ticket) -> i64 {
        it.id
    }
    fn version(it: &Ticket) -> i64 {
        it.version
    }
    fn title(it: &Ticket) -> String {
        it.subject.clone()
    }
    fn customer_id(it: &Ticket) -> Option<i64> {
        it.customer_id
    }
    fn status(it: &Ticket) -> String {
        wire(&it.status)
    }
    fn head() -> Html {
        html! {
            <>
                <th>{ "Priority" }</th>
                <th>{ "Contact" }</th>
                <th>{ "Created" }</th>
            </>
        }
    }
    fn cells(it: &Ticket, contacts: &Vec<Contact>) -> Html {
        html! {
            <>
                <td>{ priority_badge(&it.priority) }</td>
                <td><span class="ellipsis contact-cell">{ contact_name(contacts, it.contact_id) }</span></td>
                <td class="nowrap">{ format::date(&it.created_at) }</td>
            </>
        }
    }
    fn form(a: FormArgs<Self>) -> Html {
        html! {
            <TicketForm customer_id={a.customer_id} ticket={a.item} contacts={a.ctx}
                on_close={a.on_close} on_saved={a.on_saved} on_reload={a.on_reload} />
        }
    }
    fn detail(a: DetailArgs<Self>) -> Html {
        let t = &a.item;
        html! {
            <>
                <div class="card card-pad">
                    <dl class="facts">
                        { fact("Priority", priority_badge(&t.priority)) }
                        { fact("Contact", html! { { contact_name(&a.ctx, t.contact_id) } }) }
                        { fact("Created", html! { { format::local_date_time(&t.created_at) } }) }
                        { fact("Updated", html! { { format::local_date_time(&t.updated_at) } }) }
                    </dl>
                    if !t.description.trim().is_empty() {
                        <p class="description">{ t.description.clone() }</p>
                    }
                </div>
                <div class="record-panels single">
                    <NotesPanel owner_kind={NoteOwnerKind::Ticket} owner_id={t.id} />
                </div>
            </>
        }
    }
}

#[derive(Clone, PartialEq, Default)]
struct TicketFields {
    subject: String,
    contact_id: String,
    status: String,
    priority: String,
    description: String,
}

const TICKET_FIELDS: &[&str] = &["subject", "contact_id", "status", "priority", "description"];

#[derive(Properties, PartialEq)]
struct TicketFormProps {
    customer_id: i64,
    ticket: Option<Ticket>,
    contacts: Vec<Contact>,
    on_close: Callback<()>,
    on_saved: Callback<Ticket>,
    on_reload: Callback<()>,
}

#[component]
fn TicketForm(props: &TicketFormProps) -> Html {
    let form = use_reducer({
        let initial = match &props.ticket {
            Some(t) => TicketFields {
                subject: t.subject.clone(),
                contact_id: t.contact_id.map(|c| c.to_string()).unwrap_or_default(),
                status: wire(&t.status),
                priority: wire(&t.priority),
                description: t.description.clone(),
            },
            None => TicketFields {
                status: "new".into(),
                priority: "normal".into(),
                contact_id: props
                    .contacts
                    .iter()
                    .find(|c| c.is_primary)
                    .map(|c| c.id.to_string())
                    .unwrap_or_default(),
                ..Default::default()
            },
        };
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let ticket = props.ticket.clone();
        let customer_id = props.customer_id;
        submit(
            &form,
            &problem,
            &busy,
            move |f: &TicketFields| -> Result<Option<Fut<ApiResult<Ticket>>>, Problem> {
                if f.subject.trim().is_empty() {
                    return Err(invalid_many(vec![(
                        "subject".into(),
                        "Enter a subject.".into(),
                    )]));
                }
                let subject = f.subject.trim().to_string();
                let contact_id = f.contact_id.parse::<i64>().ok();
                let status = from_wire::<TicketStatus>(&f.status);
                let priority = from_wire::<TicketPriority>(&f.priority);
                let description = f.description.trim().to_string();
                match &ticket {
                    None => {
                        let body = NewTicket {
                            customer_id,
                            contact_id,
                            subject,
                            status,
                            priority,
                            description: Some(description),
                        };
                        Ok(Some(Box::pin(
                            async move { api::create_ticket(&body).await },
                        )))
                    }
                    Some(old) => {
                        let u = TicketUpdate {
                            customer_id: None,
                            contact_id: (contact_id != old.contact_id).then_some(contact_id),
                            subject: (subject != old.subject).then_some(subject),
                            status: status.filter(|s| *s != old.status),
                            priority: priority.filter(|p| *p != old.priority),
                            description: (description != old.description).then_some(description),
                        };
                        if u == TicketUpdate::default() {
                            return Ok(None);
                        }
                        let (id, version) = (old.id, old.version);
                        Ok(Some(Box::pin(async move {
                            api::update_ticket(id, version, &u).await
                        })))
                    }
                }
            },
            props.on_saved.clone(),
            props.on_close.clone(),
        )
    };

    let fl = Fields {
        form: &form,
        problem: (*problem).as_ref(),
        prefix: "ticket",
    };
    let f = &form.0;
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let editing = props.ticket.is_some();
    let mut contact_options = vec![(String::new(), "— nobody —".to_string())];
    contact_options.extend(props.contacts.iter().map(|c| {
        (
            c.id.to_string(),
            format::full_name(&c.first_name, &c.last_name),
        )
    }));
    let priority_options = PRIORITIES
        .iter()
        .map(|p| (p.to_string(), humanize(p)))
        .collect();
    html! {
        <Modal title={if editing { "Edit ticket" } else { "Add ticket" }} on_close={props.on_close.clone()} testid="ticket-form">
            <form {onsubmit} novalidate=true>
                <FormProblem problem={(*problem).clone()} fields={TICKET_FIELDS} one="ticket" on_reload={props.on_reload.clone()} />
                { fl.input("Subject", "subject", &f.subject, |f, v| f.subject = v, Opt { required: true, ..Opt::default() }) }
                <div class="form-grid">
                    { fl.select("Raised by", "contact_id", &f.contact_id, |f, v| f.contact_id = v, contact_options) }
                    { fl.select("Priority", "priority", &f.priority, |f, v| f.priority = v, priority_options) }
                    { fl.status(&f.status, |f, v| f.status = v, Tickets::STATUSES) }
                </div>
                { fl.textarea("Description", "description", &f.description, |f, v| f.description = v) }
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="ticket-save">
                        { if *busy { "Saving…" } else if editing { "Save ticket" } else { "Add ticket" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
