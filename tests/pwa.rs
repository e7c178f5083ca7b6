//! Plainsight as an installable, offline, private web app.
//!
//! In headless Chromium (like `tests/browser.rs`, against the release build
//! in `dist/` or `$PLAINSIGHT_DIST`; `scripts/test.sh` builds it first):
//! - a) after the first visit the app reloads with the server stopped and
//!   the network off, with its client, its dataset and the profile;
//! - b) walking every tab and downloading the report sends no request
//!   outside the page's origin and violates no CSP rule;
//! - c) a new build waits, is offered (`update-ready`) and takes over on
//!   `update-reload`, without mixing two builds in one page.
//!
//! Natively: the built files of the PWA (index.html without inline scripts
//! and with a strict CSP, the manifest and its icons, sw.js listing exactly
//! the build's files) and the report's own CSP.
//!
//! Each browser test starts its own server, since it stops it or changes
//! what it serves; one browser runs at a time.

mod support;

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use support::app::load_sample;
use support::server::{self, copy_dir, StaticServer};
use support::webdriver::{css_str, Driver, WdError, WdResult, WAIT};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// One browser at a time: the machine has two cores.
static BROWSER: Mutex<()> = Mutex::new(());

/// Loading and profiling the sample (and a first visit's install) fit in this.
const LOAD_WAIT: Duration = Duration::from_secs(120);

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dist_dir() -> PathBuf {
    let dist = std::env::var_os("PLAINSIGHT_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: these tests need the built app. Run `scripts/test.sh` (it builds \
         it with scripts/test.sh, or trunk build --release with .tools/binaryen/node_modules/.bin on PATH), or point PLAINSIGHT_DIST at a built dist/.",
        dist.display()
    );
    dist
}

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> TestResult {
    if cond {
        Ok(())
    } else {
        Err(msg().into())
    }
}

/// Runs `body` with a fresh browser (and its own server for `dist`); on
/// failure saves the page's state into `tests/e2e-artifacts/`.
fn scenario(
    name: &str,
    network_log: bool,
    body: impl FnOnce(&Driver, &StaticServer) -> TestResult,
) {
    let _one_browser = BROWSER.lock().unwrap_or_else(|p| p.into_inner());
    let server = server::serve(vec![("/".to_string(), dist_dir())]).expect("start the server");
    let started = if network_log {
        Driver::start_logging_network(name)
    } else {
        Driver::start(name)
    };
    let d = started.unwrap_or_else(|e| panic!("{name}: could not start the browser: {e}"));
    let outcome = catch_unwind(AssertUnwindSafe(|| body(&d, &server)));
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(p) => Some(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into()),
        ),
    };
    server.stop();
    if let Some(msg) = failure {
        let png = d.save_artifacts("failure");
        drop(d);
        panic!("{name} failed: {msg}\n(page at failure: {})", png.display());
    }
}

fn wait_ready(d: &Driver) -> WdResult<()> {
    d.wait_for(
        "body[data-app-ready=true] (the app loaded its state)",
        LOAD_WAIT,
        |d| Ok(d.exists("body[data-app-ready=true]")?.then_some(())),
    )
}

/// Waits until a service worker controls the page (its cache is then full:
/// a worker activates only after every file of its build is cached).
fn wait_controlled(d: &Driver) -> WdResult<()> {
    d.wait_for("a service worker to control the page", LOAD_WAIT, |d| {
        let v = d.execute(
            "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
            vec![],
        )?;
        Ok((v.as_bool() == Some(true)).then_some(()))
    })
}

/// The names of this origin's caches (the service worker's, one per build).
fn cache_names(d: &Driver) -> WdResult<Vec<String>> {
    let v = d.execute_async(
        "const done = arguments[arguments.length - 1];
         caches.keys().then(done, e => done('error: ' + e));",
        vec![],
    )?;
    match v.as_array() {
        Some(a) => Ok(a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()),
        None => Err(WdError::new("protocol", format!("caches.keys() gave {v}"))),
    }
}

/// The sample's name, rows and column names as the page shows them.
/// The shown dataset's name, its row count and its columns' names.
type ShownProfile = (Option<String>, Option<String>, Vec<Option<String>>);

fn shown_profile(d: &Driver) -> WdResult<ShownProfile> {
    Ok((
        d.attr_of("[data-testid=fact][data-fact=name]", "data-value")?,
        d.attr_of("[data-testid=dataset-rows]", "data-value")?,
        d.attrs_of("[data-testid=column]", "data-column")?,
    ))
}

/// a) After the first visit, with the server stopped and the network off,
/// a reload brings back the app, the client, the dataset and its profile
/// (and the worker, which reads the stored file again for the preview).
#[test]
fn offline_reload_brings_back_the_app_and_the_data() {
    scenario("pwa-offline", false, |d, server| {
        d.goto(&server.url("/"))?;
        wait_ready(d)?;
        wait_controlled(d)?;
        load_sample(d, LOAD_WAIT)?;
        let before = shown_profile(d)?;
        ensure(before.0.is_some() && !before.2.is_empty(), || {
            format!("the sample's profile is not shown: {before:?}")
        })?;
        let client = d.execute(
            "const s = document.querySelector('[data-testid=client-select]');
             return s && s.selectedOptions[0] ? s.selectedOptions[0].text.trim() : null;",
            vec![],
        )?;
        ensure(client.as_str().is_some_and(|c| !c.is_empty()), || {
            format!("no client is selected after loading the sample: {client}")
        })?;

        server.stop();
        d.set_offline(true)?;
        // Offline for real: what the cache does not hold cannot be fetched.
        let probe = d.execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('./not-in-the-cache-' + Date.now()).then(r => done('answered ' + r.status), () => done('failed'));",
            vec![],
        )?;
        ensure(probe == json!("failed"), || {
            format!("with the server stopped and the network off, a fetch {probe}")
        })?;

        d.refresh()?;
        wait_ready(d)?;
        let name = before.0.clone().unwrap_or_default();
        let item = format!("[data-testid=dataset-item][data-name={}]", css_str(&name));
        d.wait_for(
            &format!("{item} listed after the offline reload"),
            WAIT,
            |d| Ok(d.exists(&item)?.then_some(())),
        )?;
        let client_after = d.execute(
            "const s = document.querySelector('[data-testid=client-select]');
             return s && s.selectedOptions[0] ? s.selectedOptions[0].text.trim() : null;",
            vec![],
        )?;
        ensure(client_after == client, || {
            format!("the client after the offline reload is {client_after}, before it was {client}")
        })?;
        if d.attr_of(&item, "data-selected")?.as_deref() != Some("true") {
            d.click_when_ready(&item)?;
        }
        // The profile and the preview (rows the worker reads from the
        // stored file: the worker started offline too).
        d.wait_for(
            "the sample's profile and preview rows after the offline reload",
            LOAD_WAIT,
            |d| {
                let shown = shown_profile(d)?;
                let cells = d.count("[data-testid=preview-table] [data-testid=preview-cell]")?;
                Ok((shown == before && cells > 0).then_some(()))
            },
        )?;
        ensure(d.page_error().is_none(), || {
            format!("the page shows an error offline: {:?}", d.page_error())
        })
    });
}

/// Installed before the page's own scripts: records CSP violations (in
/// the page and in the report) in `window.__violations`.
const VIOLATION_LISTENER: &str = "window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.effectiveDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber));";

/// The strings a script returns as a list.
fn strings(d: &Driver, script: &str) -> WdResult<Vec<String>> {
    let v = d.execute(script, vec![])?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_str().unwrap_or("?").to_string())
        .collect())
}

fn violations(d: &Driver) -> WdResult<Vec<String>> {
    strings(
        d,
        "return window.__violations || ['the listener is missing'];",
    )
}

/// Resource timing entries of the page: every URL it fetched.
fn resource_urls(d: &Driver) -> WdResult<Vec<String>> {
    strings(
        d,
        "return performance.getEntriesByType('resource').map(e => e.name);",
    )
}

/// Requests that leave `origin` (data: and blob: URLs stay in the page;
/// chrome:// is the browser's own start page, before the app opens).
fn egress<'a>(urls: &'a [String], origin: &str) -> Vec<&'a String> {
    urls.iter()
        .filter(|u| {
            !(u.starts_with(&format!("{origin}/"))
                || u.starts_with("data:")
                || u.starts_with("blob:")
                || u.starts_with("chrome://"))
        })
        .collect()
}

/// b) Every tab and the report: no request leaves the page's origin and no
/// CSP rule is broken (the page's, and the report's own once opened).
#[test]
fn no_request_leaves_the_origin_and_no_csp_violation() {
    scenario("pwa-egress", true, |d, server| {
        let origin = server.url("");
        d.on_new_document(VIOLATION_LISTENER)?;
        d.network_requests()?; // the browser's start page
        d.goto(&server.url("/"))?;
        wait_ready(d)?;
        wait_controlled(d)?;
        load_sample(d, LOAD_WAIT)?;

        // Each tab, until its content shows (the Clean tab once asked for
        // a proposed recipe).
        for (tab, click, shown) in [
            (
                "overview",
                None,
                "[data-testid=alert], [data-testid=preview-cell]",
            ),
            ("columns", None, "[data-testid=chart] canvas"),
            (
                "clean",
                Some("[data-testid=clean-auto]"),
                "[data-testid=proposal]",
            ),
            ("explore", None, "[data-testid=chart] canvas"),
            ("model", None, "[data-testid=ml-target]"),
        ] {
            d.click_when_ready(&format!("[data-testid=tab][data-tab={}]", css_str(tab)))?;
            if let Some(button) = click {
                d.click_when_ready(button)?;
            }
            d.wait_for(&format!("the {tab} tab to show {shown}"), LOAD_WAIT, |d| {
                let pending =
                    d.exists("[data-testid=explore-pending], [data-testid=alerts-pending]")?;
                Ok((!pending && d.exists(shown)?).then_some(()))
            })?;
        }

        // The storage line: bytes used, the quota, and whether they are kept.
        let usage = d.wait_for("storage-usage with a positive data-used", WAIT, |d| {
            let used: f64 = d
                .attr_of("[data-testid=storage-usage]", "data-used")?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            Ok((used > 0.0).then_some(used))
        })?;
        let quota: f64 = d
            .attr_of("[data-testid=storage-usage]", "data-quota")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let persisted = d.attr_of("[data-testid=storage-usage]", "data-persisted")?;
        let text = d
            .text_of("[data-testid=storage-usage]")?
            .unwrap_or_default();
        ensure(quota >= usage, || {
            format!("storage quota {quota} < used {usage}")
        })?;
        let says = match persisted.as_deref() {
            Some("true") => "kept until you delete it",
            Some("false") => "the browser may clear it",
            other => return Err(format!("storage-usage data-persisted is {other:?}").into()),
        };
        ensure(text.contains(" used · ") && text.contains(says), || {
            format!("storage-usage says {text:?} (data-persisted {persisted:?})")
        })?;

        d.click_when_ready("[data-testid=export-report]")?;
        let name = "sample-marketing-report.html";
        let report = d.wait_download(name, LOAD_WAIT)?;
        ensure(
            String::from_utf8_lossy(&report).contains("Content-Security-Policy"),
            || "the downloaded report carries no CSP".into(),
        )?;

        // The backup goes out and comes back in without a request either.
        d.click_when_ready("[data-testid=client-export]")?;
        let backup = d.downloads_dir().join("My-workspace.plainsight");
        d.wait_download("My-workspace.plainsight", LOAD_WAIT)?;
        d.find("[data-testid=client-import]")?
            .send_keys(&backup.to_string_lossy())?;
        d.wait_for("the backup restored as a second client", LOAD_WAIT, |d| {
            Ok((d.count("[data-testid=client-select] option")? == 2).then_some(()))
        })?;

        let mut requests = d.network_requests()?;
        requests.extend(resource_urls(d)?);
        ensure(requests.iter().any(|u| u.ends_with(".wasm")), || {
            format!("the request log misses the app's own wasm: {requests:?}")
        })?;
        let out = egress(&requests, &origin);
        ensure(out.is_empty(), || {
            format!("requests left the page's origin {origin}: {out:?}")
        })?;
        let broken = violations(d)?;
        ensure(broken.is_empty(), || {
            format!("CSP violations in the app: {broken:?}")
        })?;

        // The report, opened: its own CSP holds, and it fetches nothing.
        let file = d.downloads_dir().join(name);
        d.goto(&format!("file://{}", file.display()))?;
        d.wait_for("the report to open", WAIT, |d| {
            Ok(d.exists("main section")?.then_some(()))
        })?;
        let broken = violations(d)?;
        ensure(broken.is_empty(), || {
            format!("CSP violations in the report: {broken:?}")
        })?;
        let fetched = resource_urls(d)?;
        let mut logged = d.network_requests()?;
        logged.retain(|u| !u.starts_with("file://"));
        ensure(
            fetched.is_empty() && egress(&logged, &origin).is_empty(),
            || format!("the report fetched {fetched:?} {logged:?}"),
        )
    });
}

/// The build id sw.js names its cache by.
fn sw_build_id(dir: &Path) -> String {
    let sw = std::fs::read_to_string(dir.join("sw.js")).expect("read sw.js");
    let rest = sw
        .split("const BUILD_ID = \"")
        .nth(1)
        .expect("sw.js has a BUILD_ID");
    rest[..rest.find('"').expect("BUILD_ID ends")].to_string()
}

/// Build B: dist with a changed index.html (a marker), its sw.js written
/// again by the post-build script, as Trunk would after a change.
fn build_b(marker: &str) -> PathBuf {
    let b = std::env::temp_dir().join(format!("plainsight-build-b-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&b);
    copy_dir(&dist_dir(), &b).expect("copy dist");
    let html = std::fs::read_to_string(b.join("index.html")).expect("read index.html");
    let html = html.replacen(
        "<head>",
        &format!("<head><meta name=\"plainsight-build\" content=\"{marker}\">"),
        1,
    );
    std::fs::write(b.join("index.html"), html).expect("write index.html");
    let out = std::process::Command::new("bash")
        .arg(manifest_dir().join("scripts/pwa-postbuild.sh"))
        .env("TRUNK_STAGING_DIR", &b)
        .output()
        .expect("run scripts/pwa-postbuild.sh");
    assert!(
        out.status.success(),
        "scripts/pwa-postbuild.sh failed on build B: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    b
}

/// c) A new build installs beside the running one and waits: the page keeps
/// its build and offers the new one (`update-ready`); `update-reload`
/// switches to it, and the old build's cache is gone.
#[test]
fn new_version_waits_and_reload_switches_to_it() {
    let b = build_b("B");
    let (id_a, id_b) = (sw_build_id(&dist_dir()), sw_build_id(&b));
    assert_ne!(id_a, id_b, "build B's sw.js must have another build id");
    scenario("pwa-update", false, |d, server| {
        let marker_b = "meta[name=plainsight-build][content=B]";
        d.goto(&server.url("/"))?;
        wait_ready(d)?;
        wait_controlled(d)?;
        let caches = cache_names(d)?;
        ensure(caches == vec![format!("plainsight-{id_a}")], || {
            format!("build A's caches are {caches:?}, not [plainsight-{id_a}]")
        })?;
        ensure(!d.exists("[data-testid=update-ready]")?, || {
            "update-ready shows before any new build exists".into()
        })?;

        // Build B is deployed; the next visit finds it.
        server.set_mounts(vec![("/".to_string(), b.clone())]);
        d.refresh()?;
        wait_ready(d)?;
        d.wait_for("update-ready (the new build waits)", LOAD_WAIT, |d| {
            Ok(d.exists("[data-testid=update-ready]")?.then_some(()))
        })?;
        // Still build A in this page: served from A's cache, not mixed.
        ensure(!d.exists(marker_b)?, || {
            "the page runs build B's index.html before the user chose to reload".into()
        })?;

        d.execute("window.__before_update = true;", vec![])?;
        d.click_when_ready("[data-testid=update-reload]")?;
        d.wait_for("the page to reload into build B", LOAD_WAIT, |d| {
            let v = d.execute("return window.__before_update === undefined;", vec![])?;
            Ok((v.as_bool() == Some(true) && d.exists(marker_b)?).then_some(()))
        })?;
        wait_ready(d)?;
        wait_controlled(d)?;
        d.wait_for("only build B's cache to be left", WAIT, |d| {
            let caches = cache_names(d)?;
            Ok((caches == vec![format!("plainsight-{id_b}")]).then_some(()))
        })?;
        ensure(!d.exists("[data-testid=update-ready]")?, || {
            "update-ready still shows after switching to build B".into()
        })
    });
    let _ = std::fs::remove_dir_all(&b);
}

// ---- native checks of the built files ----

/// The `<script ...>` start tags of `html`.
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script")
        .map(|(i, _)| &html[i..i + html[i..].find('>').map_or(html.len() - i, |e| e + 1)])
        .collect()
}

fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((w, h))
}

fn files_under(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(dir).expect("read dist").flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, base, out);
        } else {
            let rel = p.strip_prefix(base).expect("under dist");
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// index.html loads only files (no inline script) under a strict CSP; the
/// manifest's icons exist at their sizes; sw.js lists exactly the build.
#[test]
fn built_app_is_a_strict_installable_pwa() {
    let dist = dist_dir();
    let html = std::fs::read_to_string(dist.join("index.html")).expect("read index.html");
    let tags = script_tags(&html);
    assert!(!tags.is_empty(), "index.html loads no script");
    for tag in &tags {
        assert!(
            tag.contains(" src="),
            "inline script in dist/index.html: {tag}"
        );
    }
    let csp_at = html
        .find("http-equiv=\"Content-Security-Policy\"")
        .expect("index.html has a CSP <meta>");
    let csp = html[csp_at..]
        .split("content=\"")
        .nth(1)
        .and_then(|c| c.split('"').next())
        .expect("the CSP <meta> has content");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for want in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "worker-src 'self'",
        "connect-src 'self'",
        "style-src 'self'",
        "manifest-src 'self'",
    ] {
        assert!(directives.contains(&want), "the CSP lacks {want:?}: {csp}");
    }
    for d in &directives {
        if d.starts_with("script-src") || d.starts_with("default-src") {
            assert!(
                !d.contains("'unsafe-inline'")
                    && !d.contains("'unsafe-eval'")
                    && !d.contains("blob:"),
                "the CSP's {d:?} is not strict"
            );
        }
    }

    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("manifest.webmanifest")).expect("read the manifest"),
    )
    .expect("the manifest is JSON");
    assert!(html.contains("rel=\"manifest\" href=\"manifest.webmanifest\""));
    assert_eq!(manifest["start_url"], "./");
    assert_eq!(manifest["display"], "standalone");
    let mut sizes = BTreeSet::new();
    for icon in manifest["icons"].as_array().expect("manifest icons") {
        let src = icon["src"].as_str().expect("icon src");
        let bytes = std::fs::read(dist.join(src)).unwrap_or_else(|e| panic!("icon {src}: {e}"));
        match icon["type"].as_str() {
            Some("image/png") => {
                let (w, h) = png_size(&bytes).unwrap_or_else(|| panic!("{src} is not a PNG"));
                assert_eq!(icon["sizes"], format!("{w}x{h}"), "{src}'s size");
                sizes.insert(w);
            }
            Some("image/svg+xml") => assert!(String::from_utf8_lossy(&bytes).contains("<svg")),
            other => panic!("icon {src} of type {other:?}"),
        }
    }
    assert!(
        sizes.contains(&192) && sizes.contains(&512),
        "PNG icons: {sizes:?}"
    );

    // sw.js caches every file of the build but itself, each with a digest.
    let sw = std::fs::read_to_string(dist.join("sw.js")).expect("read sw.js");
    let listed: BTreeSet<String> = sw
        .match_indices("{ url: \"")
        .map(|(i, m)| {
            let rest = &sw[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    let mut built = BTreeSet::new();
    files_under(&dist, &dist, &mut built);
    built.remove("sw.js");
    assert_eq!(listed, built, "sw.js must list exactly the build's files");
    assert_eq!(
        sw.matches("integrity: \"sha256-").count(),
        built.len(),
        "every listed file has its digest"
    );
    assert_eq!(sw_build_id(&dist).len(), 16);
    assert!(!sw.contains("__PRECACHE__") && !sw.contains("__BUILD_ID__"));
}

/// The downloaded report allows no script and no request at all.
#[test]
fn report_has_its_own_strict_csp() {
    use plainsight::core::report::{contents, report_html, ReportInput, ReportRequest, REPORT_CSP};
    use plainsight::core::sample::{marketing_csv, SAMPLE_FILE_NAME};
    let ds = plainsight::core::read_bytes(SAMPLE_FILE_NAME, marketing_csv().as_bytes())
        .expect("the sample reads");
    let p = plainsight::core::profile(&ds);
    let contents =
        contents(&ds, &p, None, None, ReportRequest::default()).expect("no recipe to fail");
    let html = report_html(&ReportInput {
        profile: &p,
        contents: &contents,
        model: None,
        generated: "2026-01-01 00:00",
    });
    let head = &html[..html.find("</head>").expect("a head")];
    assert!(
        head.contains(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{REPORT_CSP}\">"
        )),
        "the report's head has no CSP: {head}"
    );
    let directives: Vec<&str> = REPORT_CSP.split(';').map(str::trim).collect();
    assert!(directives.contains(&"default-src 'none'"), "{REPORT_CSP}");
    assert!(!REPORT_CSP.contains("script-src"), "{REPORT_CSP}");
    assert!(!html.contains("<script"));
}
