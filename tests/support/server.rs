//! A tiny static file server for the browser tests and benchmark: std only,
//! bound to 127.0.0.1 on a free port, one thread per connection, `GET`/`HEAD`
//! only, 404 for anything it does not have.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

type Mounts = Vec<(String, PathBuf)>;

/// A running server; it lives until the process ends or [`StaticServer::stop`].
pub struct StaticServer {
    pub addr: SocketAddr,
    mounts: Arc<RwLock<Mounts>>,
    stopped: Arc<AtomicBool>,
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl StaticServer {
    /// `http://127.0.0.1:<port>` + `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Serves `mounts` from now on, at the same address (the same origin
    /// for the browser): a new version of the app "deployed".
    pub fn set_mounts(&self, mounts: Vec<(String, PathBuf)>) {
        *self.mounts.write().unwrap_or_else(|p| p.into_inner()) = mounts;
    }

    /// Stops listening; once it returns, connections to the address are
    /// refused (the site is offline). Idempotent.
    pub fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept loop, which then drops the listener.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }
}

/// Serves `mounts`: each maps a URL prefix (`"/"`, `"/bench/"`) to a folder,
/// or an exact URL path (`"/bench/papaparse.min.js"`) to a file. The longest
/// matching prefix wins.
pub fn serve(mounts: Vec<(String, PathBuf)>) -> std::io::Result<StaticServer> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let mounts = Arc::new(RwLock::new(mounts));
    let stopped = Arc::new(AtomicBool::new(false));
    let accept = {
        let (mounts, stopped) = (mounts.clone(), stopped.clone());
        std::thread::Builder::new()
            .name("static-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    if stopped.load(Ordering::SeqCst) {
                        break; // drops the listener: the port closes
                    }
                    let mounts = mounts.read().unwrap_or_else(|p| p.into_inner()).clone();
                    let _ = std::thread::Builder::new()
                        .name("static-conn".into())
                        .spawn(move || {
                            let _ = handle(stream, &mounts);
                        });
                }
            })?
    };
    Ok(StaticServer {
        addr,
        mounts,
        stopped,
        accept: Mutex::new(Some(accept)),
    })
}

pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") | Some("webmanifest") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("tsv") => "text/tab-separated-values; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Maps a URL path to a file under the mounts, refusing `..`.
fn resolve(url_path: &str, mounts: &[(String, PathBuf)]) -> Option<PathBuf> {
    let path = percent_decode(url_path.split(['?', '#']).next().unwrap_or("/"));
    let (prefix, root) = mounts
        .iter()
        .filter(|(p, _)| path == *p || (p.ends_with('/') && path.starts_with(p.as_str())))
        .max_by_key(|(p, _)| p.len())?;
    let rest = &path[prefix.len()..];
    let rel = Path::new(rest);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let mut file = if rest.is_empty() {
        root.clone()
    } else {
        root.join(rel)
    };
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn handle(stream: TcpStream, mounts: &[(String, PathBuf)]) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            b"method not allowed\n",
        );
    }
    let Some(file) = resolve(target, mounts) else {
        return respond(
            &mut out,
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found\n",
        );
    };
    let mut f = std::fs::File::open(&file)?;
    let len = f.metadata()?.len();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        content_type(&file)
    )?;
    if method == "GET" {
        std::io::copy(&mut f, &mut out)?;
    }
    out.flush()
}

fn respond(out: &mut TcpStream, status: &str, ctype: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

/// Copies the folder `from` into `to` (created), files and sub-folders: a
/// built site to serve changed.
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
