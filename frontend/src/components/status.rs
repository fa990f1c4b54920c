//! Status badges and the wire spelling of the API's enums.

use serde::de::DeserializeOwned;
use serde::Serialize;
use yew::prelude::*;

/// How the API spells an enum value (`in_progress`), through its serde form.
pub fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The enum value the API spells `s`, if any.
pub fn from_wire<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// `in_progress` → `In progress`.
pub fn humanize(s: &str) -> String {
    let spaced = s.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusBadgeProps {
    /// The wire value, e.g. `in_progress`; names the colour (`status-in_progress`).
    pub value: AttrValue,
    /// Shown text; default: the value made readable.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or(AttrValue::Static("status-badge"))]
    pub testid: AttrValue,
}

/// A coloured pill whose text always says the status (never colour alone).
#[component]
pub fn StatusBadge(props: &StatusBadgeProps) -> Html {
    let label = props
        .label
        .clone()
        .unwrap_or_else(|| AttrValue::from(humanize(&props.value)));
    html! {
        <span class={classes!("badge", "status", format!("status-{}", props.value))}
              title={props.title.clone()} data-testid={props.testid.clone()}
              data-status={props.value.clone()}>
            { label }
        </span>
    }
}
