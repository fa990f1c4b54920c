//! One customer: its title, the tab bar and the current tab.

use ucm_types::{Customer, CustomerStatus, Problem};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::form::Banner;
use crate::components::notes::NotesPanel;
use crate::components::status::StatusBadge;
use crate::pages::contacts::ContactsTab;
use crate::pages::details::DetailsTab;
use crate::pages::files::FilesPanel;
use crate::pages::invoices::Invoices;
use crate::pages::jobs::Jobs;
use crate::pages::records::RecordTab;
use crate::pages::tickets::Tickets;
use crate::pages::websites::Websites;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Details,
    Contacts,
    Notes,
    Emails,
    Subscriptions,
    Jobs,
    Invoices,
    Websites,
    Tickets,
    Files,
    Unknown,
}

impl Tab {
    const ALL: [Tab; 10] = [
        Tab::Details,
        Tab::Contacts,
        Tab::Notes,
        Tab::Emails,
        Tab::Subscriptions,
        Tab::Jobs,
        Tab::Invoices,
        Tab::Websites,
        Tab::Tickets,
        Tab::Files,
    ];

    pub fn from_slug(s: &str) -> Tab {
        Self::ALL
            .into_iter()
            .find(|t| t.slug() == s.to_ascii_lowercase())
            .unwrap_or(Tab::Unknown)
    }

    fn slug(self) -> &'static str {
        match self {
            Tab::Details => "details",
            Tab::Contacts => "contacts",
            Tab::Notes => "notes",
            Tab::Emails => "emails",
            Tab::Subscriptions => "subscriptions",
            Tab::Jobs => "jobs",
            Tab::Invoices => "invoices",
            Tab::Websites => "websites",
            Tab::Tickets => "tickets",
            Tab::Files => "files",
            Tab::Unknown => "",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Details => "Details",
            Tab::Contacts => "Contacts",
            Tab::Notes => "Notes",
            Tab::Emails => "Emails",
            Tab::Subscriptions => "Subscriptions",
            Tab::Jobs => "Jobs",
            Tab::Invoices => "Invoices",
            Tab::Websites => "Websites",
            Tab::Tickets => "Tickets",
            Tab::Files => "Files",
            Tab::Unknown => "",
        }
    }

    fn enabled(self) -> bool {
        !matches!(self, Tab::Emails | Tab::Subscriptions | Tab::Unknown)
    }

    fn route(self, id: i64) -> Route {
        match self {
            Tab::Details => Route::Customer { id },
            Tab::Contacts => Route::CustomerContacts { id },
            other => Route::CustomerTab {
                id,
                tab: other.slug().to_string(),
            },
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct CustomerPageProps {
    pub id: i64,
    pub tab: Tab,
    /// A job, website, invoice or ticket of the tab to show.
    #[prop_or_default]
    pub record: Option<i64>,
}

#[component]
pub fn CustomerPage(props: &CustomerPageProps) -> Html {
    let id = props.id;
    let customer = use_state(|| None::<Customer>);
    let error = use_state(|| None::<Problem>);
    // Bumped to fetch the customer again (after a conflict, or when contacts change).
    let generation = use_state(|| 0u32);

    {
        let customer = customer.clone();
        let error = error.clone();
        use_effect_with((id, *generation), move |(id, _)| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                match api::get_customer(id).await {
                    Ok(c) => {
                        customer.set(Some(c));
                        error.set(None);
                    }
                    Err(p) => error.set(Some(p)),
                }
            });
        });
    }

    let reload = {
        let generation = generation.clone();
        Callback::from(move |_: ()| generation.set(generation.wrapping_add(1)))
    };
    let on_saved = {
        let customer = customer.clone();
        Callback::from(move |c: Customer| customer.set(Some(c)))
    };

    let c = match ((*customer).as_ref(), (*error).as_ref()) {
        (Some(c), _) if c.id == id => c.clone(),
        (_, Some(e)) => {
            let text = if e.status == 404 {
                "This customer does not exist or was deleted.".to_string()
            } else {
                api::message(e)
            };
            return html! {
                <div class="page">
                    <Breadcrumb name={None::<String>} />
                    <Banner testid="customer-error">{ text }</Banner>
                </div>
            };
        }
        _ => {
            return html! {
                <div class="page">
                    <Breadcrumb name={None::<String>} />
                    <div class="loading-block">{ "Loading customer…" }</div>
                </div>
            };
        }
    };

    let tab_bar = html! {
        <nav class="tabs" role="tablist" aria-label="Customer sections">
            { for Tab::ALL.into_iter().map(|t| {
                let testid = format!("tab-{}", t.slug());
                if t.enabled() {
                    let active = t == props.tab;
                    html! {
                        <Link<Route> to={t.route(id)} classes={classes!("tab", active.then_some("active"))}>
                            <span role="tab" aria-selected={active.to_string()} data-testid={testid}>{ t.label() }</span>
                        </Link<Route>>
                    }
                } else {
                    html! {
                        <span class="tab disabled" role="tab" aria-disabled="true" title="Coming soon"
                              data-testid={testid}>
                            { t.label() }
                            <span class="soon">{ "soon" }</span>
                        </span>
                    }
                }
            }) }
        </nav>
    };

    let content = match props.tab {
        Tab::Details => html! {
            <DetailsTab customer={c.clone()} on_saved={on_saved.clone()} on_reload={reload.clone()} />
        },
        Tab::Contacts => html! {
            <ContactsTab customer_id={id} customer_name={c.customer_name.clone()} on_changed={reload.clone()} />
        },
        Tab::Jobs => html! { <RecordTab<Jobs> customer_id={id} record={props.record} /> },
        Tab::Websites => html! { <RecordTab<Websites> customer_id={id} record={props.record} /> },
        Tab::Invoices => html! {
            <RecordTab<Invoices> customer_id={id} record={props.record} on_changed={reload.clone()} />
        },
        Tab::Tickets => html! { <RecordTab<Tickets> customer_id={id} record={props.record} /> },
        Tab::Files => html! { <FilesPanel customer_id={id} /> },
        Tab::Notes => html! {
            <NotesPanel owner_kind={ucm_types::NoteOwnerKind::Customer} owner_id={id} merged=true />
        },
        Tab::Unknown => html! {
            <div class="card empty-state">
                <p>{ "There is no such tab." }</p>
                <Link<Route> to={Route::Customer { id }}>{ "Show the details" }</Link<Route>>
            </div>
        },
        other => html! {
            <div class="card empty-state" data-testid="coming-soon">
                <h2>{ other.label() }</h2>
                <p class="muted">{ "This section is coming soon." }</p>
            </div>
        },
    };

    html! {
        <div class="page">
            <Breadcrumb name={Some(c.customer_name.clone())} />
            <div class="customer-head">
                <h1 data-testid="customer-title">
                    <span class="customer-name">{ c.customer_name.clone() }</span>
                    if !c.customer_number.is_empty() {
                        <span class="customer-number mono" data-testid="customer-number">{ c.customer_number.clone() }</span>
                    }
                    <span class="badge badge-type" data-testid="customer-type">{ c.customer_type.name.clone() }</span>
                    <StatusBadge value={c.status.as_str()} label={customer_status_label(c.status)}
                        title={customer_status_title(c.status)} testid="customer-status" />
                    if c.archived {
                        <span class="badge badge-warn" data-testid="archived-badge">{ "Archived" }</span>
                    }
                </h1>
                if let Some(pc) = &c.primary_contact {
                    <p class="muted customer-sub">
                        { "Primary contact: " }
                        <strong>{ crate::format::full_name(&pc.first_name, &pc.last_name) }</strong>
                        if !pc.email.is_empty() { { " · " }{ pc.email.clone() } }
                        if !pc.phone.is_empty() { { " · " }{ pc.phone.clone() } }
                    </p>
                }
            </div>
            { tab_bar }
            <div class="tab-panel" role="tabpanel">{ content }</div>
        </div>
    }
}

/// The customer's computed invoice status in words.
pub fn customer_status_label(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::NoInvoices => "No invoices",
        CustomerStatus::Paid => "Paid",
        CustomerStatus::Owing => "Owing",
        CustomerStatus::Overdue => "Overdue",
    }
}

pub fn customer_status_title(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::NoInvoices => "No invoices yet",
        CustomerStatus::Paid => "All invoices paid",
        CustomerStatus::Owing => "Has unpaid invoices",
        CustomerStatus::Overdue => "Has overdue invoices",
    }
}

#[derive(Properties, PartialEq)]
struct BreadcrumbProps {
    name: Option<String>,
}

#[component]
fn Breadcrumb(props: &BreadcrumbProps) -> Html {
    html! {
        <div class="breadcrumb">
            <Link<Route> to={Route::Customers}>{ "Customers" }</Link<Route>>
            if let Some(n) = &props.name {
                <span class="sep">{ "›" }</span>
                <span>{ n.clone() }</span>
            }
        </div>
    }
}
