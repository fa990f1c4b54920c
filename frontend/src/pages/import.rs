//! The import wizard (`/import`): choose a CSV file (uploaded at once, the server says what it
//! detected), map its columns to fields, preview a dry run of the whole file, import it, read
//! the report. The upload's id is kept in the URL (`/import?upload=<id>`), so a reload comes back
//! to the mapping step, or to the report once the file has been imported.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use ucm_types::{
    ColumnChoice, ImportPreview, ImportReport, ImportSettings, ImportUpload, PreviewRow, Problem,
    RowAction, RowMessage, SkippedRow,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::form::{Banner, Form, FormAction};
use crate::components::status::{wire, StatusBadge};
use crate::format;

/// Skipped rows and warnings listed on the page; the rest are counted.
const LIST_LIMIT: usize = 200;

/// What the user chose on the mapping step.
#[derive(Clone, PartialEq, Default)]
struct Choices {
    /// Column (1-based) → field name; `""` = not imported.
    fields: BTreeMap<u64, String>,
    match_id: bool,
    match_email: bool,
    match_name: bool,
    clear_blanks: bool,
    all_or_nothing: bool,
}

impl Choices {
    /// The automatic mapping and the import's default options.
    fn automatic(upload: &ImportUpload) -> Self {
        let d = ImportSettings::default();
        Self {
            fields: upload
                .columns
                .iter()
                .map(|c| (c.column, c.field.clone().unwrap_or_default()))
                .collect(),
            match_id: d.match_id,
            match_email: d.match_email,
            match_name: d.match_name,
            clear_blanks: d.clear_blanks,
            all_or_nothing: d.all_or_nothing,
        }
    }

    /// The request body: the options, and only the columns mapped differently from the
    /// automatic match (the server keeps the automatic field of every other column).
    fn settings(&self, upload: &ImportUpload) -> ImportSettings {
        let columns = upload
            .columns
            .iter()
            .filter_map(|c| {
                let chosen = self.fields.get(&c.column).cloned().unwrap_or_default();
                let auto = c.field.clone().unwrap_or_default();
                (chosen != auto).then(|| ColumnChoice {
                    column: c.column,
                    field: (!chosen.is_empty()).then_some(chosen),
                })
            })
            .collect();
        ImportSettings {
            match_id: self.match_id,
            match_email: self.match_email,
            match_name: self.match_name,
            clear_blanks: self.clear_blanks,
            all_or_nothing: self.all_or_nothing,
            columns,
        }
    }
}

/// What the page is waiting for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Busy {
    Idle,
    Loading,
    Uploading,
    Previewing,
    Committing,
}

/// `;` → `Semicolon (;)`.
fn delimiter_label(d: &str) -> String {
    match d {
        "," => "Comma (,)".into(),
        ";" => "Semicolon (;)".into(),
        "tab" | "\t" => "Tab".into(),
        "|" => "Pipe (|)".into(),
        other => other.to_string(),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format::group_thousands(n),
        if n == 1 { one } else { many }
    )
}

/// Every message of a failed request, for a list: the field errors (`file`, `columns`, ...) or
/// else the server's sentence.
fn problem_messages(p: &Problem) -> Vec<String> {
    let msgs: Vec<String> = p.errors.values().flatten().cloned().collect();
    if msgs.is_empty() {
        vec![api::message(p)]
    } else {
        msgs
    }
}

/// A sentence for a failed upload.
fn upload_message(p: &Problem) -> Vec<String> {
    if p.kind == "network" {
        return vec![
            "The file did not reach the server. If it is large, it may be over the server's import limit."
                .into(),
        ];
    }
    match p.status {
        413 => {
            // "the file is larger than the import limit of 52428800 bytes": say it in MB.
            let limit = api::message(p)
                .split(|c: char| !c.is_ascii_digit())
                .rfind(|s| !s.is_empty())
                .and_then(|n| n.parse::<i64>().ok());
            vec![match limit {
                Some(n) => format!(
                    "This file is too large to import: the limit is {}.",
                    format::file_size(n)
                ),
                None => format!("This file is too large to import: {}", api::message(p)),
            }]
        }
        415 => vec![
            "The server did not accept this kind of file. Save it as CSV and try again.".into(),
        ],
        _ => problem_messages(p),
    }
}

/// The column numbers an error message names (`column 7: unknown field ...`).
fn columns_named(messages: &[String]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| {
            let rest = m.strip_prefix("column ")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// Spreadsheet workbooks are not CSV: say so before uploading.
fn workbook_hint(name: &str) -> Option<String> {
    let ext = name.rsplit('.').next()?.to_ascii_lowercase();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods" | "numbers").then(|| {
        format!(
            "“{name}” is a spreadsheet workbook, not a CSV file. Save it as CSV (in Excel: File › Save As › CSV) and choose that file."
        )
    })
}

fn action_label(a: RowAction) -> &'static str {
    match a {
        RowAction::Create => "Create",
        RowAction::Update => "Update",
        RowAction::Unchanged => "Unchanged",
        RowAction::Skip => "Skip",
    }
}

fn upload_route_query(id: &str) -> [(&'static str, String); 1] {
    [("upload", id.to_string())]
}

#[component]
pub fn ImportPage() -> Html {
    let location = use_location();
    let navigator = use_navigator();
    let upload_id: Option<String> = location
        .as_ref()
        .and_then(|l| l.query::<HashMap<String, String>>().ok())
        .and_then(|m| m.get("upload").cloned())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());

    let upload = use_state(|| None::<Rc<ImportUpload>>);
    // The id whose upload is on the page (or being loaded), so a URL change we made ourselves
    // does not load it again.
    let shown_id = use_mut_ref(|| None::<String>);
    let busy = use_state(|| Busy::Idle);
    let load_problem = use_state(|| None::<Problem>);
    let upload_problem = use_state(|| None::<Vec<String>>);
    let choices = use_reducer(Form::<Choices>::default);
    let preview = use_state(|| None::<Rc<(ImportSettings, ImportPreview)>>);
    let preview_problem = use_state(|| None::<Problem>);
    let report = use_state(|| None::<Rc<ImportReport>>);
    let commit_problem = use_state(|| None::<Problem>);
    let notice = use_state(|| None::<String>);
    let preview_ref = use_node_ref();
    let report_ref = use_node_ref();

    // Shows an upload (fresh from step 1 or loaded by id): its automatic mapping, or its report.
    let show_upload = {
        let upload = upload.clone();
        let choices = choices.dispatcher();
        let preview = preview.clone();
        let preview_problem = preview_problem.clone();
        let report = report.clone();
        let commit_problem = commit_problem.clone();
        let load_problem = load_problem.clone();
        let upload_problem = upload_problem.clone();
        Callback::from(move |u: ImportUpload| {
            choices.dispatch(FormAction::Reset(Choices::automatic(&u)));
            report.set(u.report.clone().map(Rc::new));
            upload.set(Some(Rc::new(u)));
            preview.set(None);
            preview_problem.set(None);
            commit_problem.set(None);
            load_problem.set(None);
            upload_problem.set(None);
        })
    };

    // Follow the URL: `?upload=<id>` loads that upload, no id is a fresh start.
    {
        let shown_id = shown_id.clone();
        let busy = busy.clone();
        let load_problem = load_problem.clone();
        let show_upload = show_upload.clone();
        let upload = upload.clone();
        let report = report.clone();
        let preview = preview.clone();
        let notice = notice.clone();
        let upload_problem = upload_problem.clone();
        use_effect_with(upload_id.clone(), move |id| {
            let known = shown_id.borrow().clone();
            match id {
                None => {
                    if known.is_some() || upload.is_some() || load_problem.is_some() {
                        *shown_id.borrow_mut() = None;
                        upload.set(None);
                        report.set(None);
                        preview.set(None);
                        load_problem.set(None);
                        upload_problem.set(None);
                        notice.set(None);
                        busy.set(Busy::Idle);
                    }
                }
                Some(id) if known.as_deref() != Some(id.as_str()) => {
                    *shown_id.borrow_mut() = Some(id.clone());
                    let id = id.clone();
                    busy.set(Busy::Loading);
                    notice.set(None);
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = api::get_import(&id).await;
                        if shown_id.borrow().as_deref() != Some(id.as_str()) {
                            return; // the user moved on
                        }
                        match result {
                            Ok(u) => show_upload.emit(u),
                            Err(p) => {
                                upload.set(None);
                                load_problem.set(Some(p));
                            }
                        }
                        busy.set(Busy::Idle);
                    });
                }
                Some(_) => {}
            }
        });
    }

    // Bring a fresh preview or report into view.
    let scroll_to = |r: &NodeRef| {
        if let Some(el) = r.cast::<web_sys::Element>() {
            el.scroll_into_view();
        }
    };
    {
        let preview_ref = preview_ref.clone();
        let at = (*preview).as_ref().map(|p| Rc::as_ptr(p) as usize);
        use_effect_with(at, move |at| {
            if at.is_some() {
                scroll_to(&preview_ref);
            }
        });
    }
    {
        let report_ref = report_ref.clone();
        let at = (*report).as_ref().map(|r| Rc::as_ptr(r) as usize);
        use_effect_with(at, move |at| {
            if at.is_some() {
                scroll_to(&report_ref);
            }
        });
    }

    // ---- step 1: choose and upload ----------------------------------------------------------
    let on_file = {
        let busy = busy.clone();
        let upload_problem = upload_problem.clone();
        let show_upload = show_upload.clone();
        let shown_id = shown_id.clone();
        let navigator = navigator.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // Choosing the same file again after an error must fire `change` again.
            input.set_value("");
            if *busy != Busy::Idle {
                return;
            }
            if let Some(hint) = workbook_hint(&file.name()) {
                upload_problem.set(Some(vec![hint]));
                return;
            }
            upload_problem.set(None);
            busy.set(Busy::Uploading);
            let busy = busy.clone();
            let upload_problem = upload_problem.clone();
            let show_upload = show_upload.clone();
            let shown_id = shown_id.clone();
            let navigator = navigator.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::upload_import(&file).await {
                    Ok(u) => {
                        let id = u.id.clone();
                        *shown_id.borrow_mut() = Some(id.clone());
                        show_upload.emit(u);
                        if let Some(nav) = &navigator {
                            if nav
                                .push_with_query(&Route::Import, &upload_route_query(&id))
                                .is_err()
                            {
                                nav.push(&Route::Import);
                            }
                        }
                    }
                    Err(p) => upload_problem.set(Some(upload_message(&p))),
                }
                busy.set(Busy::Idle);
            });
        })
    };
    let start_over = {
        let navigator = navigator.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(nav) = &navigator {
                nav.push(&Route::Import);
            }
        })
    };

    // ---- step 2: mapping and options ---------------------------------------------------------
    let on_map = {
        let d = choices.dispatcher();
        Callback::from(move |(column, field): (u64, String)| {
            d.dispatch(FormAction::Edit(Box::new(move |c: &mut Choices| {
                c.fields.insert(column, field);
            })));
        })
    };
    let toggle = |set: fn(&mut Choices, bool)| {
        let d = choices.dispatcher();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            d.dispatch(FormAction::Edit(Box::new(move |c: &mut Choices| {
                set(c, on)
            })));
        })
    };
    let reset_mapping = {
        let d = choices.dispatcher();
        let upload = upload.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(u) = (*upload).as_ref() {
                let auto = Choices::automatic(u);
                d.dispatch(FormAction::Edit(Box::new(move |c: &mut Choices| {
                    c.fields = auto.fields;
                })));
            }
        })
    };

    let settings = (*upload).as_ref().map(|u| choices.0.settings(u));
    let preview_current = match (&*preview, &settings) {
        (Some(p), Some(s)) => p.0 == *s,
        _ => false,
    };

    // ---- step 3: preview ----------------------------------------------------------------------
    let on_preview = {
        let upload = upload.clone();
        let settings = settings.clone();
        let busy = busy.clone();
        let preview = preview.clone();
        let preview_problem = preview_problem.clone();
        let commit_problem = commit_problem.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(u), Some(s)) = ((*upload).clone(), settings.clone()) else {
                return;
            };
            if *busy != Busy::Idle {
                return;
            }
            busy.set(Busy::Previewing);
            preview_problem.set(None);
            commit_problem.set(None);
            let busy = busy.clone();
            let preview = preview.clone();
            let preview_problem = preview_problem.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::preview_import(&u.id, &s).await {
                    Ok(p) => preview.set(Some(Rc::new((s, p)))),
                    Err(p) => {
                        preview.set(None);
                        preview_problem.set(Some(p));
                    }
                }
                busy.set(Busy::Idle);
            });
        })
    };

    // ---- step 4: import ------------------------------------------------------------------------
    let on_commit = {
        let upload = upload.clone();
        let settings = settings.clone();
        let busy = busy.clone();
        let report = report.clone();
        let commit_problem = commit_problem.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let (Some(u), Some(s)) = ((*upload).clone(), settings.clone()) else {
                return;
            };
            if *busy != Busy::Idle || !preview_current {
                return;
            }
            busy.set(Busy::Committing);
            commit_problem.set(None);
            let busy = busy.clone();
            let report = report.clone();
            let commit_problem = commit_problem.clone();
            let notice = notice.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::commit_import(&u.id, &s).await {
                    Ok(r) => report.set(Some(Rc::new(r))),
                    Err(p) if p.status == 409 => {
                        // Imported already (another tab?): show that import's report if there is one.
                        match api::get_import(&u.id).await {
                            Ok(fresh) if fresh.report.is_some() => {
                                notice.set(Some(
                                    "This file had already been imported (perhaps from another tab or window). This is the report of that import; nothing was imported again.".into(),
                                ));
                                report.set(fresh.report.map(Rc::new));
                            }
                            _ => commit_problem.set(Some(p)),
                        }
                    }
                    Err(p) => commit_problem.set(Some(p)),
                }
                busy.set(Busy::Idle);
            });
        })
    };

    // ---- rendering -----------------------------------------------------------------------------
    let step = if report.is_some() {
        4
    } else if preview_current {
        3
    } else if upload.is_some() {
        2
    } else {
        1
    };
    let steps = html! {
        <ol class="steps" data-testid="import-steps" aria-label="Import steps">
            { for ["Choose a file", "Map columns", "Preview", "Import"].iter().enumerate().map(|(i, label)| {
                let n = i + 1;
                let state = match n.cmp(&step) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal if step == 4 => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                };
                html! {
                    <li class={classes!("step", format!("step-{state}"))}
                        aria-current={(state == "current").then_some("step")}>
                        <span class="step-num">{ if state == "done" { "✓".to_string() } else { n.to_string() } }</span>
                        <span class="step-label">{ *label }</span>
                    </li>
                }
            }) }
        </ol>
    };

    let committing = *busy == Busy::Committing;

    let body = if *busy == Busy::Loading {
        html! {
            <div class="card">
                <div class="loading-block" data-testid="import-loading">
                    <span class="spinner inline-spinner"></span>{ " Reading the uploaded file…" }
                </div>
            </div>
        }
    } else if let Some(p) = (*load_problem).as_ref() {
        let text = if p.status == 404 {
            "This upload is no longer on the server (uploads are kept for 7 days, or it was removed). Choose the file again.".to_string()
        } else {
            api::message(p)
        };
        html! {
            <div class="card card-pad">
                <Banner testid="import-load-error">{ text }</Banner>
                <p><button type="button" class="btn btn-primary" onclick={start_over.clone()}>{ "Choose a file" }</button></p>
            </div>
        }
    } else if let Some(u) = (*upload).clone() {
        let file_card = file_summary(&u, start_over.clone(), committing || report.is_some());
        if let Some(r) = (*report).clone() {
            html! {
                <>
                    { file_card }
                    <section class="card card-pad import-report" ref={report_ref.clone()} data-testid="import-report">
                        <h2 class="card-title">{ "4. Import finished" }</h2>
                        if let Some(n) = (*notice).clone() {
                            <Banner kind="info" testid="import-notice">{ n }</Banner>
                        }
                        <Banner kind={if r.skipped_total > 0 { "warning" } else { "success" }} testid="report-summary">
                            { report_sentence(&r) }
                        </Banner>
                        <ReportView report={r.clone()} prefix="report" future=false />
                        <div class="form-actions wizard-actions">
                            <button type="button" class="btn" onclick={start_over.clone()} data-testid="import-another">
                                { "Import another file" }
                            </button>
                            <Link<Route> to={Route::Customers} classes="btn btn-primary">
                                <span data-testid="report-customers-link">{ "Go to the customer list" }</span>
                            </Link<Route>>
                        </div>
                    </section>
                </>
            }
        } else {
            let preview_messages = (*preview_problem).as_ref().map(problem_messages);
            let bad_columns = preview_messages
                .as_deref()
                .map(columns_named)
                .unwrap_or_default();
            let has_name = choices.0.fields.values().any(|f| {
                matches!(
                    f.as_str(),
                    "customer_name" | "contact.first_name" | "contact.name"
                )
            });
            let changed = u
                .columns
                .iter()
                .filter(|c| {
                    choices.0.fields.get(&c.column).cloned().unwrap_or_default()
                        != c.field.clone().unwrap_or_default()
                })
                .count();
            let c = &choices.0;
            let previewing = *busy == Busy::Previewing;
            let preview_report = (*preview)
                .as_ref()
                .filter(|_| preview_current)
                .map(|p| p.1.report.clone());
            html! {
                <>
                    { file_card }
                    <section class="card import-mapping" data-testid="import-mapping">
                        <div class="card-head">
                            <h2 class="card-title">
                                { "2. Map columns" }
                                <span class="count">{ u.columns.len() }</span>
                            </h2>
                            if changed > 0 {
                                <button type="button" class="btn btn-sm" onclick={reset_mapping} disabled={committing}
                                        data-testid="map-reset">
                                    { format!("Undo {} change{}", changed, if changed == 1 { "" } else { "s" }) }
                                </button>
                            }
                        </div>
                        <p class="card-intro muted">
                            { "Each column of the file feeds the field chosen on its right. Columns set to “Do not import” are left out." }
                        </p>
                        <fieldset class="plain-fieldset" disabled={committing}>
                            <div class="table-wrap">
                                <table class="table mapping-table" data-testid="mapping-table">
                                    <thead>
                                        <tr>
                                            <th class="num">{ "#" }</th>
                                            <th>{ "Column in the file" }</th>
                                            <th>{ "Sample values" }</th>
                                            <th>{ "Import as" }</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        { for u.columns.iter().map(|col| {
                                            let chosen = c.fields.get(&col.column).cloned().unwrap_or_default();
                                            let auto = col.field.clone().unwrap_or_default();
                                            let is_changed = chosen != auto;
                                            let invalid = bad_columns.contains(&col.column);
                                            let n = col.column;
                                            let onchange = on_map.reform(move |e: Event| {
                                                (n, e.target_unchecked_into::<HtmlSelectElement>().value())
                                            });
                                            let auto_label = u.fields.iter().find(|f| f.name == auto)
                                                .map(|f| f.label.clone())
                                                .unwrap_or_else(|| "Do not import".into());
                                            html! {
                                                <tr key={n} data-testid="map-row" data-column={n.to_string()}
                                                    class={classes!(chosen.is_empty().then_some("row-unmapped"), invalid.then_some("row-invalid"))}>
                                                    <td class="num muted">{ n }</td>
                                                    <td class="map-header">
                                                        if col.header.trim().is_empty() {
                                                            <span class="muted">{ "(no header)" }</span>
                                                        } else {
                                                            <span class="ellipsis" title={col.header.clone()}>{ col.header.clone() }</span>
                                                        }
                                                    </td>
                                                    <td class="map-samples">
                                                        if col.samples.is_empty() {
                                                            <span class="muted small">{ "(empty)" }</span>
                                                        } else {
                                                            { for col.samples.iter().map(|s| html! {
                                                                <span class="sample" title={s.clone()}>{ s.clone() }</span>
                                                            }) }
                                                        }
                                                    </td>
                                                    <td class="map-field">
                                                        <select class={classes!("select", "select-sm", invalid.then_some("invalid"))}
                                                                aria-label={format!("Import column {n} ({}) as", col.header)}
                                                                data-testid={format!("map-col-{n}")} {onchange}>
                                                            <option value="" selected={chosen.is_empty()}>{ "Do not import" }</option>
                                                            { for u.fields.iter().map(|f| html! {
                                                                <option value={f.name.clone()} selected={chosen == f.name}>{ f.label.clone() }</option>
                                                            }) }
                                                        </select>
                                                        if is_changed {
                                                            <div class="field-hint" data-testid={format!("map-auto-{n}")}>
                                                                <span class="badge badge-warn">{ "Changed" }</span>
                                                                { format!(" automatic: {auto_label}") }
                                                            </div>
                                                        }
                                                    </td>
                                                </tr>
                                            }
                                        }) }
                                    </tbody>
                                </table>
                            </div>
                            <div class="import-options">
                                <div class="option-group">
                                    <h3>{ "Match rows to existing customers" }</h3>
                                    <label class="check">
                                        <input type="checkbox" checked={c.match_id} onchange={toggle(|c, v| c.match_id = v)}
                                               data-testid="import-match-id" />
                                        { "by Customer ID (only when the name or email agrees too)" }
                                    </label>
                                    <label class="check">
                                        <input type="checkbox" checked={c.match_email} onchange={toggle(|c, v| c.match_email = v)}
                                               data-testid="import-match-email" />
                                        { "by a contact's email" }
                                    </label>
                                    <label class="check">
                                        <input type="checkbox" checked={c.match_name} onchange={toggle(|c, v| c.match_name = v)}
                                               data-testid="import-match-name" />
                                        { "by exact customer name" }
                                    </label>
                                </div>
                                <div class="option-group">
                                    <h3>{ "When importing" }</h3>
                                    <label class="check">
                                        <input type="checkbox" checked={c.clear_blanks} onchange={toggle(|c, v| c.clear_blanks = v)}
                                               data-testid="import-clear-blanks" />
                                        { "Blank cells clear stored values (names are never cleared)" }
                                    </label>
                                    <label class="check">
                                        <input type="checkbox" checked={c.all_or_nothing} onchange={toggle(|c, v| c.all_or_nothing = v)}
                                               data-testid="import-all-or-nothing" />
                                        { "All or nothing: import nothing if any row would be skipped" }
                                    </label>
                                </div>
                            </div>
                        </fieldset>
                        if !has_name {
                            <div class="card-pad-x">
                                <Banner kind="warning" testid="map-no-name">
                                    { "No column is imported as a customer name, contact first name or contact full name, so rows cannot be matched or created." }
                                </Banner>
                            </div>
                        }
                        if let Some(msgs) = preview_messages {
                            <div class="card-pad-x">
                                <Banner testid="preview-error">
                                    <div>{ "The preview was refused:" }</div>
                                    <ul class="banner-list">
                                        { for msgs.iter().map(|m| html! { <li>{ m.clone() }</li> }) }
                                    </ul>
                                </Banner>
                            </div>
                        }
                        <div class="wizard-bar">
                            <button type="button" class="btn btn-primary" onclick={on_preview}
                                    disabled={*busy != Busy::Idle} data-testid="import-preview">
                                { if previewing { "Previewing…" } else if preview.is_some() && !preview_current { "Preview again" } else { "Preview import" } }
                            </button>
                            if previewing {
                                <span class="spinner" aria-hidden="true"></span>
                                <span class="muted" data-testid="preview-loading">{ "Checking every row of the file; nothing is written…" }</span>
                            } else {
                                <span class="muted small">{ "A preview runs the whole import without saving anything." }</span>
                            }
                        </div>
                    </section>

                    if let Some(p) = (*preview).clone() {
                        <section ref={preview_ref.clone()}
                                 class={classes!("card", "card-pad", "import-preview", (!preview_current || previewing).then_some("is-stale"))}
                                 data-testid="import-preview-panel" data-current={preview_current.to_string()}>
                            <h2 class="card-title">{ "3. Preview" }</h2>
                            if !preview_current {
                                <Banner kind="warning" testid="preview-stale">
                                    { "The mapping or options changed since this preview. Preview again before importing." }
                                </Banner>
                            }
                            <ReportView report={Rc::new(p.1.report.clone())} prefix="preview" future=true />
                            <PreviewRows preview={p.clone()} />
                        </section>
                    }

                    <section class="card card-pad import-commit" data-testid="import-commit-panel">
                        <h2 class="card-title">{ "4. Import" }</h2>
                        if let Some(p) = (*commit_problem).as_ref() {
                            <Banner testid="commit-error">
                                <div>{ commit_message(p) }</div>
                                if !p.errors.is_empty() {
                                    <ul class="banner-list">
                                        { for problem_messages(p).into_iter().map(|m| html! { <li>{ m }</li> }) }
                                    </ul>
                                }
                            </Banner>
                        }
                        <div class="wizard-bar">
                            <button type="button" class="btn btn-primary" onclick={on_commit}
                                    disabled={!preview_current || *busy != Busy::Idle} data-testid="import-commit">
                                { if committing { "Importing…".to_string() } else { commit_label(preview_report.as_ref()) } }
                            </button>
                            if committing {
                                <span class="spinner" aria-hidden="true"></span>
                                <span class="muted" data-testid="commit-loading">
                                    { "Importing in one transaction. A large file can take a minute; keep this page open." }
                                </span>
                            } else if !preview_current {
                                <span class="muted small" data-testid="commit-hint">
                                    { if preview.is_some() { "Preview the current mapping and options first." } else { "Preview first: the import button unlocks after a preview of the current settings." } }
                                </span>
                            } else {
                                <span class="muted small">{ "Runs the import exactly as previewed. Nothing is written if it fails." }</span>
                            }
                        </div>
                    </section>
                </>
            }
        }
    } else {
        let uploading = *busy == Busy::Uploading;
        html! {
            <section class="card card-pad import-choose" data-testid="import-choose">
                <h2 class="card-title">{ "1. Choose a file" }</h2>
                <p class="muted">
                    { "A CSV file of customers and contacts: UCM's own export, or one from another tool (Invoice Ninja, Outlook, Google, a spreadsheet saved as CSV). The encoding, the delimiter and the header line are detected, and nothing is imported before you have seen a preview." }
                </p>
                <div class="file-pick">
                    <label class="field-label" for="import-file">{ "CSV file" }</label>
                    <input id="import-file" type="file" class="file-input"
                           accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values"
                           disabled={uploading} onchange={on_file} data-testid="import-file" />
                    if uploading {
                        <span class="spinner" aria-hidden="true"></span>
                        <span class="muted" data-testid="upload-loading">{ "Uploading and reading the file…" }</span>
                    }
                </div>
                if let Some(msgs) = (*upload_problem).clone() {
                    <Banner testid="upload-error">
                        if msgs.len() == 1 {
                            { msgs[0].clone() }
                        } else {
                            <ul class="banner-list">
                                { for msgs.into_iter().map(|m| html! { <li>{ m }</li> }) }
                            </ul>
                        }
                    </Banner>
                }
            </section>
        }
    };

    html! {
        <div class="page import-page">
            <div class="page-head">
                <div>
                    <h1>{ "Import customers" }</h1>
                    <p class="muted">{ "From a CSV file, in four steps." }</p>
                </div>
            </div>
            { steps }
            { body }
        </div>
    }
}

fn commit_label(r: Option<&ImportReport>) -> String {
    match r {
        Some(r) if r.created + r.updated > 0 => format!(
            "Import: create {}, update {}",
            format::group_thousands(r.created),
            format::group_thousands(r.updated)
        ),
        _ => "Import".into(),
    }
}

fn commit_message(p: &Problem) -> String {
    match p.status {
        409 => "This file is being imported right now (perhaps from another tab or window), or has been already. Reload the page in a moment to see its report.".into(),
        422 => "The import was refused; nothing was written:".into(),
        503 => "The database is busy with other changes. Nothing was written; try again in a moment.".into(),
        0 if p.kind == "network" => "The connection was lost while importing. The import runs as one transaction, so either all of it or none of it was written: reload the page to see whether it finished.".into(),
        _ => format!("The import failed; nothing was written. {}", api::message(p)),
    }
}

/// One sentence for the report's banner.
fn report_sentence(r: &ImportReport) -> String {
    let mut parts = vec![
        format!("{} created", plural(r.created, "customer", "customers")),
        format!("{} updated", format::group_thousands(r.updated)),
        format!("{} unchanged", format::group_thousands(r.unchanged)),
    ];
    if r.skipped_total > 0 {
        parts.push(format!(
            "{} skipped",
            plural(r.skipped_total, "row", "rows")
        ));
    }
    format!(
        "Read {}: {}.",
        plural(r.rows_read, "row", "rows"),
        parts.join(", ")
    )
}

/// Step 1's result: what the server found in the file.
fn file_summary(u: &ImportUpload, start_over: Callback<MouseEvent>, locked: bool) -> Html {
    let uploaded = chrono::DateTime::parse_from_rfc3339(&u.uploaded_at)
        .map(|d| format::local_date_time(&d.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| u.uploaded_at.clone());
    let fact = |label: &'static str, testid: &'static str, value: String| {
        html! {
            <div class="fact">
                <dt>{ label }</dt>
                <dd data-testid={testid} title={value.clone()}>{ value }</dd>
            </div>
        }
    };
    html! {
        <section class="card card-pad import-file" data-testid="import-file-summary">
            <div class="card-title-row">
                <h2 class="card-title">{ "1. File" }</h2>
                if !locked {
                    <button type="button" class="btn btn-sm" onclick={start_over} data-testid="import-start-over">
                        { "Choose another file" }
                    </button>
                }
            </div>
            <dl class="facts">
                { fact("File", "import-file-name", u.file_name.clone()) }
                { fact("Size", "import-size", format::file_size(i64::try_from(u.size).unwrap_or(i64::MAX))) }
                { fact("Encoding", "import-encoding", u.encoding.clone()) }
                { fact("Delimiter", "import-delimiter", delimiter_label(&u.delimiter)) }
                { fact("Header line", "import-header-row", u.header_row.to_string()) }
                { fact("Rows", "import-rows", format::group_thousands(u.data_rows)) }
                { fact("Uploaded", "import-uploaded", uploaded) }
            </dl>
            if u.header_row > 1 {
                <p class="muted small file-note" data-testid="import-preamble">
                    { if u.header_row == 2 {
                        "Line 1, above the header, is not imported.".to_string()
                    } else {
                        format!("Lines 1–{} above the header are not imported.", u.header_row - 1)
                    } }
                </p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ReportViewProps {
    report: Rc<ImportReport>,
    /// Test-id prefix: `preview` or `report`.
    prefix: AttrValue,
    /// Worded as what would happen (a preview) rather than what happened.
    future: bool,
}

/// The counts, the columns not imported, the skipped rows and the warnings of a report.
#[component]
fn ReportView(props: &ReportViewProps) -> Html {
    let r = &props.report;
    let prefix = props.prefix.clone();
    let f = props.future;
    let tile = |key: &str, kind: &str, n: u64, label: &str| {
        html! {
            <div class={classes!("stat", format!("stat-{kind}"), (n == 0).then_some("stat-zero"))}
                 data-testid={format!("{prefix}-{key}")} data-value={n.to_string()}>
                <span class="stat-num">{ format::group_thousands(n) }</span>
                <span class="stat-label">{ label.to_string() }</span>
            </div>
        }
    };
    let with_values: Vec<_> = r
        .ignored_columns
        .iter()
        .filter(|c| c.non_empty_cells > 0)
        .collect();
    html! {
        <div class="report-view">
            <div class="stat-grid">
                { tile("rows", "rows", r.rows_read, "rows read") }
                { tile("created", "create", r.created, if f { "to create" } else { "created" }) }
                { tile("updated", "update", r.updated, if f { "to update" } else { "updated" }) }
                { tile("unchanged", "unchanged", r.unchanged, "unchanged") }
                { tile("skipped", "skip", r.skipped_total, if f { "to skip" } else { "skipped" }) }
                { tile("contacts", "contacts", r.contacts_created, if f { "contacts to add" } else { "contacts added" }) }
                if r.notes_added > 0 {
                    { tile("notes", "notes", r.notes_added, if f { "notes to add" } else { "notes added" }) }
                }
                { tile("warnings", "warn", r.warnings_total, "warnings") }
            </div>
            if !with_values.is_empty() {
                <p class="report-note" data-testid={format!("{prefix}-ignored")}>
                    <strong>{ "Not imported: " }</strong>
                    { with_values.iter().map(|c| format!("column {} “{}” ({})", c.column,
                        if c.header.is_empty() { "no header" } else { c.header.as_str() },
                        plural(c.non_empty_cells, "row with a value", "rows with a value")))
                        .collect::<Vec<_>>().join(", ") }
                </p>
            }
            if r.skipped_total > 0 {
                <LineList title={if f { "Rows that would be skipped" } else { "Skipped rows" }}
                          kind="skip" testid={format!("{prefix}-skipped-list")} item_testid={format!("{prefix}-skipped-row")}
                          total={r.skipped_total}
                          items={Rc::new(r.skipped.iter().map(|s: &SkippedRow| (s.row, s.reason.clone())).collect::<Vec<_>>())} />
            }
            if r.warnings_total > 0 {
                <LineList title="Warnings (the row is imported, this part is not)"
                          kind="warn" testid={format!("{prefix}-warnings-list")} item_testid={format!("{prefix}-warning")}
                          total={r.warnings_total}
                          items={Rc::new(r.warnings.iter().map(|w: &RowMessage| (w.row, w.message.clone())).collect::<Vec<_>>())} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LineListProps {
    title: AttrValue,
    kind: AttrValue,
    testid: AttrValue,
    item_testid: AttrValue,
    total: u64,
    items: Rc<Vec<(u64, String)>>,
}

/// Skipped rows or warnings: line number and message, the first [`LIST_LIMIT`] of them.
#[component]
fn LineList(props: &LineListProps) -> Html {
    let shown = props.items.len().min(LIST_LIMIT);
    let more = props.total.saturating_sub(shown as u64);
    html! {
        <div class={classes!("line-list", format!("line-list-{}", props.kind))} data-testid={props.testid.clone()}>
            <h3>{ props.title.clone() }<span class="count">{ format::group_thousands(props.total) }</span></h3>
            <ul>
                { for props.items.iter().take(shown).map(|(row, msg)| html! {
                    <li data-testid={props.item_testid.clone()} data-row={row.to_string()}>
                        <span class="line-no">{ format!("Line {row}") }</span>
                        <span class="line-msg">{ msg.clone() }</span>
                    </li>
                }) }
            </ul>
            if more > 0 {
                <p class="muted small">{ format!("… and {} more.", format::group_thousands(more)) }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PreviewRowsProps {
    preview: Rc<(ImportSettings, ImportPreview)>,
}

/// The first rows of the file as they would be imported, each with its action and problems.
#[component]
fn PreviewRows(props: &PreviewRowsProps) -> Html {
    let p = &props.preview.1;
    let mapped = &p.report.mapped_columns;
    if p.rows.is_empty() {
        return html! { <p class="muted" data-testid="preview-no-rows">{ "The file has no rows to import." }</p> };
    }
    let row = |r: &PreviewRow| {
        let action = wire(&r.action);
        let skip = r.action == RowAction::Skip;
        html! {
            <tr key={r.row} data-testid="preview-row" data-row={r.row.to_string()} data-action={action.clone()}
                class={classes!(skip.then_some("row-skip"))}>
                <td class="num nowrap">{ r.row }</td>
                <td class="nowrap">
                    <StatusBadge value={format!("action-{action}")} label={action_label(r.action)} testid="preview-action" />
                    if let Some(id) = r.customer_id {
                        <Link<Route> to={Route::Customer { id }} classes="small preview-customer-link">{ format!("#{id}") }</Link<Route>>
                    }
                </td>
                <td class={classes!("preview-problems", if skip { "problems-skip" } else { "problems-warn" })} data-testid="preview-problems">
                    { for r.problems.iter().map(|m| html! { <div>{ m.clone() }</div> }) }
                </td>
                { for mapped.iter().map(|m| {
                    let v = usize::try_from(m.column).ok()
                        .and_then(|c| r.cells.get(c.wrapping_sub(1)))
                        .cloned()
                        .unwrap_or_default();
                    html! { <td class="preview-cell"><span class="ellipsis" title={v.clone()}>{ v }</span></td> }
                }) }
            </tr>
        }
    };
    html! {
        <div class="preview-rows">
            <h3>
                { format!("The first {} rows", p.rows.len()) }
                if p.report.rows_read > p.rows.len() as u64 {
                    <span class="muted small">{ format!(" of {}", format::group_thousands(p.report.rows_read)) }</span>
                }
            </h3>
            <div class="table-wrap">
                <table class="table preview-table" data-testid="preview-table">
                    <thead>
                        <tr>
                            <th class="num">{ "Line" }</th>
                            <th>{ "Action" }</th>
                            <th>{ "Problems" }</th>
                            { for mapped.iter().map(|m| html! {
                                <th title={m.field.clone()}>
                                    <span class="ellipsis">{ if m.header.is_empty() { format!("Column {}", m.column) } else { m.header.clone() } }</span>
                                </th>
                            }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for p.rows.iter().map(row) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
