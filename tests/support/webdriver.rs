//! A small blocking W3C WebDriver client for the browser tests and the browser
//! benchmark: it starts its own `chromedriver` on a free port, opens one headless
//! Chromium session with a fresh profile, and always tears both down on drop.
//!
//! Waiting is done only by polling a condition ([`Driver::wait_for`]); a wait
//! that times out says what it waited for, quotes the page's
//! `[data-testid=error-message]`, and saves a screenshot, the page's HTML and
//! the browser console into `tests/e2e-artifacts/`.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::fmt;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Pause between two polls of a condition.
pub const POLL_INTERVAL: Duration = Duration::from_millis(75);
/// Default time a test waits for a condition.
pub const WAIT: Duration = Duration::from_secs(60);
/// Time chromedriver gets to answer one command (page loads included).
const COMMAND_TIMEOUT_SECS: u64 = 300;
/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium flags: headless, and quiet on the network (without the
/// networking flags Chromium keeps calling home).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

fn chromium_binary() -> String {
    std::env::var("PLAINSIGHT_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver_binary() -> String {
    std::env::var("PLAINSIGHT_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// Where failing waits leave their screenshots.
pub fn artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e-artifacts")
}

/// A WebDriver error (`kind` is the W3C error code, or `transport`, `setup`,
/// `timeout-wait`, `protocol`).
#[derive(Clone)]
pub struct WdError {
    pub kind: String,
    pub message: String,
}

impl WdError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        WdError {
            kind: kind.into(),
            message: message.into(),
        }
    }

    /// Errors that a later poll may not see again (the page is still changing).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "no such element"
                | "stale element reference"
                | "element not interactable"
                | "element click intercepted"
                | "no such alert"
                | "javascript error"
                | "detached shadow root"
        )
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // chromedriver appends a long native stack trace; keep the first line.
        let first = self.message.lines().next().unwrap_or("");
        write!(f, "{}: {}", self.kind, first)
    }
}

impl fmt::Debug for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for WdError {}

pub type WdResult<T> = Result<T, WdError>;

/// Quote `s` as a CSS attribute value: `[data-name=` + `css_str(s)` + `]`.
pub fn css_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\a "),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn free_port() -> WdResult<u16> {
    let l = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| WdError::new("setup", format!("no free port: {e}")))?;
    Ok(l.local_addr()
        .map_err(|e| WdError::new("setup", e.to_string()))?
        .port())
}

fn unique_suffix() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// Decode standard base64 (screenshots).
fn base64_decode(s: &str) -> WdResult<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = val(c).ok_or_else(|| WdError::new("protocol", "bad base64"))?;
            acc |= v << (18 - 6 * i);
        }
        let n = chunk.len() * 6 / 8;
        for i in 0..n {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

/// One chromedriver process with one browser session.
pub struct Driver {
    child: Child,
    base: String,
    session: String,
    profile: PathBuf,
    /// Prefix of the artifact files this session writes (the test's name).
    label: String,
    /// The browser console read so far (chromedriver hands each entry out once).
    console: std::cell::RefCell<Vec<String>>,
    /// The browser's DevTools address (`host:port`), as chromedriver says it.
    debugger_address: Option<String>,
}

/// A reference to an element of the current page.
pub struct Element<'d> {
    d: &'d Driver,
    pub id: String,
}

impl Driver {
    /// Starts chromedriver on a free port and opens a headless Chromium
    /// session with a fresh profile. `label` names the artifacts.
    pub fn start(label: &str) -> WdResult<Driver> {
        Self::start_with(label, false)
    }

    /// Like [`Driver::start`], and the session also records the page's
    /// network requests (chromedriver's performance log; see
    /// [`Driver::network_requests`]).
    pub fn start_logging_network(label: &str) -> WdResult<Driver> {
        Self::start_with(label, true)
    }

    fn start_with(label: &str, network_log: bool) -> WdResult<Driver> {
        let port = free_port()?;
        let profile = std::env::temp_dir().join(format!("plainsight-profile-{}", unique_suffix()));
        std::fs::create_dir_all(&profile).map_err(|e| {
            WdError::new("setup", format!("cannot create {}: {e}", profile.display()))
        })?;
        let child = Command::new(chromedriver_binary())
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                WdError::new(
                    "setup",
                    format!(
                        "cannot start {}: {e} (install chromium and chromium-driver)",
                        chromedriver_binary()
                    ),
                )
            })?;
        // From here on, Drop kills chromedriver and removes the profile.
        let mut d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            profile,
            label: sanitize(label),
            console: Default::default(),
            debugger_address: None,
        };
        d.wait_for_driver()?;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", d.profile.display()));
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "unhandledPromptBehavior": "ignore",
                    "goog:chromeOptions": {
                        "binary": chromium_binary(),
                        "args": args,
                        "prefs": {
                            "download.default_directory": d.downloads_dir().display().to_string(),
                            "download.prompt_for_download": false,
                            "download.directory_upgrade": true,
                            // As in Chrome's default (standard protection):
                            // a script download (.py) is checked, not held
                            // back as unconfirmed.
                            "safebrowsing.enabled": true,
                        },
                    },
                    "goog:loggingPrefs": if network_log {
                        json!({ "browser": "ALL", "performance": "ALL" })
                    } else {
                        json!({ "browser": "ALL" })
                    },
                }
            }
        });
        let v = d.raw("POST", "/session", Some(caps))?;
        d.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| WdError::new("protocol", format!("no sessionId in {v}")))?
            .to_string();
        d.debugger_address = v["capabilities"]["goog:chromeOptions"]["debuggerAddress"]
            .as_str()
            .map(str::to_string);
        Ok(d)
    }

    /// The browser's DevTools address (`host:port`), for a second client
    /// such as scripts/worker-profile.mjs.
    pub fn debugger_address(&self) -> Option<&str> {
        self.debugger_address.as_deref()
    }

    /// Polls chromedriver's /status until it is ready.
    fn wait_for_driver(&mut self) -> WdResult<()> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(WdError::new(
                    "setup",
                    format!("chromedriver exited at start: {status}"),
                ));
            }
            if let Ok(v) = self.raw("GET", "/status", None) {
                if v["ready"].as_bool() == Some(true) {
                    return Ok(());
                }
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err(WdError::new(
                    "setup",
                    "chromedriver did not become ready within 30 s",
                ));
            }
            std::thread::park_timeout(POLL_INTERVAL);
        }
    }

    /// One HTTP round trip to chromedriver; returns the response's `value`.
    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => minreq::get(url),
            "POST" => minreq::post(url),
            "DELETE" => minreq::delete(url),
            _ => {
                return Err(WdError::new(
                    "protocol",
                    format!("unsupported method {method}"),
                ))
            }
        }
        .with_timeout(COMMAND_TIMEOUT_SECS);
        let req = match body {
            Some(b) => req
                .with_header("Content-Type", "application/json; charset=utf-8")
                .with_body(b.to_string()),
            None => req,
        };
        let resp = req
            .send()
            .map_err(|e| WdError::new("transport", format!("{method} {path}: {e}")))?;
        let v: Value = serde_json::from_slice(resp.as_bytes()).map_err(|e| {
            WdError::new(
                "protocol",
                format!(
                    "{method} {path}: HTTP {} with a body that is not JSON: {e}",
                    resp.status_code
                ),
            )
        })?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if resp.status_code >= 400 || value.get("error").is_some_and(|e| e.is_string()) {
            return Err(WdError::new(
                value["error"].as_str().unwrap_or("unknown error"),
                format!(
                    "{method} {path}: {}",
                    value["message"].as_str().unwrap_or("")
                ),
            ));
        }
        Ok(value)
    }

    /// A command of this session (`path` starts with `/`).
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
        self.raw(method, &format!("/session/{}{}", self.session, path), body)
    }

    // ---- navigation ----

    pub fn goto(&self, url: &str) -> WdResult<()> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    pub fn current_url(&self) -> WdResult<String> {
        Ok(self
            .cmd("GET", "/url", None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    pub fn refresh(&self) -> WdResult<()> {
        self.cmd("POST", "/refresh", Some(json!({}))).map(drop)
    }

    /// Opens a new tab of the same browser (same profile, same storage)
    /// and returns its handle; the session stays on the current tab.
    pub fn new_tab(&self) -> WdResult<String> {
        let v = self.cmd("POST", "/window/new", Some(json!({ "type": "tab" })))?;
        v.get("handle")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| WdError::new("protocol", format!("no handle in {v}")))
    }

    /// The handle of the current tab.
    pub fn tab(&self) -> WdResult<String> {
        Ok(self
            .cmd("GET", "/window", None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    /// Makes the tab `handle` the one commands go to.
    pub fn switch_to(&self, handle: &str) -> WdResult<()> {
        self.cmd("POST", "/window", Some(json!({ "handle": handle })))
            .map(drop)
    }

    // ---- elements ----

    /// The element of a reference, as `find` or a script (`return elem;`) gives it.
    pub fn element(&self, v: &Value) -> WdResult<Element<'_>> {
        let id = v[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| WdError::new("protocol", format!("not an element reference: {v}")))?;
        Ok(Element {
            d: self,
            id: id.to_string(),
        })
    }

    /// The first element matching `css` (error `no such element` if none).
    pub fn find(&self, css: &str) -> WdResult<Element<'_>> {
        let v = self
            .cmd(
                "POST",
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .map_err(|e| WdError::new(&e.kind, format!("{css}: {}", e.message)))?;
        self.element(&v)
    }

    /// All elements matching `css` (possibly none).
    pub fn find_all(&self, css: &str) -> WdResult<Vec<Element<'_>>> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        v.as_array()
            .map(|a| a.iter().map(|e| self.element(e)).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Finds `css` and clicks it, polling while it is missing, stale or covered.
    pub fn click_when_ready(&self, css: &str) -> WdResult<()> {
        self.wait_for(&format!("{css} to be clickable"), WAIT, |d| {
            d.find(css)?.click()?;
            Ok(Some(()))
        })
    }

    // ---- scripts ----

    /// Runs a synchronous script (`arguments[i]` are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs an asynchronous script: its last argument is the callback that
    /// returns the result (`arguments[arguments.length - 1](value)`).
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    // ---- Chromium only ----

    /// One Chrome DevTools Protocol command (chromedriver's `goog/cdp`).
    pub fn cdp(&self, cmd: &str, params: Value) -> WdResult<Value> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Runs `source` in every page this session opens from now on, before
    /// the page's own scripts (and outside its CSP).
    pub fn on_new_document(&self, source: &str) -> WdResult<()> {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .map(drop)
    }

    /// Shows the page as on a screen `width` × `height` CSS pixels with
    /// `ratio` device pixels per CSS pixel (DevTools' device emulation).
    pub fn set_viewport(&self, width: u32, height: u32, ratio: f64) -> WdResult<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": ratio,
                "mobile": false,
            }),
        )
        .map(drop)
    }

    /// Turns the browser's network off (or on again) for this page.
    pub fn set_offline(&self, offline: bool) -> WdResult<()> {
        self.cdp("Network.enable", json!({}))?;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": offline,
                "latency": 0,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            }),
        )
        .map(drop)
    }

    /// URLs of the network requests since the last call, as chromedriver's
    /// performance log has them (a session of [`Driver::start_logging_network`]).
    pub fn network_requests(&self) -> WdResult<Vec<String>> {
        let v = self.cmd("POST", "/se/log", Some(json!({ "type": "performance" })))?;
        let mut urls = Vec::new();
        for entry in v.as_array().into_iter().flatten() {
            let Some(text) = entry["message"].as_str() else {
                continue;
            };
            let Ok(msg) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if msg["message"]["method"] == "Network.requestWillBeSent" {
                if let Some(url) = msg["message"]["params"]["request"]["url"].as_str() {
                    urls.push(url.to_string());
                }
            }
        }
        Ok(urls)
    }

    /// Number of elements matching `css`.
    pub fn count(&self, css: &str) -> WdResult<usize> {
        let v = self.execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(css)],
        )?;
        Ok(v.as_u64().unwrap_or(0) as usize)
    }

    pub fn exists(&self, css: &str) -> WdResult<bool> {
        Ok(self.count(css)? > 0)
    }

    /// Attribute `name` of the first element matching `css`; `None` if there is
    /// no such element or it lacks the attribute.
    pub fn attr_of(&self, css: &str, name: &str) -> WdResult<Option<String>> {
        let v = self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            vec![json!(css), json!(name)],
        )?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Waits until the app's engine has warmed up (`core::warm`): its time
    /// and longest step, ms (`body[data-engine-warm-ms]`,
    /// `[data-engine-warm-step-ms]`).
    pub fn engine_warm(&self, timeout: Duration) -> WdResult<(String, String)> {
        self.wait_for("the engine's warm-up", timeout, |d| {
            Ok(d.attr_of("body", "data-engine-warm-ms")?
                .zip(d.attr_of("body", "data-engine-warm-step-ms")?))
        })
    }

    /// Attribute `name` of every element matching `css`, in document order.
    pub fn attrs_of(&self, css: &str, name: &str) -> WdResult<Vec<Option<String>>> {
        let v = self.execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.getAttribute(arguments[1]));",
            vec![json!(css), json!(name)],
        )?;
        Ok(v.as_array()
            .map(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default())
    }

    /// Rendered text of the first element matching `css`, if any.
    pub fn text_of(&self, css: &str) -> WdResult<Option<String>> {
        let v = self.execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![json!(css)],
        )?;
        Ok(v.as_str().map(str::to_string))
    }

    // ---- dialogs ----

    /// Waits for a `window.alert` / `window.confirm` and accepts it; returns its text.
    pub fn accept_alert(&self) -> WdResult<String> {
        self.answer_alert("accept")
    }

    /// Waits for a confirm dialog and cancels it; returns its text.
    pub fn dismiss_alert(&self) -> WdResult<String> {
        self.answer_alert("dismiss")
    }

    /// Waits for a dialog, then answers it (`accept` or `dismiss`).
    fn answer_alert(&self, answer: &str) -> WdResult<String> {
        let text = self.wait_for("a confirm dialog to open", WAIT, |d| {
            let v = d.cmd("GET", "/alert/text", None)?;
            Ok(Some(v.as_str().unwrap_or("").to_string()))
        })?;
        self.cmd("POST", &format!("/alert/{answer}"), Some(json!({})))?;
        Ok(text)
    }

    // ---- artifacts ----

    /// Saves a PNG screenshot of the viewport to `path`.
    pub fn screenshot(&self, path: &Path) -> WdResult<()> {
        let v = self.cmd("GET", "/screenshot", None)?;
        let png = base64_decode(v.as_str().unwrap_or(""))?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, png)
            .map_err(|e| WdError::new("setup", format!("cannot write {}: {e}", path.display())))
    }

    /// The browser console of this session so far (best effort).
    pub fn console_log(&self) -> Vec<String> {
        if let Ok(v) = self.cmd("POST", "/se/log", Some(json!({ "type": "browser" }))) {
            let entries = v.as_array().into_iter().flatten().map(|e| {
                format!(
                    "[{}] {}",
                    e["level"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                )
            });
            self.console.borrow_mut().extend(entries);
        }
        self.console.borrow().clone()
    }

    /// Saves a screenshot, the page's HTML and the console under
    /// `tests/e2e-artifacts/<label>-<what>.*`; returns the screenshot's path.
    pub fn save_artifacts(&self, what: &str) -> PathBuf {
        let dir = artifacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        let stem = format!("{}-{}", self.label, sanitize(what));
        let png = dir.join(format!("{stem}.png"));
        if let Err(e) = self.screenshot(&png) {
            eprintln!("(could not save screenshot {}: {e})", png.display());
        }
        if let Ok(v) = self.execute("return document.documentElement.outerHTML;", vec![]) {
            let _ = std::fs::write(dir.join(format!("{stem}.html")), v.as_str().unwrap_or(""));
        }
        let log = self.console_log();
        let _ = std::fs::write(dir.join(format!("{stem}.console.txt")), log.join("\n"));
        png
    }

    /// Where the browser saves downloads (inside the session's profile).
    pub fn downloads_dir(&self) -> PathBuf {
        self.profile.join("downloads")
    }

    /// Waits until the browser has finished downloading a file named `name`
    /// and returns its bytes.
    pub fn wait_download(&self, name: &str, timeout: Duration) -> WdResult<Vec<u8>> {
        let path = self.downloads_dir().join(name);
        let partial = self.downloads_dir().join(format!("{name}.crdownload"));
        self.wait_for(&format!("the download {name}"), timeout, |_| {
            // Chromium writes `<name>.crdownload` and renames it when done;
            // the final name can show up empty for a moment first, so an
            // empty file is not taken (no test downloads an empty file).
            if partial.exists() || !path.is_file() {
                return Ok(None);
            }
            Ok(std::fs::read(&path).ok().filter(|b| !b.is_empty()))
        })
    }

    /// Text of the page's `[data-testid=error-message]`, if one is shown.
    pub fn page_error(&self) -> Option<String> {
        self.text_of("[data-testid=error-message]")
            .ok()
            .flatten()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    // ---- waiting ----

    /// Polls `cond` every [`POLL_INTERVAL`] until it returns `Some`, for at most
    /// `timeout`. Transient WebDriver errors (missing or stale element, …) count
    /// as "not yet". On timeout the error says what was awaited, quotes the
    /// page's error message and names the saved screenshot.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut cond: impl FnMut(&Driver) -> WdResult<Option<T>>,
    ) -> WdResult<T> {
        let start = Instant::now();
        let mut last_err: Option<WdError> = None;
        loop {
            match cond(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) if e.is_transient() => last_err = Some(e),
                Err(e) => {
                    return Err(WdError::new(
                        &e.kind,
                        format!("while waiting for {what}: {}", e.message),
                    ));
                }
            }
            if start.elapsed() >= timeout {
                return Err(self.timeout_error(what, timeout, last_err));
            }
            std::thread::park_timeout(POLL_INTERVAL);
        }
    }

    fn timeout_error(&self, what: &str, timeout: Duration, last_err: Option<WdError>) -> WdError {
        let mut msg = format!(
            "timed out after {} s waiting for {what}",
            timeout.as_secs_f64()
        );
        match self.page_error() {
            Some(e) => msg.push_str(&format!("; the page shows error-message: {e:?}")),
            None => msg.push_str("; the page shows no error-message"),
        }
        if let Some(e) = last_err {
            msg.push_str(&format!("; last WebDriver error: {e}"));
        }
        if let Ok(url) = self.current_url() {
            msg.push_str(&format!("; url: {url}"));
        }
        let png = self.save_artifacts(what);
        msg.push_str(&format!("; screenshot: {}", png.display()));
        WdError::new("timeout-wait", msg)
    }

    /// Quits the session and stops chromedriver (also done on drop).
    fn shutdown(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.base, self.session);
            let _ = minreq::delete(url).with_timeout(30).send();
            self.session.clear();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl<'d> Element<'d> {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{}", self.id, rest)
    }

    pub fn click(&self) -> WdResult<()> {
        self.d
            .cmd("POST", &self.path("/click"), Some(json!({})))
            .map(drop)
    }

    /// Types `text`; for `<input type=file>` pass an absolute path.
    pub fn send_keys(&self, text: &str) -> WdResult<()> {
        self.d
            .cmd("POST", &self.path("/value"), Some(json!({ "text": text })))
            .map(drop)
    }

    pub fn clear(&self) -> WdResult<()> {
        self.d
            .cmd("POST", &self.path("/clear"), Some(json!({})))
            .map(drop)
    }

    pub fn attribute(&self, name: &str) -> WdResult<Option<String>> {
        let v = self
            .d
            .cmd("GET", &self.path(&format!("/attribute/{name}")), None)?;
        Ok(v.as_str().map(str::to_string))
    }

    pub fn property(&self, name: &str) -> WdResult<Value> {
        self.d
            .cmd("GET", &self.path(&format!("/property/{name}")), None)
    }

    pub fn text(&self) -> WdResult<String> {
        let v = self.d.cmd("GET", &self.path("/text"), None)?;
        Ok(v.as_str().unwrap_or("").to_string())
    }

    pub fn find(&self, css: &str) -> WdResult<Element<'d>> {
        let v = self.d.cmd(
            "POST",
            &self.path("/element"),
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        self.d.element(&v)
    }

    pub fn find_all(&self, css: &str) -> WdResult<Vec<Element<'d>>> {
        let v = self.d.cmd(
            "POST",
            &self.path("/elements"),
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        v.as_array()
            .map(|a| a.iter().map(|e| self.d.element(e)).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }
}
