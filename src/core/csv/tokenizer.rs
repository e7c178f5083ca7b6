//! Splits delimited text into fields in one pass over each chunk, keeping
//! the positions error messages need (the physical line and byte where a
//! record starts, the line of an open quote, the line endings seen).
//!
//! Quoting is read exactly as csv-core reads it with a CRLF terminator
//! (a test compares the two on generated and fuzzed text): a field is quoted
//! only when its first byte is `"`; `""` inside quotes is one quote; text
//! after a closing quote is kept as written (`"ab"cd` is `abcd`); a quote
//! inside an unquoted field is an ordinary byte; CR, LF and CRLF each end a
//! record, and blank lines are skipped. (csv-core also skips a UTF-8
//! byte-order mark at the start; here the ingest has removed it before.)
//!
//! A field that lies wholly inside one chunk is handed on as a slice of it;
//! only a field cut by a chunk's end, or holding a doubled quote or text
//! after its closing quote, is copied.

use serde::{Deserialize, Serialize};

use crate::core::error::IngestError;

/// Where a record starts: its physical line (from 1) and byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub line: u64,
    pub byte: u64,
}

/// A field: text when its chunk was UTF-8 (checked once per chunk), else
/// bytes (UTF-8 or not) for the receiver to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field<'a> {
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// What receives the fields, in order.
pub trait Fields {
    fn field(&mut self, field: Field<'_>, record: Place) -> Result<(), IngestError>;
    /// The record that started at `record` ended (after its last field).
    fn end_record(&mut self, record: Place) -> Result<(), IngestError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between records: line breaks are skipped.
    StartRecord,
    StartField,
    /// An unquoted field (or the text after a quoted part).
    InField,
    InQuote,
    /// A quote inside a quoted field: the closing one or the first of `""`.
    QuoteInQuote,
}

/// A line break byte (CR or LF).
pub(crate) fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Three bytes, any of which ends a run of a field's bytes, looked for a
/// word of 8 bytes at a time: a byte of the word equal to one of them is a
/// zero byte of the word xor that byte repeated, and `(x - 0x01…) & !x &
/// 0x80…` flags zero bytes exactly up to the first (a borrow can flag a
/// byte above it, never below), so the lowest flag of the three is the
/// first stop. In wasm a table lookup a byte took most of the reading's
/// tokenizer time on fields of 8 bytes or more.
#[derive(Clone, Copy)]
struct Stops {
    bytes: [u8; 3],
    words: [u64; 3],
}

impl Stops {
    /// A one in each byte of a word.
    const ONES: u64 = 0x0101_0101_0101_0101;
    /// Each byte's high bit.
    const HIGHS: u64 = 0x8080_8080_8080_8080;

    const fn new(bytes: [u8; 3]) -> Stops {
        Stops {
            bytes,
            words: [
                bytes[0] as u64 * Self::ONES,
                bytes[1] as u64 * Self::ONES,
                bytes[2] as u64 * Self::ONES,
            ],
        }
    }

    /// The index of the first stop at or after `from` (the input's length
    /// when there is none).
    fn next(&self, input: &[u8], from: usize) -> usize {
        let mut i = from;
        while let Some(word) = input.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let w = u64::from_le_bytes(*word);
            let mut flags = 0;
            for stop in self.words {
                let x = w ^ stop;
                flags |= x.wrapping_sub(Self::ONES) & !x & Self::HIGHS;
            }
            if flags != 0 {
                return i + (flags.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        let run = input.get(i..).unwrap_or_default();
        i + run
            .iter()
            .position(|c| self.bytes.contains(c))
            .unwrap_or(run.len())
    }
}

/// Bytes that end a run inside a quoted field.
const QUOTE_STOPS: Stops = Stops::new([b'"', b'\r', b'\n']);

pub struct Tokenizer {
    delimiter: u8,
    /// Bytes that end an unquoted field: the delimiter, CR and LF.
    stops: Stops,
    state: State,
    /// The start of the current field when it began in an earlier chunk
    /// or holds a doubled quote (then `buffered`).
    field: Vec<u8>,
    buffered: bool,
    /// File offset of the next chunk's first byte.
    pos: u64,
    /// Line breaks seen so far (CRLF counts once).
    breaks: u64,
    prev_cr: bool,
    /// The line of the last opening quote.
    quote_line: u64,
    record: Place,
    crlf: u64,
    lf: u64,
    cr: u64,
    /// Anything but spaces, tabs and line breaks seen.
    non_ws: bool,
    /// A record starting at or after this byte is not read
    /// ([`Tokenizer::stop_before`]).
    stop: u64,
    /// Where the record that was not read starts.
    stopped: Option<u64>,
}

impl Tokenizer {
    /// `start_byte`: the text's offset in the file (a BOM's length), so
    /// positions are file offsets.
    pub fn new(delimiter: u8, start_byte: u64) -> Self {
        Tokenizer {
            delimiter,
            stops: Stops::new([delimiter, b'\r', b'\n']),
            state: State::StartRecord,
            field: Vec::new(),
            buffered: false,
            pos: start_byte,
            breaks: 0,
            prev_cr: false,
            quote_line: 0,
            record: Place {
                line: 1,
                byte: start_byte,
            },
            crlf: 0,
            lf: 0,
            cr: 0,
            non_ws: false,
            stop: u64::MAX,
            stopped: None,
        }
    }

    /// Reads no record that starts at or after `byte` (a part of a file
    /// read in parts ends with the last record that starts before its
    /// range's end): the tokenizer stops where that record starts, with
    /// the lines and line endings counted up to there.
    pub fn stop_before(&mut self, byte: u64) {
        self.stop = byte;
    }

    /// Where the first record not read starts, once the tokenizer stopped
    /// there ([`Tokenizer::stop_before`]).
    pub fn stopped(&self) -> Option<u64> {
        self.stopped
    }

    /// Line breaks read so far (CRLF counts once): the lines before the
    /// next record.
    pub fn breaks(&self) -> u64 {
        self.breaks
    }

    /// The line endings read so far: CRLF, LF and lone CR.
    pub fn endings(&self) -> Endings {
        Endings {
            crlf: self.crlf,
            lf: self.lf,
            cr: self.cr + u64::from(self.prev_cr),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.pos
    }

    /// Where the current (or last) record started.
    pub fn record(&self) -> Place {
        self.record
    }

    /// The line of an opening quote never closed, at the end of the text.
    pub fn open_quote(&self) -> Option<u64> {
        (self.state == State::InQuote).then_some(self.quote_line)
    }

    /// Whether anything but spaces, tabs and line breaks was read.
    pub fn any_content(&self) -> bool {
        self.non_ws
    }

    fn line_break(&mut self, b: u8) {
        if b == b'\n' {
            if self.prev_cr {
                self.crlf += 1;
                self.prev_cr = false;
            } else {
                self.lf += 1;
                self.breaks += 1;
            }
        } else {
            if self.prev_cr {
                self.cr += 1;
            }
            self.breaks += 1;
            self.prev_cr = true;
        }
    }

    /// A byte that is not a line break, after a CR: that CR stood alone.
    fn not_break(&mut self) {
        if self.prev_cr {
            self.cr += 1;
            self.prev_cr = false;
        }
    }

    /// Keeps part of the current field for later.
    fn keep(&mut self, bytes: &[u8]) {
        self.field.extend_from_slice(bytes);
        self.buffered = true;
    }

    /// Hands on the current field, whose last part is `text[from..to]`
    /// (`text`: the chunk's UTF-8 prefix; `input`: the chunk).
    fn emit<F: Fields>(
        &mut self,
        text: &str,
        input: &[u8],
        (from, to): (usize, usize),
        out: &mut F,
    ) -> Result<(), IngestError> {
        if !self.buffered {
            let field = match text.get(from..to) {
                Some(t) => Field::Text(t),
                None => Field::Bytes(input.get(from..to).unwrap_or_default()),
            };
            return out.field(field, self.record);
        }
        self.field
            .extend_from_slice(input.get(from..to).unwrap_or_default());
        let result = out.field(Field::Bytes(&self.field), self.record);
        self.field.clear();
        self.buffered = false;
        result
    }

    /// Ends the record at a line break `b` (consumed).
    fn end_record<F: Fields>(&mut self, b: u8, out: &mut F) -> Result<(), IngestError> {
        self.state = State::StartRecord;
        self.line_break(b);
        out.end_record(self.record)
    }

    /// Reads a chunk of text (never empty: the end is [`Tokenizer::finish`]).
    pub fn feed<F: Fields>(&mut self, input: &[u8], out: &mut F) -> Result<(), IngestError> {
        if self.stopped.is_some() {
            return Ok(());
        }
        if !self.non_ws {
            self.non_ws = input
                .iter()
                .any(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        }
        if input.first().is_some_and(|&b| !is_break(b)) {
            self.not_break();
        }
        // The chunk's text up to its first byte that is not UTF-8 (or a
        // character cut by the chunk's end): fields inside it need no
        // check of their own, since they start and end at ASCII bytes.
        let text = match std::str::from_utf8(input) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(input.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        let n = input.len();
        let mut i = 0;
        // The current field's bytes in this chunk start at `seg`; in
        // `QuoteInQuote` they end at `seg_end` (the closing quote).
        let mut seg = 0;
        let mut seg_end = 0;
        'bytes: while let Some(&b) = input.get(i) {
            match self.state {
                State::StartRecord => {
                    if is_break(b) {
                        self.line_break(b);
                        i += 1;
                        continue;
                    }
                    self.not_break();
                    let byte = self.pos + i as u64;
                    if byte >= self.stop {
                        self.stopped = Some(byte);
                        self.pos = byte;
                        return Ok(());
                    }
                    self.record = Place {
                        line: self.breaks + 1,
                        byte,
                    };
                    self.state = State::StartField;
                }
                State::StartField => {
                    i += 1;
                    if b == b'"' {
                        self.quote_line = self.breaks + 1;
                        self.state = State::InQuote;
                        seg = i;
                    } else if b == self.delimiter {
                        out.field(Field::Text(""), self.record)?;
                    } else if is_break(b) {
                        out.field(Field::Text(""), self.record)?;
                        self.end_record(b, out)?;
                    } else {
                        seg = i - 1;
                        self.state = State::InField;
                    }
                }
                State::InField => loop {
                    i = self.stops.next(input, i);
                    let Some(&stop) = input.get(i) else {
                        break 'bytes;
                    };
                    self.emit(text, input, (seg, i), out)?;
                    i += 1;
                    if stop != self.delimiter {
                        self.end_record(stop, out)?;
                        break;
                    }
                    // The next field, when it starts with an ordinary
                    // byte, is read on here (most fields are): one turn of
                    // this loop a field, not three of the outer one.
                    match input.get(i) {
                        Some(&c) if c != b'"' && c != self.delimiter && !is_break(c) => {
                            seg = i;
                            i += 1;
                        }
                        _ => {
                            self.state = State::StartField;
                            break;
                        }
                    }
                },
                State::InQuote => {
                    i = QUOTE_STOPS.next(input, i);
                    let Some(&stop) = input.get(i) else {
                        break;
                    };
                    i += 1;
                    if stop == b'"' {
                        seg_end = i - 1;
                        self.state = State::QuoteInQuote;
                    } else {
                        self.line_break(stop);
                        if input.get(i).is_some_and(|&c| !is_break(c)) {
                            self.not_break();
                        }
                    }
                }
                State::QuoteInQuote => {
                    if b == b'"' {
                        // `""`: one quote, and the field goes on.
                        self.keep(input.get(seg..seg_end).unwrap_or_default());
                        self.field.push(b'"');
                        i += 1;
                        seg = i;
                        self.state = State::InQuote;
                    } else if b == self.delimiter || is_break(b) {
                        self.emit(text, input, (seg, seg_end), out)?;
                        i += 1;
                        if b == self.delimiter {
                            self.state = State::StartField;
                        } else {
                            self.end_record(b, out)?;
                        }
                    } else {
                        // Text after the closing quote: kept as written.
                        self.keep(input.get(seg..seg_end).unwrap_or_default());
                        seg = i;
                        self.state = State::InField;
                    }
                }
            }
        }
        match self.state {
            State::InField | State::InQuote => {
                self.keep(input.get(seg..).unwrap_or_default());
            }
            State::QuoteInQuote => {
                self.keep(input.get(seg..seg_end).unwrap_or_default());
            }
            State::StartRecord | State::StartField => {}
        }
        self.pos += n as u64;
        Ok(())
    }

    /// Ends the text: the last record, when it had no line break after it.
    pub fn finish<F: Fields>(&mut self, out: &mut F) -> Result<(), IngestError> {
        if self.stopped.is_some() {
            return Ok(());
        }
        match self.state {
            State::StartRecord => return Ok(()),
            State::StartField => out.field(Field::Text(""), self.record)?,
            State::InField | State::InQuote | State::QuoteInQuote => {
                self.emit("", &[], (0, 0), out)?
            }
        }
        self.state = State::StartRecord;
        out.end_record(self.record)
    }

    /// The line endings seen: "CRLF", "LF", "CR", "mixed" or "none".
    pub fn line_ending(&self) -> String {
        self.endings().label()
    }
}

/// How many line breaks of each kind a text holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endings {
    pub crlf: u64,
    pub lf: u64,
    /// A CR not followed by LF.
    pub cr: u64,
}

impl Endings {
    /// Those of a text and the text after it (cut between two records).
    pub fn then(self, other: Endings) -> Endings {
        Endings {
            crlf: self.crlf + other.crlf,
            lf: self.lf + other.lf,
            cr: self.cr + other.cr,
        }
    }

    /// "CRLF", "LF", "CR", "mixed" or "none".
    pub fn label(&self) -> String {
        let kinds = [(self.crlf, "CRLF"), (self.lf, "LF"), (self.cr, "CR")];
        let present: Vec<&str> = kinds
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|&(_, k)| k)
            .collect();
        match present.as_slice() {
            [] => "none".to_string(),
            [one] => one.to_string(),
            _ => "mixed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::line_ending_of;
    use crate::core::rng::Rng;

    /// A word at a time finds the first stop a byte at a time would: every
    /// byte value beside and between stops (bytes past 0x80 and 0x01, which
    /// a borrow could flag), every start and length up to three words.
    #[test]
    fn stops_found_a_word_at_a_time_are_the_first() {
        let mut rng = Rng::new(7);
        let fillers = [
            0x00,
            0x01,
            b'a',
            b',' - 1,
            b',' + 1,
            0x7f,
            0x80,
            0x81,
            0xfe,
            0xff,
        ];
        for stops in [
            [b',', b'\r', b'\n'],
            [b'"', b'\r', b'\n'],
            [0x80, 0x01, 0xff],
        ] {
            let s = Stops::new(stops);
            for _ in 0..20_000 {
                let len = rng.below(26);
                let input: Vec<u8> = (0..len)
                    .map(|_| match rng.below(6) {
                        0 => stops[rng.below(3)],
                        _ => fillers[rng.below(fillers.len())],
                    })
                    .collect();
                let from = rng.below(len + 1);
                let slow = from
                    + input[from..]
                        .iter()
                        .position(|c| stops.contains(c))
                        .unwrap_or(len - from);
                assert_eq!(
                    s.next(&input, from),
                    slow,
                    "{stops:?} {input:?} from {from}"
                );
            }
        }
    }

    /// Records as fields of bytes.
    type Records = Vec<Vec<Vec<u8>>>;

    #[derive(Default)]
    struct Collect {
        records: Records,
        record: Vec<Vec<u8>>,
        places: Vec<Place>,
    }

    impl Fields for Collect {
        fn field(&mut self, field: Field<'_>, _: Place) -> Result<(), IngestError> {
            let bytes = match field {
                Field::Text(t) => t.as_bytes(),
                Field::Bytes(b) => b,
            };
            self.record.push(bytes.to_vec());
            Ok(())
        }
        fn end_record(&mut self, record: Place) -> Result<(), IngestError> {
            self.records.push(std::mem::take(&mut self.record));
            self.places.push(record);
            Ok(())
        }
    }

    fn ours(text: &[u8], d: u8, chunks: &[usize]) -> (Records, Vec<Place>, String) {
        let mut tok = Tokenizer::new(d, 0);
        let mut out = Collect::default();
        let mut rest = text;
        let mut sizes = chunks.iter().cycle();
        while !rest.is_empty() {
            let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(n);
            tok.feed(chunk, &mut out).unwrap();
            rest = tail;
        }
        tok.finish(&mut out).unwrap();
        (out.records, out.places, tok.line_ending())
    }

    /// csv-core's reading (the reader the app used before), the reference.
    fn reference(text: &[u8], d: u8) -> Records {
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(d)
            .terminator(csv_core::Terminator::CRLF)
            .build();
        let mut out = vec![0u8; text.len() + 1];
        let (mut records, mut record) = (Vec::new(), Vec::new());
        // A first call of one byte: csv-core then never skips a byte-order
        // mark, which the ingest removes before the tokenizer sees the text.
        let mut first = true;
        let mut input = text;
        let mut len = 0;
        loop {
            let part = if first {
                &input[..input.len().min(1)]
            } else {
                input
            };
            first = false;
            let (res, nin, nout) = reader.read_field(part, &mut out[len..]);
            input = &input[nin..];
            len += nout;
            match res {
                csv_core::ReadFieldResult::Field { record_end } => {
                    record.push(out[..len].to_vec());
                    len = 0;
                    if record_end {
                        records.push(std::mem::take(&mut record));
                    }
                }
                csv_core::ReadFieldResult::InputEmpty => {}
                csv_core::ReadFieldResult::OutputFull => unreachable!("output holds the text"),
                csv_core::ReadFieldResult::End => return records,
            }
        }
    }

    fn check(text: &[u8], d: u8, chunks: &[usize]) {
        let (got, places, ending) = ours(text, d, chunks);
        let want = reference(text, d);
        assert_eq!(
            got,
            want,
            "text {:?}, chunks {chunks:?}",
            String::from_utf8_lossy(text)
        );
        assert_eq!(
            ending,
            line_ending_of(text),
            "line ending of {:?}",
            String::from_utf8_lossy(text)
        );
        // Each record starts where the whole text says it does.
        let (_, whole, _) = ours(text, d, &[usize::MAX]);
        assert_eq!(
            places,
            whole,
            "places of {:?}",
            String::from_utf8_lossy(text)
        );
    }

    #[test]
    fn reads_as_csv_core_does_on_generated_text() {
        let alphabet: &[&[u8]] = &[
            b"a",
            b"bc",
            b",",
            b";",
            b"\"",
            b"\"\"",
            b"\r",
            b"\n",
            b"\r\n",
            b" ",
            b"\t",
            "é".as_bytes(),
            b"\xff",
            b"\xef\xbb\xbf",
            b"1.5",
            // Longer than a word: the stops' search a word at a time.
            b"abcdefghijk",
            "2024-01-31T00:00:00é".as_bytes(),
        ];
        let mut rng = Rng::new(16);
        for case in 0..20_000 {
            let mut text = Vec::new();
            for _ in 0..rng.below(40) {
                text.extend_from_slice(alphabet[rng.below(alphabet.len())]);
            }
            let d = if case % 3 == 0 { b';' } else { b',' };
            let chunks: Vec<usize> = (0..4).map(|_| 1 + rng.below(9)).collect();
            check(&text, d, &chunks);
            // And in one chunk, as most fields are read.
            check(&text, d, &[text.len()]);
        }
    }

    #[test]
    fn reads_as_csv_core_does_on_the_fuzz_corpus() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/ingest");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let body = data.get(2..).unwrap_or_default();
            for d in [b',', b'\t', b';'] {
                check(body, d, &[1, 7, 64, 4096]);
            }
            n += 1;
        }
        assert!(n > 100, "only {n} corpus files");
    }

    #[test]
    fn positions_and_line_endings() {
        let text = b"\r\n\na,b\r\n\"x\ny\",2\r3,4\n";
        for chunk in [1, 2, 5, 100] {
            let mut tok = Tokenizer::new(b',', 3);
            let mut out = Collect::default();
            for c in text.chunks(chunk) {
                tok.feed(c, &mut out).unwrap();
            }
            tok.finish(&mut out).unwrap();
            let lines: Vec<(u64, u64)> = out.places.iter().map(|p| (p.line, p.byte)).collect();
            assert_eq!(lines, vec![(3, 6), (4, 11), (6, 19)], "chunk {chunk}");
            assert_eq!(tok.line_ending(), "mixed");
            assert!(tok.any_content());
        }
        let mut tok = Tokenizer::new(b',', 0);
        tok.feed(b"a\n\"open\nx", &mut Collect::default()).unwrap();
        assert_eq!(tok.open_quote(), Some(2));
        let mut tok = Tokenizer::new(b',', 0);
        tok.feed(b" \t\r\n", &mut Collect::default()).unwrap();
        assert!(!tok.any_content());
        assert_eq!(tok.line_ending(), "CRLF");
    }
}
