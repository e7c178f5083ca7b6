//! Stamps the build: PLAINSIGHT_BUILD_ID, a hash of the sources that make
//! the app (src/, static/, index.html, Cargo.toml, Cargo.lock). The page
//! and the worker are compiled in one build from the same sources, so they
//! carry the same id; the page spawns the worker with it in the URL and both
//! compare it before any other message (`protocol::BUILD_ID`).

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let roots = ["src", "static", "index.html", "Cargo.toml", "Cargo.lock"];
    let mut all = Vec::new();
    for r in roots {
        println!("cargo:rerun-if-changed={r}");
        let p = Path::new(r);
        if p.is_dir() {
            files(p, &mut all);
        } else if p.exists() {
            all.push(p.to_path_buf());
        }
    }
    all.sort();
    // FNV-1a, 64 bits: stable across machines and Rust versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in &all {
        eat(p.to_string_lossy().as_bytes());
        eat(&[0]);
        eat(&fs::read(p).unwrap_or_default());
        eat(&[0]);
    }
    println!("cargo:rustc-env=PLAINSIGHT_BUILD_ID={h:016x}");
}
