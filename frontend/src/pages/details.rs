//! The Details tab: edit a customer, archive it or delete it.

use std::collections::{BTreeMap, BTreeSet};

use ucm_types::{
    Address, Customer, CustomerType, CustomerUpdate, Group, NewGroup, Problem, TaxChoice,
    TaxOverride, User,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, field_error};
use crate::app::Route;
use crate::components::form::{
    bind_select, bind_text, edit, Banner, Field, Form, FormAction, ProblemBanner, TextInput,
};
use crate::format;
use crate::pages::delete_customer::DeleteCustomerModal;

#[derive(Clone, PartialEq, Default)]
struct DetailsForm {
    name: String,
    type_id: String,
    number: String,
    credit: String,
    tax_custom: bool,
    tax_name: String,
    tax_rate: String,
    prefix: String,
    address: Address,
    group_ids: BTreeSet<i64>,
    staff_ids: BTreeSet<i64>,
    /// Extra fields as typed, including keys added here and not yet saved.
    extra: BTreeMap<String, String>,
}

impl DetailsForm {
    fn from_customer(c: &Customer) -> Self {
        Self {
            name: c.customer_name.clone(),
            type_id: c.customer_type.id.to_string(),
            number: c.customer_number.clone(),
            credit: format::money(c.credit).replace(',', ""),
            tax_custom: c.default_tax.is_some(),
            tax_name: c
                .default_tax
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            tax_rate: c
                .default_tax
                .as_ref()
                .map(|t| t.rate.clone())
                .unwrap_or_default(),
            prefix: c.default_invoice_prefix.clone(),
            address: c.address.clone(),
            group_ids: c.groups.iter().map(|g| g.id).collect(),
            staff_ids: c.staff.iter().map(|u| u.id).collect(),
            extra: c.extra.clone(),
        }
    }

    /// The PATCH body holding only what differs from `c`, or the first input error.
    fn changes(&self, c: &Customer) -> Result<CustomerUpdate, Problem> {
        let mut u = CustomerUpdate::default();
        let name = self.name.trim();
        if name.is_empty() {
            return Err(api::invalid("customer_name", "Enter the customer's name."));
        }
        if name != c.customer_name {
            u.customer_name = Some(name.to_string());
        }
        if let Ok(t) = self.type_id.parse::<i64>() {
            if t != c.customer_type.id {
                u.customer_type_id = Some(t);
            }
        }
        if self.number.trim() != c.customer_number {
            u.customer_number = Some(self.number.trim().to_string());
        }
        let credit = format::parse_money(&self.credit).map_err(|m| api::invalid("credit", &m))?;
        if credit != c.credit {
            u.credit = Some(credit);
        }
        if self.tax_custom {
            let tax = TaxOverride {
                name: self.tax_name.trim().to_string(),
                rate: self
                    .tax_rate
                    .trim()
                    .trim_end_matches('%')
                    .trim()
                    .to_string(),
            };
            if tax.rate.is_empty() {
                return Err(api::invalid(
                    "default_tax.rate",
                    "Enter a rate such as 10 or 12.5.",
                ));
            }
            if c.default_tax.as_ref() != Some(&tax) {
                u.default_tax = Some(TaxChoice::Custom(tax));
            }
        } else if c.default_tax.is_some() {
            u.default_tax = Some(TaxChoice::System { use_system: true });
        }
        if self.prefix.trim() != c.default_invoice_prefix {
            u.default_invoice_prefix = Some(self.prefix.trim().to_string());
        }
        let address = Address {
            line_1: self.address.line_1.trim().to_string(),
            line_2: self.address.line_2.trim().to_string(),
            suburb: self.address.suburb.trim().to_string(),
            state: self.address.state.trim().to_string(),
            region: self.address.region.trim().to_string(),
            country: self.address.country.trim().to_string(),
            post_code: self.address.post_code.trim().to_string(),
        };
        if address != c.address {
            u.address = Some(address.into());
        }
        let groups: BTreeSet<i64> = c.groups.iter().map(|g| g.id).collect();
        if groups != self.group_ids {
            u.group_ids = Some(self.group_ids.iter().copied().collect());
        }
        let staff: BTreeSet<i64> = c.staff.iter().map(|s| s.id).collect();
        if staff != self.staff_ids {
            u.staff_ids = Some(self.staff_ids.iter().copied().collect());
        }
        // Only the extra fields that differ; a cleared value removes the field.
        let extra: BTreeMap<String, String> = self
            .extra
            .keys()
            .chain(c.extra.keys())
            .filter_map(|k| {
                let new = self.extra.get(k).map_or("", |v| v.trim());
                let old = c.extra.get(k).map_or("", String::as_str);
                (new != old).then(|| (k.clone(), new.to_string()))
            })
            .collect();
        if !extra.is_empty() {
            u.extra = Some(extra);
        }
        Ok(u)
    }
}

const FIELDS: &[&str] = &[
    "customer_name",
    "customer_type_id",
    "customer_number",
    "credit",
    "default_tax",
    "default_tax.name",
    "default_tax.rate",
    "default_invoice_prefix",
    "address",
    "address.line_1",
    "address.line_2",
    "address.suburb",
    "address.state",
    "address.region",
    "address.country",
    "address.post_code",
    "group_ids",
    "staff_ids",
];

/// Extra fields' errors (`extra.<key>`) show next to their inputs.
const EXTRA_PREFIXES: &[&str] = &["extra."];

#[derive(Clone, PartialEq)]
enum Notice {
    None,
    Saved,
    NoChanges,
    Conflict,
}

#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    pub customer: Customer,
    pub on_saved: Callback<Customer>,
    pub on_reload: Callback<()>,
}

#[component]
pub fn DetailsTab(props: &DetailsProps) -> Html {
    let c = &props.customer;
    let form = use_reducer({
        let c = c.clone();
        move || Form(DetailsForm::from_customer(&c))
    });
    let problem = use_state(|| None::<Problem>);
    let notice = use_state(|| Notice::None);
    let busy = use_state(|| false);
    let types = use_state(Vec::<CustomerType>::new);
    let groups = use_state(Vec::<Group>::new);
    let users = use_state(|| None::<Result<Vec<User>, String>>);
    let new_group = use_state(String::new);
    let extra_keys = use_state(Vec::<String>::new);
    let new_extra = use_state(String::new);
    let group_error = use_state(|| None::<String>);
    let navigator = use_navigator();

    // A new version of the customer (saved, archived, reloaded) resets the form to it.
    {
        let form = form.clone();
        let problem = problem.clone();
        use_effect_with(c.clone(), move |c| {
            form.dispatch(FormAction::Reset(DetailsForm::from_customer(c)));
            problem.set(None);
        });
    }

    // Lookups for the selects and checkboxes.
    {
        let types = types.clone();
        let groups = groups.clone();
        let users = users.clone();
        let extra_keys = extra_keys.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(k) = api::extra_fields().await {
                    extra_keys.set(k.into_iter().map(|k| k.key).collect());
                }
                if let Ok(t) = api::customer_types().await {
                    types.set(t);
                }
                if let Ok(g) = api::groups().await {
                    groups.set(g);
                }
                users.set(Some(api::users().await.map_err(|p| api::message(&p))));
            });
        });
    }

    // Save, archive and unarchive all go through one PATCH with If-Match.
    let patch = {
        let problem = problem.clone();
        let notice = notice.clone();
        let busy = busy.clone();
        let on_saved = props.on_saved.clone();
        let id = c.id;
        let version = c.version;
        Callback::from(move |body: CustomerUpdate| {
            busy.set(true);
            notice.set(Notice::None);
            let problem = problem.clone();
            let notice = notice.clone();
            let busy = busy.clone();
            let on_saved = on_saved.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_customer(id, version, &body).await {
                    Ok(saved) => {
                        problem.set(None);
                        notice.set(Notice::Saved);
                        on_saved.emit(saved);
                    }
                    Err(p) if p.status == 412 => {
                        problem.set(None);
                        notice.set(Notice::Conflict);
                    }
                    Err(p) => problem.set(Some(p)),
                }
                busy.set(false);
            });
        })
    };

    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let notice = notice.clone();
        let customer = c.clone();
        let patch = patch.clone();
        let busy = busy.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            match form.0.changes(&customer) {
                Err(p) => {
                    notice.set(Notice::None);
                    problem.set(Some(p));
                }
                Ok(u) if u == CustomerUpdate::default() => {
                    problem.set(None);
                    notice.set(Notice::NoChanges);
                }
                Ok(u) => patch.emit(u),
            }
        })
    };

    let toggle_archived = {
        let patch = patch.clone();
        let archived = c.archived;
        Callback::from(move |_: MouseEvent| {
            patch.emit(CustomerUpdate {
                archived: Some(!archived),
                ..Default::default()
            })
        })
    };

    let deleting = use_state(|| false);
    let on_delete = {
        let deleting = deleting.clone();
        Callback::from(move |_: MouseEvent| deleting.set(true))
    };
    let close_delete = {
        let deleting = deleting.clone();
        Callback::from(move |_: ()| deleting.set(false))
    };
    let on_deleted = {
        let navigator = navigator.clone();
        Callback::from(move |_: ()| {
            if let Some(nav) = &navigator {
                nav.push(&Route::Customers);
            }
        })
    };
    let reload_after_delete = {
        let deleting = deleting.clone();
        let on_reload = props.on_reload.clone();
        Callback::from(move |_: ()| {
            deleting.set(false);
            on_reload.emit(());
        })
    };

    let reset = {
        let form = form.clone();
        let problem = problem.clone();
        let notice = notice.clone();
        let customer = c.clone();
        Callback::from(move |_: MouseEvent| {
            form.dispatch(FormAction::Reset(DetailsForm::from_customer(&customer)));
            problem.set(None);
            notice.set(Notice::None);
        })
    };

    let reload = {
        let on_reload = props.on_reload.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            notice.set(Notice::None);
            on_reload.emit(());
        })
    };

    let add_group = {
        let new_group = new_group.clone();
        let groups = groups.clone();
        let group_error = group_error.clone();
        let form = form.clone();
        Callback::from(move |_: ()| {
            let name = new_group.trim().to_string();
            if name.is_empty() {
                return;
            }
            let new_group = new_group.clone();
            let groups = groups.clone();
            let group_error = group_error.clone();
            let dispatcher = form.dispatcher();
            wasm_bindgen_futures::spawn_local(async move {
                match api::create_group(&NewGroup { name }).await {
                    Ok(g) => {
                        let mut list = (*groups).clone();
                        let id = g.id;
                        list.push(g);
                        list.sort_by_key(|g| g.name.to_lowercase());
                        groups.set(list);
                        new_group.set(String::new());
                        group_error.set(None);
                        dispatcher.dispatch(FormAction::Edit(Box::new(move |f| {
                            f.group_ids.insert(id);
                        })));
                    }
                    Err(p) => group_error.set(Some(
                        field_error(Some(&p), "name").unwrap_or_else(|| api::message(&p)),
                    )),
                }
            });
        })
    };
    let on_new_group_input = {
        let new_group = new_group.clone();
        Callback::from(move |e: InputEvent| {
            new_group.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_new_group_key = {
        let add_group = add_group.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                add_group.emit(());
            }
        })
    };

    let add_extra = {
        let new_extra = new_extra.clone();
        let dispatcher = form.dispatcher();
        Callback::from(move |_: ()| {
            let key = new_extra.trim().to_string();
            if key.is_empty() {
                return;
            }
            new_extra.set(String::new());
            dispatcher.dispatch(FormAction::Edit(Box::new(move |f| {
                f.extra.entry(key).or_default();
            })));
        })
    };
    let on_new_extra_input = {
        let new_extra = new_extra.clone();
        Callback::from(move |e: InputEvent| {
            new_extra.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_new_extra_key = {
        let add_extra = add_extra.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                add_extra.emit(());
            }
        })
    };

    let p = (*problem).as_ref();
    let err = |k: &str| field_error(p, k);
    let f = &form.0;

    // The customer's extra fields, then the names other customers use, each once, in order.
    let extra_rows: BTreeSet<String> = f
        .extra
        .keys()
        .cloned()
        .chain(extra_keys.iter().cloned())
        .collect();
    let extra_list = html! {
        <>
            if extra_rows.is_empty() {
                <p class="muted small">{ "No extra fields yet. Name one below to add it." }</p>
            }
            { for extra_rows.iter().map(|key| {
                let name = format!("extra.{key}");
                let e = err(&name);
                let k = key.clone();
                let d = form.dispatcher();
                let oninput = Callback::from(move |ev: InputEvent| {
                    let v = ev.target_unchecked_into::<HtmlInputElement>().value();
                    let k = k.clone();
                    d.dispatch(FormAction::Edit(Box::new(move |f: &mut DetailsForm| {
                        f.extra.insert(k, v);
                    })));
                });
                html! {
                    <Field label={key.clone()} name={name} error={e.clone()} key={key.clone()}>
                        <TextInput value={f.extra.get(key).cloned().unwrap_or_default()} invalid={e.is_some()}
                            testid={format!("extra-{key}")} {oninput} />
                    </Field>
                }
            }) }
        </>
    };

    let addr_field = |label: &'static str,
                      key: &'static str,
                      value: &str,
                      set: fn(&mut DetailsForm, String)| {
        let name = format!("address.{key}");
        let e = err(&name);
        html! {
            <Field label={label} name={name.clone()} error={e.clone()}>
                <TextInput value={value.to_string()} invalid={e.is_some()} testid={format!("customer-address-{key}")}
                    oninput={bind_text(&form, set)} />
            </Field>
        }
    };

    let groups_list = if groups.is_empty() {
        html! { <p class="muted small">{ "No groups yet." }</p> }
    } else {
        html! {
            <div class="check-list">
                { for groups.iter().map(|g| {
                    let id = g.id;
                    let checked = f.group_ids.contains(&id);
                    html! {
                        <label class="check" key={id}>
                            <input type="checkbox" {checked} data-testid={format!("group-{id}")}
                                onchange={edit(&form, move |f: &mut DetailsForm| {
                                    if !f.group_ids.remove(&id) { f.group_ids.insert(id); }
                                })} />
                            { g.name.clone() }
                        </label>
                    }
                }) }
            </div>
        }
    };

    let staff_list = match (*users).as_ref() {
        None => html! { <p class="muted small">{ "Loading staff…" }</p> },
        Some(Err(m)) => {
            html! { <p class="muted small">{ format!("Staff list unavailable: {m}") }</p> }
        }
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="muted small">{ "No staff users." }</p> }
        }
        Some(Ok(list)) => html! {
            <div class="check-list">
                { for list.iter().map(|u| {
                    let id = u.id;
                    let checked = f.staff_ids.contains(&id);
                    let label = if u.name.trim().is_empty() { u.username.clone() } else { u.name.clone() };
                    html! {
                        <label class="check" key={id}>
                            <input type="checkbox" {checked} data-testid={format!("staff-{id}")}
                                onchange={edit(&form, move |f: &mut DetailsForm| {
                                    if !f.staff_ids.remove(&id) { f.staff_ids.insert(id); }
                                })} />
                            { label }
                        </label>
                    }
                }) }
            </div>
        },
    };

    // Types from the server, plus the customer's own in case the list has not arrived yet.
    let mut type_options: Vec<(i64, String)> =
        types.iter().map(|t| (t.id, t.name.clone())).collect();
    if !type_options.iter().any(|(id, _)| *id == c.customer_type.id) {
        type_options.insert(0, (c.customer_type.id, c.customer_type.name.clone()));
    }

    html! {
        <form class="details-form" {onsubmit} novalidate=true data-testid="details-form">
            if *notice == Notice::Conflict {
                <Banner kind="warning" testid="conflict">
                    <div class="banner-row">
                        <span>{ "Someone else changed this customer — reload to see their changes" }</span>
                        <button type="button" class="btn btn-sm" onclick={reload} data-testid="reload">{ "Reload" }</button>
                    </div>
                </Banner>
            }
            if *notice == Notice::Saved {
                <Banner kind="success" testid="saved">{ "Changes saved." }</Banner>
            }
            if *notice == Notice::NoChanges {
                <Banner kind="info">{ "There are no changes to save." }</Banner>
            }
            <ProblemBanner problem={(*problem).clone()} fields={FIELDS} prefixes={EXTRA_PREFIXES} testid="details-error" />

            <div class="cards-grid">
                <section class="card card-pad">
                    <h2 class="card-title">{ "Customer" }</h2>
                    <Field label="Customer name" name="customer_name" required=true error={err("customer_name")}>
                        <TextInput value={f.name.clone()} testid="customer-name" invalid={err("customer_name").is_some()}
                            oninput={bind_text(&form, |f, v| f.name = v)} />
                    </Field>
                    <div class="form-grid">
                        <Field label="Type" name="customer_type_id" error={err("customer_type_id")}>
                            <select class="select" data-testid="customer-type-select"
                                onchange={bind_select(&form, |f, v| f.type_id = v)}>
                                { for type_options.iter().map(|(id, name)| html! {
                                    <option value={id.to_string()} selected={f.type_id == id.to_string()}>{ name.clone() }</option>
                                }) }
                            </select>
                        </Field>
                        <Field label="Customer number" name="customer_number" error={err("customer_number")}>
                            <TextInput value={f.number.clone()} testid="customer-number-input" invalid={err("customer_number").is_some()}
                                oninput={bind_text(&form, |f, v| f.number = v)} />
                        </Field>
                    </div>
                </section>

                <section class="card card-pad">
                    <h2 class="card-title">{ "Billing" }</h2>
                    <div class="form-grid">
                        <Field label="Credit" name="credit" error={err("credit")} hint="Amount, e.g. 12.50">
                            <div class="input-affix">
                                <span class="affix">{ "$" }</span>
                                <TextInput value={f.credit.clone()} testid="customer-credit" invalid={err("credit").is_some()}
                                    oninput={bind_text(&form, |f, v| f.credit = v)} />
                            </div>
                        </Field>
                        <Field label="Invoice prefix" name="default_invoice_prefix" error={err("default_invoice_prefix")}>
                            <TextInput value={f.prefix.clone()} testid="customer-invoice-prefix"
                                invalid={err("default_invoice_prefix").is_some()}
                                oninput={bind_text(&form, |f, v| f.prefix = v)} />
                        </Field>
                    </div>
                    <Field label="Default tax" name="default_tax" error={err("default_tax")}>
                        <div class="radio-row">
                            <label class="check">
                                <input type="radio" name="tax-mode" checked={!f.tax_custom} data-testid="tax-system"
                                    onchange={edit(&form, |f: &mut DetailsForm| f.tax_custom = false)} />
                                { "Use system tax" }
                            </label>
                            <label class="check">
                                <input type="radio" name="tax-mode" checked={f.tax_custom} data-testid="tax-custom"
                                    onchange={edit(&form, |f: &mut DetailsForm| f.tax_custom = true)} />
                                { "Custom tax" }
                            </label>
                        </div>
                    </Field>
                    if f.tax_custom {
                        <div class="form-grid">
                            <Field label="Tax name" name="default_tax.name" error={err("default_tax.name")}>
                                <TextInput value={f.tax_name.clone()} testid="tax-name" placeholder="GST"
                                    invalid={err("default_tax.name").is_some()}
                                    oninput={bind_text(&form, |f, v| f.tax_name = v)} />
                            </Field>
                            <Field label="Rate (%)" name="default_tax.rate" error={err("default_tax.rate")}>
                                <TextInput value={f.tax_rate.clone()} testid="tax-rate" placeholder="10.00"
                                    invalid={err("default_tax.rate").is_some()}
                                    oninput={bind_text(&form, |f, v| f.tax_rate = v)} />
                            </Field>
                        </div>
                    }
                </section>

                <section class="card card-pad">
                    <h2 class="card-title">{ "Address" }</h2>
                    if let Some(e) = err("address") { <div class="field-error">{ e }</div> }
                    { addr_field("Address line 1", "line_1", &f.address.line_1, |f, v| f.address.line_1 = v) }
                    { addr_field("Address line 2", "line_2", &f.address.line_2, |f, v| f.address.line_2 = v) }
                    <div class="form-grid">
                        { addr_field("Suburb / city", "suburb", &f.address.suburb, |f, v| f.address.suburb = v) }
                        { addr_field("State", "state", &f.address.state, |f, v| f.address.state = v) }
                        { addr_field("Region", "region", &f.address.region, |f, v| f.address.region = v) }
                        { addr_field("Post code", "post_code", &f.address.post_code, |f, v| f.address.post_code = v) }
                    </div>
                    { addr_field("Country", "country", &f.address.country, |f, v| f.address.country = v) }
                </section>

                <section class="card card-pad">
                    <h2 class="card-title">{ "Groups" }</h2>
                    <Field label="Member of" name="group_ids" error={err("group_ids")}>
                        { groups_list }
                    </Field>
                    <div class="inline-add">
                        <input class="input input-sm" placeholder="New group name" value={(*new_group).clone()}
                            oninput={on_new_group_input} onkeydown={on_new_group_key} data-testid="new-group-name"
                            aria-label="New group name" />
                        <button type="button" class="btn btn-sm" onclick={add_group.reform(|_: MouseEvent| ())} data-testid="add-group">{ "Add group" }</button>
                    </div>
                    if let Some(e) = (*group_error).clone() { <div class="field-error">{ e }</div> }

                    <h2 class="card-title spaced">{ "Staff" }</h2>
                    <Field label="Assigned staff" name="staff_ids" error={err("staff_ids")}>
                        { staff_list }
                    </Field>
                </section>

                <section class="card card-pad" data-testid="extra-fields">
                    <h2 class="card-title">{ "Extra fields" }</h2>
                    { extra_list }
                    <div class="inline-add">
                        <input class="input input-sm" placeholder="New field name" value={(*new_extra).clone()}
                            oninput={on_new_extra_input} onkeydown={on_new_extra_key} data-testid="new-extra-name"
                            aria-label="New extra field name" maxlength="64" />
                        <button type="button" class="btn btn-sm" onclick={add_extra.reform(|_: MouseEvent| ())}
                            data-testid="add-extra">{ "Add field" }</button>
                    </div>
                    <p class="muted small">{ "Clear a value and save to remove that field from this customer." }</p>
                </section>
            </div>

            <div class="form-actions sticky-actions">
                <div class="actions-left">
                    <button type="button" class="btn" onclick={toggle_archived} disabled={*busy}
                            data-testid={if c.archived { "unarchive" } else { "archive" }}>
                        { if c.archived { "Unarchive" } else { "Archive" } }
                    </button>
                    <button type="button" class="btn btn-danger-outline" onclick={on_delete} data-testid="delete-customer">
                        { "Delete customer…" }
                    </button>
                </div>
                <div class="actions-right">
                    <button type="button" class="btn" onclick={reset} disabled={*busy}>{ "Discard changes" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="customer-save">
                        { if *busy { "Saving…" } else { "Save changes" } }
                    </button>
                </div>
            </div>
            if *deleting {
                <DeleteCustomerModal customer={c.clone()} on_close={close_delete}
                    {on_deleted} on_reload={reload_after_delete} />
            }
        </form>
    }
}
