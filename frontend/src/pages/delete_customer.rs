//! Deleting a customer: says what always goes with it (contacts, notes) and asks whether its
//! jobs, websites, invoices, tickets and files go too or stay without a customer.

use ucm_types::{Customer, LinkedAction, LinkedCounts, Problem};
use yew::prelude::*;

use crate::api;
use crate::components::form::Banner;
use crate::components::modal::Modal;
use crate::format;

#[derive(Properties, PartialEq)]
pub struct DeleteCustomerProps {
    pub customer: Customer,
    pub on_close: Callback<()>,
    pub on_deleted: Callback<()>,
    /// The customer changed meanwhile (412): show the new version.
    pub on_reload: Callback<()>,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format::group_thousands(n),
        if n == 1 { one } else { many }
    )
}

#[component]
pub fn DeleteCustomerModal(props: &DeleteCustomerProps) -> Html {
    let counts = use_state(|| None::<Result<LinkedCounts, Problem>>);
    let linked = use_state(|| LinkedAction::Unlink);
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);
    let id = props.customer.id;

    {
        let counts = counts.clone();
        use_effect_with(id, move |id| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                counts.set(Some(api::linked_counts(id).await));
            });
        });
    }

    let set_linked = |a: LinkedAction| {
        let linked = linked.clone();
        Callback::from(move |_: Event| linked.set(a))
    };
    let on_delete = {
        let problem = problem.clone();
        let busy = busy.clone();
        let linked = linked.clone();
        let version = props.customer.version;
        let on_deleted = props.on_deleted.clone();
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_deleted = on_deleted.clone();
            let action = *linked;
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_customer(id, version, action).await {
                    Ok(()) => on_deleted.emit(()),
                    Err(p) => {
                        problem.set(Some(p));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let reload = props.on_reload.reform(|_: MouseEvent| ());

    let body = match (*counts).as_ref() {
        None => {
            html! { <div class="loading-block">{ "Counting what is linked to this customer…" }</div> }
        }
        Some(Err(p)) => html! { <Banner>{ api::message(p) }</Banner> },
        Some(Ok(c)) => {
            let records = [
                (c.jobs, "job", "jobs"),
                (c.websites, "website", "websites"),
                (c.invoices, "invoice", "invoices"),
                (c.tickets, "ticket", "tickets"),
                (c.files, "file", "files"),
            ];
            let linked_total: u64 = records.iter().map(|(n, _, _)| n).sum();
            let them = if linked_total == 1 { "it" } else { "them" };
            let listed: Vec<String> = records
                .iter()
                .filter(|(n, _, _)| *n > 0)
                .map(|(n, one, many)| plural(*n, one, many))
                .collect();
            html! {
                <>
                    <p data-testid="delete-always">
                        { "Always deleted with it: " }
                        <strong>{ plural(c.contacts, "contact", "contacts") }</strong>{ ", " }
                        <strong>{ plural(c.notes, "note", "notes") }</strong>
                        { ", its address and its group memberships." }
                    </p>
                    if listed.is_empty() {
                        <p class="muted" data-testid="delete-no-linked">{ "It has no jobs, websites, invoices, tickets or files." }</p>
                    } else {
                        <fieldset class="linked-choice" data-testid="delete-linked">
                            <legend>{ format!("It also has {}. What should happen to {them}?", listed.join(", ")) }</legend>
                            <label class="check" for="linked-unlink">
                                <input id="linked-unlink" type="radio" name="linked" checked={*linked == LinkedAction::Unlink}
                                    onchange={set_linked(LinkedAction::Unlink)} data-testid="linked-unlink" />
                                <span><strong>{ format!("Keep {them}") }</strong>{ " without a customer (to link to another customer later)" }</span>
                            </label>
                            <label class="check" for="linked-delete">
                                <input id="linked-delete" type="radio" name="linked" checked={*linked == LinkedAction::Delete}
                                    onchange={set_linked(LinkedAction::Delete)} data-testid="linked-delete" />
                                <span>
                                    <strong>{ format!("Delete {them} too") }</strong>
                                    if c.files > 0 { { ", including the files' contents" } }
                                </span>
                            </label>
                        </fieldset>
                    }
                </>
            }
        }
    };

    html! {
        <Modal title={format!("Delete “{}”?", props.customer.customer_name)} on_close={props.on_close.clone()} testid="delete-customer-modal">
            { body }
            { match (*problem).as_ref() {
                Some(p) if p.status == 412 => html! {
                    <Banner kind="warning" testid="conflict">
                        <div class="banner-row">
                            <span>{ "Someone else changed this customer — reload to see their changes before deleting." }</span>
                            <button type="button" class="btn btn-sm" onclick={reload} data-testid="reload">{ "Reload" }</button>
                        </div>
                    </Banner>
                },
                Some(p) => html! { <Banner>{ api::message(p) }</Banner> },
                None => html! {},
            } }
            <p class="muted small">{ "This cannot be undone." }</p>
            <div class="form-actions">
                <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                <button type="button" class="btn btn-danger" onclick={on_delete}
                    disabled={*busy || !matches!(*counts, Some(Ok(_)))} data-testid="confirm-delete-customer">
                    { if *busy { "Deleting…" } else { "Delete customer" } }
                </button>
            </div>
        </Modal>
    }
}
