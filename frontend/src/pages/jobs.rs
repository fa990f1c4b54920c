//! The Jobs tab: the customer's jobs, and a job's page with its notes and files.

use ucm_types::{Job, JobStatus, JobUpdate, NewJob, NoteOwnerKind, Problem, RecordQuery};
use yew::prelude::*;

use crate::api::{self, ApiResult};
use crate::components::form::Form;
use crate::components::modal::Modal;
use crate::components::notes::NotesPanel;
use crate::components::status::{from_wire, wire};
use crate::format;
use crate::paged;
use crate::pages::files::FilesPanel;
use crate::pages::records::{
    fact, invalid_many, opt_day, submit, DetailArgs, Fields, FormArgs, FormProblem, Fut, Kind, Opt,
    Paged,
};

#[derive(PartialEq)]
pub struct Jobs;

impl Kind for Jobs {
    type Item = Job;
    type Ctx = ();
    const SLUG: &'static str = "jobs";
    const ONE: &'static str = "job";
    const TITLE: &'static str = "Jobs";
    const NAME_HEADING: &'static str = "Name";
    const STATUSES: &'static [&'static str] =
        &["new", "in_progress", "on_hold", "completed", "cancelled"];
    const EMPTY: &'static str = "This customer has no jobs yet.";

    fn load_ctx(_customer_id: i64) -> Fut<()> {
        Box::pin(async {})
    }
    fn list(q: RecordQuery) -> Fut<ApiResult<Paged<Job>>> {
        Box::pin(async move { api::list_jobs(&q).await.map(|p| paged!(p)) })
    }
    fn get(id: i64) -> Fut<ApiResult<Job>> {
        Box::pin(api::get_job(id))
    }
    fn delete(id: i64, version: i64) -> Fut<ApiResult<()>> {
        Box::pin(api::delete_job(id, version))
    }
    fn id(it: &Job) -> i64 {
        it.id
    }
    fn version(it: &Job) -> i64 {
        it.version
    }
    fn title(it: &Job) -> String {
        it.name.clone()
    }
    fn customer_id(it: &Job) -> Option<i64> {
        it.customer_id
    }
    fn status(it: &Job) -> String {
        wire(&it.status)
    }
    fn head() -> Html {
        html! {
            <>
                <th>{ "Start" }</th>
                <th>{ "Due" }</th>
                <th>{ "Completed" }</th>
            </>
        }
    }
    fn cells(it: &Job, _: &()) -> Html {
        html! {
            <>
                <td class="nowrap">{ format::opt_day(it.start_date.as_ref()) }</td>
                <td class="nowrap">{ format::opt_day(it.due_date.as_ref()) }</td>
                <td class="nowrap">{ format::opt_day(it.completed_date.as_ref()) }</td>
            </>
        }
    }
    fn form(a: FormArgs<Self>) -> Html {
        html! {
            <JobForm customer_id={a.customer_id} job={a.item} on_close={a.on_close}
                on_saved={a.on_saved} on_reload={a.on_reload} />
        }
    }
    fn detail(a: DetailArgs<Self>) -> Html {
        let j = &a.item;
        html! {
            <>
                <div class="card card-pad">
                    <dl class="facts">
                        { fact("Start", html! { { format::opt_day(j.start_date.as_ref()) } }) }
                        { fact("Due", html! { { format::opt_day(j.due_date.as_ref()) } }) }
                        { fact("Completed", html! { { format::opt_day(j.completed_date.as_ref()) } }) }
                        { fact("Created", html! { { format::local_date_time(&j.created_at) } }) }
                    </dl>
                    if !j.description.trim().is_empty() {
                        <p class="description" data-testid="job-description">{ j.description.clone() }</p>
                    }
                </div>
                <div class="record-panels">
                    <NotesPanel owner_kind={NoteOwnerKind::Job} owner_id={j.id} />
                    <FilesPanel customer_id={a.customer_id} job_id={Some(j.id)} />
                </div>
            </>
        }
    }
}

#[derive(Clone, PartialEq, Default)]
struct JobFields {
    name: String,
    status: String,
    start_date: String,
    due_date: String,
    completed_date: String,
    description: String,
}

impl JobFields {
    fn from_job(j: &Job) -> Self {
        Self {
            name: j.name.clone(),
            status: wire(&j.status),
            start_date: format::opt_day(j.start_date.as_ref()),
            due_date: format::opt_day(j.due_date.as_ref()),
            completed_date: format::opt_day(j.completed_date.as_ref()),
            description: j.description.clone(),
        }
    }

    fn parsed(&self) -> Result<NewJob, Problem> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(("name".to_string(), "Enter a name for the job.".to_string()));
        }
        let start_date = opt_day(&self.start_date, "start_date", &mut errors);
        let due_date = opt_day(&self.due_date, "due_date", &mut errors);
        let completed_date = opt_day(&self.completed_date, "completed_date", &mut errors);
        if !errors.is_empty() {
            return Err(invalid_many(errors));
        }
        Ok(NewJob {
            customer_id: 0,
            name: self.name.trim().to_string(),
            status: from_wire::<JobStatus>(&self.status),
            start_date,
            due_date,
            completed_date,
            description: Some(self.description.trim().to_string()),
        })
    }

    fn update(&self, old: &Job) -> Result<JobUpdate, Problem> {
        let n = self.parsed()?;
        Ok(JobUpdate {
            customer_id: None,
            name: (n.name != old.name).then_some(n.name),
            status: n.status.filter(|s| *s != old.status),
            start_date: (n.start_date != old.start_date).then_some(n.start_date),
            due_date: (n.due_date != old.due_date).then_some(n.due_date),
            completed_date: (n.completed_date != old.completed_date).then_some(n.completed_date),
            description: n.description.filter(|d| *d != old.description),
        })
    }
}

const JOB_FIELDS: &[&str] = &[
    "name",
    "status",
    "start_date",
    "due_date",
    "completed_date",
    "description",
];

#[derive(Properties, PartialEq)]
struct JobFormProps {
    customer_id: i64,
    job: Option<Job>,
    on_close: Callback<()>,
    on_saved: Callback<Job>,
    on_reload: Callback<()>,
}

#[component]
fn JobForm(props: &JobFormProps) -> Html {
    let form = use_reducer({
        let initial = props
            .job
            .as_ref()
            .map(JobFields::from_job)
            .unwrap_or_else(|| JobFields {
                status: "new".into(),
                start_date: format::day(&format::today()),
                ..Default::default()
            });
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let job = props.job.clone();
        let customer_id = props.customer_id;
        submit(
            &form,
            &problem,
            &busy,
            move |f: &JobFields| -> Result<Option<Fut<ApiResult<Job>>>, Problem> {
                match &job {
                    None => {
                        let body = NewJob {
                            customer_id,
                            ..f.parsed()?
                        };
                        Ok(Some(Box::pin(async move { api::create_job(&body).await })))
                    }
                    Some(old) => {
                        let u = f.update(old)?;
                        if u == JobUpdate::default() {
                            return Ok(None);
                        }
                        let (id, version) = (old.id, old.version);
                        Ok(Some(Box::pin(async move {
                            api::update_job(id, version, &u).await
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
        prefix: "job",
    };
    let f = &form.0;
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let editing = props.job.is_some();
    html! {
        <Modal title={if editing { "Edit job" } else { "Add job" }} on_close={props.on_close.clone()} testid="job-form">
            <form {onsubmit} novalidate=true>
                <FormProblem problem={(*problem).clone()} fields={JOB_FIELDS} one="job" on_reload={props.on_reload.clone()} />
                { fl.input("Name", "name", &f.name, |f, v| f.name = v, Opt { required: true, ..Opt::default() }) }
                <div class="form-grid">
                    { fl.status(&f.status, |f, v| f.status = v, Jobs::STATUSES) }
                    { fl.date("Start date", "start_date", &f.start_date, |f, v| f.start_date = v) }
                    { fl.date("Due date", "due_date", &f.due_date, |f, v| f.due_date = v) }
                    { fl.date("Completed", "completed_date", &f.completed_date, |f, v| f.completed_date = v) }
                </div>
                { fl.textarea("Description", "description", &f.description, |f, v| f.description = v) }
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="job-save">
                        { if *busy { "Saving…" } else if editing { "Save job" } else { "Add job" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
