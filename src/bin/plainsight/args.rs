//! The command line as clap reads it: the commands, their options and the
//! value checks clap cannot express alone.

use clap::{Parser, Subcommand};
use plainsight::core::ml::task::{DEFAULT_BUDGET_SECS, DEFAULT_SEED};
/// Plainsight on the command line: the same engine as the page, on
/// files on this computer.
///
/// Exit codes: 0 done; 1 the input could not be used (a file that does
/// not read, a recipe that cannot run, a target that cannot be learnt)
/// or the output could not be written; 2 the command line is wrong.
#[derive(Parser, Debug)]
#[command(name = "plainsight", version, about, long_about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// For a spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods): the sheet to
    /// read (default: the first sheet with data).
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) sheet: Option<String>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Profile a CSV, TSV, JSON, NDJSON, spreadsheet, Parquet or Arrow file.
    Profile {
        file: String,
        /// The whole profile as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain the proposed cleaning; save it as a recipe.
    Propose {
        file: String,
        /// Also fill gaps, merge spellings and offer steps for models.
        #[arg(long)]
        thorough: bool,
        /// Keep the steps that prepare for a model (capping, encoding,
        /// scaling) in the saved recipe.
        #[arg(long, requires = "thorough")]
        prepare: bool,
        /// Write the recipe here (JSON).
        #[arg(long, value_name = "R.json")]
        recipe_out: Option<String>,
        /// The proposals as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a recipe on RAW and write the cleaned data.
    Clean {
        raw: String,
        #[arg(long, value_name = "R.json")]
        recipe: String,
        #[arg(short = 'o', value_name = "OUT")]
        out: String,
        /// Write OUT as JSON records instead of CSV (an OUT ending in
        /// .parquet is written as Parquet).
        #[arg(long)]
        json: bool,
    },
    /// The recipe as DuckDB SQL (or a PySpark script) that cleans RAW the
    /// same way.
    Sql {
        raw: String,
        #[arg(long, value_name = "R.json")]
        recipe: String,
        /// The engine to write for: duckdb (SQL), pyspark or polars (Python
        /// scripts that read RAW and write the cleaned table as Parquet).
        #[arg(long, value_enum, default_value_t = Engine::Duckdb)]
        engine: Engine,
        /// Write the SQL here instead of to the standard output.
        #[arg(short = 'o', value_name = "OUT.sql")]
        out: Option<String>,
    },
    /// A measure per period of a date column (rows when no --value; the
    /// period is chosen from the span when no --by).
    Trend {
        file: String,
        #[arg(long, value_name = "COL")]
        date: String,
        #[arg(long, value_name = "COL")]
        value: Option<String>,
        /// sum, mean, median, min, max or count.
        #[arg(long, default_value = "sum")]
        agg: String,
        /// day, week, month or quarter.
        #[arg(long, value_name = "PERIOD")]
        by: Option<String>,
        /// The trend as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measures per group of rows (default: rows), sorted by the groups
    /// or by measure N.
    Group {
        file: String,
        /// A column, or COL:year|quarter|month|month_of_year|weekday.
        #[arg(long = "by", value_name = "COL[:PART]", required = true)]
        by: Vec<String>,
        /// AGG:COL or rows.
        #[arg(long = "measure", value_name = "AGG:COL|rows")]
        measure: Vec<String>,
        /// N or N:asc — sort by measure N (from 1; descending unless :asc).
        #[arg(long, value_name = "N[:asc]")]
        sort: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// The table as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The self-contained HTML report (overview, alerts, columns,
    /// correlations, trend; the recipe's cleaning when given; the
    /// leaderboard and what drives the best model with --train).
    Report {
        file: String,
        #[arg(long, value_name = "R.json")]
        recipe: Option<String>,
        #[arg(short = 'o', value_name = "OUT.html")]
        out: String,
        /// Train the leaderboard (as `train` does) and add the Model
        /// section.
        #[arg(long)]
        train: bool,
        #[command(flatten)]
        model_args: ModelArgs,
    },
    /// The leaderboard of models (5-fold cross-validation and a held-out
    /// test split) and the best model's feature importance; as on the
    /// page: identifiers and columns that leak the target left out.
    Train {
        file: String,
        #[command(flatten)]
        args: TrainArgs,
    },
    /// Score FILE (after the recipe the model learnt after) with a saved
    /// model: FILE's columns plus the predictions. A CSV or TSV file of
    /// any size is read twice in batches of rows (its types decided over
    /// the whole file, then scored batch by batch), in the memory of a
    /// batch; other files, and recipes with a step that uses every row
    /// (statistics, duplicates, categories), are read whole.
    Predict {
        model: String,
        file: String,
        #[arg(long, value_name = "R.json")]
        recipe: Option<String>,
        #[arg(short = 'o', value_name = "OUT.csv")]
        out: String,
        /// What was scored, as JSON.
        #[arg(long)]
        json: bool,
        /// Rows scored at a time when the file is read in batches.
        #[arg(long, value_name = "ROWS", default_value_t = 100_000, value_parser = positive_number)]
        batch_rows: usize,
    },
    /// Write the sample marketing CSV to the standard output.
    Sample,
    /// Write a deterministic benchmark CSV of ROWS rows.
    BenchData {
        #[arg(value_parser = whole_number)]
        rows: usize,
    },
}

fn positive_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("needs a number of seconds above 0, not \"{s}\"")),
    }
}

fn positive_number(s: &str) -> Result<usize, String> {
    match whole_number(s)? {
        0 => Err("must be 1 or more".to_string()),
        n => Ok(n),
    }
}

fn whole_number(s: &str) -> Result<usize, String> {
    s.replace('_', "")
        .parse::<usize>()
        .map_err(|_| format!("must be a whole number, not \"{s}\""))
}

/// How a leaderboard is trained (`train`, and `report --train`).
#[derive(clap::Args, Debug)]
pub(crate) struct ModelArgs {
    /// The column to predict (default: suggested from the data).
    #[arg(long, value_name = "COL", conflicts_with = "no_target")]
    pub(crate) target: Option<String>,
    /// No target: group similar rows (clustering).
    #[arg(long)]
    pub(crate) no_target: bool,
    /// Seconds for the whole run (above 0).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_BUDGET_SECS, value_parser = positive_secs, allow_negative_numbers = true)]
    pub(crate) budget: f64,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub(crate) seed: u64,
}

/// The options of `train`.
#[derive(clap::Args, Debug)]
pub(crate) struct TrainArgs {
    #[command(flatten)]
    pub(crate) model_args: ModelArgs,
    #[arg(long, value_name = "R.json")]
    pub(crate) recipe: Option<String>,
    /// Keep the best (or --model) model with its preprocessing.
    #[arg(long, value_name = "M.psml")]
    pub(crate) save_model: Option<String>,
    #[arg(long, value_name = "NAME", requires = "save_model")]
    pub(crate) model: Option<String>,
    /// The leaderboard as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The engine `sql` writes the recipe for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Duckdb,
    Pyspark,
    Polars,
}
