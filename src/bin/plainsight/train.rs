//! `plainsight train`: the leaderboard, as on the Model tab.

use plainsight::core::ingest::Dataset;
use plainsight::core::ml::automl::{Prepared, Run, Status};
use plainsight::core::ml::task::{detect_task, plan, suggest_target};
use plainsight::core::profile::profile_with;
use plainsight::core::runner::Threads;
use plainsight::messages;

use crate::args::{ModelArgs, TrainArgs};
use crate::io::{print_json, read_cleaned, usage};

/// Trains the leaderboard on `ds` as the page does (one plan: the features
/// and the leakage guard), saying what is left out through `say`, with a
/// progress bar on a terminal. `Err` holds the exit code (the message is
/// written).
pub(crate) fn leaderboard(ds: &Dataset, a: &ModelArgs, say: &dyn Fn(String)) -> Result<Run, i32> {
    let p = profile_with(ds, &Threads);
    let target = if a.no_target {
        None
    } else {
        a.target.clone().or_else(|| suggest_target(&p))
    };
    if let Err(e) = detect_task(&p, target.as_deref()) {
        eprintln!("{}", messages::target_error(&e));
        return Err(1);
    }
    // One plan with the page: the features, and the leakage guard on
    // the same (bounded) correlations the Explore tab shows.
    let correlations = plainsight::core::explore::correlate::correlations(ds);
    let plan = plan(&p, Some(&correlations), target.as_deref());
    for e in &plan.excluded {
        say(format!("left out {}: {}", e.column, e.reason));
    }
    for l in &plan.leaks {
        say(format!(
            "left out {}: it alone predicts the target almost perfectly ({} {:.3}), so it probably leaks the answer",
            l.feature, l.method, l.value
        ));
    }
    let setup = plan.setup(a.seed, a.budget).map_err(|e| {
        eprintln!("{}", messages::target_error(&e));
        1
    })?;
    let prepared = Prepared::new(ds, setup).map_err(|e| {
        eprintln!("{}", messages::train_error(&e));
        1
    })?;
    let mut board = Run::new(prepared);
    let t0 = std::time::Instant::now();
    let clock = move || t0.elapsed().as_secs_f64();
    // A progress bar on a terminal (nothing when the error output is a
    // file or a pipe).
    let bar = indicatif::ProgressBar::new(1).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while let Some(progress) = board.step(&clock) {
        bar.set_length(progress.total as u64);
        bar.set_position(progress.done as u64);
        bar.set_message(format!(
            "{} {}",
            progress.model.replace('_', " "),
            progress.phase
        ));
    }
    bar.finish_and_clear();
    Ok(board)
}

pub(crate) fn train_cmd(path: &str, a: TrainArgs) -> i32 {
    // With --json the standard output holds the JSON only; what is said
    // along the way goes to the standard error.
    let say = |line: String| {
        if a.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let ds = match read_cleaned(path, a.recipe.as_deref()) {
        Ok(ds) => ds,
        Err(message) => {
            eprintln!("{message}");
            return 1;
        }
    };
    let board = match leaderboard(&ds, &a.model_args, &say) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let b = board.board();
    if a.json {
        let code = print_json(&b);
        if code != 0 {
            return code;
        }
    }
    if !a.json {
        println!(
            "{} on {} rows ({} train, {} test), target {}",
            b.setup.task.as_str(),
            b.rows,
            b.train_rows,
            b.test_rows,
            b.setup.target.as_deref().unwrap_or("none")
        );
        for e in &b.entries {
            let metrics: Vec<String> = e
                .scores
                .iter()
                .flat_map(|s| s.named())
                .filter_map(|(n, v)| v.map(|v| format!("{n} {v:.4}")))
                .collect();
            let status = match &e.status {
                Status::Failed { error } => format!("failed: {error}"),
                Status::Skipped => "skipped".into(),
                _ => String::new(),
            };
            println!(
                "{:<28} cv {:>7} ± {:<7} test {}  {:.2} s  {}",
                e.label,
                e.cv_mean().map_or("-".into(), |v| format!("{v:.4}")),
                e.cv_std().map_or("-".into(), |v| format!("{v:.4}")),
                metrics.join(", "),
                e.train_secs,
                status
            );
        }
        if let Some(x) = &b.explanation {
            println!(
                "permutation importance ({}):",
                b.best.map_or("", |k| k.name())
            );
            for (f, m, sd) in x.importance.iter().take(10) {
                println!("  {f:<24} {m:.4} ± {sd:.4}");
            }
        }
    }
    // The same warnings as the page's Model tab.
    for (kind, sentence) in messages::model_warnings(&b) {
        say(format!("warning ({kind}): {sentence}"));
    }
    if let Some(out) = &a.save_model {
        let kind = match &a.model {
            Some(name) => match plainsight::core::ml::models::ModelKind::from_name(name) {
                Some(k) => Some(k),
                None => return usage(&format!("no model named \"{name}\"")),
            },
            None => b.best,
        };
        let Some((kind, bytes)) = kind.and_then(|k| Some((k, board.model_bytes(k)?))) else {
            eprintln!("No trained model to save (it failed or was skipped).");
            return 1;
        };
        if let Err(e) = std::fs::write(out, bytes) {
            eprintln!("Could not write {out}: {e}");
            return 1;
        }
        say(format!("saved {} to {out}", kind.name()));
    }
    0
}
