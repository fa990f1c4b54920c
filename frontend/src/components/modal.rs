//! A dialog over the page.

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub wide: bool,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Modal(props: &ModalProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    // Escape closes the dialog wherever the focus is (a clicked button that became disabled
    // leaves it on the body).
    {
        let on_close = props.on_close.clone();
        use_effect_with(on_close, move |on_close| {
            let on_close = on_close.clone();
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "keydown", move |e| {
                    let esc = e
                        .dyn_ref::<KeyboardEvent>()
                        .is_some_and(|k| k.key() == "Escape");
                    if esc {
                        on_close.emit(());
                    }
                })
            });
            move || drop(listener)
        });
    }
    html! {
        <div class="modal-backdrop">
            <div class={classes!("modal", props.wide.then_some("modal-wide"))} role="dialog"
                 aria-modal="true" aria-label={props.title.clone()} data-testid={props.testid.clone()}>
                <div class="modal-head">
                    <h2>{ props.title.clone() }</h2>
                    <button type="button" class="icon-btn" title="Close" aria-label="Close" onclick={close}>
                        { "×" }
                    </button>
                </div>
                <div class="modal-body">{ props.children.clone() }</div>
            </div>
        </div>
    }
}
