//! The chart component: a core chart ([`crate::core::chart`]) drawn on a
//! canvas in the page's theme, downloadable as PNG (the canvas) or SVG (the
//! same drawing on plotters' SVG backend).

use std::rc::Rc;

use plotters::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::canvas;
use super::controller::{download, download_blob};
pub use crate::core::chart::ChartData;
use crate::core::chart::{hit, paint, svg, Mark, Pick, Style};

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

/// A value shared between renders and compared by pointer first: a parent
/// that renders again with the same `Rc` (a memo of the answer it shows)
/// costs no copy and no comparison of a chart's points; a new `Rc` with
/// the same contents still compares equal.
#[derive(Debug)]
pub struct Shared<T>(Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Shared<T> {
    fn from(v: T) -> Self {
        Shared(Rc::new(v))
    }
}

impl<T> From<Rc<T>> for Shared<T> {
    fn from(v: Rc<T>) -> Self {
        Shared(v)
    }
}

impl yew::html::IntoPropValue<Shared<ChartData>> for ChartData {
    fn into_prop_value(self) -> Shared<ChartData> {
        Shared::from(self)
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub kind: AttrValue,
    pub column: AttrValue,
    pub title: AttrValue,
    pub data: Shared<ChartData>,
    /// A click (or Enter) on a mark that names something to open: a
    /// heatmap cell's pair of columns.
    #[prop_or_default]
    pub on_pick: Option<Callback<Pick>>,
}

/// Changes when the page switches theme or the screen's pixel ratio
/// changes (zoom, another screen), so charts draw again (provided by the
/// root component).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct DrawTick {
    pub theme: u32,
    /// `devicePixelRatio`'s bits.
    pub ratio: u64,
}

fn pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
        .min(4.0)
}

/// The screen's pixel ratio, followed: a media query for the current
/// ratio tells when it stops matching.
#[hook]
pub fn use_pixel_ratio() -> u64 {
    let ratio = use_state_eq(|| pixel_ratio().to_bits());
    {
        let ratio = ratio.clone();
        use_effect_with(*ratio, move |bits| {
            let query = format!("(resolution: {}dppx)", f64::from_bits(*bits));
            let listener = web_sys::window()
                .and_then(|w| w.match_media(&query).ok().flatten())
                .map(|list| {
                    gloo::events::EventListener::new(&list, "change", move |_| {
                        ratio.set(pixel_ratio().to_bits())
                    })
                });
            move || drop(listener)
        });
    }
    *ratio
}

/// The drawing size of `data` in CSS pixels when its box is `available`
/// pixels wide: the width it is given (a heatmap or missing matrix no
/// wider than its cells need, any chart at most twice its natural width),
/// its natural height.
fn layout(data: &ChartData, available: u32) -> (u32, u32) {
    let (w, h) = data.size();
    let cap = match data {
        ChartData::Heatmap { .. } | ChartData::Missing(_) => w,
        _ => w * 2,
    };
    let width = if available == 0 {
        w
    } else {
        available.min(cap)
    };
    (width.max(160), h)
}

/// Draws `data` on `canvas` from scratch at `available` (the width of its
/// box) times the screen's pixel ratio: resizing the canvas resets it
/// (every pixel and the context's state), so nothing of an earlier drawing
/// stays. The figure records the pixel ratio (`data-dpr`) and width
/// (`data-width`) drawn at. Returns the marks drawn, in CSS pixels of the
/// drawn width, with that width.
fn draw(
    canvas: &HtmlCanvasElement,
    data: &ChartData,
    column: &str,
    available: u32,
) -> (Vec<Mark>, u32) {
    let dpr = pixel_ratio();
    let (w, h) = layout(data, available);
    // The height follows from the bitmap's proportions (`height: auto`).
    let _ = canvas.style().set_property("width", &format!("{w}px"));
    canvas.set_width((w as f64 * dpr).round() as u32);
    canvas.set_height((h as f64 * dpr).round() as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return (Vec::new(), w);
    };
    // Setting the size (even to the same value) cleared the bitmap and
    // reset the transform: only the scale to CSS pixels is set.
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    let style = if dark_theme() {
        Style::DARK
    } else {
        Style::LIGHT
    };
    let marks = canvas::backend(canvas).and_then(|backend| {
        // The backend counts device pixels; the transform scales CSS
        // pixels to them, so the chart is laid out on its CSS size.
        let root = backend.into_drawing_area().shrink((0, 0), (w, h));
        paint(&root, data, column, style)
    });
    // The figure says it was drawn only when it was.
    if let Some(figure) = canvas.parent_element() {
        if marks.is_some() {
            let _ = figure.set_attribute("data-dpr", &dpr.to_string());
            let _ = figure.set_attribute("data-width", &w.to_string());
        } else {
            let _ = figure.remove_attribute("data-dpr");
            let _ = figure.remove_attribute("data-width");
        }
    }
    (marks.unwrap_or_default(), w)
}

/// Drawings waiting for their turn, and whether a task to draw them is
/// set.
struct Queue {
    drawings: std::collections::VecDeque<Box<dyn FnOnce()>>,
    running: bool,
}

thread_local! {
    static QUEUE: std::cell::RefCell<Queue> = const {
        std::cell::RefCell::new(Queue {
            drawings: std::collections::VecDeque::new(),
            running: false,
        })
    };
}

/// How long one task draws before the page gets its thread back, ms: a
/// tab of 32 charts (Columns) drawn in one task took about 100 ms. A
/// worker's answer rendered in the same frame as a slice adds up with it
/// (Explore: 20–50 ms of the answer, 30–80 ms of slice at 25 ms), so a
/// slice is about one large chart (a 5,000-point scatter drew in 19–40 ms
/// in the explore benchmark, headless without a GPU) or a few small ones.
const DRAW_BUDGET_MS: f64 = 12.0;

/// Draws `drawing` in a later task, after the drawings queued before it
/// (a chart drawn again runs its newest drawing last).
fn queue_drawing(drawing: Box<dyn FnOnce()>) {
    let start = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.drawings.push_back(drawing);
        !std::mem::replace(&mut q.running, true)
    });
    if start {
        // After the next frame: what queued it (a tab's render after a
        // click, a worker's answer) has its frame, and the charts theirs.
        super::after_next_frame(draw_queued);
    }
}

/// How much of a frame the page's thread may have spent before a slice
/// of drawing starts, ms: past it, the slice waits for the next frame
/// (a worker's answer rendered in 40 ms and a 38 ms chart in one task
/// after it made one frame of 113 ms in the explore benchmark).
const FRAME_SHARE_MS: f64 = 20.0;

/// Slices put off in a row for a busy frame; after this many the slice
/// draws anyway (a page busy in every frame still gets its charts).
const PUT_OFF_MAX: u32 = 3;

thread_local! {
    static PUT_OFF: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Draws the queued drawings for [`DRAW_BUDGET_MS`], then yields until the
/// browser has drawn a frame: a timer of 0 ms could run before it, so two
/// slices and a worker's answer between them made one frame of 136 ms. A
/// slice whose frame is already busy ([`FRAME_SHARE_MS`]) waits for the
/// next one.
fn draw_queued() {
    let put_off = PUT_OFF.with(std::cell::Cell::get);
    if super::since_frame() > FRAME_SHARE_MS && put_off < PUT_OFF_MAX {
        PUT_OFF.with(|p| p.set(put_off + 1));
        super::after_next_frame(draw_queued);
        return;
    }
    PUT_OFF.with(|p| p.set(0));
    let started = super::now();
    loop {
        let next = QUEUE.with(|q| q.borrow_mut().drawings.pop_front());
        let Some(drawing) = next else {
            QUEUE.with(|q| q.borrow_mut().running = false);
            return;
        };
        drawing();
        if super::now() - started > DRAW_BUDGET_MS {
            super::after_next_frame(draw_queued);
            return;
        }
    }
}

/// The width of a chart's box (its `<figure>`), as a ResizeObserver
/// reports it after each layout: read there, a drawing forces no layout of
/// its own.
#[derive(Clone, Copy, PartialEq)]
enum BoxWidth {
    /// The last width reported; 0 before the first report and while the
    /// box is not shown (its tab hidden).
    Observed(u32),
    /// No ResizeObserver: the width is read each time a drawing is
    /// queued.
    Unobserved,
}

/// The marks of the last drawing and the width it was drawn at.
#[derive(Default)]
struct Drawn {
    marks: Vec<Mark>,
    width: u32,
}

/// The mark under a pointer event, in the drawing's pixels (the canvas
/// may be shown narrower than drawn).
fn mark_at(canvas: &HtmlCanvasElement, drawn: &Drawn, e: &MouseEvent) -> Option<usize> {
    let shown = f64::from(canvas.client_width().max(1));
    let scale = f64::from(drawn.width.max(1)) / shown;
    hit(
        &drawn.marks,
        f64::from(e.offset_x()) * scale,
        f64::from(e.offset_y()) * scale,
    )
}

#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let canvas = use_node_ref();
    let tick = use_context::<DrawTick>().unwrap_or_default();
    // A new width (the window or the layout changed) draws again.
    let width = use_state_eq(|| BoxWidth::Observed(0));
    {
        let (canvas, width) = (canvas.clone(), width.clone());
        use_effect_with((), move |_| {
            let observer = canvas.cast::<HtmlCanvasElement>().and_then(|c| {
                let figure = c.parent_element()?;
                let seen = width.clone();
                let on_resize =
                    Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        let w = entries
                            .get(0)
                            .dyn_into::<web_sys::ResizeObserverEntry>()
                            .ok()
                            .map(|e| e.content_rect().width().round().max(0.0) as u32);
                        if let Some(w) = w {
                            seen.set(BoxWidth::Observed(w));
                        }
                    });
                let observer =
                    web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(&figure);
                Some((observer, on_resize))
            });
            if observer.is_none() {
                width.set(BoxWidth::Unobserved);
            }
            move || {
                if let Some((observer, _closure)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    // The marks of the drawing shown, and the one pointed at (its index).
    let drawn = use_mut_ref(Drawn::default);
    let pointed = use_state_eq(|| None::<usize>);
    // Counts the draw effect's ends: a queued drawing whose effect has
    // ended since (newer data or width, or the chart gone) is dropped.
    let generation = use_mut_ref(|| 0u64);
    {
        let (canvas, drawn, pointed) = (canvas.clone(), drawn.clone(), pointed.clone());
        let kind = props.kind.clone();
        let deps = (props.data.clone(), props.column.clone(), tick, *width);
        use_effect_with(deps, move |(data, column, _, width)| {
            let mine = *generation.borrow();
            let available = canvas.cast::<HtmlCanvasElement>().and_then(|c| {
                let w = match width {
                    // Not laid out yet, or in a tab not shown: drawn when
                    // its box gets a width (a hidden tab's charts cost
                    // nothing until it is opened).
                    BoxWidth::Observed(0) => return None,
                    BoxWidth::Observed(w) => *w,
                    BoxWidth::Unobserved => c
                        .parent_element()
                        .map(|p| p.client_width().max(0) as u32)
                        .unwrap_or(0),
                };
                Some((c, w))
            });
            if let Some((c, available)) = available {
                let (data, column, current) = (data.clone(), column.clone(), generation.clone());
                let timed = format!("plainsight-draw {kind}");
                queue_drawing(Box::new(move || {
                    if *current.borrow() != mine {
                        return;
                    }
                    let start = super::now();
                    let (marks, width) = draw(&c, &data, &column, available);
                    super::measure(&timed, start);
                    *drawn.borrow_mut() = Drawn { marks, width };
                    pointed.set(None);
                }));
            }
            move || *generation.borrow_mut() += 1
        });
    }
    let onmousemove = {
        let (canvas, drawn, pointed) = (canvas.clone(), drawn.clone(), pointed.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                pointed.set(mark_at(&c, &drawn.borrow(), &e));
            }
        })
    };
    let onmouseleave = {
        let pointed = pointed.clone();
        Callback::from(move |_: MouseEvent| pointed.set(None))
    };
    let open = {
        let (drawn, on_pick) = (drawn.clone(), props.on_pick.clone());
        move |i: Option<usize>| {
            let pick = i.and_then(|i| drawn.borrow().marks.get(i)?.pick.clone());
            if let (Some(pick), Some(on)) = (pick, on_pick.as_ref()) {
                on.emit(pick);
            }
        }
    };
    let onclick = {
        let (canvas, drawn, open) = (canvas.clone(), drawn.clone(), open.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let i = mark_at(&c, &drawn.borrow(), &e);
                open(i);
            }
        })
    };
    // The keyboard walks the marks: arrows move, Enter opens, Escape leaves.
    let onkeydown = {
        let (drawn, pointed) = (drawn.clone(), pointed.clone());
        Callback::from(move |e: KeyboardEvent| {
            let n = drawn.borrow().marks.len();
            if n == 0 {
                return;
            }
            let next = match (e.key().as_str(), *pointed) {
                ("ArrowRight" | "ArrowDown", None) => Some(0),
                ("ArrowRight" | "ArrowDown", Some(i)) => Some((i + 1).min(n - 1)),
                ("ArrowLeft" | "ArrowUp", None) => Some(n - 1),
                ("ArrowLeft" | "ArrowUp", Some(i)) => Some(i.saturating_sub(1)),
                ("Home", _) => Some(0),
                ("End", _) => Some(n - 1),
                ("Escape", _) => None,
                ("Enter", i) => {
                    open(i);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            pointed.set(next);
        })
    };
    let readout = pointed.and_then(|i| {
        let d = drawn.borrow();
        let m = d.marks.get(i)?;
        // What a click does, when this chart takes clicks.
        let hint = match (&m.pick, props.on_pick.is_some()) {
            (Some(Pick::Pair { .. }), true) => Some(" · click to open"),
            (Some(Pick::Bar { .. }), true) => Some(" · click to see these rows"),
            _ => None,
        };
        Some((m.text(), m.json(), hint))
    });
    let clickable = readout.as_ref().is_some_and(|r| r.2.is_some());
    let label = props.data.describe(&props.title);
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
            // Above its chart, so it reads as this chart's (below, it sat
            // against the next chart's title).
            if let Some(lo) = props.data.axis_floor() {
                <p class="muted small chart-note" data-testid="chart-axis-note" data-value={lo.to_string()}>
                    { format!("The vertical axis starts at {}, not at zero: differences look larger than they are.", crate::core::format::short(lo)) }
                </p>
            }
            <canvas ref={canvas} role="img" aria-label={format!("{label}. The arrow keys read out each mark's values.")} tabindex="0"
                class={classes!(clickable.then_some("clickable"))}
                {onmousemove} {onmouseleave} {onclick} {onkeydown}></canvas>
            if let Some((text, json, hint)) = readout {
                <p class="chart-readout" data-testid="chart-tooltip" data-value={json}>
                    { text }
                    if let Some(hint) = hint {
                        <span class="muted">{ hint }</span>
                    }
                </p>
            } else {
                // The line keeps its place, so the page does not jump.
                <p class="chart-readout" aria-hidden="true">{"\u{a0}"}</p>
            }
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
