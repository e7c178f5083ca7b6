//! Reading the inputs (a data file in chunks, a recipe) and writing the
//! outputs, with the messages and exit codes every command shares.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};

use plainsight::core::ingest::{Dataset, Ingester};
use plainsight::core::parts::{self, Cut};
use plainsight::core::runner::{Runner, Threads};
use plainsight::core::workbook::SheetChoice;
use plainsight::core::IngestError;
use plainsight::messages;

/// Bytes read per chunk (like the browser's `File.slice`).
const CHUNK: usize = 4 << 20;

/// Files from this size show a progress bar while they are read.
const BAR_FROM: u64 = 32 << 20;

/// A usage problem clap cannot see (a value that reads but means
/// nothing): said like clap's, exit code 2.
pub(crate) fn usage(problem: &str) -> i32 {
    eprintln!("error: {problem}\n\nFor more information, try '--help'.");
    2
}

/// Writes `value` as pretty JSON to the standard output.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> i32 {
    match serde_json::to_string_pretty(value) {
        Ok(text) => write_out(|out| writeln!(out, "{text}")),
        Err(e) => {
            eprintln!("plainsight: could not write JSON: {e}");
            1
        }
    }
}

pub(crate) fn write_out(f: impl FnOnce(&mut BufWriter<io::StdoutLock>) -> io::Result<()>) -> i32 {
    let mut out = BufWriter::new(io::stdout().lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Ok(()) => 0,
        // A closed pipe (`| head`) is not worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("plainsight: could not write the output: {e}");
            1
        }
    }
}

pub(crate) fn display_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

thread_local! {
    /// The `--sheet` of this run.
    static SHEET: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Sets the sheet [`read_file`] reads from spreadsheets (`--sheet`).
pub(crate) fn set_sheet(sheet: Option<String>) {
    SHEET.with(|s| *s.borrow_mut() = sheet);
}

/// Reads the file in chunks through the [`Ingester`] (a spreadsheet's
/// `--sheet`, else its first sheet with data).
pub(crate) fn read_file(path: &str) -> Result<Dataset, String> {
    let name = display_name(path);
    let io_error = |e: io::Error| format!("Could not open {name}: {e}.");
    let mut file = File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    let ingest_error = |e: IngestError| messages::ingest_error(name, &e);
    let sheet = match SHEET.with(|s| s.borrow().clone()) {
        Some(name) => SheetChoice::Named(name),
        None => SheetChoice::First,
    };
    let mut ingester = Ingester::new(name, size)
        .map_err(ingest_error)?
        .with_sheet(sheet);
    if let Some(read) = read_in_parts(name, &mut file, size)? {
        return Ok(read);
    }
    let mut buf = vec![0u8; CHUNK];
    let bar = progress_bar(size, size, "reading");
    bar.set_message(name.to_string());
    loop {
        let n = file.read(&mut buf).map_err(io_error)?;
        if n == 0 {
            break;
        }
        ingester
            .push(buf.get(..n).unwrap_or_default())
            .map_err(ingest_error)?;
        bar.inc(n as u64);
    }
    bar.set_message(format!("{name}: typing the columns"));
    let read = quiet_if_read_whole(name, || ingester.finish()).map_err(ingest_error);
    bar.finish_and_clear();
    read
}

/// A delimited text big enough to cut, read in parts on every core at
/// once (`core::parts`); None when it is to be read whole.
/// Only a regular file is read at offsets (not a pipe); the file's cursor
/// is back at its start when it is to be read whole.
fn read_in_parts(name: &str, file: &mut File, size: u64) -> Result<Option<Dataset>, String> {
    let cores = Threads.width();
    let cut = Cut::parts(cores);
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    if !regular || cut.count(size) < 2 {
        return Ok(None);
    }
    let bar = progress_bar(size, size, "reading");
    bar.set_message(format!("{name}, in parts on {cores} cores"));
    let read = parts::read_in_parts(name, size, &Pread(file), cut, &Threads);
    bar.finish_and_clear();
    match read {
        Ok(Some(read)) => Ok(Some(read)),
        Ok(None) => {
            // Reading at offsets may have moved the cursor (Windows).
            file.seek(io::SeekFrom::Start(0))
                .map_err(|e| format!("Could not read {name}: {e}."))?;
            Ok(None)
        }
        Err(parts::Failed::Ingest(e)) => Err(messages::ingest_error(name, &e)),
        Err(parts::Failed::Read(e)) => Err(format!("Could not read {name}: {e}.")),
    }
}

/// A file read at any offset from several threads.
struct Pread<'a>(&'a File);

impl parts::Source for Pread<'_> {
    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self.0, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self.0, buf, offset)
    }
}

/// A progress bar on a terminal of `total` bytes to `doing` for a file of
/// `size` bytes, when it takes a while (hidden for small files, and when the
/// error output is a file or a pipe).
pub(crate) fn progress_bar(size: u64, total: u64, doing: &str) -> indicatif::ProgressBar {
    if size < BAR_FROM {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(total).with_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{bar:30}} {{bytes}}/{{total_bytes}} {doing} {{msg}} ({{elapsed}}, {{bytes_per_sec}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    )
}

/// Runs `f` without the panic report when `name` is a spreadsheet or a
/// Parquet/Arrow file: their readers can panic on a damaged file, which
/// `core::workbook::read` and `core::columnar::read` turn into an error
/// with a sentence (everything that runs inside them is caught there, so
/// no other panic goes unsaid).
///
/// A release build aborts on a panic (`panic = "abort"`, for the wasm
/// build's sake) before anything can catch it, so the hook itself says what
/// the caught error would have said and ends with its exit code.
fn quiet_if_read_whole<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if plainsight::core::ingest::read_whole(name).is_none() {
        return f();
    }
    let hook = std::panic::take_hook();
    let said = messages::ingest_error(name, &plainsight::core::ingest::reader_stopped(name));
    std::panic::set_hook(Box::new(move |_| {
        eprintln!("{said}");
        std::process::exit(1);
    }));
    let out = f();
    std::panic::set_hook(hook);
    out
}

/// The file at `path`, after the recipe at `recipe` when given.
pub(crate) fn read_cleaned(path: &str, recipe: Option<&str>) -> Result<Dataset, String> {
    match recipe {
        Some(r) => recipe_and_data(r, path).and_then(|(recipe, ds)| {
            plainsight::core::clean::recipe::run(&ds, &recipe.steps)
                .map(|(out, _)| out)
                .map_err(|e| messages::clean_error(&e))
        }),
        None => read_file(path),
    }
}

/// Reads the recipe file and the raw file (a message when either fails).
pub(crate) fn recipe_and_data(
    recipe_path: &str,
    raw: &str,
) -> Result<(plainsight::core::clean::Recipe, Dataset), String> {
    Ok((read_recipe(recipe_path)?, read_file(raw)?))
}

/// Reads a recipe file (a message when it fails).
pub(crate) fn read_recipe(recipe_path: &str) -> Result<plainsight::core::clean::Recipe, String> {
    let recipe_text = std::fs::read_to_string(recipe_path)
        .map_err(|e| format!("Could not open {}: {e}.", display_name(recipe_path)))?;
    plainsight::core::clean::Recipe::from_json(&recipe_text).map_err(|e| {
        format!(
            "{}: {}",
            display_name(recipe_path),
            messages::clean_error(&e)
        )
    })
}

pub(crate) fn read_or_exit(path: &str) -> Result<Dataset, i32> {
    read_file(path).map_err(|message| {
        eprintln!("{message}");
        1
    })
}
