//! Files: the customer's Files tab and the files panel of a job. Upload (the raw bytes, with
//! the file's type), list, download (with the bearer token, through an object URL), rename or
//! move to another job, delete.

use ucm_types::{FileMeta, FilePage, FileQuery, FileUpdate, Job, Problem, RecordQuery};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, field_error};
use crate::app::Route;
use crate::components::form::{bind_select, bind_text, Banner, Field, Form, TextInput};
use crate::components::modal::Modal;
use crate::components::pager::Pager;
use crate::components::tick::Tick;
use crate::format;
use crate::pages::records::{conflict_text, record_route};

const PER_PAGE: u64 = 25;

#[derive(Properties, PartialEq)]
pub struct FilesPanelProps {
    pub customer_id: i64,
    /// Only this job's files, and uploads attach to it.
    #[prop_or_default]
    pub job_id: Option<i64>,
}

/// A sentence for a failed upload: the server's (413 names the limit), or a hint when the
/// connection was cut (what browsers report when a server refuses a large body early).
fn upload_message(p: &Problem) -> String {
    if p.kind == "network" {
        return "The upload did not reach the server. If the file is large, it may be over the server's upload limit.".into();
    }
    if p.status == 413 {
        return format!(
            "This file is too large to upload: {}.",
            api::message(p).trim_end_matches('.')
        );
    }
    let fields: Vec<String> = p.errors.values().flatten().cloned().collect();
    if fields.is_empty() {
        api::message(p)
    } else {
        fields.join(" ")
    }
}

#[component]
pub fn FilesPanel(props: &FilesPanelProps) -> Html {
    let customer_id = props.customer_id;
    let job_id = props.job_id;
    let page_no = use_state(|| 1u64);
    let generation = use_reducer(Tick::default);
    let data = use_state(|| None::<FilePage>);
    let error = use_state(|| None::<Problem>);
    let jobs = use_state(Vec::<Job>::new);
    let upload_job = use_state(String::new);
    let upload_problem = use_state(|| None::<String>);
    let uploaded = use_state(|| None::<String>);
    let uploading = use_state(|| false);
    let chosen = use_state(|| false);
    let editing = use_state(|| None::<FileMeta>);
    let input_ref = use_node_ref();

    {
        let data = data.clone();
        let error = error.clone();
        use_effect_with(
            (customer_id, job_id, *page_no, generation.0),
            move |(customer_id, job_id, page, _)| {
                let q = FileQuery {
                    customer_id: Some(*customer_id),
                    unlinked: None,
                    job_id: *job_id,
                    page: Some(*page),
                    per_page: Some(PER_PAGE),
                };
                wasm_bindgen_futures::spawn_local(async move {
                    match api::list_files(&q).await {
                        Ok(p) => {
                            data.set(Some(p));
                            error.set(None);
                        }
                        Err(p) => error.set(Some(p)),
                    }
                });
            },
        );
    }
    // The customer's jobs, to attach uploads to and to name them in the list.
    {
        let jobs = jobs.clone();
        use_effect_with(customer_id, move |customer_id| {
            let q = RecordQuery {
                customer_id: Some(*customer_id),
                per_page: Some(200),
                ..Default::default()
            };
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(p) = api::list_jobs(&q).await {
                    jobs.set(p.items);
                }
            });
        });
    }

    let refresh = {
        let generation = generation.dispatcher();
        Callback::from(move |_: ()| generation.dispatch(()))
    };

    let on_choose = {
        let chosen = chosen.clone();
        let upload_problem = upload_problem.clone();
        let uploaded = uploaded.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            chosen.set(input.files().is_some_and(|f| f.length() > 0));
            upload_problem.set(None);
            uploaded.set(None);
        })
    };
    let on_upload_job = {
        let upload_job = upload_job.clone();
        Callback::from(move |e: Event| {
            upload_job.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_upload = {
        let input_ref = input_ref.clone();
        let upload_job = upload_job.clone();
        let upload_problem = upload_problem.clone();
        let uploaded = uploaded.clone();
        let uploading = uploading.clone();
        let chosen = chosen.clone();
        let refresh = refresh.clone();
        let page_no = page_no.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *uploading {
                return;
            }
            let Some(input) = input_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                upload_problem.set(Some("Choose a file to upload first.".into()));
                return;
            };
            let target_job = job_id.or_else(|| upload_job.parse::<i64>().ok());
            uploading.set(true);
            upload_problem.set(None);
            uploaded.set(None);
            let upload_problem = upload_problem.clone();
            let uploaded = uploaded.clone();
            let uploading = uploading.clone();
            let chosen = chosen.clone();
            let refresh = refresh.clone();
            let page_no = page_no.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::upload_file(customer_id, target_job, &file).await {
                    Ok(meta) => {
                        input.set_value("");
                        chosen.set(false);
                        uploaded.set(Some(format!(
                            "Uploaded “{}” ({}).",
                            meta.name,
                            format::file_size(meta.size)
                        )));
                        page_no.set(1);
                        refresh.emit(());
                    }
                    Err(p) => upload_problem.set(Some(upload_message(&p))),
                }
                uploading.set(false);
            });
        })
    };

    let download = {
        let error = error.clone();
        Callback::from(move |f: FileMeta| {
            let error = error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(p) = api::download_file(f.id, &f.name).await {
                    error.set(Some(p));
                }
            });
        })
    };
    let delete = {
        let error = error.clone();
        let refresh = refresh.clone();
        Callback::from(move |f: FileMeta| {
            let question = format!("Delete the file “{}”? This cannot be undone.", f.name);
            let ok = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !ok {
                return;
            }
            let error = error.clone();
            let refresh = refresh.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete_file(f.id, f.version).await {
                    Ok(()) => error.set(None),
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(conflict_text("file"));
                        }
                        error.set(Some(p));
                    }
                }
                refresh.emit(());
            });
        })
    };

    let job_name = |id: Option<i64>| -> Html {
        match id {
            None => html! { <span class="muted">{ "—" }</span> },
            Some(j) => {
                let name = jobs
                    .iter()
                    .find(|x| x.id == j)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| format!("Job #{j}"));
                html! {
                    <Link<Route> to={record_route(customer_id, "jobs", j)}>
                        <span class="ellipsis" title={name.clone()}>{ name }</span>
                    </Link<Route>>
                }
            }
        }
    };

    let table = match (*data).as_ref() {
        None if error.is_some() => html! {},
        None => html! { <div class="loading-block">{ "Loading files…" }</div> },
        Some(p) if p.items.is_empty() => html! {
            <div class="empty-state small-empty" data-testid="files-empty">
                <p>{ if job_id.is_some() { "No files on this job yet." } else { "This customer has no files yet." } }</p>
            </div>
        },
        Some(p) => html! {
            <div class="table-wrap">
                <table class="table files-table" data-testid="files-table">
                    <thead>
                        <tr>
                            <th class="col-name">{ "Name" }</th>
                            if job_id.is_none() { <th class="col-job">{ "Job" }</th> }
                            <th class="num">{ "Size" }</th>
                            <th class="col-type">{ "Type" }</th>
                            <th>{ "Uploaded" }</th>
                            <th class="actions-col">{ "Actions" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for p.items.iter().map(|f| {
                            let on_download = { let download = download.clone(); let f = f.clone(); Callback::from(move |_: MouseEvent| download.emit(f.clone())) };
                            let on_delete = { let delete = delete.clone(); let f = f.clone(); Callback::from(move |_: MouseEvent| delete.emit(f.clone())) };
                            let on_edit = { let editing = editing.clone(); let f = f.clone(); Callback::from(move |_: MouseEvent| editing.set(Some(f.clone()))) };
                            html! {
                                <tr key={f.id} data-testid="file-row" data-id={f.id.to_string()}>
                                    <td class="cell-name col-name">
                                        <span class="ellipsis" title={f.name.clone()} data-testid="file-name">{ f.name.clone() }</span>
                                    </td>
                                    if job_id.is_none() { <td class="col-job">{ job_name(f.job_id) }</td> }
                                    <td class="num nowrap" data-testid="file-size" title={format!("{} bytes", format::group_thousands(f.size.max(0) as u64))}>
                                        { format::file_size(f.size) }
                                    </td>
                                    <td class="col-type"><span class="ellipsis muted" title={f.content_type.clone()}>{ f.content_type.clone() }</span></td>
                                    <td class="nowrap" title={format::local_date_time(&f.created_at)}>{ format::date(&f.created_at) }</td>
                                    <td class="actions-col">
                                        <div class="row-actions">
                                            <button type="button" class="btn btn-xs" onclick={on_download} data-testid="file-download">{ "Download" }</button>
                                            <button type="button" class="btn btn-xs" onclick={on_edit} data-testid="file-edit">{ "Edit" }</button>
                                            <button type="button" class="btn btn-xs btn-danger-outline" onclick={on_delete} data-testid="file-delete">{ "Delete" }</button>
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

    let on_page = {
        let page_no = page_no.clone();
        Callback::from(move |n: u64| page_no.set(n))
    };
    let count = (*data).as_ref().map(|p| p.total).unwrap_or(0);
    let input_id = match job_id {
        Some(j) => format!("file-input-job-{j}"),
        None => "file-input".to_string(),
    };
    let modal = match (*editing).clone() {
        None => html! {},
        Some(f) => {
            let close = {
                let editing = editing.clone();
                Callback::from(move |_: ()| editing.set(None))
            };
            let saved = {
                let editing = editing.clone();
                let refresh = refresh.clone();
                Callback::from(move |_: ()| {
                    editing.set(None);
                    refresh.emit(());
                })
            };
            html! { <FileForm file={f} jobs={(*jobs).clone()} on_close={close} on_saved={saved} /> }
        }
    };

    html! {
        <section class="card" data-testid={if job_id.is_some() { "job-files" } else { "files-panel" }}>
            <div class="card-head">
                <h2 class="card-title">
                    { if job_id.is_some() { "Files on this job" } else { "Files" } }
                    if count > 0 { <span class="count">{ count }</span> }
                </h2>
            </div>
            <form class="upload-bar" onsubmit={on_upload} data-testid="upload-form">
                <label class="field-label" for={input_id.clone()}>{ "File" }</label>
                <input id={input_id.clone()} ref={input_ref} type="file" class="file-input" onchange={on_choose}
                    data-testid="file-input" />
                if job_id.is_none() && !jobs.is_empty() {
                    <label class="field-label" for="upload-job">{ "Job" }</label>
                    <select id="upload-job" class="select select-sm" onchange={on_upload_job} data-testid="upload-job">
                        <option value="" selected={upload_job.is_empty()}>{ "No job" }</option>
                        { for jobs.iter().map(|j| html! {
                            <option value={j.id.to_string()} selected={*upload_job == j.id.to_string()}>{ j.name.clone() }</option>
                        }) }
                    </select>
                }
                <button type="submit" class="btn btn-primary btn-sm" disabled={*uploading || !*chosen} data-testid="upload-submit">
                    { if *uploading { "Uploading…" } else { "Upload" } }
                </button>
            </form>
            if let Some(m) = (*upload_problem).clone() {
                <div class="card-pad-x"><Banner testid="upload-error">{ m }</Banner></div>
            }
            if let Some(m) = (*uploaded).clone() {
                <div class="card-pad-x"><Banner kind="success" testid="upload-done">{ m }</Banner></div>
            }
            if let Some(e) = (*error).as_ref() {
                <div class="card-pad-x"><Banner testid="files-error">{ api::message(e) }</Banner></div>
            }
            { table }
            if let Some(p) = (*data).as_ref() {
                <Pager page={p.page} per_page={p.per_page} total={p.total} shown={p.items.len()} {on_page} />
            }
            { modal }
        </section>
    }
}

// ---- rename / move to another job ----------------------------------------------------------------

#[derive(Clone, PartialEq, Default)]
struct FileFields {
    name: String,
    job_id: String,
}

#[derive(Properties, PartialEq)]
struct FileFormProps {
    file: FileMeta,
    jobs: Vec<Job>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
}

#[component]
fn FileForm(props: &FileFormProps) -> Html {
    let form = use_reducer({
        let initial = FileFields {
            name: props.file.name.clone(),
            job_id: props.file.job_id.map(|j| j.to_string()).unwrap_or_default(),
        };
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let form = form.clone();
        let problem = problem.clone();
        let busy = busy.clone();
        let file = props.file.clone();
        let on_saved = props.on_saved.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = form.0.clone();
            let name = f.name.trim().to_string();
            if name.is_empty() {
                problem.set(Some(api::invalid("name", "Enter a file name.")));
                return;
            }
            let job = f.job_id.parse::<i64>().ok();
            let body = FileUpdate {
                name: (name != file.name).then_some(name),
                customer_id: None,
                job_id: (job != file.job_id).then_some(job),
            };
            if body == FileUpdate::default() {
                on_saved.emit(());
                return;
            }
            busy.set(true);
            let problem = problem.clone();
            let busy = busy.clone();
            let on_saved = on_saved.clone();
            let (id, version) = (file.id, file.version);
            wasm_bindgen_futures::spawn_local(async move {
                match api::update_file(id, version, &body).await {
                    Ok(_) => on_saved.emit(()),
                    Err(mut p) => {
                        if p.status == 412 {
                            p.detail = Some(conflict_text("file"));
                        }
                        problem.set(Some(p));
                    }
                }
                busy.set(false);
            });
        })
    };

    let p = (*problem).as_ref();
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let other = p.filter(|p| p.errors.is_empty()).map(api::message);
    html! {
        <Modal title="Edit file" on_close={props.on_close.clone()} testid="file-form">
            <form {onsubmit} novalidate=true>
                if let Some(m) = other { <Banner>{ m }</Banner> }
                <Field label="Name" name="name" required=true error={field_error(p, "name")} input_id="file-name">
                    <TextInput id="file-name" testid="file-name-input" value={form.0.name.clone()}
                        invalid={field_error(p, "name").is_some()} oninput={bind_text(&form, |f, v| f.name = v)} />
                </Field>
                <Field label="Job" name="job_id" error={field_error(p, "job_id")} input_id="file-job">
                    <select id="file-job" class="select" data-testid="file-job" onchange={bind_select(&form, |f, v| f.job_id = v)}>
                        <option value="" selected={form.0.job_id.is_empty()}>{ "No job" }</option>
                        { for props.jobs.iter().map(|j| html! {
                            <option value={j.id.to_string()} selected={form.0.job_id == j.id.to_string()}>{ j.name.clone() }</option>
                        }) }
                    </select>
                </Field>
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="file-save">
                        { if *busy { "Saving…" } else { "Save" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
