//! "Showing 1–25 of 80" with previous and next buttons, for the lists inside a customer.

use yew::prelude::*;

use crate::format;

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    /// How many items this page shows.
    pub shown: usize,
    pub on_page: Callback<u64>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[component]
pub fn Pager(props: &PagerProps) -> Html {
    if props.total == 0 || props.shown == 0 {
        return html! {};
    }
    let first = props.page.saturating_sub(1) * props.per_page + 1;
    let last = (first + props.shown as u64)
        .saturating_sub(1)
        .min(props.total);
    let pages = props.total.div_ceil(props.per_page.max(1)).max(1);
    let prev = {
        let n = props.page.saturating_sub(1).max(1);
        props.on_page.reform(move |_: MouseEvent| n)
    };
    let next = {
        let n = props.page + 1;
        props.on_page.reform(move |_: MouseEvent| n)
    };
    html! {
        <div class="pager" data-testid={props.testid.clone()}>
            <span class="pager-info">
                { format!("Showing {}–{} of {}", format::group_thousands(first),
                    format::group_thousands(last), format::group_thousands(props.total)) }
            </span>
            if pages > 1 {
                <div class="pager-controls">
                    <button type="button" class="btn btn-sm" disabled={props.page <= 1} onclick={prev}>{ "‹ Prev" }</button>
                    <span class="pager-page">{ format!("Page {} of {}", props.page, pages) }</span>
                    <button type="button" class="btn btn-sm" disabled={props.page >= pages} onclick={next}>{ "Next ›" }</button>
                </div>
            }
        </div>
    }
}
