//! The Invoices tab: the customer's invoices with a line item editor, status changes (sent,
//! paid, cancelled), overdue ones highlighted, and an invoice's page with its notes.

use ucm_types::{
    Invoice, InvoiceStatus, InvoiceUpdate, NewInvoice, NewInvoiceItem, NoteOwnerKind, Problem,
    RecordQuery,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::{self, field_error, ApiResult};
use crate::components::form::{Banner, Form, FormAction, FormHandle};
use crate::components::modal::Modal;
use crate::components::notes::NotesPanel;
use crate::components::status::{from_wire, wire, StatusBadge};
use crate::format;
use crate::paged;
use crate::pages::records::{
    conflict_text, fact, invalid_many, opt_day, submit, DetailArgs, Fields, FormArgs, FormProblem,
    Fut, Kind, Opt, Paged,
};

#[derive(PartialEq)]
pub struct Invoices;

fn overdue_badge(it: &Invoice) -> Html {
    if it.overdue {
        html! {
            <StatusBadge value="overdue" testid="overdue-badge"
                title={format!("Due {} and not paid", format::day(&it.due_date))} />
        }
    } else {
        html! {}
    }
}

impl Kind for Invoices {
    type Item = Invoice;
    type Ctx = ();
    const SLUG: &'static str = "invoices";
    const ONE: &'static str = "invoice";
    const TITLE: &'static str = "Invoices";
    const NAME_HEADING: &'static str = "Number";
    const STATUSES: &'static [&'static str] = &["draft", "sent", "overdue", "paid", "cancelled"];
    const EMPTY: &'static str = "This customer has no invoices yet.";

    fn load_ctx(_customer_id: i64) -> Fut<()> {
        Box::pin(async {})
    }
    fn list(q: RecordQuery) -> Fut<ApiResult<Paged<Invoice>>> {
        Box::pin(async move { api::list_invoices(&q).await.map(|p| paged!(p)) })
    }
    fn get(id: i64) -> Fut<ApiResult<Invoice>> {
        Box::pin(api::get_invoice(id))
    }
    fn delete(id: i64, version: i64) -> Fut<ApiResult<()>> {
        Box::pin(api::delete_invoice(id, version))
    }
    fn id(it: &Invoice) -> i64 {
        it.id
    }
    fn version(it: &Invoice) -> i64 {
        it.version
    }
    fn title(it: &Invoice) -> String {
        it.number.clone()
    }
    fn customer_id(it: &Invoice) -> Option<i64> {
        it.customer_id
    }
    fn status(it: &Invoice) -> String {
        wire(&it.status)
    }
    fn row_class(it: &Invoice) -> Option<&'static str> {
        if it.overdue {
            Some("row-overdue")
        } else if it.status == InvoiceStatus::Cancelled {
            Some("row-cancelled")
        } else {
            None
        }
    }
    fn badges(it: &Invoice) -> Html {
        overdue_badge(it)
    }
    fn head() -> Html {
        html! {
            <>
                <th>{ "Issued" }</th>
                <th>{ "Due" }</th>
                <th>{ "Paid" }</th>
                <th class="num">{ "Total" }</th>
            </>
        }
    }
    fn cells(it: &Invoice, _: &()) -> Html {
        html! {
            <>
                <td class="nowrap">{ format::day(&it.issue_date) }</td>
                <td class={classes!("nowrap", it.overdue.then_some("text-danger"))}>{ format::day(&it.due_date) }</td>
                <td class="nowrap">{ format::opt_day(it.paid_date.as_ref()) }</td>
                <td class="num nowrap" data-testid="invoice-total">{ format::money_in(it.total, &it.currency) }</td>
            </>
        }
    }
    fn form(a: FormArgs<Self>) -> Html {
        html! {
            <InvoiceForm customer_id={a.customer_id} invoice={a.item} on_close={a.on_close}
                on_saved={a.on_saved} on_reload={a.on_reload} />
        }
    }
    fn detail(a: DetailArgs<Self>) -> Html {
        let inv = &a.item;
        html! {
            <>
                <div class={classes!("card", "card-pad", inv.overdue.then_some("card-overdue"))}>
                    <InvoiceActions invoice={inv.clone()} on_changed={a.on_changed.clone()} on_reload={a.on_reload.clone()} />
                    <dl class="facts">
                        { fact("Issued", html! { { format::day(&inv.issue_date) } }) }
                        { fact("Due", html! {
                            <span class={classes!(inv.overdue.then_some("text-danger"))}>{ format::day(&inv.due_date) }</span>
                        }) }
                        { fact("Paid", html! { { format::opt_day(inv.paid_date.as_ref()) } }) }
                        { fact("Currency", html! { { inv.currency.clone() } }) }
                    </dl>
                    if inv.items.is_empty() {
                        <p class="invoice-total-line">{ "Total: " }<strong data-testid="invoice-detail-total">{ format::money_in(inv.total, &inv.currency) }</strong></p>
                    } else {
                        <div class="table-wrap">
                            <table class="table items-table" data-testid="invoice-items">
                                <thead>
                                    <tr>
                                        <th>{ "Description" }</th>
                                        <th class="num">{ "Qty" }</th>
                                        <th class="num">{ "Unit price" }</th>
                                        <th class="num">{ "Amount" }</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    { for inv.items.iter().map(|it| html! {
                                        <tr>
                                            <td class="wrap">{ it.description.clone() }</td>
                                            <td class="num">{ it.quantity.clone() }</td>
                                            <td class="num nowrap">{ format::money_in(it.unit_price, &inv.currency) }</td>
                                            <td class="num nowrap">{ format::money_in(it.amount, &inv.currency) }</td>
                                        </tr>
                                    }) }
                                </tbody>
                                <tfoot>
                                    <tr>
                                        <th colspan="3" class="num">{ "Total" }</th>
                                        <th class="num nowrap" data-testid="invoice-detail-total">{ format::money_in(inv.total, &inv.currency) }</th>
                                    </tr>
                                </tfoot>
                            </table>
                        </div>
                    }
                    if !inv.description.trim().is_empty() {
                        <p class="description">{ inv.description.clone() }</p>
                    }
                </div>
                <div class="record-panels single">
                    <NotesPanel owner_kind={NoteOwnerKind::Invoice} owner_id={inv.id} />
                </div>
            </>
        }
    }
}

// ---- status changes ------------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct ActionsProps {
    invoice: Invoice,
    on_changed: Callback<Invoice>,
    on_reload: Callback<()>,
}

/// Mark sent, mark paid (on a date), back to draft, cancel, reopen.
#[component]
fn InvoiceActions(props: &ActionsProps) -> Html {
    let inv = &props.invoice;
    let paid_on = use_state(|| format::day(&format::today()));
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let change = {
        let problem = problem.clone();
        let busy = busy.clone();
        let on_changed = props.on_changed.clone();
        let (id, version) = (inv.id, inv.version);
        let paid_on = paid_on.clone();
        Callback::from(move |status: InvoiceStatus| {
            let paid_date = if status == InvoiceStatus::Paid {
                match format::parse_day(&paid_on) {
                    Some(d) => Some(d),
                    None => {
                        problem.set(Some(api::invalid(
                            "paid_date",
                            "Enter the date it was paid.",
                        )));
                        return;
                    }
                }
            } else {
                None
            };
            let body = InvoiceUpdate {
                status: Some(status),
                paid_date,
                ..Default::default()
            };
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_changed = on_changed.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_invoice(id, version, &body).await {
                    Ok(i) => {
                        problem.set(None);
                        on_changed.emit(i);
                    }
                    Err(p) => problem.set(Some(p)),
                }
                busy.set(false);
            });
        })
    };
    let to = |s: InvoiceStatus| change.reform(move |_: MouseEvent| s);
    let on_paid_on = {
        let paid_on = paid_on.clone();
        Callback::from(move |e: InputEvent| {
            paid_on.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let reload = {
        let on_reload = props.on_reload.clone();
        let problem = problem.clone();
        Callback::from(move |_: MouseEvent| {
            problem.set(None);
            on_reload.emit(());
        })
    };

    let message = match (*problem).as_ref() {
        Some(p) if p.status == 412 => html! {
            <Banner kind="warning" testid="conflict">
                <div class="banner-row">
                    <span>{ conflict_text("invoice") }</span>
                    <button type="button" class="btn btn-sm" onclick={reload} data-testid="reload">{ "Reload" }</button>
                </div>
            </Banner>
        },
        Some(p) => {
            let text = field_error(Some(p), "paid_date")
                .or_else(|| field_error(Some(p), "status"))
                .unwrap_or_else(|| api::message(p));
            html! { <Banner testid="invoice-action-error">{ text }</Banner> }
        }
        None => html! {},
    };

    let b = *busy;
    html! {
        <>
            { message }
            <div class="invoice-actions" data-testid="invoice-actions">
                { match inv.status {
                    InvoiceStatus::Draft => html! {
                        <>
                            <button type="button" class="btn btn-sm btn-primary" disabled={b} onclick={to(InvoiceStatus::Sent)} data-testid="mark-sent">{ "Mark sent" }</button>
                            <button type="button" class="btn btn-sm" disabled={b} onclick={to(InvoiceStatus::Cancelled)} data-testid="mark-cancelled">{ "Cancel invoice" }</button>
                        </>
                    },
                    InvoiceStatus::Sent => html! {
                        <>
                            <label class="inline-label" for="paid-on">{ "Paid on" }</label>
                            <input id="paid-on" type="date" class="input input-sm date-input" value={(*paid_on).clone()}
                                oninput={on_paid_on} data-testid="paid-on" />
                            <button type="button" class="btn btn-sm btn-primary" disabled={b} onclick={to(InvoiceStatus::Paid)} data-testid="mark-paid">{ "Mark paid" }</button>
                            <button type="button" class="btn btn-sm" disabled={b} onclick={to(InvoiceStatus::Draft)} data-testid="mark-draft">{ "Back to draft" }</button>
                            <button type="button" class="btn btn-sm" disabled={b} onclick={to(InvoiceStatus::Cancelled)} data-testid="mark-cancelled">{ "Cancel invoice" }</button>
                        </>
                    },
                    InvoiceStatus::Paid => html! {
                        <button type="button" class="btn btn-sm" disabled={b} onclick={to(InvoiceStatus::Sent)} data-testid="mark-unpaid">{ "Mark unpaid" }</button>
                    },
                    InvoiceStatus::Cancelled => html! {
                        <button type="button" class="btn btn-sm" disabled={b} onclick={to(InvoiceStatus::Draft)} data-testid="mark-draft">{ "Reopen as draft" }</button>
                    },
                } }
            </div>
        </>
    }
}

// ---- add / edit ----------------------------------------------------------------------------------

#[derive(Clone, PartialEq, Default)]
struct ItemFields {
    description: String,
    quantity: String,
    unit_price: String,
}

impl ItemFields {
    fn is_blank(&self) -> bool {
        self.description.trim().is_empty()
            && self.quantity.trim().is_empty()
            && self.unit_price.trim().is_empty()
    }

    /// The line amount when quantity and price both read.
    fn amount(&self) -> Option<i64> {
        let q = format::parse_quantity_e3(&self.quantity).ok()?;
        if self.unit_price.trim().is_empty() {
            return None;
        }
        let p = format::parse_money(&self.unit_price).ok()?;
        Some(format::line_amount(q, p))
    }
}

#[derive(Clone, PartialEq, Default)]
struct InvoiceFields {
    number: String,
    currency: String,
    issue_date: String,
    due_date: String,
    status: String,
    paid_date: String,
    description: String,
    items: Vec<ItemFields>,
    /// For an invoice without line items.
    total: String,
}

/// Form rows that are sent, with the index each one has in the request (`items[i]`).
fn sent_rows(items: &[ItemFields]) -> Vec<(usize, usize)> {
    items
        .iter()
        .enumerate()
        .filter(|(_, it)| !it.is_blank())
        .enumerate()
        .map(|(sent, (row, _))| (row, sent))
        .collect()
}

struct Parsed {
    new: NewInvoice,
    items: Vec<NewInvoiceItem>,
}

impl InvoiceFields {
    fn from_invoice(i: &Invoice) -> Self {
        Self {
            number: i.number.clone(),
            currency: i.currency.clone(),
            issue_date: format::day(&i.issue_date),
            due_date: format::day(&i.due_date),
            status: wire(&i.status),
            paid_date: format::opt_day(i.paid_date.as_ref()),
            description: i.description.clone(),
            items: i
                .items
                .iter()
                .map(|it| ItemFields {
                    description: it.description.clone(),
                    quantity: it.quantity.clone(),
                    unit_price: format::money(it.unit_price).replace(',', ""),
                })
                .collect(),
            total: if i.items.is_empty() {
                format::money(i.total).replace(',', "")
            } else {
                String::new()
            },
        }
    }

    fn live_total(&self) -> i64 {
        if sent_rows(&self.items).is_empty() {
            format::parse_money(&self.total).unwrap_or(0)
        } else {
            self.items.iter().filter_map(ItemFields::amount).sum()
        }
    }

    fn parse(&self) -> Result<Parsed, Problem> {
        let mut errors = Vec::new();
        let issue_date = opt_day(&self.issue_date, "issue_date", &mut errors);
        let due_date = opt_day(&self.due_date, "due_date", &mut errors);
        let status = from_wire::<InvoiceStatus>(&self.status);
        let paid_date = if status == Some(InvoiceStatus::Paid) {
            opt_day(&self.paid_date, "paid_date", &mut errors)
        } else {
            None
        };
        let currency = self.currency.trim().to_ascii_uppercase();
        let code_ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
        if !currency.is_empty() && !code_ok {
            errors.push((
                "currency".into(),
                "Use a three-letter code such as USD.".into(),
            ));
        }
        let mut items = Vec::new();
        for (row, sent) in sent_rows(&self.items) {
            let it = &self.items[row];
            let key = |f: &str| format!("items[{sent}].{f}");
            if let Err(m) = format::parse_quantity_e3(&it.quantity) {
                errors.push((key("quantity"), m));
            }
            let price = if it.unit_price.trim().is_empty() {
                errors.push((key("unit_price"), "Enter a price, e.g. 12.50".into()));
                0
            } else {
                match format::parse_money(&it.unit_price) {
                    Ok(p) => p,
                    Err(m) => {
                        errors.push((key("unit_price"), m));
                        0
                    }
                }
            };
            let q = it.quantity.trim();
            items.push(NewInvoiceItem {
                description: it.description.trim().to_string(),
                quantity: Some(if q.is_empty() {
                    "1".into()
                } else {
                    q.to_string()
                }),
                unit_price: price,
            });
        }
        let total = if items.is_empty() {
            match format::parse_money(&self.total) {
                Ok(t) => Some(t),
                Err(m) => {
                    errors.push(("total".into(), m));
                    None
                }
            }
        } else {
            None
        };
        if !errors.is_empty() {
            return Err(invalid_many(errors));
        }
        Ok(Parsed {
            new: NewInvoice {
                customer_id: 0,
                number: Some(self.number.trim().to_string()).filter(|n| !n.is_empty()),
                currency: Some(currency).filter(|c| !c.is_empty()),
                issue_date,
                due_date,
                status,
                paid_date,
                items: Some(items.clone()).filter(|v| !v.is_empty()),
                total,
                description: Some(self.description.trim().to_string()),
            },
            items,
        })
    }

    fn update(&self, old: &Invoice) -> Result<InvoiceUpdate, Problem> {
        let p = self.parse()?;
        let n = p.new;
        let norm = |d: &str, q: &str, price: i64| {
            (
                d.to_string(),
                format::parse_quantity_e3(q).unwrap_or(0),
                price,
            )
        };
        let new_items: Vec<_> = p
            .items
            .iter()
            .map(|i| {
                norm(
                    &i.description,
                    i.quantity.as_deref().unwrap_or("1"),
                    i.unit_price,
                )
            })
            .collect();
        let old_items: Vec<_> = old
            .items
            .iter()
            .map(|i| norm(&i.description, &i.quantity, i.unit_price))
            .collect();
        let items_changed = new_items != old_items;
        Ok(InvoiceUpdate {
            customer_id: None,
            number: n.number.filter(|x| *x != old.number),
            currency: n.currency.filter(|x| *x != old.currency),
            issue_date: n.issue_date.filter(|x| *x != old.issue_date),
            due_date: n.due_date.filter(|x| *x != old.due_date),
            status: n.status.filter(|x| *x != old.status),
            paid_date: n.paid_date.filter(|x| Some(*x) != old.paid_date),
            items: items_changed.then_some(p.items),
            total: n
                .total
                .filter(|t| *t != old.total || (items_changed && !old.items.is_empty())),
            description: n.description.filter(|x| *x != old.description),
        })
    }
}

const INVOICE_FIELDS: &[&str] = &[
    "number",
    "currency",
    "issue_date",
    "due_date",
    "status",
    "paid_date",
    "total",
    "description",
];

/// `items` and `items[i].…` errors show in the line item editor.
const ITEM_PREFIXES: &[&str] = &["items"];

#[derive(Properties, PartialEq)]
struct InvoiceFormProps {
    customer_id: i64,
    invoice: Option<Invoice>,
    on_close: Callback<()>,
    on_saved: Callback<Invoice>,
    on_reload: Callback<()>,
}

fn edit_item(
    form: &FormHandle<InvoiceFields>,
    row: usize,
    set: fn(&mut ItemFields, String),
) -> Callback<InputEvent> {
    let d = form.dispatcher();
    Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        d.dispatch(FormAction::Edit(Box::new(move |f: &mut InvoiceFields| {
            if let Some(it) = f.items.get_mut(row) {
                set(it, v);
            }
        })));
    })
}

#[component]
fn InvoiceForm(props: &InvoiceFormProps) -> Html {
    let form = use_reducer({
        let initial = match &props.invoice {
            Some(i) => InvoiceFields::from_invoice(i),
            None => {
                let today = format::today();
                InvoiceFields {
                    issue_date: format::day(&today),
                    due_date: format::day(&(today + chrono::Days::new(14))),
                    status: "draft".into(),
                    items: vec![ItemFields {
                        quantity: "1".into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                }
            }
        };
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let invoice = props.invoice.clone();
        let customer_id = props.customer_id;
        submit(
            &form,
            &problem,
            &busy,
            move |f: &InvoiceFields| -> Result<Option<Fut<ApiResult<Invoice>>>, Problem> {
                match &invoice {
                    None => {
                        let body = NewInvoice {
                            customer_id,
                            ..f.parse()?.new
                        };
                        Ok(Some(Box::pin(
                            async move { api::create_invoice(&body).await },
                        )))
                    }
                    Some(old) => {
                        let u = f.update(old)?;
                        if u == InvoiceUpdate::default() {
                            return Ok(None);
                        }
                        let (id, version) = (old.id, old.version);
                        Ok(Some(Box::pin(async move {
                            api::update_invoice(id, version, &u).await
                        })))
                    }
                }
            },
            props.on_saved.clone(),
            props.on_close.clone(),
        )
    };

    let p = (*problem).as_ref();
    let fl = Fields {
        form: &form,
        problem: p,
        prefix: "invoice",
    };
    let f = &form.0;
    let currency = props
        .invoice
        .as_ref()
        .map(|i| i.currency.clone())
        .unwrap_or_else(|| f.currency.trim().to_ascii_uppercase());
    let show = |minor: i64| {
        if currency.len() == 3 {
            format::money_in(minor, &currency)
        } else {
            format::money(minor)
        }
    };
    let sent: std::collections::HashMap<usize, usize> = sent_rows(&f.items).into_iter().collect();
    let add_row = {
        let d = form.dispatcher();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(FormAction::Edit(Box::new(|f: &mut InvoiceFields| {
                f.items.push(ItemFields {
                    quantity: "1".into(),
                    ..Default::default()
                })
            })))
        })
    };
    let items_error = field_error(p, "items");
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let editing = props.invoice.is_some();
    let status_options = Invoices::STATUSES
        .iter()
        .map(|s| (s.to_string(), crate::components::status::humanize(s)))
        .collect();

    html! {
        <Modal title={if editing { "Edit invoice" } else { "New invoice" }} on_close={props.on_close.clone()} testid="invoice-form" wide=true>
            <form {onsubmit} novalidate=true>
                <FormProblem problem={(*problem).clone()} fields={INVOICE_FIELDS} prefixes={ITEM_PREFIXES} one="invoice" on_reload={props.on_reload.clone()} />
                <div class="form-grid form-grid-4">
                    { fl.input("Number", "number", &f.number, |f, v| f.number = v, Opt {
                        placeholder: Some("Automatic"), ..Opt::default()
                    }) }
                    { fl.input("Currency", "currency", &f.currency, |f, v| f.currency = v, Opt {
                        placeholder: Some("Default"), ..Opt::default()
                    }) }
                    { fl.date("Issue date", "issue_date", &f.issue_date, |f, v| f.issue_date = v) }
                    { fl.date("Due date", "due_date", &f.due_date, |f, v| f.due_date = v) }
                    { fl.select("Status", "status", &f.status, |f, v| f.status = v, status_options) }
                    if f.status == "paid" {
                        { fl.date("Paid on", "paid_date", &f.paid_date, |f, v| f.paid_date = v) }
                    }
                </div>

                <h3 class="form-section">{ "Line items" }</h3>
                <div class="items-editor" data-testid="items-editor">
                    <div class="items-row items-head" aria-hidden="true">
                        <span>{ "Description" }</span>
                        <span class="num">{ "Qty" }</span>
                        <span class="num">{ "Unit price" }</span>
                        <span class="num">{ "Amount" }</span>
                        <span></span>
                    </div>
                    { for f.items.iter().enumerate().map(|(row, it)| {
                        let err = |k: &str| sent.get(&row).and_then(|s| field_error(p, &format!("items[{s}].{k}")));
                        let (ed, eq, ep) = (err("description"), err("quantity"), err("unit_price"));
                        let remove = {
                            let d = form.dispatcher();
                            Callback::from(move |_: MouseEvent| {
                                d.dispatch(FormAction::Edit(Box::new(move |f: &mut InvoiceFields| {
                                    if row < f.items.len() { f.items.remove(row); }
                                })))
                            })
                        };
                        let amount = if it.is_blank() { String::new() } else { it.amount().map(show).unwrap_or_else(|| "—".into()) };
                        let id = |k: &str| format!("item-{row}-{k}");
                        html! {
                            <div class="items-row" key={row} data-testid="item-row">
                                <div class={classes!("field", ed.is_some().then_some("has-error"))}>
                                    <label class="sr-only" for={id("description")}>{ format!("Line {} description", row + 1) }</label>
                                    <input id={id("description")} class="input input-sm" value={it.description.clone()}
                                        oninput={edit_item(&form, row, |it, v| it.description = v)} data-testid="item-description" />
                                    if let Some(e) = ed { <div class="field-error" role="alert">{ e }</div> }
                                </div>
                                <div class={classes!("field", eq.is_some().then_some("has-error"))}>
                                    <label class="sr-only" for={id("quantity")}>{ format!("Line {} quantity", row + 1) }</label>
                                    <input id={id("quantity")} class="input input-sm num" inputmode="decimal" value={it.quantity.clone()}
                                        oninput={edit_item(&form, row, |it, v| it.quantity = v)} data-testid="item-quantity"
                                        aria-invalid={eq.is_some().then_some("true")} />
                                    if let Some(e) = eq { <div class="field-error" role="alert" data-testid="item-quantity-error">{ e }</div> }
                                </div>
                                <div class={classes!("field", ep.is_some().then_some("has-error"))}>
                                    <label class="sr-only" for={id("unit-price")}>{ format!("Line {} unit price", row + 1) }</label>
                                    <input id={id("unit-price")} class="input input-sm num" inputmode="decimal" value={it.unit_price.clone()}
                                        placeholder="0.00"
                                        oninput={edit_item(&form, row, |it, v| it.unit_price = v)} data-testid="item-unit-price"
                                        aria-invalid={ep.is_some().then_some("true")} />
                                    if let Some(e) = ep { <div class="field-error" role="alert" data-testid="item-unit-price-error">{ e }</div> }
                                </div>
                                <div class="items-amount num" data-testid="item-amount">{ amount }</div>
                                <button type="button" class="icon-btn" title="Remove line" aria-label={format!("Remove line {}", row + 1)}
                                    onclick={remove} data-testid="item-remove">{ "×" }</button>
                            </div>
                        }
                    }) }
                    if let Some(e) = items_error { <div class="field-error">{ e }</div> }
                    <div class="items-foot">
                        <button type="button" class="btn btn-sm" onclick={add_row} data-testid="item-add">{ "+ Add line" }</button>
                        if sent.is_empty() {
                            <div class="items-total-input">
                                { fl.input("Total (no line items)", "total", &f.total, |f, v| f.total = v, Opt {
                                    placeholder: Some("0.00"), ..Opt::default()
                                }) }
                            </div>
                        }
                        <div class="items-total">
                            { "Total " }<strong data-testid="invoice-form-total">{ show(f.live_total()) }</strong>
                        </div>
                    </div>
                </div>

                { fl.textarea("Description", "description", &f.description, |f, v| f.description = v) }
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="invoice-save">
                        { if *busy { "Saving…" } else if editing { "Save invoice" } else { "Create invoice" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
