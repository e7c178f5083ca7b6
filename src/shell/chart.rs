//! The chart component: a core chart ([`crate::core::chart`]) drawn on a
//! canvas in the page's theme, downloadable as PNG (the canvas) or SVG (the
//! same drawing on plotters' SVG backend).

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::controller::{download, download_blob};
pub use crate::core::chart::ChartData;
use crate::core::chart::{paint, svg, Style};

/// The theme the page shows: the root's `data-theme`, else the system's.
pub fn dark_theme() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let root = window.document().and_then(|d| d.document_element());
    match root.and_then(|r| r.get_attribute("data-theme")).as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub kind: AttrValue,
    pub column: AttrValue,
    pub title: AttrValue,
    pub data: ChartData,
}

/// Changes when the page switches theme, so charts draw again in its
/// colours (provided by the root component).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ThemeTick(pub u32);

#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let canvas = use_node_ref();
    let theme = use_context::<ThemeTick>().unwrap_or_default();
    {
        let canvas = canvas.clone();
        let deps = (props.data.clone(), props.column.clone(), theme);
        use_effect_with(deps, move |(data, column, _)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let style = if dark_theme() {
                    Style::DARK
                } else {
                    Style::LIGHT
                };
                if let Some(backend) = CanvasBackend::with_canvas_object(c) {
                    let root = backend.into_drawing_area();
                    let _ = root.fill(&TRANSPARENT);
                    let _ = paint(&root, data, column, style);
                }
            }
        });
    }
    let label = props.data.describe(&props.title);
    let (w, h) = props.data.size();
    let stem = format!(
        "{}-{}",
        props.kind,
        if props.column.is_empty() {
            "all"
        } else {
            props.column.as_str()
        }
    )
    .replace(|c: char| !c.is_alphanumeric() && c != '-', "_");
    let png = {
        let (canvas, name) = (canvas.clone(), format!("{stem}.png"));
        Callback::from(move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                save_png(&c, name.clone());
            }
        })
    };
    let svg = {
        let (data, column, name) = (
            props.data.clone(),
            props.column.to_string(),
            format!("{stem}.svg"),
        );
        Callback::from(move |_| {
            let text = svg(&data, &column);
            if let Err(why) = download(&name, "image/svg+xml", text.as_bytes()) {
                web_sys::console::error_1(&why.into());
            }
        })
    };
    html! {
        <figure class="chart" data-testid="chart" data-kind={props.kind.clone()} data-column={props.column.clone()}>
            <figcaption>
                <span>{ &props.title }</span>
                <span class="chart-downloads">
                    <button class="link" data-testid="chart-png" onclick={png} aria-label={format!("Download {} as PNG", props.title)}>{"PNG"}</button>
                    <button class="link" data-testid="chart-svg" onclick={svg} aria-label={format!("Download {} as SVG", props.title)}>{"SVG"}</button>
                </span>
            </figcaption>
            <canvas ref={canvas} width={w.to_string()} height={h.to_string()} role="img" aria-label={label}></canvas>
        </figure>
    }
}

/// Downloads the canvas as a PNG file.
fn save_png(canvas: &HtmlCanvasElement, name: String) {
    let done = wasm_bindgen::closure::Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            if let Err(why) = download_blob(&name, &blob) {
                web_sys::console::error_1(&why.into());
            }
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}
