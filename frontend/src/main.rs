//! The ucm single-page app: customers and their contacts, over the `/api/v1` REST API.

mod api;
mod app;
mod components;
mod format;
mod pages;

fn main() {
    // index.html shows "Loading…" until the app takes over.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    yew::Renderer::<app::App>::new().render();
}
