//! The report a user hands to a client: one self-contained HTML file (its
//! style inline, charts inline as SVG, no script, no external request) with
//! a narrative summary written from the numbers, the overview, alerts,
//! column details, missing values, correlations, the trend and the
//! cleaning recipe with its last run.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::core::chart::{svg, ChartData};
use crate::core::clean::recipe::run;
use crate::core::clean::{CleanError, RunLog, Step};
use crate::core::explore::alerts::{AlertConfig, Severity};
use crate::core::explore::correlate::Pair;
use crate::core::explore::defaults::default_trend;
use crate::core::explore::trend::Trend;
use crate::core::explore::{answer, insights_reusing, Answer, Insights};
use crate::core::format;
use crate::core::ingest::Dataset;
use crate::core::ml::automl::{Board, Status};
use crate::core::model::{ColumnProfile, ColumnType, DatasetProfile};

/// What the user chose for a report. The page sends its own (the alert
/// thresholds set on Explore, the trend drawn there, the applied recipe);
/// the CLI sends the defaults and `--recipe`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub alerts: AlertConfig,
    /// The trend the user drew; None: the data's default trend, if it has
    /// dates ([`default_trend`]).
    pub trend: Option<Trend>,
    /// The applied cleaning recipe (empty: none).
    pub recipe: Vec<Step>,
}

/// What a report shows besides the profile, computed from the data: the
/// one way its contents are gathered, for the worker and the CLI alike.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportContents {
    pub insights: Insights,
    pub trend: Option<Trend>,
    pub recipe: Vec<Step>,
    /// The recipe's run on the raw data (None without a recipe).
    pub last_run: Option<RunLog>,
}

/// The contents of the report on `raw` (profiled as `profile`) that `req`
/// asks for. `known` and `ran` are what the caller already computed about
/// the same data (earlier insights; the log of this very recipe): reused,
/// not computed again. Fails only when the recipe cannot run.
pub fn contents(
    raw: &Dataset,
    profile: &DatasetProfile,
    known: Option<Insights>,
    ran: Option<&RunLog>,
    req: ReportRequest,
) -> Result<ReportContents, CleanError> {
    let insights = insights_reusing(raw, profile, known, &req.alerts);
    let trend = req.trend.or_else(|| {
        default_trend(profile).and_then(|q| match answer(raw, &q) {
            Ok(Answer::Trend(t)) => Some(t),
            _ => None,
        })
    });
    let last_run = match (req.recipe.is_empty(), ran) {
        (true, _) => None,
        (false, Some(log)) => Some(log.clone()),
        (false, None) => Some(run(raw, &req.recipe)?.1),
    };
    Ok(ReportContents {
        insights,
        trend,
        recipe: req.recipe,
        last_run,
    })
}

/// The leaderboard a report shows, with its warnings in words (the
/// caller writes them: sentences live above the core).
pub struct ReportModel<'a> {
    pub board: &'a Board,
    pub warnings: Vec<String>,
    /// Which training it is, when not this session's (e.g. "Saved version
    /// 3, trained 2026-12-03 13:48 UTC").
    pub source: Option<String>,
}

/// What goes into a report.
pub struct ReportInput<'a> {
    pub profile: &'a DatasetProfile,
    pub contents: &'a ReportContents,
    /// The finished leaderboard of the dataset, if one was trained.
    pub model: Option<ReportModel<'a>>,
    /// When the report was made, as the caller's clock says (the core has
    /// none).
    pub generated: &'a str,
}

/// `s` with the HTML special characters escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Attributes are double-quoted: an apostrophe stays as it is.
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn strength(v: f64) -> &'static str {
    match v.abs() {
        a if a >= 0.7 => "strongly",
        a if a >= 0.4 => "moderately",
        _ => "weakly",
    }
}

fn symbol(method: &str) -> &'static str {
    match method {
        "pearson" => "r",
        "spearman" => "ρ",
        "cramers_v" => "V",
        _ => "η",
    }
}

fn pair_sentence(p: &Pair) -> String {
    let how = if p.method == "pearson" || p.method == "spearman" {
        if p.value < 0.0 {
            "inversely correlated"
        } else {
            "correlated"
        }
    } else {
        "associated"
    };
    format!(
        "'{}' and '{}' are {} {how} ({} = {:.2})",
        p.a,
        p.b,
        strength(p.value),
        symbol(&p.method),
        p.value
    )
}

/// The summary in sentences, from the numbers.
pub fn narrative(input: &ReportInput) -> Vec<String> {
    let p = input.profile;
    let mut out = Vec::new();
    let count =
        |t: fn(ColumnType) -> bool| p.column_profiles.iter().filter(|c| t(c.dtype)).count() as u64;
    let numeric = count(|t| t.is_numeric());
    let dates = count(|t| matches!(t, ColumnType::Date | ColumnType::Datetime));
    let text = p.columns.saturating_sub(numeric + dates);
    out.push(format!(
        "{} and {} ({} numeric, {} with text or categories, {}).",
        format::count(p.rows, "row", "rows"),
        format::count(p.columns, "column", "columns"),
        format::int(numeric),
        format::int(text),
        format::count(dates, "with dates", "with dates")
    ));
    let cells = p.rows * p.columns;
    let missing: u64 = p.column_profiles.iter().map(|c| c.missing).sum();
    if missing == 0 {
        out.push("No cell is missing.".into());
    } else if let Some(worst) = p.column_profiles.iter().max_by_key(|c| c.missing) {
        out.push(format!(
            "{} of the cells are missing ({} rows have a gap); the most in '{}' ({}).",
            format::percent(missing, cells),
            format::int(input.contents.insights.missing.rows_with_missing),
            worst.name,
            format::percent(worst.missing, p.rows)
        ));
    }
    if p.duplicate_rows > 0 {
        out.push(format!(
            "{} repeat an earlier row exactly.",
            format::count(p.duplicate_rows, "row", "rows")
        ));
    }
    let skewed: Vec<String> = input
        .contents
        .insights
        .alerts
        .iter()
        .filter(|a| a.kind == "skewed")
        .filter_map(|a| a.column.as_ref().map(|c| format!("'{c}'")))
        .collect();
    match skewed.len() {
        0 => {}
        1 => out.push(format!(
            "The {} column is highly skewed: a few large values pull its mean away from its median.",
            skewed[0]
        )),
        _ => out.push(format!(
            "{} are highly skewed: a few large values pull their means away from their medians.",
            list(&skewed)
        )),
    }
    let strong: Vec<&Pair> = input
        .contents
        .insights
        .correlations
        .top
        .iter()
        .filter(|p| p.value.abs() >= 0.5)
        .take(3)
        .collect();
    match strong.as_slice() {
        [] => out.push("No two columns are strongly related (all |r|, V and η below 0.5).".into()),
        pairs => out.push(format!(
            "{}.",
            pairs
                .iter()
                .map(|p| pair_sentence(p))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
    let warnings = input
        .contents
        .insights
        .alerts
        .iter()
        .filter(|a| a.severity == Severity::Warning)
        .count() as u64;
    if warnings > 0 {
        out.push(format!(
            "{} need attention before the data is used (see Alerts).",
            format::count(warnings, "warning", "warnings")
        ));
    }
    if let Some(t) = &input.contents.trend {
        if let Some(s) = t.sentence() {
            out.push(s);
        }
    }
    if let Some(run) = &input.contents.last_run {
        out.push(format!(
            "A cleaning recipe of {} was applied: {} in, {} out; {} in, {} out.",
            format::count(run.steps.len() as u64, "step", "steps"),
            format::count(run.rows_in, "row", "rows"),
            format::int(run.rows_out),
            format::count(run.columns_in, "column", "columns"),
            format::int(run.columns_out),
        ));
    }
    out
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

const STYLE: &str = "
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1f23;background:#fff;margin:0}
main{max-width:1100px;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #dcdfe4;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:0 0 .3rem}
.muted{color:#5b6069}.small{font-size:.88em}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.3rem 0}
th,td{border:1px solid #dcdfe4;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f5}td.num{text-align:right}
.cols{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1rem}
.col{border:1px solid #dcdfe4;border-radius:8px;padding:.75rem;break-inside:avoid}
.badge{font-size:.78em;background:#eef1f4;border-radius:4px;padding:0 .35rem;margin-left:.4rem;color:#37404a}
.warning .badge{background:#fde8dc;color:#8a3a00}
ul.alerts{padding-left:1.2rem}ul.alerts li{margin:.2rem 0}
svg{max-width:100%;height:auto;display:block}
figure{margin:.5rem 0}figcaption{font-size:.88em;color:#5b6069}
.summary li{margin:.25rem 0}
@media print{h2{break-after:avoid}.col,figure{break-inside:avoid}}
";

fn figure(out: &mut String, data: &ChartData, column: &str, kind: &str, caption: &str) {
    let _ = write!(
        out,
        "<figure data-kind=\"{kind}\" data-column=\"{}\" role=\"img\" aria-label=\"{}\">{}<figcaption>{}</figcaption></figure>",
        esc(column),
        esc(&data.describe(caption)),
        svg(data, column),
        esc(caption)
    );
}

fn stat_row(out: &mut String, label: &str, key: &str, value: String, text: String) {
    let _ = write!(
        out,
        "<tr><th scope=\"row\">{}</th><td class=\"num\" data-stat=\"{key}\" data-value=\"{}\">{}</td></tr>",
        esc(label),
        esc(&value),
        esc(&text)
    );
}

fn column_section(out: &mut String, input: &ReportInput, c: &ColumnProfile) {
    let p = input.profile;
    let _ = write!(
        out,
        "<section class=\"col\" data-column=\"{}\"><h3>{}<span class=\"badge\">{}</span></h3><table>",
        esc(&c.name),
        esc(&c.name),
        c.dtype.as_str()
    );
    let f = |v: Option<f64>| v.map(format::num).unwrap_or_else(|| "—".into());
    let raw = |v: Option<f64>| format::machine_f64(v);
    stat_row(
        out,
        "Values",
        "count",
        c.count.to_string(),
        format::int(c.count),
    );
    stat_row(
        out,
        "Missing",
        "missing",
        c.missing.to_string(),
        format!(
            "{} ({})",
            format::int(c.missing),
            format::percent(c.missing, p.rows)
        ),
    );
    stat_row(
        out,
        "Distinct",
        "distinct",
        c.distinct.to_string(),
        format::int(c.distinct),
    );
    if c.dtype.is_numeric() {
        stat_row(out, "Mean", "mean", raw(c.mean), f(c.mean));
        stat_row(out, "Std. dev.", "std", raw(c.std), f(c.std));
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        stat_row(out, "Min", "min", text(&c.min), text(&c.min));
        stat_row(out, "25%", "p25", raw(c.p25), f(c.p25));
        stat_row(out, "Median", "p50", raw(c.p50), f(c.p50));
        stat_row(out, "75%", "p75", raw(c.p75), f(c.p75));
        stat_row(out, "Max", "max", text(&c.max), text(&c.max));
        if let Some(z) = c.zeros {
            stat_row(out, "Zeros", "zeros", z.to_string(), format::int(z));
        }
    } else if matches!(c.dtype, ColumnType::Date | ColumnType::Datetime) {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        stat_row(out, "First", "min", text(&c.min), text(&c.min));
        stat_row(out, "Last", "max", text(&c.max), text(&c.max));
    } else if let Some((top, n)) = c.top.first() {
        stat_row(
            out,
            "Most frequent",
            "top",
            top.clone(),
            format!("{top} ({})", format::int(*n)),
        );
    }
    out.push_str("</table>");
    let is_time = matches!(c.dtype, ColumnType::Date | ColumnType::Datetime);
    if let (true, Some(h)) = (c.dtype.is_numeric() || is_time, &c.histogram) {
        let data = if is_time {
            ChartData::DateHistogram(h.clone())
        } else {
            ChartData::Histogram(h.clone())
        };
        let caption = format!(
            "Distribution of {} ({} equal-width bins, Sturges' rule within 10–30)",
            c.name,
            h.counts.len()
        );
        figure(out, &data, &c.name, "histogram", &caption);
    } else if !c.top.is_empty() {
        let caption = format!("Most frequent values of {}", c.name);
        figure(
            out,
            &ChartData::Bars(c.top.clone()),
            &c.name,
            "bar",
            &caption,
        );
    }
    if let Some(b) = input
        .contents
        .insights
        .boxes
        .iter()
        .find(|b| b.column == c.name)
    {
        let caption = format!(
            "Spread of {}: box from the 25% to the 75% value, median line, whiskers to 1.5 × IQR; {}",
            c.name,
            format::count(b.outlier_count, "outlier", "outliers")
        );
        figure(out, &ChartData::Box(b.clone()), &c.name, "box", &caption);
    }
    out.push_str("</section>");
}

/// The report's own policy: no script at all, nothing fetched; only its
/// inline style sheet, style attributes and data: images.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The report as one HTML document.
pub fn report_html(input: &ReportInput) -> String {
    let p = input.profile;
    let ins = &input.contents.insights;
    let name = &p.facts.name;
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{REPORT_CSP}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"Plainsight\">\
         <title>Data report: {}</title><style>{STYLE}</style></head><body><main>",
        esc(name)
    );
    let _ = write!(
        out,
        "<header><p class=\"muted small\">Data report · made offline with Plainsight on {}</p><h1>{}</h1></header>",
        esc(input.generated),
        esc(name)
    );
    // The table of contents goes here once the sections are known.
    out.push_str(TOC_MARK);
    // Summary.
    out.push_str(
        "<h2 id=\"summary\">Summary</h2><ul class=\"summary\" data-section=\"narrative\">",
    );
    for s in narrative(input) {
        let _ = write!(out, "<li>{}</li>", esc(&s));
    }
    out.push_str("</ul>");
    // Overview.
    let f = &p.facts;
    let format_name = f.format.label();
    out.push_str("<h2 id=\"overview\">Overview</h2><table data-section=\"overview\">");
    let mut fact = |label: &str, key: &str, value: String, text: String| {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td data-fact=\"{key}\" data-value=\"{}\">{}</td></tr>",
            esc(label),
            esc(&value),
            esc(&text)
        );
    };
    fact("File", "name", f.name.clone(), f.name.clone());
    fact(
        "Format",
        "format",
        f.format.key().to_string(),
        match &f.sheet {
            Some(sheet) => format!("{format_name}, sheet \"{sheet}\""),
            None => format!("{format_name}, {}", f.encoding),
        },
    );
    fact("Rows", "rows", p.rows.to_string(), format::int(p.rows));
    fact(
        "Columns",
        "columns",
        p.columns.to_string(),
        format::int(p.columns),
    );
    fact(
        "Duplicate rows",
        "duplicates",
        p.duplicate_rows.to_string(),
        format!(
            "{} ({})",
            format::int(p.duplicate_rows),
            format::percent(p.duplicate_rows, p.rows)
        ),
    );
    fact(
        "Rows with a missing cell",
        "rows-with-missing",
        ins.missing.rows_with_missing.to_string(),
        format::int(ins.missing.rows_with_missing),
    );
    out.push_str("</table>");
    if !p.notes.is_empty() {
        out.push_str("<ul class=\"small\">");
        for n in &p.notes {
            let _ = write!(out, "<li>{}</li>", esc(&n.message));
        }
        out.push_str("</ul>");
    }
    // Alerts.
    let _ = write!(out, "<h2 id=\"alerts\">Alerts ({})</h2>", ins.alerts.len());
    if ins.alerts.is_empty() {
        out.push_str("<p class=\"muted\">No alert for this data.</p>");
    } else {
        out.push_str("<ul class=\"alerts\" data-section=\"alerts\">");
        for a in &ins.alerts {
            let class = match a.severity {
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let _ = write!(
                out,
                "<li class=\"{class}\" data-kind=\"{}\" data-column=\"{}\"><span class=\"badge\">{}</span> {}{}</li>",
                esc(&a.kind),
                esc(a.column.as_deref().unwrap_or_default()),
                esc(&a.kind.replace('-', " ")),
                esc(&a.message),
                a.fix
                    .as_ref()
                    .map(|s| format!(" <span class=\"muted\">Fix: {}.</span>", esc(&s.describe())))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul>");
    }
    // Columns.
    out.push_str("<h2 id=\"columns\">Columns</h2><div class=\"cols\">");
    for c in &p.column_profiles {
        column_section(&mut out, input, c);
    }
    out.push_str("</div>");
    // Missing values.
    if ins.missing.rows_with_missing > 0 {
        out.push_str("<h2 id=\"missing\">Missing values</h2>");
        let caption = format!(
            "Missing cells by column, rows in file order in bands of {} rows (orange: a band with missing cells, darker: more)",
            format::int(ins.missing.band_rows)
        );
        figure(
            &mut out,
            &ChartData::Missing(ins.missing.clone()),
            "",
            "missing",
            &caption,
        );
    }
    // Correlations.
    let c = &ins.correlations;
    out.push_str("<h2 id=\"correlations\">Correlations</h2>");
    if c.numeric.len() >= 2 {
        let data = ChartData::Heatmap {
            rows: c.numeric.clone(),
            cols: c.numeric.clone(),
            values: c.pearson.clone(),
            signed: true,
        };
        figure(
            &mut out,
            &data,
            "pearson",
            "heatmap",
            "Correlation of the numeric columns (Pearson r; orange positive, blue negative)",
        );
    }
    if c.categorical.len() >= 2 {
        let data = ChartData::Heatmap {
            rows: c.categorical.clone(),
            cols: c.categorical.clone(),
            values: c.cramers_v.clone(),
            signed: false,
        };
        figure(
            &mut out,
            &data,
            "cramers_v",
            "heatmap",
            "Association of the categorical columns (Cramér's V)",
        );
    }
    if c.top.is_empty() {
        out.push_str("<p class=\"muted\">Not enough numeric or categorical columns to relate.</p>");
    } else {
        out.push_str("<table data-section=\"pairs\"><thead><tr><th>Columns</th><th>Measure</th><th>Value</th></tr></thead><tbody>");
        for p in c.top.iter().take(15) {
            let _ = write!(
                out,
                "<tr data-a=\"{}\" data-b=\"{}\" data-method=\"{}\" data-value=\"{}\"><td>{} × {}</td><td>{}</td><td class=\"num\">{:.3}</td></tr>",
                esc(&p.a),
                esc(&p.b),
                esc(&p.method),
                p.value,
                esc(&p.a),
                esc(&p.b),
                symbol(&p.method),
                p.value
            );
        }
        out.push_str("</tbody></table>");
    }
    // Trend.
    if let Some(t) = &input.contents.trend {
        out.push_str("<h2 id=\"trend\">Trend</h2>");
        if let Some(s) = t.sentence() {
            let _ = write!(out, "<p data-section=\"trend\">{}</p>", esc(&s));
        }
        let caption = t.title();
        figure(
            &mut out,
            &ChartData::Trend(t.clone()),
            &t.date,
            "trend",
            &caption,
        );
    }
    // Cleaning.
    if !input.contents.recipe.is_empty() {
        out.push_str("<h2 id=\"cleaning\">Cleaning</h2><ol data-section=\"recipe\">");
        for (i, step) in input.contents.recipe.iter().enumerate() {
            let effect = input
                .contents
                .last_run
                .as_ref()
                .and_then(|r| r.steps.get(i))
                .map(|r| format!(" — {}", r.effects()))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<li data-op=\"{}\">{}{}</li>",
                esc(step.op()),
                esc(&step.describe()),
                esc(&effect)
            );
        }
        out.push_str("</ol>");
        if let Some(run) = &input.contents.last_run {
            let _ = write!(
                out,
                "<p class=\"muted small\">Last run{}: {} in, {} out; {} in, {} out. The recipe runs again from the raw file, which is never changed.</p>",
                if run.at.is_empty() {
                    String::new()
                } else {
                    format!(" {}", esc(&run.at))
                },
                format::count(run.rows_in, "row", "rows"),
                format::int(run.rows_out),
                format::count(run.columns_in, "column", "columns"),
                format::int(run.columns_out)
            );
        }
    }
    if let Some(m) = &input.model {
        model_section(&mut out, m);
    }
    out.push_str(
        "<p class=\"muted small\" style=\"margin-top:2rem\">This report is one file: it needs no connection and sends nothing anywhere.</p></main></body></html>",
    );
    let toc = contents_list(&out);
    out.replacen(TOC_MARK, &toc, 1)
}

/// Where the table of contents goes (replaced once the report is written).
const TOC_MARK: &str = "<!--contents-->";

/// The table of contents of a written report: a link to each `<h2>` with
/// an id, in order.
fn contents_list(html: &str) -> String {
    let mut items = String::new();
    for part in html.split("<h2 id=\"").skip(1) {
        let Some((id, rest)) = part.split_once("\">") else {
            continue;
        };
        let Some((title, _)) = rest.split_once("</h2>") else {
            continue;
        };
        let _ = write!(items, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    format!("<nav class=\"toc\" data-section=\"contents\" aria-label=\"Contents\"><h2 class=\"toc-title\">Contents</h2><ol>{items}</ol></nav>")
}

/// The leaderboard, its warnings and what drives the best model.
fn model_section(out: &mut String, m: &ReportModel) {
    let b = m.board;
    let task = &b.setup.task;
    let metric = task.main_metric();
    let _ = write!(
        out,
        "<h2 id=\"model\">Model</h2><p data-section=\"model-setup\">{} of {} on {}: {} to learn from (5-fold cross-validation), {} held out to test; seed {}.</p>",
        esc(task.as_str()),
        esc(b.setup.target.as_deref().unwrap_or("no target (groups of similar rows)")),
        format::count(b.rows as u64, "row", "rows"),
        format::int(b.train_rows as u64),
        format::int(b.test_rows as u64),
        b.setup.seed
    );
    if let Some(source) = &m.source {
        let _ = write!(
            out,
            "<p class=\"muted\" data-section=\"model-source\">{}.</p>",
            esc(source)
        );
    }
    let _ = write!(
        out,
        "<table data-section=\"leaderboard\"><thead><tr><th>Model</th><th>CV {metric}</th><th>Test {metric}</th><th>Time</th><th>Status</th></tr></thead><tbody>"
    );
    for e in &b.entries {
        let cv = match (e.cv_mean(), e.cv_std()) {
            (Some(m), Some(s)) => format!("{} ± {}", format::short(m), format::short(s)),
            (Some(m), None) => format::short(m),
            _ => "—".into(),
        };
        let test = e
            .scores
            .as_ref()
            .and_then(|s| s.main())
            .map_or("—".into(), format::short);
        let status = match &e.status {
            Status::Done if b.best == Some(e.model) => "best".to_string(),
            Status::Done => String::new(),
            Status::Failed { error } => format!("failed: {error}"),
            Status::Skipped => "skipped".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        let _ = write!(
            out,
            "<tr data-model=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} s</td><td>{}</td></tr>",
            esc(e.model.name()),
            esc(&e.label),
            esc(&cv),
            esc(&test),
            format::short(e.train_secs),
            esc(&status)
        );
    }
    out.push_str("</tbody></table>");
    if !m.warnings.is_empty() {
        out.push_str("<ul data-section=\"model-warnings\">");
        for w in &m.warnings {
            let _ = write!(out, "<li>{}</li>", esc(w));
        }
        out.push_str("</ul>");
    }
    if let (Some(x), Some(best)) = (&b.explanation, b.best) {
        let _ = write!(
            out,
            "<h3>What drives the {} (permutation importance on the test rows)</h3><table data-section=\"importance\"><tbody>",
            esc(best.label(task))
        );
        for (f, mean, sd) in x.importance.iter().take(10) {
            let _ = write!(
                out,
                "<tr data-feature=\"{}\" data-value=\"{mean}\"><td>{}</td><td class=\"num\">{} ± {}</td></tr>",
                esc(f),
                esc(f),
                format::short(*mean),
                format::short(*sd)
            );
        }
        out.push_str("</tbody></table>");
    }
}
