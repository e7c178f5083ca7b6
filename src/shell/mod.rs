//! The browser shell: a thin Yew UI over the engine. The data lives in the
//! worker ([`worker`]); the page holds only profiles and a window of rows.

pub mod app;
pub mod bridge;
pub mod canvas;
pub mod chart;
pub mod clean;
pub mod clean_grid;
pub mod columns;
pub mod controller;
pub mod explore;
pub mod format;
pub mod helper;
pub mod model;
pub mod overview;
pub mod parts;
pub mod protocol;
pub mod pwa;
pub mod sheets;
pub mod sidebar;
pub mod state;
pub mod storage;
pub mod table;
pub mod tabsync;
pub mod worker;

/// The page's first element matching `css`, as an HTML element (to click
/// or focus it).
pub(crate) fn html_element(css: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    web_sys::window()?
        .document()?
        .query_selector(css)
        .ok()??
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// What a value the browser threw says: an `Error`'s message, or the text
/// thrown; `otherwise` when it is neither.
pub(crate) fn js_message(v: &wasm_bindgen::JsValue, otherwise: &str) -> String {
    use wasm_bindgen::JsCast;
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| otherwise.to_string())
}

/// The device's memory in GiB as the browser says it
/// (`navigator.deviceMemory`, on the page and in a worker alike: Chromium's;
/// None elsewhere), which bounds a read in parts (`core::parts`).
pub(crate) fn device_memory_gib() -> Option<f64> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    js_sys::Reflect::get(&navigator, &"deviceMemory".into())
        .ok()?
        .as_f64()
}

/// Runs `then` once the browser has drawn the next frame (an animation
/// frame, then a task after it): what `then` changes is laid out and
/// painted in a frame of its own, and the work before it has had its
/// frame. The preview's parts and the charts' drawing queue yield this way.
/// In a tab the browser does not show, animation frames stop, and so does
/// what waits here, until the tab is shown again (nothing there is seen
/// meanwhile).
pub(crate) fn after_next_frame(then: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let frame = wasm_bindgen::closure::Closure::once_into_js(move || {
        FRAME_AT.with(|f| f.set(now()));
        gloo::timers::callback::Timeout::new(0, then).forget();
    });
    let asked =
        web_sys::window().is_some_and(|w| w.request_animation_frame(frame.unchecked_ref()).is_ok());
    if !asked {
        let _ = frame
            .unchecked_ref::<js_sys::Function>()
            .call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// Resolves once the browser has drawn the next frame
/// ([`after_next_frame`]): an async job's long step after an answer gets a
/// frame of its own. After [`FRAME_WAIT_MS`] all the same (up to about a
/// second in a tab the browser does not show, whose timers it slows): such
/// a tab draws no frames, and a download asked for there still comes.
pub(crate) async fn next_frame() {
    let (done, drawn) = futures::channel::oneshot::channel::<()>();
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let by_timer = done.clone();
    let timer = gloo::timers::callback::Timeout::new(FRAME_WAIT_MS, move || {
        if let Some(d) = by_timer.take() {
            let _ = d.send(());
        }
    });
    after_next_frame(move || {
        if let Some(d) = done.take() {
            let _ = d.send(());
        }
    });
    let _ = drawn.await;
    drop(timer);
}

/// How long [`next_frame`] waits for a frame at most, ms.
const FRAME_WAIT_MS: u32 = 250;

thread_local! {
    /// When the last animation frame asked for by [`after_next_frame`]
    /// began (`performance.now()`, ms); 0 before the first.
    static FRAME_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// How long ago the frame [`after_next_frame`] last waited for began, ms.
/// Read in the task `then` runs in, it is what the page's thread has done
/// since: the rest of that frame's rendering, then whatever tasks ran
/// before this one (a worker's answer rendered, an input) — the work the
/// next frame already carries.
pub(crate) fn since_frame() -> f64 {
    now() - FRAME_AT.with(std::cell::Cell::get)
}

/// Names a moment of the page's start in the browser's performance
/// timeline (`performance.getEntriesByName`), for the cold-start benchmark
/// (benches/browser_coldstart.rs): `plainsight-drawn` (the app replaced the
/// boot screen), `plainsight-ready` (the saved workspace is shown),
/// `plainsight-engine` (the worker's wasm runs and said hello).
pub(crate) fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// How many measures the page keeps in its timeline: the browser keeps
/// them all, so the page clears its own after this many (a long session
/// redraws charts thousands of times).
const MEASURES_KEPT: u32 = 2000;

/// Names a stretch of the page's work in the browser's performance
/// timeline, from `start` (`performance.now()`) to now: each chart drawn
/// is `plainsight-draw <kind>` (benches/browser_explore.rs lists them).
pub(crate) fn measure(name: &str, start: f64) {
    use wasm_bindgen::JsCast;
    thread_local! {
        static MEASURED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let Some(p) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    if MEASURED.with(|n| n.replace(n.get() + 1)) >= MEASURES_KEPT {
        MEASURED.with(|n| n.set(1));
        p.clear_measures();
    }
    // `measure(name, { start })`: web-sys has its options only as an
    // unstable API.
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"start".into(), &start.into());
    if let Ok(f) =
        js_sys::Reflect::get(&p, &"measure".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = f.call2(&p, &name.into(), &options);
    }
}

/// `performance.now()`, or 0 where the page has no clock.
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Mounts the app on the page.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
