//! Entry point of the data Web Worker (built by Trunk as `worker.js`).

#[cfg(target_arch = "wasm32")]
fn main() {
    plainsight::shell::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs only in the browser; build it with `trunk build`");
}
