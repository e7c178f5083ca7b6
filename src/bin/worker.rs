//! Entry point of the data Web Worker (built by Trunk as `worker.js`).

// The engine's loops are built for wasm SIMD (.cargo/config.toml): a build
// without it would run, only slower, so it is refused here.
#[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
compile_error!(
    "build the worker with wasm SIMD: .cargo/config.toml sets -C target-feature=+simd128"
);

#[cfg(target_arch = "wasm32")]
fn main() {
    plainsight::shell::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker runs only in the browser; build it with `trunk build`");
}
