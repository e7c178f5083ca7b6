//! The edge where typed engine errors become sentences a non-programmer
//! understands: what happened, where (file, line, column), what to do next.
//! Shared by the CLI and the browser shell.

use crate::core::error::IngestError;

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// Like [`human_bytes`] for a limit: rounded down, so a file of the size
/// said is under it.
fn bytes_down(n: u64) -> String {
    let mut v = n as f64;
    let mut unit = "bytes";
    for u in ["KB", "MB", "GB", "TB"] {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    if unit == "bytes" {
        format!("{n} bytes")
    } else {
        format!("{:.1} {unit}", (v * 10.0).floor() / 10.0)
    }
}

pub fn bytes(n: u64) -> String {
    human_bytes(n)
}

/// One sentence (or two) for `err` while reading `file`.
pub fn ingest_error(file: &str, err: &IngestError) -> String {
    match err {
        IngestError::TooLarge { size, limit } => format!(
            "{file} is {}, and Plainsight reads files of up to {}: reading it would take about {} of memory, and the engine in a browser tab has at most 4 GB for the data, its copies and the page. Nothing was loaded. Split it into files under {} (by rows, each with the header row), or load one part here, make its cleaning recipe and download it as SQL (Clean tab) to run on the whole file in DuckDB.",
            human_bytes(*size),
            bytes_down(*limit),
            human_bytes(crate::core::ingest::memory_to_read(*size)),
            bytes_down(*limit)
        ),
        IngestError::Empty => format!(
            "{file} is empty: it has no rows to read. Check that you picked the right file, or export it again."
        ),
        IngestError::HeaderOnly { columns } if matches!(
            crate::core::ingest::read_whole(file),
            Some(crate::core::model::Format::Parquet | crate::core::model::Format::Arrow)
        ) => format!(
            "{file} describes {columns} column{} but holds no rows. Write it again from a table that has rows.",
            if *columns == 1 { "" } else { "s" }
        ),
        IngestError::HeaderOnly { columns } => format!(
            "{file} has a header row with {columns} column{} but no data rows. Export it again with its rows.",
            if *columns == 1 { "" } else { "s" }
        ),
        IngestError::Ragged { line, expected, found, .. } => format!(
            "{file}, line {line}: this row has {found} field{} but the header has {expected}. Check that line for an extra or missing separator or an unquoted comma, fix it, and load the file again.",
            if *found == 1 { "" } else { "s" }
        ),
        IngestError::Binary { offset } => format!(
            "{file} does not look like a text file (unreadable bytes at byte {offset}). Plainsight reads CSV, TSV, JSON, NDJSON, spreadsheets (.xlsx, .xls, .ods), Parquet and Arrow/Feather: save or export the data in one of those formats."
        ),
        IngestError::UnclosedQuote { line } => format!(
            "{file}, line {line}: a quoted field starts here and never ends. Add the missing closing quote (\") and load the file again."
        ),
        IngestError::JsonSyntax { line, column, message } => format!(
            "{file}, line {line}, column {column}: this is not valid JSON ({message}). Fix the file there, or export it again, and load it again."
        ),
        IngestError::JsonShape { line, found } => format!(
            "{file}, line {line}: expected a list of records (objects like {{\"name\": value}}) but found {found}. Export the data as an array of objects or as one object per line."
        ),
        IngestError::UnsupportedFormat { extension } => format!(
            "{file}: Plainsight cannot read .{extension} files yet. Save the data as CSV, TSV, JSON, NDJSON, a spreadsheet (.xlsx, .xls, .ods) or Parquet and load that file."
        ),
        IngestError::TooManyColumns { found, limit } => format!(
            "{file} has {found} columns; Plainsight handles up to {limit}. Remove columns you do not need and load it again."
        ),
        IngestError::TooManyCells { row, line, columns, limit } => format!(
            "{file}, {}: reading stopped here because the table would grow past {} cells (rows × columns; it has {columns} columns at this point), more than this browser can hold. Missing fields and keys count as cells too: check that the rows have as many fields as the header, or that the records share the same keys; otherwise remove columns you do not need or split the file into parts, and load it again.",
            match line {
                Some(l) => format!("line {l} (row {row})"),
                None => format!("record {row}"),
            },
            crate::core::format::int(*limit)
        ),
        IngestError::TooManyRows { row, line, limit } => format!(
            "{file}, {}: reading stopped here because the file has more than {} rows, and Plainsight sorts each column of a table in one block of memory, which a browser tab keeps under 2 GB. Nothing was loaded. Split the file into parts of fewer rows (each with the header row) and load one; or make the cleaning recipe on a part and download it as SQL (Clean tab) to run on the whole file in DuckDB.",
            match line {
                Some(l) => format!("line {l} (row {row})"),
                None => format!("record {row}"),
            },
            crate::core::format::int(*limit)
        ),
        IngestError::TooMuchMemory {
            row,
            line,
            columns,
            bytes,
            limit,
        } => format!(
            "{file}, line {line} (row {row}): reading stopped here because the table of the rows before it ({columns} columns) would take about {} of memory once profiled and correlated, and Plainsight keeps a table under {} so that it fits in the engine of a browser tab (4 GB at most). Nothing was loaded. Missing fields count too: check that the rows have as many fields as the header. Otherwise remove columns you do not need, or split the file into parts (by rows, each with the header row) and load one; or make the cleaning recipe on a part and download it as SQL (Clean tab) to run on the whole file in DuckDB.",
            human_bytes(*bytes),
            bytes_down(*limit)
        ),
        IngestError::WorkbookPassword => format!(
            "{file} is protected with a password, and Plainsight cannot open encrypted workbooks. Open it in Excel or LibreOffice, remove the password (File › Info › Protect Workbook, or Save As without a password) and load the copy."
        ),
        IngestError::WorkbookDamaged { detail } => format!(
            "{file} could not be read as a spreadsheet ({detail}). It may be damaged or not really a workbook: open it in Excel or LibreOffice and save it again (or export the sheet as CSV), then load it again."
        ),
        IngestError::ColumnarDamaged { format, detail } => {
            let (what, how) = match format {
                crate::core::model::Format::Parquet => (
                    "a Parquet file",
                    "pandas' to_parquet, DuckDB's COPY … TO, Spark's write.parquet",
                ),
                _ => (
                    "an Arrow IPC or Feather file",
                    "pandas' to_feather, pyarrow's feather.write_feather, polars' write_ipc",
                ),
            };
            format!(
                "{file} could not be read as {what} ({detail}). It may be damaged, cut short while copying, or not really that format: write it again from the program that made it ({how}) and load the new file."
            )
        }
        IngestError::ColumnarUnsupported { format, detail } => format!(
            "{file} is {} Plainsight cannot read: {detail}.",
            match format {
                crate::core::model::Format::Parquet => "a Parquet file",
                _ => "an Arrow IPC or Feather file",
            }
        ),
        IngestError::TooLargeDecoded {
            column,
            bytes,
            limit,
        } => format!(
            "{file} is small on disk, but {} would take {} once decompressed, and Plainsight reads at most {} {}. Write it again with only the columns and rows you need (pandas: read_parquet(columns=[…]); DuckDB: COPY (SELECT …) TO …) and load that file.",
            match column {
                Some(c) => format!("its column \"{c}\""),
                None => "its columns".to_string(),
            },
            human_bytes(*bytes),
            human_bytes(*limit),
            if column.is_some() { "a column" } else { "in all" }
        ),
        IngestError::OnlyErrorCells { cells, first } => format!(
            "{file}: every filled cell of the sheet ({cells} cell{}) holds a spreadsheet error instead of a value, starting with {first}, so there is no data to read. Open it in Excel or LibreOffice, fix the formulas (or paste their values), save, and load it again.",
            if *cells == 1 { "" } else { "s" }
        ),
        IngestError::SheetNotFound { sheet, sheets } => format!(
            "{file} has no sheet named \"{sheet}\". Its sheets are: {}. Pick one of those.",
            sheets.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        ),
        IngestError::Internal { message } => format!(
            "Plainsight could not read {file} ({message}). Please try again; if it keeps happening, export the file again."
        ),
    }
}

/// What is wrong with a step written as text, to follow "Step 3 …".
fn step_text_problem(err: &crate::core::clean::step_text::StepTextError) -> String {
    use crate::core::clean::step_text::StepTextError;
    let quoted = |keys: &[String]| {
        keys.iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match err {
        StepTextError::Syntax { line, column, what } => {
            format!("is not valid JSON at line {line}, column {column}: {what}")
        }
        StepTextError::NotAStep { what } => format!("has settings that are not valid: {what}"),
        StepTextError::UnknownKeys { keys, known } => format!(
            "has {} no step of its kind uses: {} (check the spelling; its settings are {})",
            if keys.len() == 1 {
                "a setting"
            } else {
                "settings"
            },
            quoted(keys),
            quoted(known)
        ),
    }
}

/// Why an edited step was not saved, as one sentence.
pub fn step_text_error(index: usize, err: &crate::core::clean::step_text::StepTextError) -> String {
    format!(
        "Step {} was not changed: it {}. Fix the text and save again, or cancel.",
        index + 1,
        step_text_problem(err)
    )
}

/// One sentence for a cleaning step or recipe that cannot run.
pub fn clean_error(err: &crate::core::clean::CleanError) -> String {
    use crate::core::clean::CleanError;
    let at = |step: usize, op: &str| {
        if step > 0 {
            format!("Step {step} ({})", op.replace('_', " "))
        } else {
            format!("The {} step", op.replace('_', " "))
        }
    };
    match err {
        CleanError::MissingColumn {
            step,
            op,
            column,
            available,
        } => {
            let shown: Vec<&str> = available.iter().take(12).map(String::as_str).collect();
            format!(
                "{} needs the column \"{column}\", which this data does not have (it has: {}{}). Edit the step to name a column it has, or delete it (a recipe made on another file needs a file with the same columns).",
                at(*step, op),
                shown.join(", "),
                if available.len() > shown.len() { ", …" } else { "" }
            )
        }
        CleanError::WrongType {
            step,
            op,
            column,
            found,
            needs,
        } => format!(
            "{} works on {needs}, but \"{column}\" holds {}. Convert the column first, or pick another column.",
            at(*step, op),
            found.words()
        ),
        CleanError::BadParameter { op, message, .. }
            if matches!(op.as_str(), "export_sql" | "export_pyspark" | "export_polars") =>
        {
            format!(
                "This recipe cannot be written as {}: {message}. The cleaned data can still be downloaded as CSV, JSON or Parquet, and the recipe as JSON.",
                match op.as_str() {
                    "export_sql" => "SQL for DuckDB",
                    "export_pyspark" => "a PySpark script",
                    _ => "polars code",
                }
            )
        }
        CleanError::BadParameter { step, op, message } => format!(
            "{} cannot run: {message}. Change the step's settings and apply again.",
            at(*step, op)
        ),
        CleanError::TooWide { step, op, column, columns, limit } => format!(
            "{} would turn \"{column}\" into {columns} columns, more than the {limit} one step may make. Set max_categories to {} or fewer (the rarer values share one \"other\" column), or group the values first.",
            at(*step, op),
            limit - 1
        ),
        CleanError::BadRecipe { message } => format!(
            "This recipe cannot be read: {message}. Export the recipe again from Plainsight and use that file."
        ),
        CleanError::BadStepText { step, error } => format!(
            "This recipe cannot be read: step {step} {}. Fix it in the file, or export the recipe again from Plainsight and use that.",
            step_text_problem(error)
        ),
        CleanError::Internal { message } => format!(
            "The cleaning stopped unexpectedly ({message}). Your data is unchanged; please try again."
        ),
    }
}

/// One sentence for a trend or group-by that cannot be computed.
pub fn explore_error(err: &crate::core::explore::aggregate::ExploreError) -> String {
    use crate::core::explore::aggregate::ExploreError;
    match err {
        ExploreError::UnknownColumn { name, available } => {
            let shown: Vec<&str> = available.iter().take(12).map(String::as_str).collect();
            format!(
                "This data has no column \"{name}\" (it has: {}{}). Pick one of its columns.",
                shown.join(", "),
                if available.len() > shown.len() { ", …" } else { "" }
            )
        }
        ExploreError::NotNumeric { column, kind } => format!(
            "\"{column}\" holds {kind}, so it cannot be summed, averaged or compared as numbers. Pick a numeric column, or count its values instead."
        ),
        ExploreError::NotDate { column, kind } => format!(
            "\"{column}\" holds {kind}, not dates, so it cannot be drawn over time or split by year, month or weekday. Pick a date column, or convert this one to dates while cleaning."
        ),
        ExploreError::NoDimension => "Nothing to group by: pick at least one column to group the rows by.".to_string(),
        ExploreError::NoDates { column } => format!(
            "No row has both a date in \"{column}\" and a value to measure, so there is no trend to draw. Pick another date or value column, or clean the dates first."
        ),
        ExploreError::BadSort { index, measures } => format!(
            "The table is to be sorted by measure {} but it has {measures} measure{}. Pick one of its measures to sort by, or sort by the groups.",
            index + 1,
            if *measures == 1 { "" } else { "s" }
        ),
        ExploreError::TooManyPeriods { granularity, periods, limit } => format!(
            "The dates span {periods} {granularity}s, more than the {limit} a trend can show. Pick a longer period (week, month or quarter), or check the date column for wrong years."
        ),
    }
}

/// Why a column cannot be the target, as a sentence.
pub fn target_error(err: &crate::core::ml::task::TargetError) -> String {
    use crate::core::ml::task::TargetError;
    match err {
        TargetError::UnknownColumn { name } => format!(
            "There is no column '{name}' in this dataset any more (the recipe may have renamed or removed it). Pick another target."
        ),
        TargetError::NotPredictable { column, kind } => format!(
            "'{column}' holds {kind}, which Plainsight does not predict. Pick a column of numbers, categories or yes/no values, or choose no target to group the rows."
        ),
        TargetError::NoVariation { column } => format!(
            "'{column}' has the same value in every row (or none), so there is nothing to learn. Pick another target."
        ),
        TargetError::TooManyClasses { column, classes, limit } => format!(
            "'{column}' has {} different values; Plainsight predicts at most {limit} classes. Merge rare values on the Clean tab (merge values), or pick another target.",
            crate::core::format::int(*classes)
        ),
    }
}

/// Why data cannot become model input, as a sentence.
pub fn prep_error(err: &crate::core::ml::prep::PrepError) -> String {
    use crate::core::ml::prep::PrepError;
    match err {
        PrepError::MissingColumn { column } => format!(
            "The file has no column '{column}', which the model needs. Use a file with the same columns as the data the model learnt from (extra columns are fine)."
        ),
        PrepError::NoTargetRows { column } => format!(
            "Every value of the target '{column}' is missing: there is nothing to learn from. Pick another target."
        ),
        PrepError::TargetNotNumeric { column, row } => format!(
            "The target '{column}' should hold numbers, but row {row} does not. Fix it on the Clean tab (cast the column) or pick another target."
        ),
    }
}

/// Why a saved model cannot be used, as a sentence.
pub fn load_error(err: &crate::core::ml::saved::LoadError) -> String {
    use crate::core::ml::saved::LoadError;
    let why = match err {
        LoadError::NotAModel => "what is stored is not a model".to_string(),
        LoadError::Format { found } => format!(
            "it was saved by another version of Plainsight (model format {found}, this version reads {} to {})",
            crate::core::ml::saved::OLDEST_FORMAT,
            crate::core::ml::saved::FORMAT
        ),
        LoadError::Damaged { why } => format!("it is damaged ({why})"),
    };
    format!("This saved model cannot be used: {why}. Its scores are still shown; press “Train again” to make a new version from the same rows (the same seed gives the same models).")
}

/// Why training cannot start, as a sentence.
pub fn train_error(err: &crate::core::ml::automl::TrainError) -> String {
    use crate::core::ml::automl::TrainError;
    match err {
        TrainError::Prep(e) => prep_error(e),
        TrainError::NoFeatures => "There are no columns left to learn from: every other column is an identifier, constant or empty. Add columns to the data, or pick another target.".to_string(),
        TrainError::TooFewRows { rows, needed } => format!(
            "Only {rows} rows have a target value; at least {needed} are needed for a test split and 5-fold cross-validation. Add rows or pick a target with fewer missing values."
        ),
        TrainError::TinyClass { class, rows } => format!(
            "The class '{class}' occurs in only {rows} row, so it cannot be both learnt from and tested. Merge it into another class on the Clean tab (merge values), or remove its rows."
        ),
    }
}

/// A model that failed to fit, as a sentence.
pub fn ml_error(err: &crate::core::ml::MlError) -> String {
    use crate::core::ml::MlError;
    match err {
        MlError::OneClass { .. } => {
            "the training rows hold one class only, so there is nothing to tell apart".to_string()
        }
        MlError::Library { message, .. } => format!("the library reported: {message}"),
        MlError::TooWide { columns, limit, .. } => format!(
            "it compares rows in at most {limit} columns and this data makes {columns} (one per number, one per category of a text column), which would take hours; the other models cover it"
        ),
        other => other.to_string(),
    }
}

/// Why the data worker could not answer, as a sentence. `file` names the
/// dataset the page shows (for ingest errors of a file to score, the error
/// names its own file).
pub fn worker_error(err: &crate::protocol::WorkerError) -> String {
    use crate::protocol::WorkerError;
    match err {
        WorkerError::NotLoaded { .. } => "The rows of this dataset are not loaded yet (another dataset was being read, or it is still loading). Wait until the status bar says it is done, then try again.".to_string(),
        WorkerError::Ingest { file, error } => ingest_error(file, error),
        WorkerError::Clean(e) => clean_error(e),
        WorkerError::RecipeOnNewFile { file, error } => format!(
            "The cleaning recipe the model learnt after cannot run on {file}: {}",
            clean_error(error)
        ),
        WorkerError::NotCleaned => "There is no cleaned data yet: apply a recipe on the Clean tab first (or wait until it has run), then export.".to_string(),
        WorkerError::Explore(e) => explore_error(e),
        WorkerError::Train(e) => train_error(e),
        WorkerError::Prep(e) => prep_error(e),
        WorkerError::ModelLoad(e) => load_error(e),
        WorkerError::NotTrained { model } => format!(
            "The model '{model}' is not trained in this session yet: train (or retrain) first."
        ),
        WorkerError::SavedNotLoaded => "That saved model is not loaded any more (another one was opened since). Try again.".to_string(),
        WorkerError::NoFileToScore => "The file to score was not read completely (another file was picked meanwhile). Pick it again.".to_string(),
        WorkerError::Write { message } => format!(
            "The export could not be written ({message}). Your data is unchanged; try again."
        ),
    }
}

/// The engine (the background worker) stopped: what it was doing, why if
/// known, and that the data is safe.
pub fn engine_stopped(doing: Option<&str>, why: &str) -> String {
    let while_ = doing.map(|d| format!(" while {d}")).unwrap_or_default();
    format!(
        "The engine stopped{while_} ({why}). Your data is safe in this browser, and a fresh engine was started."
    )
}

/// Why the engine stopped, from its panic message, in words a user can
/// act on: the message itself (a file and line) is for the console.
pub fn crash_reason(panic: &str) -> String {
    let lower = panic.to_ascii_lowercase();
    if [
        "memory allocation",
        "out of memory",
        "capacity overflow",
        "allocation failed",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        "it ran out of memory: this step needs more than the browser gives one page; a smaller file or fewer columns will fit".into()
    } else {
        "because of a bug in Plainsight; the technical details are in the browser's console".into()
    }
}

/// Why the engine stopped, from the browser's error event: a WebAssembly
/// trap ("unreachable", as when memory runs out, or a memory access out of
/// bounds) in words; the event's text goes to the console.
pub fn stop_reason(event: &str) -> String {
    let lower = event.to_ascii_lowercase();
    if [
        "unreachable",
        "out of memory",
        "memory access",
        "allocation",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        "it ran out of the memory the browser gives one page, or met something it could not handle; the details are in the browser's console".into()
    } else {
        event.to_string()
    }
}

/// What the correlations leave out when there are more columns than
/// [`crate::core::explore::correlate::MAX_PAIR_COLUMNS`], as sentences
/// (None when every column is covered).
pub fn correlation_coverage(c: &crate::core::explore::correlate::Correlations) -> Option<String> {
    use crate::core::explore::correlate::MAX_PAIR_COLUMNS;
    let part = |kind: &str, kept: usize, out: &[String]| {
        if out.is_empty() {
            return None;
        }
        let shown: Vec<&str> = out.iter().take(12).map(String::as_str).collect();
        let more = out.len() - shown.len();
        Some(format!(
            "Correlations cover {kept} of {} {kind} columns (at most {MAX_PAIR_COLUMNS}, so the pairs stay few enough to compute: those with the most values, constant ones last, the first on ties); left out: {}{}.",
            crate::core::format::int((kept + out.len()) as u64),
            shown.join(", "),
            if more > 0 {
                format!(" and {} more", crate::core::format::int(more as u64))
            } else {
                String::new()
            }
        ))
    };
    let parts: Vec<String> = [
        part("numeric", c.numeric.len(), &c.numeric_left_out),
        part("categorical", c.categorical.len(), &c.categorical_left_out),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The engine could not be started or reached.
pub fn engine_failed(why: &str) -> String {
    format!("The engine could not start in this browser ({why}). Reload the page; if it keeps happening, use a current version of Chrome, Edge, Firefox or Safari.")
}

/// The page and its worker come from different builds.
pub fn other_build(page: &str, engine: &str) -> String {
    format!("Plainsight was updated: this page (version {page}) met an engine of another version ({engine}). Reload the page to use the new version; your data is safe in this browser.")
}

/// Training ended because the file being read needed the memory that
/// held the dataset's rows.
/// A file's read was cancelled: a new file's (nothing of it was kept), or
/// a saved dataset's read again (it stays saved; its rows wait).
pub fn load_cancelled(file: &str, saved: bool) -> String {
    if saved {
        format!("Reading {file} again was cancelled. It stays saved: its profile is shown, and its rows, alerts and charts come back when it is read again — open it from the list.")
    } else {
        format!("Loading {file} was cancelled. Nothing was saved.")
    }
}

pub fn training_released(file: &str) -> String {
    format!("Training stopped: reading {file} needed the memory that held this dataset's rows (a page's engine holds about 3 GB). Nothing was saved from this run; press “Train models” again once the dataset is open again.")
}

/// Training ended because the engine stopped.
pub fn training_stopped() -> String {
    "Training ended because the engine stopped (see the message above). Nothing was saved from this run; press “Train models” again.".to_string()
}

/// Why a backup file cannot be imported: what, and what to do. Nothing of
/// it was imported.
pub fn backup_error(file: &str, err: &crate::core::backup::BackupError) -> String {
    use crate::core::backup::BackupError;
    let why = match err {
        BackupError::NotABackup => "it is not a Plainsight backup (those are written by “Back up this client” and end in .plainsight)".to_string(),
        BackupError::NewerVersion { found, supported } => format!(
            "it was written by a newer Plainsight (backup format {found}; this version reads up to {supported}). Open it with the newer version"
        ),
        BackupError::WrongLength { expected, found } => format!(
            "it is incomplete or has bytes added ({found} bytes of content where the file says {expected}); the download or copy may have been cut short. Use the original file"
        ),
        BackupError::Damaged => "its content changed since it was written (the checksum does not match), so it may be damaged. Use the original file".to_string(),
        BackupError::Malformed(why) => format!("its content cannot be read ({why})"),
        BackupError::Inconsistent(why) => format!("its content does not hang together ({why})"),
        BackupError::TooLarge { bytes: n } => format!(
            "it is {}, and a backup is read whole into this page's memory, at most {}",
            bytes(*n),
            bytes(crate::core::backup::MAX_BYTES)
        ),
    };
    format!("{file} was not imported: {why}. Nothing was changed.")
}

/// The warnings about a finished leaderboard: each one's kind
/// (`ModelWarning::kind`) and sentence, for the report and the CLI.
pub fn model_warnings(board: &crate::core::ml::automl::Board) -> Vec<(&'static str, String)> {
    crate::core::ml::guard::warnings(board)
        .iter()
        .map(|w| (w.kind(), model_warning(w, &board.setup.task)))
        .collect()
}

/// The report's Model section of `board` with its warnings in words (the
/// page and the CLI build it alike).
pub fn report_model(
    board: &crate::core::ml::automl::Board,
    source: Option<String>,
) -> crate::core::report::ReportModel<'_> {
    crate::core::report::ReportModel {
        board,
        warnings: model_warnings(board)
            .into_iter()
            .map(|(_, sentence)| sentence)
            .collect(),
        source,
    }
}

/// A warning about a leaderboard of `task`, as a sentence (the page and
/// the CLI say the same).
pub fn model_warning(
    w: &crate::core::ml::guard::ModelWarning,
    task: &crate::core::ml::task::Task,
) -> String {
    use crate::core::format::{int, short};
    use crate::core::ml::guard::{ModelWarning, FEW_PER_CLASS, FEW_ROWS};
    use crate::core::ml::task::Task;
    // The metric the board ranks by, as a sentence names it.
    let metric = match task {
        Task::Classification => "accuracy",
        Task::Regression => "R²",
        Task::Clustering => "silhouette",
    };
    match w {
        ModelWarning::Leakage {
            feature,
            importance,
            next,
        } => format!(
            "Possible leakage: '{feature}' alone carries the model (shuffling its values lowers the {metric} by {}; shuffling any other column, by at most {}). A column known only after the outcome, or computed from it, makes scores look better than any prediction can be. Check it; if it is not known when predicting, leave it out and train again.",
            short(*importance),
            short(*next)
        ),
        ModelWarning::FewRows { rows } => format!(
            "Only {} rows have a target (fewer than {FEW_ROWS}): the scores depend a lot on which rows were held out. Treat them as rough, and prefer the simpler models.",
            int(*rows as u64)
        ),
        ModelWarning::FewPerClass { classes } => {
            let list: Vec<String> = classes
                .iter()
                .map(|(c, n)| format!("'{c}' ({})", int(*n as u64)))
                .collect();
            format!(
                "Few rows of {} (fewer than {FEW_PER_CLASS} each): the test rows and each fold hold a handful of them at most, so the scores say little about them.",
                list.join(", ")
            )
        }
        ModelWarning::ConstantFold { folds } => {
            let list: Vec<String> = folds.iter().map(|f| f.to_string()).collect();
            format!(
                "The {metric} is undefined in fold {} for some models: the target takes a single value there. Their cross-validated score is the mean of the other folds.",
                list.join(", ")
            )
        }
        ModelWarning::BaselineBest { model, margin } => format!(
            "No model clearly beats the baseline (a constant guess): the best, {model}, is {} it by {} of the {metric} in cross-validation, within the spread between its folds. The columns given may not predict the target, or the classes are very unequal (look at the balanced accuracy).",
            if *margin >= 0.0 { "ahead of" } else { "behind" },
            short(margin.abs())
        ),
    }
}

/// A what-if input the model could not read as typed.
pub fn cell_note(n: &crate::core::ml::prep::CellNote) -> String {
    use crate::core::ml::prep::CellNote;
    match n {
        CellNote::NotANumber { feature, text } => format!(
            "{feature}: “{text}” is not a number, so it was read as missing. Type a number (like 12.5), or leave it empty for missing."
        ),
        CellNote::NotADate { feature, text } => format!(
            "{feature}: “{text}” is not a date, so it was read as missing. Use YYYY-MM-DD, or leave it empty for missing."
        ),
        CellNote::UnknownCategory { feature, text } => format!(
            "{feature}: “{text}” never appears in the training rows, so the model reads it as “other” (any value it has not seen). Pick one of the values it knows for a prediction it can stand behind."
        ),
    }
}
