//! The customer list: search, filters, sorting and paging, all kept in the URL.

use std::collections::HashMap;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use ucm_types::{
    CustomerListItem, CustomerPage, CustomerStatus, CustomerType, Group, NewContact, NewCustomer,
    Problem, User,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, field_error, ExportKind, ListParams};
use crate::app::Route;
use crate::components::form::{
    bind_select, bind_text, Banner, Field, Form, ProblemBanner, TextInput,
};
use crate::components::modal::Modal;
use crate::components::status::StatusBadge;
use crate::format;
use crate::pages::customer::{customer_status_label, customer_status_title};

const DEFAULT_PER_PAGE: u64 = 25;
const PER_PAGE_CHOICES: [u64; 3] = [25, 50, 100];
const SEARCH_DEBOUNCE_MS: u32 = 300;
const STATUSES: [CustomerStatus; 4] = [
    CustomerStatus::NoInvoices,
    CustomerStatus::Paid,
    CustomerStatus::Owing,
    CustomerStatus::Overdue,
];

/// Reads the list state from the URL's query string; anything unknown falls back to a default.
fn params_from_query(map: &HashMap<String, String>) -> ListParams {
    let get = |k: &str| map.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let archived = match get("archived").as_str() {
        a @ ("archived" | "all") => a.to_string(),
        _ => "active".to_string(),
    };
    let status = match get("status").as_str() {
        s @ ("no_invoices" | "paid" | "owing" | "overdue") => s.to_string(),
        _ => String::new(),
    };
    let sort = match get("sort").as_str() {
        s @ ("primary_contact" | "email" | "created") => s.to_string(),
        _ => "name".to_string(),
    };
    let dir = if get("dir") == "desc" { "desc" } else { "asc" }.to_string();
    let per_page = get("per_page")
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=200).contains(n))
        .unwrap_or(DEFAULT_PER_PAGE);
    ListParams {
        q: map.get("q").cloned().unwrap_or_default(),
        type_id: get("type_id").parse().ok(),
        group_id: get("group_id").parse().ok(),
        staff_id: get("staff_id").parse().ok(),
        status,
        archived,
        sort,
        dir,
        page: get("page")
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1),
        per_page,
    }
}

/// The URL form of the list state: defaults are left out so a plain /customers stays plain.
fn url_pairs(p: &ListParams) -> Vec<(&'static str, String)> {
    p.to_pairs()
        .into_iter()
        .filter(|(k, v)| match *k {
            "archived" => v != "active",
            "sort" => v != "name",
            "dir" => v != "asc",
            "per_page" => v != &DEFAULT_PER_PAGE.to_string(),
            _ => true,
        })
        .collect()
}

fn go(nav: &Navigator, p: &ListParams, replace: bool) {
    let pairs = url_pairs(p);
    let result = match (pairs.is_empty(), replace) {
        (true, false) => {
            nav.push(&Route::Customers);
            Ok(())
        }
        (true, true) => {
            nav.replace(&Route::Customers);
            Ok(())
        }
        (false, false) => nav.push_with_query(&Route::Customers, &pairs),
        (false, true) => nav.replace_with_query(&Route::Customers, &pairs),
    };
    if result.is_err() {
        nav.push(&Route::Customers);
    }
}

#[component]
pub fn CustomerList() -> Html {
    let location = use_location();
    let navigator = use_navigator();
    let params = location
        .as_ref()
        .and_then(|l| l.query::<HashMap<String, String>>().ok())
        .map(|m| params_from_query(&m))
        .unwrap_or_else(|| params_from_query(&HashMap::new()));

    let page = use_state(|| None::<CustomerPage>);
    let loading = use_state(|| true);
    let error = use_state(|| None::<Problem>);
    let types = use_state(Vec::<CustomerType>::new);
    let groups = use_state(Vec::<Group>::new);
    let staff = use_state(Vec::<User>::new);
    let search_text = use_state(|| params.q.clone());
    let debounce = use_mut_ref(|| None::<Timeout>);
    let seq = use_mut_ref(|| 0u32);
    let show_new = use_state(|| false);
    let export_bom = use_state(|| false);
    let exporting = use_state(|| None::<ExportKind>);
    let export_error = use_state(|| None::<Problem>);

    // Customer types, groups and staff for the filters and the new-customer form, once.
    {
        let types = types.clone();
        let groups = groups.clone();
        let staff = staff.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(list) = api::customer_types().await {
                    types.set(list);
                }
                if let Ok(list) = api::groups().await {
                    groups.set(list);
                }
                if let Ok(list) = api::users().await {
                    staff.set(list);
                }
            });
        });
    }

    // Load the page whenever the URL's list state changes; only the latest answer is shown.
    {
        let page = page.clone();
        let loading = loading.clone();
        let error = error.clone();
        let seq = seq.clone();
        use_effect_with(params.clone(), move |p| {
            let p = p.clone();
            let my = {
                let mut s = seq.borrow_mut();
                *s += 1;
                *s
            };
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::list_customers(&p).await;
                if *seq.borrow() != my {
                    return;
                }
                match result {
                    Ok(data) => {
                        page.set(Some(data));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
                loading.set(false);
            });
        });
    }

    // Back/forward changes q under the search box: follow it unless the user is typing.
    {
        let search_text = search_text.clone();
        let debounce = debounce.clone();
        use_effect_with(params.q.clone(), move |q| {
            if debounce.borrow().is_none() {
                search_text.set(q.clone());
            }
        });
    }

    let nav = navigator.clone();
    let navigate = {
        let params = params.clone();
        Rc::new(move |f: &dyn Fn(&mut ListParams), replace: bool| {
            if let Some(nav) = &nav {
                let mut next = params.clone();
                f(&mut next);
                go(nav, &next, replace);
            }
        })
    };

    let on_search = {
        let search_text = search_text.clone();
        let debounce = debounce.clone();
        let params = params.clone();
        let navigator = navigator.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            search_text.set(value.clone());
            let params = params.clone();
            let navigator = navigator.clone();
            let slot = debounce.clone();
            let timer = Timeout::new(SEARCH_DEBOUNCE_MS, move || {
                slot.borrow_mut().take();
                if let Some(nav) = &navigator {
                    let mut next = params.clone();
                    next.q = value;
                    next.page = 1;
                    go(nav, &next, true);
                }
            });
            // Dropping the previous Timeout cancels it.
            *debounce.borrow_mut() = Some(timer);
        })
    };

    // Every filter select writes one list parameter and goes back to the first page.
    let select_filter = |set: fn(&mut ListParams, &str)| {
        let navigate = navigate.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            navigate(
                &|p| {
                    set(p, &v);
                    p.page = 1;
                },
                false,
            );
        })
    };
    let on_type = select_filter(|p, v| p.type_id = v.parse().ok());
    let on_group = select_filter(|p, v| p.group_id = v.parse().ok());
    let on_staff = select_filter(|p, v| p.staff_id = v.parse().ok());
    let on_status = select_filter(|p, v| p.status = v.to_string());
    let on_archived = select_filter(|p, v| p.archived = v.to_string());
    let on_per_page = select_filter(|p, v| p.per_page = v.parse().unwrap_or(DEFAULT_PER_PAGE));
    let goto_page = {
        let navigate = navigate.clone();
        Callback::from(move |n: u64| navigate(&|p| p.page = n, false))
    };
    let on_sort = {
        let navigate = navigate.clone();
        let current = params.clone();
        Callback::from(move |key: &'static str| {
            let dir = if current.sort == key && current.dir == "asc" {
                "desc"
            } else if current.sort == key {
                "asc"
            } else if key == "created" {
                // Newest first is what one wants on a first click on a date.
                "desc"
            } else {
                "asc"
            };
            navigate(
                &|p| {
                    p.sort = key.to_string();
                    p.dir = dir.to_string();
                    p.page = 1;
                },
                false,
            );
        })
    };
    let clear_filters = {
        let search_text = search_text.clone();
        let navigate = navigate.clone();
        Callback::from(move |_: MouseEvent| {
            search_text.set(String::new());
            navigate(
                &|p| {
                    *p = ListParams {
                        archived: "active".into(),
                        sort: p.sort.clone(),
                        dir: p.dir.clone(),
                        page: 1,
                        per_page: p.per_page,
                        ..Default::default()
                    }
                },
                false,
            );
        })
    };

    let open_new = {
        let show_new = show_new.clone();
        Callback::from(move |_: MouseEvent| show_new.set(true))
    };
    let close_new = {
        let show_new = show_new.clone();
        Callback::from(move |_| show_new.set(false))
    };
    let on_created = {
        let navigator = navigator.clone();
        Callback::from(move |id: i64| {
            if let Some(nav) = &navigator {
                nav.push(&Route::Customer { id });
            }
        })
    };

    // Export what the list's filters select (every page), through the bearer-token download.
    let on_export = {
        let params = params.clone();
        let export_bom = export_bom.clone();
        let exporting = exporting.clone();
        let export_error = export_error.clone();
        Callback::from(move |kind: ExportKind| {
            if exporting.is_some() {
                return;
            }
            exporting.set(Some(kind));
            export_error.set(None);
            let params = params.clone();
            let bom = *export_bom;
            let exporting = exporting.clone();
            let export_error = export_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(p) = api::export_csv(kind, &params, bom).await {
                    export_error.set(Some(p));
                }
                exporting.set(None);
            });
        })
    };
    let export_customers = on_export.reform(|_: MouseEvent| ExportKind::Customers);
    let export_contacts = on_export.reform(|_: MouseEvent| ExportKind::Contacts);
    let on_bom = {
        let export_bom = export_bom.clone();
        Callback::from(move |e: Event| {
            export_bom.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };

    let sort_th = |label: &'static str, key: &'static str| {
        let active = params.sort == key;
        let arrow = match (active, params.dir.as_str()) {
            (true, "desc") => "▼",
            (true, _) => "▲",
            _ => "",
        };
        let aria = match (active, params.dir.as_str()) {
            (true, "desc") => "descending",
            (true, _) => "ascending",
            _ => "none",
        };
        let onclick = on_sort.reform(move |_: MouseEvent| key);
        html! {
            <th class={classes!("sortable", active.then_some("sorted"))} aria-sort={aria}>
                <button type="button" class="th-sort" {onclick} data-testid={format!("sort-{key}")}>
                    { label }
                    <span class="sort-arrow" aria-hidden="true">{ arrow }</span>
                </button>
            </th>
        }
    };

    let filtered = !params.q.trim().is_empty()
        || params.type_id.is_some()
        || params.group_id.is_some()
        || params.staff_id.is_some()
        || !params.status.is_empty()
        || params.archived != "active";

    let body = match ((*page).as_ref(), (*error).as_ref()) {
        (_, Some(e)) if page.is_none() => html! {
            <Banner testid="list-error">{ api::message(e) }</Banner>
        },
        (None, _) => html! { <div class="loading-block">{ "Loading customers…" }</div> },
        (Some(data), _) if data.items.is_empty() && data.total > 0 => {
            let first_page = goto_page.reform(|_: MouseEvent| 1);
            html! {
                <div class="empty-state" data-testid="empty-state">
                    <p>{ format!("Page {} is past the end of the list.", data.page) }</p>
                    <button class="btn" onclick={first_page}>{ "Go to the first page" }</button>
                </div>
            }
        }
        (Some(data), _) if data.items.is_empty() => {
            let text = if !params.q.trim().is_empty() {
                format!("No customers match “{}”.", params.q.trim())
            } else if filtered {
                "No customers match these filters.".to_string()
            } else {
                "No customers yet.".to_string()
            };
            html! {
                <div class="empty-state" data-testid="empty-state">
                    <p>{ text }</p>
                    if filtered {
                        <button class="btn" onclick={clear_filters.clone()}>{ "Clear search and filters" }</button>
                    } else {
                        <button class="btn btn-primary" onclick={open_new.clone()}>{ "Create the first customer" }</button>
                    }
                </div>
            }
        }
        (Some(data), _) => html! {
            <div class="table-wrap">
                <table class="table customers-table" data-testid="customer-table">
                    <thead>
                        <tr>
                            { sort_th("Name", "name") }
                            <th>{ "Status" }</th>
                            <th>{ "Number" }</th>
                            <th>{ "Type" }</th>
                            { sort_th("Primary contact", "primary_contact") }
                            { sort_th("Email", "email") }
                            <th>{ "Phone" }</th>
                            <th>{ "Groups" }</th>
                            { sort_th("Created", "created") }
                        </tr>
                    </thead>
                    <tbody>
                        { for data.items.iter().map(customer_row) }
                    </tbody>
                </table>
            </div>
        },
    };

    let pager = (*page)
        .as_ref()
        .filter(|d| d.total > 0 && !d.items.is_empty())
        .map(|d| {
        let first = (d.page.saturating_sub(1)) * d.per_page + 1;
        let last = (first + d.items.len() as u64).saturating_sub(1).min(d.total);
        let pages = d.total.div_ceil(d.per_page.max(1));
        let prev = goto_page.reform({
            let n = d.page.saturating_sub(1).max(1);
            move |_: MouseEvent| n
        });
        let next = goto_page.reform({
            let n = d.page + 1;
            move |_: MouseEvent| n
        });
        html! {
            <div class="pager">
                <span class="pager-info" data-testid="pager-info">
                    { format!("Showing {}–{} of {}", format::group_thousands(first), format::group_thousands(last), format::group_thousands(d.total)) }
                </span>
                <div class="pager-controls">
                    <label class="inline-label">
                        { "Per page " }
                        <select class="select select-sm" onchange={on_per_page.clone()} data-testid="per-page">
                            { for PER_PAGE_CHOICES.iter().map(|n| html! {
                                <option value={n.to_string()} selected={*n == params.per_page}>{ n }</option>
                            }) }
                        </select>
                    </label>
                    <button class="btn btn-sm" disabled={d.page <= 1} onclick={prev} data-testid="page-prev">{ "‹ Prev" }</button>
                    <span class="pager-page">{ format!("Page {} of {}", d.page, pages.max(1)) }</span>
                    <button class="btn btn-sm" disabled={d.page >= pages} onclick={next} data-testid="page-next">{ "Next ›" }</button>
                </div>
            </div>
        }
    });

    html! {
        <div class="page">
            <div class="page-head">
                <div>
                    <h1>{ "Customers" }</h1>
                    if let Some(d) = (*page).as_ref() {
                        <p class="muted">{ format!("{} total", format::group_thousands(d.total)) }</p>
                    }
                </div>
                <div class="head-actions">
                    <div class="export-group" role="group" aria-label="Export">
                        <button class="btn" onclick={export_customers} disabled={exporting.is_some()}
                                title={if filtered { "Download the customers these filters select, as CSV" } else { "Download the customers, as CSV" }}
                                data-testid="export-customers">
                            { if *exporting == Some(ExportKind::Customers) { "Exporting…" } else { "Export CSV" } }
                        </button>
                        <button class="btn" onclick={export_contacts} disabled={exporting.is_some()}
                                title="Download every contact of these customers, as CSV"
                                data-testid="export-contacts">
                            { if *exporting == Some(ExportKind::Contacts) { "Exporting…" } else { "Export contacts" } }
                        </button>
                        <label class="check small export-bom" title="Start the file with a byte order mark, so Excel shows accented letters correctly">
                            <input type="checkbox" checked={*export_bom} onchange={on_bom} data-testid="export-bom" />
                            { "For Excel" }
                        </label>
                    </div>
                    <button class="btn btn-primary" onclick={open_new} data-testid="new-customer">
                        { "+ New customer" }
                    </button>
                </div>
            </div>

            if let Some(e) = (*export_error).as_ref() {
                <Banner testid="export-error">{ format!("The export failed: {}", api::message(e)) }</Banner>
            }

            <div class="toolbar">
                <input class="input search-input" type="search" placeholder="Search name, number, contact, email or phone…"
                       aria-label="Search customers" value={(*search_text).clone()} oninput={on_search}
                       data-testid="customer-search" />
                <select class="select" onchange={on_type} aria-label="Customer type" data-testid="type-filter">
                    <option value="" selected={params.type_id.is_none()}>{ "All types" }</option>
                    { for types.iter().map(|t| html! {
                        <option value={t.id.to_string()} selected={params.type_id == Some(t.id)}>{ t.name.clone() }</option>
                    }) }
                </select>
                if !groups.is_empty() {
                    <select class="select" onchange={on_group} aria-label="Group" data-testid="group-filter">
                        <option value="" selected={params.group_id.is_none()}>{ "All groups" }</option>
                        { for groups.iter().map(|g| html! {
                            <option value={g.id.to_string()} selected={params.group_id == Some(g.id)}>{ g.name.clone() }</option>
                        }) }
                    </select>
                }
                <select class="select" onchange={on_staff} aria-label="Staff" data-testid="staff-filter">
                    <option value="" selected={params.staff_id.is_none()}>{ "Any staff" }</option>
                    { for staff.iter().map(|u| html! {
                        <option value={u.id.to_string()} selected={params.staff_id == Some(u.id)}>
                            { if u.name.is_empty() { u.username.clone() } else { u.name.clone() } }
                        </option>
                    }) }
                </select>
                <select class="select" onchange={on_status} aria-label="Invoice status" data-testid="status-filter">
                    <option value="" selected={params.status.is_empty()}>{ "Any status" }</option>
                    { for STATUSES.iter().map(|s| html! {
                        <option value={s.as_str()} selected={params.status == s.as_str()}>{ customer_status_label(*s) }</option>
                    }) }
                </select>
                <select class="select" onchange={on_archived} aria-label="Archived" data-testid="archived-filter">
                    <option value="active" selected={params.archived == "active"}>{ "Active" }</option>
                    <option value="archived" selected={params.archived == "archived"}>{ "Archived" }</option>
                    <option value="all" selected={params.archived == "all"}>{ "All" }</option>
                </select>
                if *loading {
                    <span class="spinner" data-testid="list-loading" aria-label="Loading"></span>
                }
            </div>

            if let (Some(e), true) = ((*error).as_ref(), page.is_some()) {
                <Banner testid="list-error">{ api::message(e) }</Banner>
            }

            <div class={classes!("card", (*loading && page.is_some()).then_some("is-loading"))}>
                { body }
                { pager.unwrap_or_default() }
            </div>

            if *show_new {
                <NewCustomerModal types={(*types).clone()} on_close={close_new} {on_created} />
            }
        </div>
    }
}

fn customer_row(c: &CustomerListItem) -> Html {
    let (contact, email, phone) = match &c.primary_contact {
        Some(p) => (
            format::full_name(&p.first_name, &p.last_name),
            p.email.clone(),
            p.phone.clone(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    let mailto = format!("mailto:{email}");
    html! {
        <tr key={c.id} data-testid="customer-row" data-id={c.id.to_string()}
            class={classes!(c.archived.then_some("row-archived"))}>
            <td class="cell-name col-customer">
                <div class="name-cell">
                    <Link<Route> to={Route::Customer { id: c.id }}
                        classes={classes!("row-link", format!("name-{}", c.status.as_str()))}>
                        <span class="ellipsis" title={format!("{} · {}", c.customer_name, customer_status_title(c.status))}>{ c.customer_name.clone() }</span>
                    </Link<Route>>
                    if c.archived { <span class="badge badge-muted">{ "Archived" }</span> }
                </div>
            </td>
            <td class="nowrap" data-testid="cell-status">
                <StatusBadge value={c.status.as_str()} label={customer_status_label(c.status)}
                    title={customer_status_title(c.status)} testid="customer-status" />
            </td>
            <td class="mono">{ c.customer_number.clone() }</td>
            <td><span class="badge badge-type">{ c.customer_type.clone() }</span></td>
            <td data-testid="cell-primary-contact">{ contact }</td>
            <td>
                if !email.is_empty() { <a href={mailto}>{ email }</a> }
            </td>
            <td class="nowrap">{ phone }</td>
            <td>
                { for c.groups.iter().map(|g| html! { <span class="badge badge-group">{ g.clone() }</span> }) }
            </td>
            <td class="nowrap">{ format::date(&c.created_at) }</td>
        </tr>
    }
}

// ---- new customer ------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Default)]
struct NewCustomerForm {
    name: String,
    type_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
}

#[derive(Properties, PartialEq)]
struct NewCustomerProps {
    types: Vec<CustomerType>,
    on_close: Callback<()>,
    on_created: Callback<i64>,
}

const NEW_CUSTOMER_FIELDS: &[&str] = &[
    "customer_name",
    "customer_type_id",
    "primary_contact.first_name",
    "primary_contact.last_name",
    "primary_contact.name",
    "primary_contact.email",
    "primary_contact.phone",
];

#[component]
fn NewCustomerModal(props: &NewCustomerProps) -> Html {
    let form = use_reducer(Form::<NewCustomerForm>::default);
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let on_created = props.on_created.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let f = form.0.clone();
            if f.name.trim().is_empty() {
                problem.set(Some(api::invalid(
                    "customer_name",
                    "Enter the customer's name.",
                )));
                return;
            }
            let has_contact = [&f.first_name, &f.last_name, &f.email, &f.phone]
                .iter()
                .any(|s| !s.trim().is_empty());
            let body = NewCustomer {
                customer_name: f.name.trim().to_string(),
                customer_type_id: f.type_id.parse().ok(),
                primary_contact: has_contact.then(|| NewContact {
                    first_name: f.first_name.trim().to_string(),
                    last_name: f.last_name.trim().to_string(),
                    email: f.email.trim().to_string(),
                    phone: f.phone.trim().to_string(),
                    is_primary: true,
                    ..Default::default()
                }),
                ..Default::default()
            };
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_created = on_created.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_customer(&body).await {
                    Ok(c) => on_created.emit(c.id),
                    Err(p) => {
                        problem.set(Some(p));
                        busy.set(false);
                    }
                }
            });
        })
    };

    let p = (*problem).as_ref();
    let err = |k: &str| field_error(p, k);
    let cancel = props.on_close.reform(|_: MouseEvent| ());

    html! {
        <Modal title="New customer" on_close={props.on_close.clone()} testid="new-customer-modal">
            <form {onsubmit} novalidate=true>
                <ProblemBanner problem={(*problem).clone()} fields={NEW_CUSTOMER_FIELDS} />
                <div class="form-grid">
                    <Field label="Customer name" name="customer_name" required=true error={err("customer_name")} class="span-2">
                        <TextInput value={form.0.name.clone()} testid="new-customer-name" autofocus=true
                            invalid={err("customer_name").is_some()}
                            oninput={bind_text(&form, |f, v| f.name = v)} />
                    </Field>
                    <Field label="Type" name="customer_type_id" error={err("customer_type_id")} class="span-2">
                        <select class="select" onchange={bind_select(&form, |f, v| f.type_id = v)} data-testid="new-customer-type">
                            <option value="" selected={form.0.type_id.is_empty()}>{ "Default (Customer)" }</option>
                            { for props.types.iter().map(|t| html! {
                                <option value={t.id.to_string()} selected={form.0.type_id == t.id.to_string()}>{ t.name.clone() }</option>
                            }) }
                        </select>
                    </Field>
                </div>
                <h3 class="form-section">{ "Primary contact" } <span class="muted small">{ " (optional)" }</span></h3>
                <div class="form-grid">
                    <Field label="First name" name="primary_contact.first_name" error={err("primary_contact.first_name").or(err("primary_contact.name"))}>
                        <TextInput value={form.0.first_name.clone()} testid="new-customer-first-name"
                            oninput={bind_text(&form, |f, v| f.first_name = v)} />
                    </Field>
                    <Field label="Last name" name="primary_contact.last_name" error={err("primary_contact.last_name")}>
                        <TextInput value={form.0.last_name.clone()} testid="new-customer-last-name"
                            oninput={bind_text(&form, |f, v| f.last_name = v)} />
                    </Field>
                    <Field label="Email" name="primary_contact.email" error={err("primary_contact.email")}>
                        <TextInput value={form.0.email.clone()} testid="new-customer-email" kind="email"
                            invalid={err("primary_contact.email").is_some()}
                            oninput={bind_text(&form, |f, v| f.email = v)} />
                    </Field>
                    <Field label="Phone" name="primary_contact.phone" error={err("primary_contact.phone")}>
                        <TextInput value={form.0.phone.clone()} testid="new-customer-phone" kind="tel"
                            oninput={bind_text(&form, |f, v| f.phone = v)} />
                    </Field>
                </div>
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="new-customer-save">
                        { if *busy { "Creating…" } else { "Create customer" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
