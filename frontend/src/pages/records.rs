//! What the Jobs, Websites, Tickets and Invoices tabs share: a paged, filterable table of the
//! customer's records, add and edit dialogs, delete with confirmation, and one record's page
//! (`/customers/:id/:tab/:record`) with its notes.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use gloo_timers::callback::Timeout;
use ucm_types::{Problem, RecordQuery};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, field_error, ApiResult};
use crate::app::Route;
use crate::components::form::{
    bind_select, bind_text, bind_textarea, Banner, Field, FormHandle, ProblemBanner, TextArea,
    TextInput,
};
use crate::components::pager::Pager;
use crate::components::status::{humanize, StatusBadge};
use crate::components::tick::Tick;

pub type Fut<T> = Pin<Box<dyn Future<Output = T>>>;

pub const PER_PAGE: u64 = 25;
const SEARCH_DEBOUNCE_MS: u32 = 300;

/// One page of records, whatever their kind (the API's `JobPage`, `InvoicePage`...).
#[derive(Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Builds a [`Paged`] from any of the API's page types.
#[macro_export]
macro_rules! paged {
    ($p:expr) => {{
        let p = $p;
        $crate::pages::records::Paged {
            items: p.items,
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }};
}

/// What the add/edit dialog of a kind gets.
pub struct FormArgs<K: Kind> {
    pub customer_id: i64,
    /// `None` adds a new record.
    pub item: Option<K::Item>,
    pub ctx: K::Ctx,
    pub on_close: Callback<()>,
    pub on_saved: Callback<K::Item>,
    /// After a 412: close and show the other person's version.
    pub on_reload: Callback<()>,
}

/// What the record page of a kind gets.
pub struct DetailArgs<K: Kind> {
    pub customer_id: i64,
    pub item: K::Item,
    pub ctx: K::Ctx,
    /// The record was changed from the page (e.g. an invoice marked paid).
    pub on_changed: Callback<K::Item>,
    /// A change hit a 412: fetch the record again.
    pub on_reload: Callback<()>,
}

/// One kind of record linked to a customer.
pub trait Kind: PartialEq + 'static {
    type Item: Clone + PartialEq + 'static;
    /// Whatever the table and forms need besides the records (e.g. the customer's contacts).
    type Ctx: Clone + PartialEq + Default + 'static;
    /// URL segment and test id stem: `jobs`.
    const SLUG: &'static str;
    /// `job`, for sentences and test ids.
    const ONE: &'static str;
    /// `Jobs`.
    const TITLE: &'static str;
    /// Heading of the first column: `Name`, `Subject`, `Number`.
    const NAME_HEADING: &'static str;
    const STATUSES: &'static [&'static str];
    const EMPTY: &'static str;

    fn load_ctx(customer_id: i64) -> Fut<Self::Ctx>;
    fn list(q: RecordQuery) -> Fut<ApiResult<Paged<Self::Item>>>;
    fn get(id: i64) -> Fut<ApiResult<Self::Item>>;
    fn delete(id: i64, version: i64) -> Fut<ApiResult<()>>;

    fn id(it: &Self::Item) -> i64;
    fn version(it: &Self::Item) -> i64;
    fn title(it: &Self::Item) -> String;
    fn customer_id(it: &Self::Item) -> Option<i64>;
    /// The wire value of its status.
    fn status(it: &Self::Item) -> String;

    /// `<th>`s after the name column.
    fn head() -> Html;
    /// `<td>`s after the name cell.
    fn cells(it: &Self::Item, ctx: &Self::Ctx) -> Html;
    fn row_class(_it: &Self::Item) -> Option<&'static str> {
        None
    }
    /// Badges shown next to the status (e.g. "Overdue").
    fn badges(_it: &Self::Item) -> Html {
        html! {}
    }
    fn form(args: FormArgs<Self>) -> Html
    where
        Self: Sized;
    fn detail(args: DetailArgs<Self>) -> Html
    where
        Self: Sized;
}

#[derive(Properties)]
pub struct RecordTabProps<K: Kind> {
    pub customer_id: i64,
    /// The record whose page is shown instead of the list.
    #[prop_or_default]
    pub record: Option<i64>,
    /// Called after a record was added, changed or deleted (the customer's status may follow).
    #[prop_or_default]
    pub on_changed: Callback<()>,
    #[prop_or_default]
    pub kind: PhantomData<K>,
}

impl<K: Kind> PartialEq for RecordTabProps<K> {
    fn eq(&self, other: &Self) -> bool {
        self.customer_id == other.customer_id
            && self.record == other.record
            && self.on_changed == other.on_changed
    }
}

#[derive(Clone, PartialEq)]
enum Dialog<T> {
    None,
    Add,
    Edit(T),
}

fn list_route(customer_id: i64, slug: &str) -> Route {
    Route::CustomerTab {
        id: customer_id,
        tab: slug.to_string(),
    }
}

pub fn record_route(customer_id: i64, slug: &str, record: i64) -> Route {
    Route::CustomerRecord {
        id: customer_id,
        tab: slug.to_string(),
        record,
    }
}

/// The sentence for a 412 on a record of this kind.
pub fn conflict_text(one: &str) -> String {
    format!("Someone else changed this {one} — reload to see their changes.")
}

#[component]
pub fn RecordTab<K: Kind>(props: &RecordTabProps<K>) -> Html {
    let customer_id = props.customer_id;
    let navigator = use_navigator();
    let status = use_state(String::new);
    let search = use_state(String::new);
    let query = use_state(String::new);
    let page_no = use_state(|| 1u64);
    let generation = use_reducer(Tick::default);
    let data = use_state(|| None::<Paged<K::Item>>);
    let loading = use_state(|| true);
    let error = use_state(|| None::<Problem>);
    let conflict = use_state(|| false);
    let dialog = use_state(|| Dialog::<K::Item>::None);
    let ctx = use_state(K::Ctx::default);
    let detail = use_state(|| None::<Result<K::Item, Problem>>);
    let debounce = use_mut_ref(|| None::<Timeout>);
    let seq = use_mut_ref(|| 0u32);

    {
        let ctx = ctx.clone();
        use_effect_with((customer_id, generation.0), move |(id, _)| {
            let id = *id;
            wasm_bindgen_futures::spawn_local(async move {
                ctx.set(K::load_ctx(id).await);
            });
        });
    }

    // The list; only the latest answer is shown.
    {
        let data = data.clone();
        let loading = loading.clone();
        let error = error.clone();
        let seq = seq.clone();
        let deps = (
            customer_id,
            (*status).clone(),
            (*query).clone(),
            *page_no,
            generation.0,
        );
        use_effect_with(deps, move |(id, status, q, page, _)| {
            let my = {
                let mut s = seq.borrow_mut();
                *s += 1;
                *s
            };
            let rq = RecordQuery {
                customer_id: Some(*id),
                status: (!status.is_empty()).then(|| status.clone()),
                q: (!q.trim().is_empty()).then(|| q.trim().to_string()),
                page: Some(*page),
                per_page: Some(PER_PAGE),
                ..Default::default()
            };
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let r = K::list(rq).await;
                if *seq.borrow() != my {
                    return;
                }
                match r {
                    Ok(p) => {
                        data.set(Some(p));
                        error.set(None);
                    }
                    Err(p) => error.set(Some(p)),
                }
                loading.set(false);
            });
        });
    }

    // The open record.
    {
        let detail = detail.clone();
        let shown = use_mut_ref(|| None::<i64>);
        use_effect_with((props.record, generation.0), move |(record, _)| {
            // Another record: forget the last one; the same one again: keep it while reloading.
            if *shown.borrow() != *record {
                detail.set(None);
                *shown.borrow_mut() = *record;
            }
            if let Some(rid) = *record {
                wasm_bindgen_futures::spawn_local(async move {
                    detail.set(Some(K::get(rid).await));
                });
            }
        });
    }

    let refresh = {
        let generation = generation.dispatcher();
        let on_changed = props.on_changed.clone();
        Callback::from(move |_: ()| {
            generation.dispatch(());
            on_changed.emit(());
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: ()| dialog.set(Dialog::None))
    };
    let on_saved = {
        let dialog = dialog.clone();
        let refresh = refresh.clone();
        let conflict = conflict.clone();
        let navigator = navigator.clone();
        let was_add = matches!(*dialog, Dialog::Add);
        Callback::from(move |it: K::Item| {
            dialog.set(Dialog::None);
            conflict.set(false);
            refresh.emit(());
            // A new record opens at once, so notes can be written on it.
            if was_add {
                if let Some(nav) = &navigator {
                    nav.push(&record_route(customer_id, K::SLUG, K::id(&it)));
                }
            }
        })
    };
    let on_reload = {
        let dialog = dialog.clone();
        let refresh = refresh.clone();
        let conflict = conflict.clone();
        Callback::from(move |_: ()| {
            dialog.set(Dialog::None);
            conflict.set(false);
            refresh.emit(());
        })
    };

    let delete = {
        let refresh = refresh.clone();
        let error = error.clone();
        let conflict = conflict.clone();
        let navigator = navigator.clone();
        let in_detail = props.record.is_some();
        Callback::from(move |it: K::Item| {
            let question = format!(
                "Delete the {} “{}”? This cannot be undone.",
                K::ONE,
                K::title(&it)
            );
            let ok = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !ok {
                return;
            }
            let refresh = refresh.clone();
            let error = error.clone();
            let conflict = conflict.clone();
            let navigator = navigator.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match K::delete(K::id(&it), K::version(&it)).await {
                    Ok(()) => {
                        error.set(None);
                        conflict.set(false);
                        if in_detail {
                            if let Some(nav) = &navigator {
                                nav.push(&list_route(customer_id, K::SLUG));
                            }
                        }
                        refresh.emit(());
                    }
                    Err(p) if p.status == 412 => conflict.set(true),
                    Err(p) => error.set(Some(p)),
                }
            });
        })
    };

    let conflict_banner = if *conflict {
        let reload = on_reload.reform(|_: MouseEvent| ());
        html! {
            <Banner kind="warning" testid="conflict">
                <div class="banner-row">
                    <span>{ conflict_text(K::ONE) }</span>
                    <button type="button" class="btn btn-sm" onclick={reload} data-testid="reload">{ "Reload" }</button>
                </div>
            </Banner>
        }
    } else {
        html! {}
    };

    let modal = match &*dialog {
        Dialog::None => html! {},
        Dialog::Add => K::form(FormArgs {
            customer_id,
            item: None,
            ctx: (*ctx).clone(),
            on_close: close.clone(),
            on_saved: on_saved.clone(),
            on_reload: on_reload.clone(),
        }),
        Dialog::Edit(it) => K::form(FormArgs {
            customer_id,
            item: Some(it.clone()),
            ctx: (*ctx).clone(),
            on_close: close.clone(),
            on_saved: on_saved.clone(),
            on_reload: on_reload.clone(),
        }),
    };

    // ---- one record's page ----
    if let Some(rid) = props.record {
        let back = html! {
            <Link<Route> to={list_route(customer_id, K::SLUG)} classes="back-link">
                { format!("← All {}", K::TITLE.to_lowercase()) }
            </Link<Route>>
        };
        let body = match (*detail).as_ref() {
            None => {
                html! { <div class="card"><div class="loading-block">{ format!("Loading {}…", K::ONE) }</div></div> }
            }
            Some(Err(p)) => {
                let text = if p.status == 404 {
                    format!("This {} does not exist or was deleted.", K::ONE)
                } else {
                    api::message(p)
                };
                html! { <Banner testid="record-error">{ text }</Banner> }
            }
            Some(Ok(it)) if K::customer_id(it) != Some(customer_id) => html! {
                <Banner testid="record-error">{ format!("This {} belongs to another customer.", K::ONE) }</Banner>
            },
            Some(Ok(it)) => {
                let on_edit = {
                    let dialog = dialog.clone();
                    let it = it.clone();
                    Callback::from(move |_: MouseEvent| dialog.set(Dialog::Edit(it.clone())))
                };
                let on_delete = {
                    let delete = delete.clone();
                    let it = it.clone();
                    Callback::from(move |_: MouseEvent| delete.emit(it.clone()))
                };
                let on_changed = {
                    let detail = detail.clone();
                    let refresh_list = data.clone();
                    let notify = props.on_changed.clone();
                    Callback::from(move |it: K::Item| {
                        notify.emit(());
                        // Keep the list in step without a reload.
                        if let Some(p) = (*refresh_list).as_ref() {
                            let mut p = p.clone();
                            for x in p.items.iter_mut() {
                                if K::id(x) == K::id(&it) {
                                    *x = it.clone();
                                }
                            }
                            refresh_list.set(Some(p));
                        }
                        detail.set(Some(Ok(it)));
                    })
                };
                let st = K::status(it);
                html! {
                    <div class="record-page" data-testid={format!("{}-detail", K::ONE)} data-id={rid.to_string()}>
                        <div class="record-head">
                            <h2 class="record-title">
                                <span class="ellipsis" data-testid="record-title" title={K::title(it)}>{ K::title(it) }</span>
                                <StatusBadge value={st.clone()} />
                                { K::badges(it) }
                            </h2>
                            <div class="row-actions">
                                <button type="button" class="btn btn-sm" onclick={on_edit} data-testid="record-edit">{ "Edit" }</button>
                                <button type="button" class="btn btn-sm btn-danger-outline" onclick={on_delete} data-testid="record-delete">{ "Delete" }</button>
                            </div>
                        </div>
                        { K::detail(DetailArgs {
                            customer_id,
                            item: it.clone(),
                            ctx: (*ctx).clone(),
                            on_changed,
                            on_reload: on_reload.clone(),
                        }) }
                    </div>
                }
            }
        };
        return html! {
            <>
                { back }
                { conflict_banner }
                if let Some(e) = (*error).as_ref() {
                    <Banner>{ api::message(e) }</Banner>
                }
                { body }
                { modal }
            </>
        };
    }

    // ---- the list ----
    let on_status = {
        let status = status.clone();
        let page_no = page_no.clone();
        Callback::from(move |e: Event| {
            status.set(e.target_unchecked_into::<HtmlSelectElement>().value());
            page_no.set(1);
        })
    };
    let on_search = {
        let search = search.clone();
        let query = query.clone();
        let page_no = page_no.clone();
        let debounce = debounce.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            search.set(v.clone());
            let query = query.clone();
            let page_no = page_no.clone();
            let t = Timeout::new(SEARCH_DEBOUNCE_MS, move || {
                query.set(v);
                page_no.set(1);
            });
            *debounce.borrow_mut() = Some(t);
        })
    };
    let on_page = {
        let page_no = page_no.clone();
        Callback::from(move |n: u64| page_no.set(n))
    };
    let open_add = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| dialog.set(Dialog::Add))
    };

    let filtered = !status.is_empty() || !query.trim().is_empty();
    let table = match (*data).as_ref() {
        None if error.is_some() => html! {},
        None => {
            html! { <div class="loading-block">{ format!("Loading {}…", K::TITLE.to_lowercase()) }</div> }
        }
        Some(p) if p.items.is_empty() => html! {
            <div class="empty-state" data-testid={format!("{}-empty", K::SLUG)}>
                <p>{ if filtered { format!("No {} match these filters.", K::TITLE.to_lowercase()) } else { K::EMPTY.to_string() } }</p>
            </div>
        },
        Some(p) => html! {
            <div class="table-wrap">
                <table class="table records-table" data-testid={format!("{}-table", K::SLUG)}>
                    <thead>
                        <tr>
                            <th class="col-name">{ K::NAME_HEADING }</th>
                            <th>{ "Status" }</th>
                            { K::head() }
                            <th class="actions-col">{ "Actions" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for p.items.iter().map(|it| {
                            let rid = K::id(it);
                            let title = K::title(it);
                            let on_edit = { let dialog = dialog.clone(); let it = it.clone(); Callback::from(move |_: MouseEvent| dialog.set(Dialog::Edit(it.clone()))) };
                            let on_delete = { let delete = delete.clone(); let it = it.clone(); Callback::from(move |_: MouseEvent| delete.emit(it.clone())) };
                            html! {
                                <tr key={rid} data-testid={format!("{}-row", K::ONE)} data-id={rid.to_string()}
                                    class={classes!(K::row_class(it))}>
                                    <td class="cell-name col-name">
                                        <Link<Route> to={record_route(customer_id, K::SLUG, rid)} classes="row-link">
                                            <span class="ellipsis" title={title.clone()} data-testid={format!("{}-title", K::ONE)}>{ title.clone() }</span>
                                        </Link<Route>>
                                    </td>
                                    <td class="nowrap"><StatusBadge value={K::status(it)} />{ K::badges(it) }</td>
                                    { K::cells(it, &ctx) }
                                    <td class="actions-col">
                                        <div class="row-actions">
                                            <button type="button" class="btn btn-xs" onclick={on_edit} data-testid={format!("{}-edit", K::ONE)}>{ "Edit" }</button>
                                            <button type="button" class="btn btn-xs btn-danger-outline" onclick={on_delete} data-testid={format!("{}-delete", K::ONE)}>{ "Delete" }</button>
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
    let count = (*data).as_ref().map(|p| p.total).unwrap_or(0);
    let status_id = format!("{}-status-filter", K::SLUG);
    let search_id = format!("{}-search", K::SLUG);

    html! {
        <div class={classes!("card", (*loading && data.is_some()).then_some("is-loading"))}>
            <div class="card-head">
                <h2 class="card-title">
                    { K::TITLE }
                    if count > 0 { <span class="count">{ count }</span> }
                </h2>
                <button type="button" class="btn btn-primary btn-sm" onclick={open_add} data-testid={format!("add-{}", K::ONE)}>
                    { format!("+ Add {}", K::ONE) }
                </button>
            </div>
            <div class="card-toolbar">
                <label class="sr-only" for={search_id.clone()}>{ format!("Search {}", K::TITLE.to_lowercase()) }</label>
                <input id={search_id.clone()} class="input input-sm search-input" type="search"
                    placeholder={format!("Search {}…", K::TITLE.to_lowercase())}
                    value={(*search).clone()} oninput={on_search} data-testid={search_id.clone()} />
                <label class="inline-label" for={status_id.clone()}>{ "Status" }</label>
                <select id={status_id.clone()} class="select select-sm" onchange={on_status} data-testid={status_id.clone()}>
                    <option value="" selected={status.is_empty()}>{ "All" }</option>
                    { for K::STATUSES.iter().map(|s| html! {
                        <option value={*s} selected={*status == *s}>{ humanize(s) }</option>
                    }) }
                </select>
                if *loading { <span class="spinner" aria-label="Loading"></span> }
            </div>
            { conflict_banner }
            if let Some(e) = (*error).as_ref() {
                <div class="card-pad-x"><Banner testid={format!("{}-error", K::SLUG)}>{ api::message(e) }</Banner></div>
            }
            { table }
            if let Some(p) = (*data).as_ref() {
                <Pager page={p.page} per_page={p.per_page} total={p.total} shown={p.items.len()} {on_page} />
            }
            { modal }
        </div>
    }
}

// ---- form building blocks for the kinds' dialogs -----------------------------------------------

/// How an input looks: its type, whether it is required, a placeholder and a hint.
#[derive(Clone, Copy)]
pub struct Opt {
    pub kind: &'static str,
    pub required: bool,
    pub placeholder: Option<&'static str>,
    pub hint: Option<&'static str>,
}

impl Default for Opt {
    fn default() -> Self {
        Self {
            kind: "text",
            required: false,
            placeholder: None,
            hint: None,
        }
    }
}

/// Labelled inputs bound to a form, with ids (`<prefix>-<field>`) the labels point at, the same
/// value as test id, and the server's error for the field underneath.
pub struct Fields<'a, T: Clone + 'static> {
    pub form: &'a FormHandle<T>,
    pub problem: Option<&'a Problem>,
    pub prefix: &'static str,
}

impl<T: Clone + 'static> Fields<'_, T> {
    pub fn id(&self, key: &str) -> String {
        format!("{}-{}", self.prefix, key.replace(['_', '.', '[', ']'], "-"))
    }

    pub fn error(&self, key: &str) -> Option<String> {
        field_error(self.problem, key)
    }

    pub fn input(
        &self,
        label: &'static str,
        key: &'static str,
        value: &str,
        set: fn(&mut T, String),
        opt: Opt,
    ) -> Html {
        let id = self.id(key);
        let e = self.error(key);
        html! {
            <Field label={label} name={key} error={e.clone()} required={opt.required} input_id={id.clone()}
                   hint={opt.hint.map(AttrValue::from)}>
                <TextInput id={id.clone()} testid={id} kind={opt.kind} value={value.to_string()}
                    invalid={e.is_some()} placeholder={opt.placeholder.map(AttrValue::from)}
                    oninput={bind_text(self.form, set)} />
            </Field>
        }
    }

    pub fn date(
        &self,
        label: &'static str,
        key: &'static str,
        value: &str,
        set: fn(&mut T, String),
    ) -> Html {
        self.input(
            label,
            key,
            value,
            set,
            Opt {
                kind: "date",
                ..Opt::default()
            },
        )
    }

    pub fn textarea(
        &self,
        label: &'static str,
        key: &'static str,
        value: &str,
        set: fn(&mut T, String),
    ) -> Html {
        let id = self.id(key);
        let e = self.error(key);
        html! {
            <Field label={label} name={key} error={e.clone()} input_id={id.clone()}>
                <TextArea id={id.clone()} testid={id} value={value.to_string()} invalid={e.is_some()}
                    oninput={bind_textarea(self.form, set)} />
            </Field>
        }
    }

    /// A select of `(value, label)` options.
    pub fn select(
        &self,
        label: &'static str,
        key: &'static str,
        value: &str,
        set: fn(&mut T, String),
        options: Vec<(String, String)>,
    ) -> Html {
        let id = self.id(key);
        let e = self.error(key);
        html! {
            <Field label={label} name={key} error={e.clone()} input_id={id.clone()}>
                <select id={id.clone()} class="select" data-testid={id} onchange={bind_select(self.form, set)}>
                    { for options.into_iter().map(|(v, l)| {
                        let selected = v == value;
                        html! { <option value={v} {selected}>{ l }</option> }
                    }) }
                </select>
            </Field>
        }
    }

    /// The status select of a kind.
    pub fn status(&self, value: &str, set: fn(&mut T, String), statuses: &[&str]) -> Html {
        let options = statuses
            .iter()
            .map(|s| (s.to_string(), humanize(s)))
            .collect();
        self.select("Status", "status", value, set, options)
    }
}

/// A failed save above a form; a 412 gets a button that shows the other person's version.
#[derive(Properties, PartialEq)]
pub struct FormProblemProps {
    pub problem: Option<Problem>,
    pub fields: &'static [&'static str],
    /// Field name prefixes the form shows next to its inputs (`items[`).
    #[prop_or_default]
    pub prefixes: &'static [&'static str],
    pub one: &'static str,
    pub on_reload: Callback<()>,
}

#[component]
pub fn FormProblem(props: &FormProblemProps) -> Html {
    match &props.problem {
        Some(p) if p.status == 412 => {
            let reload = props.on_reload.reform(|_: MouseEvent| ());
            html! {
                <Banner kind="warning" testid="conflict">
                    <div class="banner-row">
                        <span>{ conflict_text(props.one) }</span>
                        <button type="button" class="btn btn-sm" onclick={reload} data-testid="reload">{ "Reload" }</button>
                    </div>
                </Banner>
            }
        }
        other => html! {
            <ProblemBanner problem={other.clone()} fields={props.fields} prefixes={props.prefixes} testid="form-error" />
        },
    }
}

/// Runs a save: `build` turns the form into the request (or a client-side validation problem,
/// or `None` when nothing changed), then `on_saved` gets the saved record.
pub fn submit<T, I>(
    form: &FormHandle<T>,
    problem: &UseStateHandle<Option<Problem>>,
    busy: &UseStateHandle<bool>,
    build: impl Fn(&T) -> Result<Option<Fut<ApiResult<I>>>, Problem> + 'static,
    on_saved: Callback<I>,
    on_close: Callback<()>,
) -> Callback<SubmitEvent>
where
    T: Clone + 'static,
    I: 'static,
{
    let form = form.clone();
    let problem = problem.clone();
    let busy = busy.clone();
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        if *busy {
            return;
        }
        let fut = match build(&form.0) {
            Err(p) => {
                problem.set(Some(p));
                return;
            }
            Ok(None) => {
                on_close.emit(());
                return;
            }
            Ok(Some(f)) => f,
        };
        busy.set(true);
        let problem = problem.clone();
        let busy = busy.clone();
        let on_saved = on_saved.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let r = fut.await;
            busy.set(false);
            match r {
                Ok(it) => on_saved.emit(it),
                Err(p) => problem.set(Some(p)),
            }
        });
    })
}

/// Several field errors at once, shaped like the server's 422.
pub fn invalid_many(errors: Vec<(String, String)>) -> Problem {
    let mut p = api::invalid("", "");
    p.errors.clear();
    for (k, v) in errors {
        p.errors.entry(k).or_default().push(v);
    }
    p
}

/// A date input's value: empty is `None`, anything else must be a date.
pub fn opt_day(
    value: &str,
    key: &str,
    errors: &mut Vec<(String, String)>,
) -> Option<chrono::NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    let d = crate::format::parse_day(value);
    if d.is_none() {
        errors.push((key.to_string(), "Enter a date as YYYY-MM-DD.".to_string()));
    }
    d
}

/// A definition list row for a record page.
pub fn fact(label: &'static str, value: Html) -> Html {
    html! {
        <div class="fact">
            <dt>{ label }</dt>
            <dd>{ value }</dd>
        </div>
    }
}
