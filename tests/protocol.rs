//! The page↔worker messages (src/protocol.rs): what training really sends
//! (with NaN scores) crosses as it is, and any bytes decode to a message or
//! a `DecodeError`, never a panic.

use plainsight::core::ml::automl::{Prepared, Run, Setup};
use plainsight::core::ml::task::{detect_task, features};
use plainsight::protocol::{decode_from_worker, decode_to_worker, encode, FromWorker, RunId};

/// A regression whose target is constant in the first rows: R² of a fold
/// holding only those rows is undefined (NaN).
fn constant_fold_csv() -> String {
    let mut s = String::from("x,z,y\n");
    for i in 0..40 {
        let y = if i < 30 { 5.5 } else { i as f64 * 1.37 + 0.25 };
        s.push_str(&format!("{i},{},{y}\n", (i * 7) % 11));
    }
    s
}

fn f64_bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn a_board_with_nan_and_inf_round_trips_exactly() {
    let ds = plainsight::core::read_bytes("constant.csv", constant_fold_csv().as_bytes())
        .expect("the fixture reads");
    let prof = plainsight::core::profile(&ds);
    let target = Some("y".to_string());
    let task = detect_task(&prof, target.as_deref()).expect("a regression task");
    let (kept, _) = features(&prof, target.as_deref());
    let setup = Setup {
        target,
        task,
        features: kept,
        seed: 42,
        budget_secs: 600.0,
    };
    let mut run = Run::new(Prepared::new(&ds, setup).expect("prepared"));
    let clock = || 0.0;
    while run.step(&clock).is_some() {}
    let mut board = run.board();
    assert!(!board.entries.is_empty(), "no entries on the board");
    // Whatever training gave, every kind of non-finite number is present.
    board.entries[0]
        .cv
        .extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
    let sent = FromWorker::Training {
        run: RunId(7),
        board: Box::new(board.clone()),
    };
    let bytes = encode(&sent).expect("encodes");
    let got = decode_from_worker(&bytes).expect("decodes");
    let FromWorker::Training { run, board: back } = got else {
        panic!("decoded another message: {got:?}");
    };
    assert_eq!(run, RunId(7));
    assert_eq!(back.entries.len(), board.entries.len());
    for (a, b) in board.entries.iter().zip(&back.entries) {
        // Bit for bit: NaN == NaN here, and -inf stays -inf.
        assert_eq!(f64_bits(&a.cv), f64_bits(&b.cv), "cv of {}", a.label);
        assert_eq!(a.train_secs.to_bits(), b.train_secs.to_bits());
    }
    let cv = &back.entries[0].cv;
    let n = cv.len();
    assert!(cv[n - 3].is_nan(), "NaN came back as {}", cv[n - 3]);
    assert!(cv[n - 2] == f64::INFINITY && cv[n - 1] == f64::NEG_INFINITY);
    // The whole message re-encodes to the same bytes.
    assert_eq!(
        encode(&FromWorker::Training { run, board: back }).unwrap(),
        bytes
    );
}

#[test]
fn any_bytes_decode_to_a_message_or_an_error() {
    let seed = encode(&FromWorker::Crashed {
        message: "x".into(),
    })
    .unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut b = seed.clone();
        let edits = 1 + next() % 4;
        for _ in 0..edits {
            let r = next();
            match r % 3 {
                0 if !b.is_empty() => {
                    let at = (r >> 8) as usize % b.len();
                    b[at] = (r >> 32) as u8;
                }
                1 => b.push((r >> 16) as u8),
                _ => {
                    let keep = (r >> 24) as usize % (b.len() + 1);
                    b.truncate(keep);
                }
            }
        }
        let _ = decode_from_worker(&b);
        let _ = decode_to_worker(&b);
    }
}

/// The warm-up's samples are the messages a file gets, in order (its
/// profile, its insights, a window of rows), each decoding to the data it
/// was made of: a sample the page could not decode, or of another kind,
/// would leave that decoder cold.
#[test]
fn the_warm_up_samples_decode_as_a_files_messages() {
    use plainsight::protocol::{warm_samples, Reply};
    let mut w = plainsight::core::warm::Warmup::of_rows(2_000).expect("made");
    while w.step() {}
    assert!(!w.failed(), "a warm-up step failed");
    let (profile, insights) = *w.take_found().expect("found");
    let samples = warm_samples(profile.clone(), insights.clone());
    assert_eq!(samples.len(), 3, "a message was not encoded");
    let decoded: Vec<FromWorker> = samples
        .iter()
        .map(|b| decode_from_worker(b).expect("decodes"))
        .collect();
    match &decoded[0] {
        FromWorker::Loaded {
            profile: Some(p), ..
        } => assert_eq!(**p, profile),
        other => panic!("first sample: {other:?}"),
    }
    match &decoded[1] {
        FromWorker::Reply {
            reply: Ok(Reply::Insights(i, _, _)),
            ..
        } => assert_eq!(**i, insights),
        other => panic!("second sample: {other:?}"),
    }
    match &decoded[2] {
        FromWorker::Reply {
            reply: Ok(Reply::Rows { rows, .. }),
            ..
        } => {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].len(), profile.column_profiles.len());
        }
        other => panic!("third sample: {other:?}"),
    }
}
