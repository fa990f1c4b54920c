//! The "Unlinked records" page (`/unlinked`): jobs, websites, invoices, tickets and files left
//! without a customer (by deleting one with "keep linked records"), each with a "Link to
//! customer…" dialog that searches customers and moves the record to the one picked.

use gloo_timers::callback::Timeout;
use ucm_types::{
    CustomerListItem, FileMeta, FileQuery, FileUpdate, InvoiceUpdate, JobUpdate, Problem,
    RecordQuery, TicketUpdate, WebsiteUpdate,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, ApiResult};
use crate::app::Route;
use crate::components::form::Banner;
use crate::components::modal::Modal;
use crate::components::pager::Pager;
use crate::components::status::{wire, StatusBadge};
use crate::components::tick::Tick;
use crate::format;

const PER_PAGE: u64 = 10;
const SEARCH_DELAY_MS: u32 = 250;

/// The kinds of record that can lose their customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlinkedKind {
    Jobs,
    Websites,
    Invoices,
    Tickets,
    Files,
}

impl UnlinkedKind {
    const ALL: [UnlinkedKind; 5] = [
        UnlinkedKind::Jobs,
        UnlinkedKind::Websites,
        UnlinkedKind::Invoices,
        UnlinkedKind::Tickets,
        UnlinkedKind::Files,
    ];

    /// The customer tab (and API path) of this kind.
    fn slug(self) -> &'static str {
        match self {
            UnlinkedKind::Jobs => "jobs",
            UnlinkedKind::Websites => "websites",
            UnlinkedKind::Invoices => "invoices",
            UnlinkedKind::Tickets => "tickets",
            UnlinkedKind::Files => "files",
        }
    }

    fn title(self) -> &'static str {
        match self {
            UnlinkedKind::Jobs => "Jobs",
            UnlinkedKind::Websites => "Websites",
            UnlinkedKind::Invoices => "Invoices",
            UnlinkedKind::Tickets => "Tickets",
            UnlinkedKind::Files => "Files",
        }
    }

    fn one(self) -> &'static str {
        match self {
            UnlinkedKind::Jobs => "job",
            UnlinkedKind::Websites => "website",
            UnlinkedKind::Invoices => "invoice",
            UnlinkedKind::Tickets => "ticket",
            UnlinkedKind::Files => "file",
        }
    }

    fn name_heading(self) -> &'static str {
        match self {
            UnlinkedKind::Tickets => "Subject",
            UnlinkedKind::Invoices => "Number",
            _ => "Name",
        }
    }

    fn date_heading(self) -> &'static str {
        match self {
            UnlinkedKind::Jobs => "Start",
            UnlinkedKind::Invoices => "Issued",
            UnlinkedKind::Files => "Uploaded",
            _ => "Created",
        }
    }

    /// Where the record lives once it has customer `customer_id`.
    fn route(self, customer_id: i64, record: i64) -> Route {
        match self {
            UnlinkedKind::Files => Route::CustomerTab {
                id: customer_id,
                tab: "files".into(),
            },
            k => Route::CustomerRecord {
                id: customer_id,
                tab: k.slug().into(),
                record,
            },
        }
    }
}

/// One table row, whatever its kind.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: i64,
    version: i64,
    title: String,
    /// The wire status (records) or empty (files).
    status: String,
    date: String,
    date_title: String,
    file: Option<FileMeta>,
}

#[derive(Debug, Clone, PartialEq)]
struct RowPage {
    items: Vec<Row>,
    total: u64,
    page: u64,
    per_page: u64,
}

macro_rules! rows {
    ($p:expr, |$it:ident| $row:expr) => {{
        let p = $p;
        RowPage {
            items: p.items.into_iter().map(|$it| $row).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }};
}

async fn load(kind: UnlinkedKind, page: u64) -> ApiResult<RowPage> {
    let q = RecordQuery {
        unlinked: Some(true),
        page: Some(page),
        per_page: Some(PER_PAGE),
        ..Default::default()
    };
    Ok(match kind {
        UnlinkedKind::Jobs => rows!(api::list_jobs(&q).await?, |j| Row {
            id: j.id,
            version: j.version,
            title: j.name,
            status: wire(&j.status),
            date: j
                .start_date
                .as_ref()
                .map(format::day)
                .unwrap_or_else(|| format::date(&j.created_at)),
            date_title: format::local_date_time(&j.created_at),
            file: None,
        }),
        UnlinkedKind::Websites => rows!(api::list_websites(&q).await?, |w| Row {
            id: w.id,
            version: w.version,
            title: if w.url.trim().is_empty() {
                w.name
            } else {
                format!("{} ({})", w.name, w.url)
            },
            status: wire(&w.status),
            date: format::date(&w.created_at),
            date_title: format::local_date_time(&w.created_at),
            file: None,
        }),
        UnlinkedKind::Invoices => rows!(api::list_invoices(&q).await?, |i| Row {
            id: i.id,
            version: i.version,
            title: format!("{} · {}", i.number, format::money_in(i.total, &i.currency)),
            status: wire(&i.status),
            date: format::day(&i.issue_date),
            date_title: format!("Due {}", format::day(&i.due_date)),
            file: None,
        }),
        UnlinkedKind::Tickets => rows!(api::list_tickets(&q).await?, |t| Row {
            id: t.id,
            version: t.version,
            title: t.subject,
            status: wire(&t.status),
            date: format::date(&t.created_at),
            date_title: format::local_date_time(&t.created_at),
            file: None,
        }),
        UnlinkedKind::Files => {
            let fq = FileQuery {
                unlinked: Some(true),
                page: Some(page),
                per_page: Some(PER_PAGE),
                ..Default::default()
            };
            rows!(api::list_files(&fq).await?, |f| Row {
                id: f.id,
                version: f.version,
                title: f.name.clone(),
                status: String::new(),
                date: format::date(&f.created_at),
                date_title: format::local_date_time(&f.created_at),
                file: Some(f),
            })
        }
    })
}

/// Gives the record customer `customer_id` (a job takes its files along, server side).
async fn link(kind: UnlinkedKind, row: &Row, customer_id: i64) -> ApiResult<()> {
    let (id, v, c) = (row.id, row.version, Some(customer_id));
    match kind {
        UnlinkedKind::Jobs => {
            let body = JobUpdate {
                customer_id: c,
                ..Default::default()
            };
            api::update_job(id, v, &body).await.map(|_| ())
        }
        UnlinkedKind::Websites => {
            let body = WebsiteUpdate {
                customer_id: c,
                ..Default::default()
            };
            api::update_website(id, v, &body).await.map(|_| ())
        }
        UnlinkedKind::Invoices => {
            let body = InvoiceUpdate {
                customer_id: c,
                ..Default::default()
            };
            api::update_invoice(id, v, &body).await.map(|_| ())
        }
        UnlinkedKind::Tickets => {
            let body = TicketUpdate {
                customer_id: c,
                ..Default::default()
            };
            api::update_ticket(id, v, &body).await.map(|_| ())
        }
        UnlinkedKind::Files => {
            let body = FileUpdate {
                customer_id: c,
                ..Default::default()
            };
            api::update_file(id, v, &body).await.map(|_| ())
        }
    }
}

/// What the last link did, for the success banner.
#[derive(Debug, Clone, PartialEq)]
struct Linked {
    kind: UnlinkedKind,
    title: String,
    record: i64,
    customer: CustomerListItem,
}

/// The row whose "Link to customer…" dialog is open.
#[derive(Debug, Clone, PartialEq)]
struct Linking {
    kind: UnlinkedKind,
    row: Row,
}

#[component]
pub fn UnlinkedPage() -> Html {
    let generation = use_reducer(Tick::default);
    let linking = use_state(|| None::<Linking>);
    let linked = use_state(|| None::<Linked>);

    let on_link = {
        let linking = linking.clone();
        Callback::from(move |l: Linking| linking.set(Some(l)))
    };
    let on_close = {
        let linking = linking.clone();
        Callback::from(move |_| linking.set(None))
    };
    let on_done = {
        let linking = linking.clone();
        let linked = linked.clone();
        let generation = generation.dispatcher();
        Callback::from(move |l: Linked| {
            linking.set(None);
            linked.set(Some(l));
            // Every section reloads: a job takes its files along.
            generation.dispatch(());
        })
    };

    html! {
        <div class="page unlinked-page" data-testid="unlinked-page">
            <div class="page-head">
                <div>
                    <h1>{ "Unlinked records" }</h1>
                    <p class="muted">
                        { "Jobs, websites, invoices, tickets and files kept when their customer was deleted. Link them to a customer to see them there again." }
                    </p>
                </div>
            </div>
            if let Some(l) = (*linked).as_ref() {
                <Banner kind="success" testid="link-done">
                    { format!("Linked {} \u{201c}{}\u{201d} to ", l.kind.one(), l.title) }
                    <Link<Route> to={l.kind.route(l.customer.id, l.record)} classes="link-done-target">
                        { l.customer.customer_name.clone() }
                    </Link<Route>>
                    { "." }
                </Banner>
            }
            { for UnlinkedKind::ALL.into_iter().map(|kind| html! {
                <Section key={kind.slug()} {kind} generation={generation.0} on_link={on_link.clone()} />
            }) }
            if let Some(l) = (*linking).clone() {
                <LinkDialog kind={l.kind} row={l.row} on_close={on_close} on_done={on_done} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SectionProps {
    kind: UnlinkedKind,
    generation: u32,
    on_link: Callback<Linking>,
}

#[component]
fn Section(props: &SectionProps) -> Html {
    let kind = props.kind;
    let page = use_state(|| 1u64);
    let data = use_state(|| None::<RowPage>);
    let error = use_state(|| None::<Problem>);
    let download_error = use_state(|| None::<Problem>);

    {
        let data = data.clone();
        let error = error.clone();
        let page_state = page.clone();
        use_effect_with((*page, props.generation), move |(p, _)| {
            let p = *p;
            wasm_bindgen_futures::spawn_local(async move {
                match load(kind, p).await {
                    // The last row of a later page went: show the page before.
                    Ok(d) if d.items.is_empty() && p > 1 => page_state.set(p - 1),
                    Ok(d) => {
                        data.set(Some(d));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        });
    }

    let on_page = {
        let page = page.clone();
        Callback::from(move |p: u64| page.set(p.max(1)))
    };
    let download = {
        let download_error = download_error.clone();
        Callback::from(move |f: FileMeta| {
            let download_error = download_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::download_file(f.id, &f.name).await {
                    Ok(()) => download_error.set(None),
                    Err(p) => download_error.set(Some(p)),
                }
            });
        })
    };

    let count = (*data).as_ref().map(|d| d.total);
    let is_files = kind == UnlinkedKind::Files;
    let body = match (*data).as_ref() {
        None => {
            html! { <div class="loading-block">{ format!("Loading {}…", kind.title().to_lowercase()) }</div> }
        }
        Some(d) if d.items.is_empty() => html! {
            <div class="empty-state small-empty" data-testid="unlinked-empty">{ "Nothing unlinked" }</div>
        },
        Some(d) => html! {
            <>
                <div class="table-wrap">
                    <table class="table unlinked-table" data-testid={format!("unlinked-{}-table", kind.slug())}>
                        <thead>
                            <tr>
                                <th class="col-name">{ kind.name_heading() }</th>
                                if is_files {
                                    <th class="num">{ "Size" }</th>
                                    <th class="col-type">{ "Type" }</th>
                                } else {
                                    <th>{ "Status" }</th>
                                }
                                <th>{ kind.date_heading() }</th>
                                <th class="actions-col">{ "Actions" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for d.items.iter().map(|r| {
                                let on_link = {
                                    let cb = props.on_link.clone();
                                    let row = r.clone();
                                    Callback::from(move |_: MouseEvent| cb.emit(Linking { kind, row: row.clone() }))
                                };
                                let on_download = r.file.clone().map(|f| {
                                    let download = download.clone();
                                    Callback::from(move |_: MouseEvent| download.emit(f.clone()))
                                });
                                html! {
                                    <tr key={r.id} data-testid="unlinked-row" data-kind={kind.slug()} data-id={r.id.to_string()}>
                                        <td class="cell-name col-name">
                                            <span class="ellipsis" title={r.title.clone()} data-testid="unlinked-title">{ r.title.clone() }</span>
                                        </td>
                                        if let Some(f) = &r.file {
                                            <td class="num nowrap" title={format!("{} bytes", format::group_thousands(f.size.max(0) as u64))}>
                                                { format::file_size(f.size) }
                                            </td>
                                            <td class="col-type"><span class="ellipsis muted" title={f.content_type.clone()}>{ f.content_type.clone() }</span></td>
                                        } else {
                                            <td><StatusBadge value={r.status.clone()} /></td>
                                        }
                                        <td class="nowrap" title={r.date_title.clone()}>{ r.date.clone() }</td>
                                        <td class="actions-col">
                                            <div class="row-actions">
                                                if let Some(cb) = on_download {
                                                    <button type="button" class="btn btn-xs" onclick={cb} data-testid="file-download">{ "Download" }</button>
                                                }
                                                <button type="button" class="btn btn-xs btn-primary" onclick={on_link} data-testid="link-to-customer">
                                                    { "Link to customer…" }
                                                </button>
                                            </div>
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
                <Pager page={d.page} per_page={d.per_page} total={d.total} shown={d.items.len()} {on_page} />
            </>
        },
    };

    html! {
        <section class="card unlinked-section" data-testid={format!("unlinked-{}", kind.slug())}>
            <div class="card-head">
                <h2 class="card-title">
                    { kind.title() }
                    if let Some(n) = count {
                        <span class="count" data-testid="unlinked-count">{ n }</span>
                    }
                </h2>
            </div>
            if let Some(e) = (*error).as_ref() {
                <Banner testid="unlinked-error">{ api::message(e) }</Banner>
            }
            if let Some(e) = (*download_error).as_ref() {
                <Banner testid="download-error">{ api::message(e) }</Banner>
            }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LinkDialogProps {
    kind: UnlinkedKind,
    row: Row,
    on_close: Callback<()>,
    on_done: Callback<Linked>,
}

/// Search customers as you type, pick one, confirm.
#[component]
fn LinkDialog(props: &LinkDialogProps) -> Html {
    let query = use_state(String::new);
    let results = use_state(|| None::<Vec<CustomerListItem>>);
    let picked = use_state(|| None::<CustomerListItem>);
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);
    let searching = use_state(|| false);
    let pending = use_mut_ref(|| None::<Timeout>);
    let seq = use_mut_ref(|| 0u64);
    let input_ref = use_node_ref();

    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(i) = input_ref.cast::<HtmlInputElement>() {
                let _ = i.focus();
            }
        });
    }

    // Debounced type-ahead; only the latest answer is shown.
    {
        let results = results.clone();
        let problem = problem.clone();
        let searching = searching.clone();
        let pending = pending.clone();
        let seq = seq.clone();
        use_effect_with((*query).clone(), move |q| {
            let q = q.trim().to_string();
            *seq.borrow_mut() += 1;
            let mine = *seq.borrow();
            searching.set(true);
            let seq2 = seq.clone();
            let t = Timeout::new(SEARCH_DELAY_MS, move || {
                wasm_bindgen_futures::spawn_local(async move {
                    let params = api::ListParams {
                        q,
                        per_page: 10,
                        ..Default::default()
                    };
                    let r = api::list_customers(&params).await;
                    if *seq2.borrow() != mine {
                        return;
                    }
                    searching.set(false);
                    match r {
                        Ok(p) => {
                            results.set(Some(p.items));
                        }
                        Err(p) => problem.set(Some(p)),
                    }
                });
            });
            *pending.borrow_mut() = Some(t);
        });
    }

    let on_input = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let on_submit = {
        let picked = picked.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let kind = props.kind;
        let row = props.row.clone();
        let on_done = props.on_done.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(customer) = (*picked).clone() else {
                problem.set(Some(api::invalid("customer_id", "Pick a customer first.")));
                return;
            };
            if *busy {
                return;
            }
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let row = row.clone();
            let on_done = on_done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match link(kind, &row, customer.id).await {
                    Ok(()) => on_done.emit(Linked {
                        kind,
                        title: row.title.clone(),
                        record: row.id,
                        customer,
                    }),
                    Err(p) => {
                        problem.set(Some(p));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());

    let title = format!("Link {} to a customer", props.kind.one());
    let picked_id = (*picked).as_ref().map(|c| c.id);
    html! {
        <Modal {title} on_close={props.on_close.clone()} testid="link-modal">
            <form onsubmit={on_submit} novalidate=true>
                <p class="muted">
                    { format!("{} ", capitalize(props.kind.one())) }
                    <strong>{ props.row.title.clone() }</strong>
                    if props.kind == UnlinkedKind::Jobs { { " (its files move with it)" } }
                </p>
                if let Some(p) = (*problem).as_ref() {
                    <Banner testid="link-error">
                        { api::field_error(Some(p), "customer_id").unwrap_or_else(|| api::message(p)) }
                    </Banner>
                }
                <label class="field-label" for="link-customer-search">{ "Customer" }</label>
                <input id="link-customer-search" ref={input_ref} class="input" type="search" autocomplete="off"
                    placeholder="Search name, number, contact or email…" value={(*query).clone()}
                    oninput={on_input} data-testid="link-customer-search" />
                <ul class="picker-list" role="listbox" aria-label="Customers" data-testid="link-customer-results">
                    { match (*results).as_ref() {
                        None => html! { <li class="muted picker-empty">{ "Searching…" }</li> },
                        Some(list) if list.is_empty() => html! {
                            <li class="muted picker-empty">{ if *searching { "Searching…" } else { "No customers match." } }</li>
                        },
                        Some(list) => html! { <>{ for list.iter().map(|c| {
                            let selected = picked_id == Some(c.id);
                            let onclick = {
                                let picked = picked.clone();
                                let problem = problem.clone();
                                let c = c.clone();
                                Callback::from(move |_: MouseEvent| {
                                    problem.set(None);
                                    picked.set(Some(c.clone()));
                                })
                            };
                            html! {
                                <li key={c.id} role="option" aria-selected={selected.to_string()}>
                                    <button type="button" class={classes!("picker-option", selected.then_some("selected"))}
                                        {onclick} data-testid="link-customer-option" data-id={c.id.to_string()}>
                                        <span class="ellipsis">{ c.customer_name.clone() }</span>
                                        if !c.customer_number.is_empty() {
                                            <span class="muted small nowrap">{ c.customer_number.clone() }</span>
                                        }
                                    </button>
                                </li>
                            }
                        }) }</> },
                    } }
                </ul>
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy || picked_id.is_none()} data-testid="link-confirm">
                        { match (*busy, (*picked).as_ref()) {
                            (true, _) => "Linking…".to_string(),
                            (false, Some(c)) => format!("Link to {}", c.customer_name),
                            (false, None) => "Link".to_string(),
                        } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
