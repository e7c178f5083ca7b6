//! The fuzz targets on stable: every committed corpus file
//! (`fuzz/corpus/<target>/`) and every crash fixture
//! (`tests/data/fuzz/<target>/`) replayed through the targets' own
//! harnesses (`plainsight::core::fuzzing`), and a seeded property test of
//! the ingest on random and mutated fixture bytes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use plainsight::core::fuzzing;
use plainsight::core::rng::Rng;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `dir`, sorted (none when it does not exist).
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// A target's corpus and crash fixtures; the corpus must be there.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let corpus = files_in(&root().join("fuzz/corpus").join(target));
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} has no files");
    let crashes = files_in(&root().join("tests/data/fuzz").join(target));
    corpus
        .into_iter()
        .chain(crashes)
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable input");
            (p, bytes)
        })
        .collect()
}

/// Runs `harness` on every input of `target`; fails naming every input
/// that panicked. Returns (inputs accepted, inputs refused).
fn replay<T, E>(target: &str, harness: impl Fn(&[u8]) -> Option<Result<T, E>>) -> (usize, usize) {
    let (mut accepted, mut refused, mut panicked) = (0, 0, Vec::new());
    for (path, bytes) in inputs(target) {
        match catch_unwind(AssertUnwindSafe(|| harness(&bytes))) {
            Ok(Some(Ok(_))) => accepted += 1,
            Ok(Some(Err(_))) | Ok(None) => refused += 1,
            Err(_) => panicked.push(path.display().to_string()),
        }
    }
    assert!(panicked.is_empty(), "{target}: panicked on {panicked:#?}");
    (accepted, refused)
}

#[test]
fn ingest_corpus_loads_or_fails_with_an_ingest_error() {
    // The harness's type is the claim: a Dataset or an IngestError.
    let (loaded, failed) = replay("ingest", |b| Some(fuzzing::ingest(b)));
    assert!(loaded > 0 && failed > 0, "{loaded} loaded, {failed} failed");
}

#[test]
fn recipe_corpus_parses_and_runs_or_fails_typed() {
    let (ran, refused) = replay("recipe", fuzzing::recipe);
    assert!(ran > 0 && refused > 0, "{ran} ran, {refused} refused");
}

#[test]
fn protocol_corpus_decodes_and_round_trips_or_is_refused() {
    let (read, refused) = replay("protocol", |b| {
        Some(if plainsight::protocol::fuzz_messages(b) {
            Ok(())
        } else {
            Err(())
        })
    });
    assert!(read > 0 && refused > 0, "{read} read, {refused} refused");
}

#[test]
fn saved_model_corpus_reads_and_scores_or_is_refused() {
    let (scored, refused) = replay("saved_model", |b| Some(fuzzing::saved_model(b)));
    assert!(
        scored > 0 && refused > 0,
        "{scored} scored, {refused} refused"
    );
}

// ------------------------------------------------------- property test

/// The ingest fixtures of `tests/data` (and its `clean/` files) with the
/// name byte of their extension, as [`fuzzing::IngestCase`] reads it.
fn ingest_fixtures() -> Vec<Vec<u8>> {
    let data = root().join("tests/data");
    let mut out = Vec::new();
    for path in files_in(&data)
        .into_iter()
        .chain(files_in(&data.join("clean")))
        .chain(files_in(&data.join("workbooks")))
        .chain(files_in(&data.join("columnar")))
        .chain(files_in(&data.join("columnar_real")))
    {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.contains(".expected.") || name.ends_with(".py") {
            continue;
        }
        let ext = name.rsplit('.').next().unwrap_or("");
        let Some(pick) = fuzzing::INGEST_NAMES
            .iter()
            .position(|n| n.rsplit('.').next() == Some(ext))
        else {
            continue;
        };
        let mut bytes = vec![pick as u8, 0x11];
        bytes.extend(std::fs::read(&path).expect("readable fixture"));
        out.push(bytes);
    }
    out
}

/// Bytes the ingest treats specially: delimiters, quotes, line ends,
/// brackets, BOM and UTF-16 bytes, NUL, a non-UTF-8 byte.
const SPECIAL: &[u8] = b",;\t|\"'\r\n{}[]:.-eE0 \x00\xEF\xBB\xBF\xFF\xFE\xE9";

fn random_byte(rng: &mut Rng) -> u8 {
    if rng.below(2) == 0 {
        SPECIAL[rng.below(SPECIAL.len())]
    } else {
        rng.next_u64() as u8
    }
}

/// 1–4 random edits of `bytes` (the 2 leading bytes included: name and
/// chunk lengths change too).
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        let n = bytes.len();
        let at = rng.below(n + 1);
        match rng.below(6) {
            0 if n > 0 => bytes[at.min(n - 1)] = random_byte(rng),
            1 => bytes.insert(at, random_byte(rng)),
            2 if at < n => {
                let end = (at + 1 + rng.below(16)).min(n);
                bytes.drain(at..end);
            }
            3 if at < n => {
                let end = (at + 1 + rng.below(64)).min(n);
                let copy = bytes[at..end].to_vec();
                let to = rng.below(n + 1);
                bytes.splice(to..to, copy);
            }
            4 => bytes.truncate(at),
            _ if n > 0 => bytes[0] = rng.next_u64() as u8 & 0x7F,
            _ => bytes.push(random_byte(rng)),
        }
    }
    bytes
}

/// Random and mutated fixture bytes through the ingest harness (chunked
/// against whole reads, profile on success): each loads or gives an
/// `IngestError`, never a panic. Seeded, so a failure reproduces.
#[test]
fn random_and_mutated_bytes_load_or_fail_with_an_ingest_error() {
    const CASES: usize = 3000;
    let fixtures = ingest_fixtures();
    assert!(fixtures.len() > 20, "the ingest fixtures are found");
    let mut rng = Rng::new(0x5EED_F022);
    let (mut loaded, mut failed) = (0, 0);
    for case in 0..CASES {
        let bytes = if case % 4 == 0 {
            let len = rng.below(300);
            (0..len).map(|_| random_byte(&mut rng)).collect()
        } else {
            let fixture = fixtures[rng.below(fixtures.len())].clone();
            mutate(&mut rng, fixture)
        };
        match catch_unwind(|| fuzzing::ingest(&bytes)) {
            Ok(Ok(_)) => loaded += 1,
            Ok(Err(_)) => failed += 1,
            Err(_) => {
                let path = std::env::temp_dir().join(format!("plainsight-ingest-case-{case}"));
                std::fs::write(&path, &bytes).expect("temp dir writable");
                panic!("case {case} panicked; its bytes are in {}", path.display());
            }
        }
    }
    // Both outcomes are common, so the cases reach past the first checks.
    assert!(
        loaded > CASES / 10 && failed > CASES / 10,
        "{loaded} loaded, {failed} failed"
    );
}
