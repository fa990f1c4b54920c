//! The Websites tab: the customer's websites, and a website's page with its notes.

use ucm_types::{
    NewWebsite, NoteOwnerKind, Problem, RecordQuery, Website, WebsiteStatus, WebsiteUpdate,
};
use yew::prelude::*;

use crate::api::{self, ApiResult};
use crate::components::form::Form;
use crate::components::modal::Modal;
use crate::components::notes::NotesPanel;
use crate::components::status::{from_wire, wire};
use crate::format;
use crate::paged;
use crate::pages::records::{
    fact, invalid_many, submit, DetailArgs, Fields, FormArgs, FormProblem, Fut, Kind, Opt, Paged,
};

#[derive(PartialEq)]
pub struct Websites;

fn url_link(url: &str) -> Html {
    if url.trim().is_empty() {
        return html! {};
    }
    html! {
        <a href={url.to_string()} target="_blank" rel="noopener noreferrer" class="ellipsis url-link" title={url.to_string()}>
            { url.trim_start_matches("https://").trim_start_matches("http://").to_string() }
        </a>
    }
}

impl Kind for Websites {
    type Item = Website;
    type Ctx = ();
    const SLUG: &'static str = "websites";
    const ONE: &'static str = "website";
    const TITLE: &'static str = "Websites";
    const NAME_HEADING: &'static str = "Name";
    const STATUSES: &'static [&'static str] = &["new", "live", "offline"];
    const EMPTY: &'static str = "This customer has no websites yet.";

    fn load_ctx(_customer_id: i64) -> Fut<()> {
        Box::pin(async {})
    }
    fn list(q: RecordQuery) -> Fut<ApiResult<Paged<Website>>> {
        Box::pin(async move { api::list_websites(&q).await.map(|p| paged!(p)) })
    }
    fn get(id: i64) -> Fut<ApiResult<Website>> {
        Box::pin(api::get_website(id))
    }
    fn delete(id: i64, version: i64) -> Fut<ApiResult<()>> {
        Box::pin(api::delete_website(id, version))
    }
    fn id(it: &Website) -> i64 {
        it.id
    }
    fn version(it: &Website) -> i64 {
        it.version
    }
    fn title(it: &Website) -> String {
        it.name.clone()
    }
    fn customer_id(it: &Website) -> Option<i64> {
        it.customer_id
    }
    fn status(it: &Website) -> String {
        wire(&it.status)
    }
    fn head() -> Html {
        html! {
            <>
                <th class="col-url">{ "Address" }</th>
                <th>{ "Created" }</th>
            </>
        }
    }
    fn cells(it: &Website, _: &()) -> Html {
        html! {
            <>
                <td class="col-url">{ url_link(&it.url) }</td>
                <td class="nowrap">{ format::date(&it.created_at) }</td>
            </>
        }
    }
    fn form(a: FormArgs<Self>) -> Html {
        html! {
            <WebsiteForm customer_id={a.customer_id} website={a.item} on_close={a.on_close}
                on_saved={a.on_saved} on_reload={a.on_reload} />
        }
    }
    fn detail(a: DetailArgs<Self>) -> Html {
        let w = &a.item;
        html! {
            <>
                <div class="card card-pad">
                    <dl class="facts">
                        { fact("Address", url_link(&w.url)) }
                        { fact("Created", html! { { format::local_date_time(&w.created_at) } }) }
                        { fact("Updated", html! { { format::local_date_time(&w.updated_at) } }) }
                    </dl>
                    if !w.description.trim().is_empty() {
                        <p class="description">{ w.description.clone() }</p>
                    }
                </div>
                <div class="record-panels single">
                    <NotesPanel owner_kind={NoteOwnerKind::Website} owner_id={w.id} />
                </div>
            </>
        }
    }
}

#[derive(Clone, PartialEq, Default)]
struct WebsiteFields {
    name: String,
    url: String,
    status: String,
    description: String,
}

impl WebsiteFields {
    fn parsed(&self) -> Result<NewWebsite, Problem> {
        if self.name.trim().is_empty() {
            return Err(invalid_many(vec![(
                "name".into(),
                "Enter a name for the website.".into(),
            )]));
        }
        Ok(NewWebsite {
            customer_id: 0,
            name: self.name.trim().to_string(),
            url: Some(self.url.trim().to_string()),
            status: from_wire::<WebsiteStatus>(&self.status),
            description: Some(self.description.trim().to_string()),
        })
    }
}

const WEBSITE_FIELDS: &[&str] = &["name", "url", "status", "description"];

#[derive(Properties, PartialEq)]
struct WebsiteFormProps {
    customer_id: i64,
    website: Option<Website>,
    on_close: Callback<()>,
    on_saved: Callback<Website>,
    on_reload: Callback<()>,
}

#[component]
fn WebsiteForm(props: &WebsiteFormProps) -> Html {
    let form = use_reducer({
        let initial = match &props.website {
            Some(w) => WebsiteFields {
                name: w.name.clone(),
                url: w.url.clone(),
                status: wire(&w.status),
                description: w.description.clone(),
            },
            None => WebsiteFields {
                status: "new".into(),
                ..Default::default()
            },
        };
        move || Form(initial)
    });
    let problem = use_state(|| None::<Problem>);
    let busy = use_state(|| false);

    let onsubmit = {
        let website = props.website.clone();
        let customer_id = props.customer_id;
        submit(
            &form,
            &problem,
            &busy,
            move |f: &WebsiteFields| -> Result<Option<Fut<ApiResult<Website>>>, Problem> {
                let n = f.parsed()?;
                match &website {
                    None => {
                        let body = NewWebsite { customer_id, ..n };
                        Ok(Some(Box::pin(
                            async move { api::create_website(&body).await },
                        )))
                    }
                    Some(old) => {
                        let u = WebsiteUpdate {
                            customer_id: None,
                            name: (n.name != old.name).then_some(n.name),
                            url: n.url.filter(|u| *u != old.url),
                            status: n.status.filter(|s| *s != old.status),
                            description: n.description.filter(|d| *d != old.description),
                        };
                        if u == WebsiteUpdate::default() {
                            return Ok(None);
                        }
                        let (id, version) = (old.id, old.version);
                        Ok(Some(Box::pin(async move {
                            api::update_website(id, version, &u).await
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
        prefix: "website",
    };
    let f = &form.0;
    let cancel = props.on_close.reform(|_: MouseEvent| ());
    let editing = props.website.is_some();
    html! {
        <Modal title={if editing { "Edit website" } else { "Add website" }} on_close={props.on_close.clone()} testid="website-form">
            <form {onsubmit} novalidate=true>
                <FormProblem problem={(*problem).clone()} fields={WEBSITE_FIELDS} one="website" on_reload={props.on_reload.clone()} />
                { fl.input("Name", "name", &f.name, |f, v| f.name = v, Opt { required: true, ..Opt::default() }) }
                <div class="form-grid">
                    { fl.input("Address", "url", &f.url, |f, v| f.url = v, Opt {
                        kind: "url", placeholder: Some("https://example.com"), ..Opt::default()
                    }) }
                    { fl.status(&f.status, |f, v| f.status = v, Websites::STATUSES) }
                </div>
                { fl.textarea("Description", "description", &f.description, |f, v| f.description = v) }
                <div class="form-actions">
                    <button type="button" class="btn" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" class="btn btn-primary" disabled={*busy} data-testid="website-save">
                        { if *busy { "Saving…" } else if editing { "Save website" } else { "Add website" } }
                    </button>
                </div>
            </form>
        </Modal>
    }
}
