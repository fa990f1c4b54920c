//! Form building blocks: a form-state reducer, input bindings and a labelled field that shows
//! its error underneath.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Form state held in a reducer, so quick successive edits never work on a stale copy.
#[derive(Clone, PartialEq, Default)]
pub struct Form<T>(pub T);

pub enum FormAction<T> {
    Edit(Box<dyn FnOnce(&mut T)>),
    Reset(T),
}

impl<T: Clone> Reducible for Form<T> {
    type Action = FormAction<T>;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        match action {
            FormAction::Edit(f) => {
                let mut next = self.0.clone();
                f(&mut next);
                Rc::new(Form(next))
            }
            FormAction::Reset(v) => Rc::new(Form(v)),
        }
    }
}

pub type FormHandle<T> = UseReducerHandle<Form<T>>;

/// `oninput` for a text input or textarea bound to one field of the form.
pub fn bind_text<T: Clone + 'static>(
    form: &FormHandle<T>,
    set: fn(&mut T, String),
) -> Callback<InputEvent> {
    let d = form.dispatcher();
    Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlInputElement>().value();
        d.dispatch(FormAction::Edit(Box::new(move |t| set(t, v))));
    })
}

/// `oninput` for a textarea bound to one field of the form.
pub fn bind_textarea<T: Clone + 'static>(
    form: &FormHandle<T>,
    set: fn(&mut T, String),
) -> Callback<InputEvent> {
    let d = form.dispatcher();
    Callback::from(move |e: InputEvent| {
        let v = e.target_unchecked_into::<HtmlTextAreaElement>().value();
        d.dispatch(FormAction::Edit(Box::new(move |t| set(t, v))));
    })
}

/// `onchange` for a select bound to one field of the form.
pub fn bind_select<T: Clone + 'static>(
    form: &FormHandle<T>,
    set: fn(&mut T, String),
) -> Callback<Event> {
    let d = form.dispatcher();
    Callback::from(move |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        d.dispatch(FormAction::Edit(Box::new(move |t| set(t, v))));
    })
}

/// Runs `f` on the form state (for checkboxes, radios and buttons).
pub fn edit<T: Clone + 'static, E: 'static>(
    form: &FormHandle<T>,
    f: impl Fn(&mut T) + Clone + 'static,
) -> Callback<E> {
    let d = form.dispatcher();
    Callback::from(move |_: E| {
        let f = f.clone();
        d.dispatch(FormAction::Edit(Box::new(move |t| f(t))));
    })
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    /// The request's field name; names the error's test id (`error-<name>`).
    pub name: AttrValue,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub required: bool,
    #[prop_or_default]
    pub class: Classes,
    /// The `id` of the input inside, so the label names it (`<label for>`).
    #[prop_or_default]
    pub input_id: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A label, the input given as children, an optional hint and the field's error in red.
#[component]
pub fn Field(props: &FieldProps) -> Html {
    let has_error = props.error.is_some();
    html! {
        <div class={classes!("field", has_error.then_some("has-error"), props.class.clone())}
             data-field={props.name.clone()}>
            <label class="field-label" for={props.input_id.clone()}>
                { props.label.clone() }
                if props.required { <span class="req" aria-hidden="true">{ " *" }</span> }
            </label>
            { props.children.clone() }
            if let Some(hint) = &props.hint {
                <div class="field-hint">{ hint.clone() }</div>
            }
            if let Some(err) = &props.error {
                <div class="field-error" role="alert" data-testid={format!("error-{}", props.name)}>
                    { err.clone() }
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct TextInputProps {
    pub value: AttrValue,
    pub oninput: Callback<InputEvent>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub invalid: bool,
    #[prop_or_default]
    pub autofocus: bool,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
}

#[component]
pub fn TextInput(props: &TextInputProps) -> Html {
    html! {
        <input
            class={classes!("input", props.invalid.then_some("invalid"))}
            type={props.kind.clone()}
            id={props.id.clone()}
            value={props.value.clone()}
            oninput={props.oninput.clone()}
            placeholder={props.placeholder.clone()}
            autocomplete={props.autocomplete.clone()}
            autofocus={props.autofocus}
            aria-invalid={props.invalid.then_some("true")}
            data-testid={props.testid.clone()}
        />
    }
}

#[derive(Properties, PartialEq)]
pub struct TextAreaProps {
    pub value: AttrValue,
    pub oninput: Callback<InputEvent>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or(3)]
    pub rows: u32,
    #[prop_or_default]
    pub invalid: bool,
}

#[component]
pub fn TextArea(props: &TextAreaProps) -> Html {
    html! {
        <textarea
            class={classes!("input", "textarea", props.invalid.then_some("invalid"))}
            id={props.id.clone()}
            rows={props.rows.to_string()}
            value={props.value.clone()}
            oninput={props.oninput.clone()}
            placeholder={props.placeholder.clone()}
            aria-invalid={props.invalid.then_some("true")}
            data-testid={props.testid.clone()}
        />
    }
}

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    #[prop_or(AttrValue::Static("error"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A coloured message box: `error`, `warning`, `success` or `info`.
#[component]
pub fn Banner(props: &BannerProps) -> Html {
    let role = if props.kind == "error" {
        "alert"
    } else {
        "status"
    };
    html! {
        <div class={classes!("banner", format!("banner-{}", props.kind))} role={role}
             data-testid={props.testid.clone()}>
            { props.children.clone() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProblemBannerProps {
    pub problem: Option<ucm_types::Problem>,
    /// Field names shown by the form; errors for any other field are listed in the banner.
    #[prop_or_default]
    pub fields: &'static [&'static str],
    /// Field names starting with one of these are shown by the form too (e.g. `items[`).
    #[prop_or_default]
    pub prefixes: &'static [&'static str],
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// The summary of a failed request above a form.
#[component]
pub fn ProblemBanner(props: &ProblemBannerProps) -> Html {
    let Some(p) = &props.problem else {
        return html! {};
    };
    let others: Vec<(String, String)> = p
        .errors
        .iter()
        .filter(|(k, _)| {
            !props.fields.contains(&k.as_str()) && !props.prefixes.iter().any(|p| k.starts_with(p))
        })
        .map(|(k, v)| (k.clone(), v.join(" ")))
        .collect();
    let text = if p.errors.is_empty() {
        crate::api::message(p)
    } else {
        "Please correct the highlighted fields.".to_string()
    };
    html! {
        <Banner testid={props.testid.clone()}>
            <div>{ text }</div>
            if !others.is_empty() {
                <ul class="banner-list">
                    { for others.into_iter().map(|(k, v)| html! { <li><strong>{ k }</strong>{ ": " }{ v }</li> }) }
                </ul>
            }
        </Banner>
    }
}
