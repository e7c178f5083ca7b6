//! The root component: layout, theme, job status bar and error message.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{use_pixel_ratio, DrawTick};
use super::clean::CleanTab;
use super::columns::ColumnsTab;
use super::controller::{Controller, RecipeChange, ReportParts};
use super::explore::ExploreTab;
use super::format;
use super::model::ModelTab;
use super::overview::OverviewTab;
use super::sidebar::Sidebar;
use super::state::{JobState, State, Tab};
use crate::core::explore::Answer;

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let ctl = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Controller::new(dispatcher))
    };
    {
        let ctl = (*ctl).clone();
        use_effect_with((), move |_| {
            // The app is drawn: index.html's boot screen goes.
            if let Some(boot) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("boot"))
            {
                boot.remove();
            }
            super::mark("plainsight-drawn");
            ctl.start()
        });
    }
    let ctl: Controller = (*ctl).clone();
    let theme = use_state(|| None::<&'static str>);
    let toggle_theme = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let dark_now = match *theme {
                Some(t) => t == "dark",
                None => prefers_dark(),
            };
            let next = if dark_now { "light" } else { "dark" };
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("data-theme", next);
            }
            theme.set(Some(next));
        })
    };

    // Below 700 px the sidebar is a drawer (`drawer-toggle`); choosing a
    // dataset closes it.
    let drawer = use_state_eq(|| false);
    {
        let drawer = drawer.clone();
        use_effect_with(state.selected.clone(), move |_| drawer.set(false));
    }
    let toggle_drawer = {
        let drawer = drawer.clone();
        Callback::from(move |_| drawer.set(!*drawer))
    };
    let close_drawer = {
        let drawer = drawer.clone();
        Callback::from(move |_: ()| drawer.set(false))
    };
    let s = &*state;
    let tick = DrawTick {
        theme: match *theme {
            None => 0,
            Some("light") => 1,
            Some(_) => 2,
        },
        ratio: use_pixel_ratio(),
    };
    html! {
        <ContextProvider<DrawTick> context={tick}>
        <div class={classes!("app", drawer.then_some("drawer-open"))}>
            <header class="topbar">
                <button class="ghost drawer-toggle" data-testid="drawer-toggle" onclick={toggle_drawer}
                    aria-expanded={drawer.to_string()} aria-controls="sidebar">
                    {"☰ Data"}
                </button>
                <div class="brand">{"Plainsight"}</div>
                <div class="privacy" data-testid="privacy-note">
                    {"Your data stays on this computer: files are read and stored only in this browser, and nothing is uploaded."}
                </div>
                <button class="ghost" onclick={toggle_theme} aria-label="Switch between light and dark theme">{"Theme"}</button>
            </header>
            <Sidebar state={state.clone()} ctl={ctl.clone()} on_chosen={close_drawer.clone()} />
            if *drawer {
                <div class="drawer-backdrop" onclick={close_drawer.reform(|_: MouseEvent| ())} aria-hidden="true"></div>
            }
            <main class="main">
                <super::pwa::UpdatePrompt />
                { engine_view(s, &ctl) }
                { error_view(s, &ctl) }
                { notice_view(s, &ctl) }
                if let Some(pick) = &s.sheet_pick {
                    <super::sheets::SheetPicker key={pick.file.clone()} pick={pick.clone()} ctl={ctl.clone()} />
                }
                { sync_view(s, &ctl) }
                { bench_view(s) }
                { main_view(s, &ctl) }
            </main>
            { job_view(s, &ctl) }
        </div>
        </ContextProvider<DrawTick>>
    }
}

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

fn error_view(s: &State, ctl: &Controller) -> Html {
    let Some(msg) = &s.error else { return html! {} };
    let ctl = ctl.clone();
    html! {
        <div class="error" role="alert">
            <span data-testid="error-message">{ msg }</span>
            <button class="ghost" onclick={Callback::from(move |_| ctl.dismiss_error())} aria-label="Dismiss this message">{"Dismiss"}</button>
        </div>
    }
}

/// The engine stopped: what happened, and (`data-recovered`) whether the
/// shown dataset is back.
fn engine_view(s: &State, ctl: &Controller) -> Html {
    let Some(e) = &s.engine else { return html! {} };
    let ctl = ctl.clone();
    let status = if e.recovered {
        "The dataset is back; you can go on."
    } else {
        "Reading the dataset again…"
    };
    html! {
        <div class={if e.recovered { "notice" } else { "error" }} role={if e.recovered { "status" } else { "alert" }}
            data-testid="engine-error" data-recovered={e.recovered.to_string()}>
            <span>{ &e.message }{" "}{ status }</span>
            <button class="ghost" onclick={Callback::from(move |_| ctl.dismiss_engine_error())} aria-label="Dismiss this message">{"Dismiss"}</button>
        </div>
    }
}

/// The tree learners' timing, when the page was opened with `?bench=trees`.
fn bench_view(s: &State) -> Html {
    match &s.bench_trees {
        None => html! {},
        Some(Ok(t)) => html! {
            <pre class="notice" data-testid="bench-trees" data-rows={t.rows.to_string()}
                data-binning={t.binning.to_string()} data-forest={t.forest.to_string()}
                data-boosting={t.boosting.to_string()} data-kmeans={t.kmeans.to_string()}
                data-knn={t.knn_predict.to_string()}>
                { format!("Learners on {} rows x 20 features (one thread, in this page's worker):\nbinning {:.2} s, random forest (100 trees) {:.2} s, gradient boosting (100 iterations) {:.2} s\ntraining accuracy: forest {:.3}, boosting {:.3}\nk-means (k = 8, 3 starts) {:.2} s, inertia {:.1}; k-NN prediction of 1,000 rows {:.3} s, accuracy {:.3}",
                    t.rows, t.binning, t.forest, t.boosting, t.forest_accuracy, t.boosting_accuracy,
                    t.kmeans, t.kmeans_inertia, t.knn_predict, t.knn_accuracy) }
            </pre>
        },
        Some(Err(e)) => {
            html! { <pre class="error" data-testid="bench-trees" data-error="true">{ e }</pre> }
        }
    }
}

/// Another tab changed this client (`tab-sync`), or a newer Plainsight in
/// another tab closed this page's storage (`db-outdated`: reload).
fn sync_view(s: &State, ctl: &Controller) -> Html {
    let outdated = s.outdated.then(|| {
        let reload = Callback::from(|_| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        html! {
            <div class="error" role="alert" data-testid="db-outdated">
                <span>{"Plainsight was updated in another tab, so this tab can no longer save. Reload it to go on; nothing was lost."}</span>
                <button onclick={reload}>{"Reload"}</button>
            </div>
        }
    });
    let note = s.tab_sync.as_ref().map(|msg| {
        let ctl = ctl.clone();
        html! {
            <div class="notice" role="status" data-testid="tab-sync">
                <span>{ msg }</span>
                <button class="ghost" onclick={Callback::from(move |_| ctl.dismiss_tab_sync())}>{"OK"}</button>
            </div>
        }
    });
    html! { <>{ for outdated }{ for note }</> }
}

fn notice_view(s: &State, ctl: &Controller) -> Html {
    let Some(msg) = &s.notice else {
        return html! {};
    };
    let ctl = ctl.clone();
    html! {
        <div class="notice" role="status" data-testid="notice">
            <span>{ msg }</span>
            <button class="ghost" onclick={Callback::from(move |_| ctl.dispatch_notice_clear())}>{"OK"}</button>
        </div>
    }
}

fn job_view(s: &State, ctl: &Controller) -> Html {
    let job = &s.job;
    let running = job.state == JobState::Running && job.cancellable;
    let cancel = {
        let ctl = ctl.clone();
        Callback::from(move |_| ctl.cancel_job())
    };
    let text = match job.state {
        JobState::Idle => "Ready".to_string(),
        JobState::Running => format!("{}… {:.0}%", job.label, job.progress * 100.0),
        // Ready again; the finished job is named as the last one, so it
        // does not read as work going on (on another tab, later).
        JobState::Done => match job.elapsed_ms {
            Some(ms) => format!(
                "Ready · last job: {}, done in {:.1} s",
                job.label,
                ms / 1000.0
            ),
            None => format!("Ready · last job: {}, done", job.label),
        },
        JobState::Error => format!("Ready · last job: {}, failed", job.label),
    };
    html! {
        <footer class="statusbar" data-testid="job-status" data-state={job.state.as_str()}
            data-elapsed-ms={format::machine_f64(job.elapsed_ms)}
            data-read-ms={format::machine_f64(job.read_ms)}
            data-read-parts={job.read_parts.map(|p| p.to_string()).unwrap_or_default()}
            data-wasm-memory={job.wasm_memory.map(|m| m.to_string()).unwrap_or_default()}
            data-wasm-memory-marks={memory_marks(&job.memory_marks)}
            data-insights-helper={job.insights_helper.map(|h| u8::from(h).to_string()).unwrap_or_default()}>
            <span class="status-text" role="status" aria-live="polite">{ text }</span>
            <progress data-testid="progress" max="1" value={job.progress.to_string()}
                data-value={job.progress.to_string()} aria-label="Progress of the current job"></progress>
            if running {
                <button class="ghost" data-testid="job-cancel" onclick={cancel}>{"Cancel"}</button>
            }
        </footer>
    }
}

/// The worker's memory after each step of the last load, as
/// `step bytes; step bytes` (`data-wasm-memory-marks`).
fn memory_marks(marks: &[(String, u64)]) -> String {
    marks
        .iter()
        .map(|(step, bytes)| format!("{step} {bytes}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn main_view(s: &State, ctl: &Controller) -> Html {
    if !s.ready {
        return html! { <div class="empty"><p>{"Opening your saved workspaces…"}</p></div> };
    }
    let (Some(rec), Some(profile)) = (s.selected_record(), s.profile.clone()) else {
        if !s.datasets.is_empty() {
            return html! {
                <div class="empty">
                    <h1>{"No dataset selected"}</h1>
                    <p>{"Pick a dataset in the list of datasets (on a phone, under “☰ Data”) to see its profile."}</p>
                </div>
            };
        }
        let busy = s.job.state == JobState::Running;
        let on_sample = {
            let (ctl, client) = (ctl.clone(), s.client.clone());
            Callback::from(move |_| ctl.load_sample(client.clone()))
        };
        // The sidebar's file input opens the browser's file chooser.
        let on_open = Callback::from(|_| {
            if let Some(input) = super::html_element("[data-testid=upload-input]") {
                input.click();
            }
        });
        return html! {
            <div class="empty welcome">
                <h1>{"See what is in your data — without uploading it"}</h1>
                <div class="welcome-actions">
                    <button class="primary big" data-testid="welcome-open" onclick={on_open} disabled={busy}>
                        {"Open a file"}
                    </button>
                    <button class="ghost big" data-testid="welcome-sample" onclick={on_sample} disabled={busy}>
                        {"Try sample data"}
                    </button>
                </div>
                <p class="muted small">{"CSV, TSV, JSON, NDJSON, a spreadsheet (.xlsx, .xls, .ods), Parquet or Arrow/Feather; or drop a file anywhere on the left."}</p>
                <ol>
                    <li>{"Create a workspace for each client (optional: one is made for you)."}</li>
                    <li>{"Open a file, or try the sample data."}</li>
                    <li>{"Read its profile: types, missing values, duplicates, distributions. It is kept in this browser for next time."}</li>
                </ol>
                <p class="small">{"Plainsight runs entirely in this page. Files are read on this computer and stored only in this browser; nothing is sent anywhere, and it works offline."}</p>
            </div>
        };
    };
    let tab_button = |tab: Tab, label: &'static str, id: &'static str| {
        let ctl = ctl.clone();
        let selected = s.tab == tab;
        html! {
            <button role="tab" class={classes!("tab", selected.then_some("active"))}
                aria-selected={selected.to_string()} data-testid="tab" data-tab={id}
                onclick={Callback::from(move |_| ctl.set_tab(tab))}>{ label }</button>
        }
    };
    let insights = s
        .insights
        .as_ref()
        .filter(|(id, _)| Some(id) == s.selected.as_ref())
        .map(|(_, i)| i.clone());
    let answers = s
        .explored
        .as_ref()
        .filter(|(id, _)| Some(id) == s.selected.as_ref())
        .map(|(_, a)| a.clone())
        .unwrap_or_default();
    let on_config = {
        let (ctl, id) = (ctl.clone(), s.selected.clone());
        Callback::from(move |c| ctl.set_alert_config(id.clone(), c))
    };
    let on_report = {
        let ctl = ctl.clone();
        let trend = answers.iter().find_map(|a| match a.as_ref() {
            Answer::Trend(t) => Some(t.clone()),
            _ => None,
        });
        // The leaderboard trained on this dataset in this session, once done
        // (else, when the report is asked for, the latest saved version).
        let session =
            s.ml.board
                .clone()
                .filter(|b| b.finished && s.ml.dataset.as_deref() == Some(rec.id.as_str()));
        let parts = (
            profile.clone(),
            trend,
            s.clean.recipe().to_vec(),
            rec.clone(),
            session,
        );
        Callback::from(move |_| {
            let (profile, trend, recipe, rec, session) = parts.clone();
            let model = match session {
                Some(board) => Some((board, None)),
                None => crate::shell::controller::model_versions(&rec)
                    .into_iter()
                    .max_by_key(|v| v.version)
                    .map(|v| {
                        let source = format!(
                            "Saved version {}, trained {}",
                            v.version,
                            crate::shell::format::when_iso(&v.saved)
                        );
                        (Rc::new(v.board), Some(source))
                    }),
            };
            let name = rec.name.clone();
            ctl.export_report(
                name,
                ReportParts {
                    profile,
                    trend,
                    recipe,
                    model,
                },
            );
        })
    };
    let on_query = {
        let (ctl, id) = (ctl.clone(), rec.id.clone());
        Callback::from(move |q| ctl.explore(id.clone(), q))
    };
    // A bar's rows, shown in the Overview's table.
    let on_rows = {
        let ctl = ctl.clone();
        Callback::from(move |f| ctl.show_rows_where(Some(f)))
    };
    // An alert's fix goes to the end of the recipe, and the Clean tab shows it.
    let on_fix = {
        let (ctl, rec) = (ctl.clone(), rec.clone());
        let recipe = s.clean.recipe().to_vec();
        // The columns of the cleaned data, when the recipe has run: an
        // alert's fix names a column of the file as loaded, which a step
        // may have removed, encoded or renamed.
        let cleaned: Option<Vec<String>> = s
            .clean
            .result
            .as_ref()
            .filter(|r| r.steps == recipe && !recipe.is_empty())
            .map(|r| {
                r.profile
                    .column_profiles
                    .iter()
                    .map(|c| c.name.clone())
                    .collect()
            });
        Callback::from(move |step: crate::core::clean::Step| {
            if let Some(names) = &cleaned {
                if let Some(gone) = step
                    .columns()
                    .into_iter()
                    .find(|c| !names.iter().any(|n| n == c))
                {
                    ctl.show_error(format!(
                        "This fix works on \"{gone}\", which the cleaning recipe has already removed, encoded or renamed, so it is not in the cleaned data. Change that step on the Clean tab instead."
                    ));
                    return;
                }
            }
            let mut steps = recipe.clone();
            steps.push(step);
            ctl.apply_recipe(rec.clone(), steps, RecipeChange::Push);
            ctl.set_tab(Tab::Clean);
        })
    };
    html! {
        <>
            <div class="dataset-head">
                <h1 title={rec.label()}>{ rec.label() }</h1>
                <div role="tablist" class="tabs">
                    { tab_button(Tab::Overview, "Overview", "overview") }
                    { tab_button(Tab::Columns, "Columns", "columns") }
                    { tab_button(Tab::Clean, "Clean", "clean") }
                    { tab_button(Tab::Explore, "Explore", "explore") }
                    { tab_button(Tab::Model, "Model", "model") }
                </div>
                <button class="primary" data-testid="export-report" onclick={on_report}
                    title="One HTML file with the overview, alerts, columns, correlations, trend and cleaning: opens in any browser, offline">
                    {"Download report"}</button>
            </div>
            <section hidden={s.tab != Tab::Overview} role="tabpanel">
                { raw_data_note(s.clean.recipe().len()) }
                <OverviewTab profile={profile.clone()} preview={s.preview.clone()}
                    ready={s.worker_holds_selected()} insights={insights.clone()} alert_config={s.alert_config}
                    {on_config} on_fix={on_fix} recipe={Rc::new(s.clean.recipe().to_vec())} ctl={ctl.clone()} />
            </section>
            <section hidden={s.tab != Tab::Columns} role="tabpanel">
                { raw_data_note(s.clean.recipe().len()) }
                <ColumnsTab profile={profile.clone()} insights={insights.clone()} ctl={ctl.clone()} />
            </section>
            if s.tab == Tab::Explore {
                <section role="tabpanel">
                    { raw_data_note(s.clean.recipe().len()) }
                    <ExploreTab profile={profile.clone()} insights={insights.clone()} {answers}
                        error={s.explore_error.clone()} {on_query} {on_rows} />
                </section>
            }
            if s.tab == Tab::Model {
                <section role="tabpanel">
                    <ModelTab profile={s.clean.result.as_ref().filter(|r| r.steps == s.clean.recipe()).map(|r| Rc::new(r.profile.clone())).unwrap_or_else(|| profile.clone())}
                        record={rec.clone()} steps={s.clean.recipe().to_vec()}
                        correlations={insights.as_ref().map(|i| i.correlations.clone())}
                        ml={s.ml.clone()} ready={s.worker_holds_selected()} ctl={ctl.clone()} />
                </section>
            }
            if s.tab == Tab::Clean {
                <section role="tabpanel">
                    <CleanTab clean={s.clean.clone()} record={rec.clone()} profile={profile}
                        ready={s.worker_holds_selected()} others={s.datasets.clone()} ctl={ctl.clone()} />
                </section>
            }
        </>
    }
}

/// Over the Overview, Columns and Explore tabs when a recipe is applied:
/// they show the file as loaded, not the cleaned data.
fn raw_data_note(steps: usize) -> Html {
    if steps == 0 {
        return html! {};
    }
    html! {
        <p class="note muted small" data-testid="raw-data-note" data-steps={steps.to_string()}>
            { format!(
                "This tab shows the file as loaded: the cleaning recipe ({}) is not applied here. The Clean tab shows the cleaned rows, the Model tab trains on them, and the report has both.",
                super::format::count(steps as u64, "step", "steps")
            ) }
        </p>
    }
}
