//! Entry point of the browser app (built by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    plainsight::shell::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the app runs only in the browser; serve it with scripts/serve.sh");
}
