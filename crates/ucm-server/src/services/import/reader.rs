//! Reading a CSV file as people really have it, in one pass and in constant memory: the
//! encoding is decided up front (a BOM, else whether the whole file is valid UTF-8, else
//! Windows-1252), the bytes are decoded to UTF-8 as they stream, and every record carries
//! the line of the file it starts on.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 with some invalid bytes, each read as U+FFFD (and reported by line).
    Utf8Damaged,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Damaged => "UTF-8 (invalid bytes replaced)",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }

    fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }

    fn decoder(self) -> Option<encoding_rs::Decoder> {
        let e = match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => return None,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
            TextEncoding::Utf8Damaged => encoding_rs::UTF_8,
        };
        Some(e.new_decoder_without_bom_handling())
    }
}

const CHUNK: usize = 64 * 1024;

/// A BOM decides; else UTF-8 if every byte of the file is valid UTF-8; else, when the file has
/// valid multi-byte UTF-8 sequences too, damaged UTF-8 (reading it as Windows-1252 would turn
/// every accented letter into mojibake to keep the few bad bytes); else Windows-1252 (a
/// superset of Latin-1's printable range, so nothing is replaced).
pub fn sniff_encoding<R: Read>(mut r: R) -> io::Result<TextEncoding> {
    let mut buf = vec![0u8; CHUNK];
    let mut filled = 0;
    while filled < 3 {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let head = &buf[..filled];
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok(TextEncoding::Utf8Bom);
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16Be);
    }
    if head.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16Le);
    }
    let (mut multibyte, mut invalid) = (0u64, 0u64);
    // Across chunk boundaries: an incomplete sequence at a chunk's end is carried over.
    let mut end = filled;
    loop {
        let mut at = 0;
        let carry = loop {
            match std::str::from_utf8(&buf[at..end]) {
                Ok(text) => {
                    multibyte += text.bytes().filter(|b| *b >= 0xC0).count() as u64;
                    break 0;
                }
                Err(e) => {
                    let valid = at + e.valid_up_to();
                    multibyte += buf[at..valid].iter().filter(|b| **b >= 0xC0).count() as u64;
                    match e.error_len() {
                        Some(bad) => {
                            invalid += 1;
                            at = valid + bad;
                        }
                        None => {
                            buf.copy_within(valid..end, 0);
                            break end - valid;
                        }
                    }
                }
            }
        };
        let n = r.read(&mut buf[carry..])?;
        if n == 0 {
            invalid += u64::from(carry > 0);
            return Ok(if invalid == 0 {
                TextEncoding::Utf8
            } else if multibyte > invalid {
                TextEncoding::Utf8Damaged
            } else {
                TextEncoding::Windows1252
            });
        }
        end = carry + n;
    }
}

/// The file's bytes as UTF-8, without the BOM; counts the raw bytes read for progress.
pub struct Decoded<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    bom_left: usize,
    input: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    output: Vec<u8>,
    out_pos: usize,
    eof: bool,
    finished: bool,
    pub raw_bytes: u64,
}

impl<R: Read> Decoded<R> {
    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        Self {
            inner,
            decoder: encoding.decoder(),
            bom_left: encoding.bom_len(),
            input: vec![0; CHUNK],
            in_pos: 0,
            in_len: 0,
            output: Vec::with_capacity(CHUNK * 3 + 16),
            out_pos: 0,
            eof: false,
            finished: false,
            raw_bytes: 0,
        }
    }

    fn read_raw(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            self.raw_bytes += n as u64;
            let skip = self.bom_left.min(n);
            self.bom_left -= skip;
            if skip == n && n > 0 {
                continue;
            }
            buf.copy_within(skip..n, 0);
            return Ok(n - skip);
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.decoder.is_none() {
            return self.read_raw(buf);
        }
        loop {
            if self.out_pos < self.output.len() {
                let n = buf.len().min(self.output.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.eof {
                let mut input = std::mem::take(&mut self.input);
                let n = self.read_raw(&mut input);
                self.input = input;
                self.in_len = n?;
                self.in_pos = 0;
                self.eof = self.in_len == 0;
            }
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            self.output.resize(CHUNK * 3 + 16, 0);
            let (result, read, written, _) = decoder.decode_to_utf8(
                &self.input[self.in_pos..self.in_len],
                &mut self.output,
                self.eof,
            );
            self.in_pos += read;
            self.output.truncate(written);
            self.out_pos = 0;
            if self.eof && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

/// Passes bytes through and remembers where runs of line-break bytes are, so that a record's
/// byte offset can be turned into the line of the file it starts on. (The csv crate's own
/// line numbers lag by one after a CRLF, and count blank lines skipped before a record.)
pub struct Tracked<R> {
    inner: R,
    offset: u64,
    /// Closed runs of `\r`/`\n` bytes ahead of the reader: (start, end, newlines in the run).
    runs: VecDeque<(u64, u64, u64)>,
    open_run: Option<(u64, u64)>,
    prev_cr: bool,
    newlines_before: u64,
}

impl<R> Tracked<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            runs: VecDeque::new(),
            open_run: None,
            prev_cr: false,
            newlines_before: 0,
        }
    }

    /// The 1-based line of the record that starts at byte `pos` (line breaks before it skipped).
    /// Positions must not go backwards.
    fn line_at(&mut self, pos: u64) -> u64 {
        while let Some(&(_, end, n)) = self.runs.front() {
            if end > pos {
                break;
            }
            self.newlines_before += n;
            self.runs.pop_front();
        }
        let in_run = match (self.runs.front(), self.open_run) {
            (Some(&(start, _, n)), _) if start <= pos => n,
            (None, Some((start, n))) if start <= pos => n,
            _ => 0,
        };
        1 + self.newlines_before + in_run
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            let pos = self.offset + i as u64;
            if b == b'\n' || b == b'\r' {
                // CRLF, LF and a lone CR (old Mac files) each end one line.
                let ends_line = b == b'\r' || !self.prev_cr;
                let run = self.open_run.get_or_insert((pos, 0));
                if ends_line {
                    run.1 += 1;
                }
                self.prev_cr = b == b'\r';
            } else {
                self.prev_cr = false;
                if let Some((start, newlines)) = self.open_run.take() {
                    self.runs.push_back((start, pos, newlines));
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Records of a decoded (UTF-8) stream, one at a time.
pub struct RecordReader<R: Read> {
    reader: csv::Reader<Tracked<Decoded<R>>>,
    record: csv::StringRecord,
}

impl<R: Read> RecordReader<R> {
    pub fn new(inner: R, encoding: TextEncoding, delimiter: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(CHUNK)
            .from_reader(Tracked::new(Decoded::new(inner, encoding)));
        Self {
            reader,
            record: csv::StringRecord::new(),
        }
    }

    pub fn next_record(&mut self) -> Result<Option<Record>, String> {
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let pos = self.record.position().map_or(0, |p| p.byte());
                let line = self.reader.get_mut().line_at(pos);
                Ok(Some(Record {
                    line,
                    cells: self.record.iter().map(str::to_owned).collect(),
                }))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(format!("the file is not readable as CSV: {e}")),
        }
    }

    /// Bytes of the file read so far (ahead of the records returned by up to a buffer).
    pub fn raw_bytes(&self) -> u64 {
        self.reader.get_ref().inner.raw_bytes
    }
}

/// The opening of the file as text, for detecting the delimiter.
pub fn text_prefix<R: Read>(inner: R, encoding: TextEncoding) -> io::Result<String> {
    let mut buf = Vec::with_capacity(CHUNK);
    Decoded::new(inner, encoding)
        .take(CHUNK as u64)
        .read_to_end(&mut buf)?;
    // The cut may split a character; the prefix only counts delimiters.
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Picks the delimiter whose count per line is most consistent over the first lines.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut freq: HashMap<usize, usize> = HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_default() += 1;
        }
        // Lines that agree on the same non-zero count, weighted a little by the count itself.
        let score = freq
            .iter()
            .map(|(count, n)| n * 1000 + count)
            .max()
            .unwrap_or(0);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == d && !in_quotes {
            n += 1;
        }
    }
    n
}

/// A quote that is opened and never closed makes the CSV reader take every following line as
/// part of one cell, which would import (or skip) one row where the file has hundreds. A cell
/// holding several lines that each look like a row of the file is that mistake, and the
/// import is refused with the line where the quote opens, instead of losing those rows.
pub fn swallowed_rows(r: &Record, delimiter: u8, columns: usize) -> Option<String> {
    let d = char::from(delimiter);
    // A row of the file has at least one delimiter fewer than the header has columns.
    let needed = columns.saturating_sub(1).clamp(1, 2);
    for (col, cell) in r.cells.iter().enumerate() {
        if !cell.contains(['\n', '\r']) {
            continue;
        }
        let lines: Vec<&str> = cell.split(['\n', '\r']).filter(|l| !l.is_empty()).collect();
        let row_like = lines
            .iter()
            .filter(|l| l.matches(d).count() >= needed)
            .count();
        if row_like >= 3 && row_like * 2 >= lines.len() {
            return Some(format!(
                "line {}, column {}: a quoted value opens here and runs over {} lines that look like rows of the file; a closing quote (\") is probably missing, so nothing was imported",
                r.line,
                col + 1,
                lines.len()
            ));
        }
    }
    None
}

#[cfg(test)]
pub fn read_all(bytes: &[u8]) -> (TextEncoding, Vec<Record>) {
    let enc = sniff_encoding(bytes).unwrap_or(TextEncoding::Utf8);
    let delimiter = detect_delimiter(&text_prefix(bytes, enc).unwrap_or_default());
    let mut r = RecordReader::new(bytes, enc, delimiter);
    let mut out = Vec::new();
    while let Ok(Some(rec)) = r.next_record() {
        out.push(rec);
    }
    (enc, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &[u8]) -> Vec<u64> {
        read_all(t).1.iter().map(|r| r.line).collect()
    }

    #[test]
    fn row_numbers_are_file_lines_with_any_line_ending() {
        for t in [
            "A,B\r\n1,x\r\n\r\n\"2\r\nwrapped\",y\r\n3,z\r\n",
            "A,B\n1,x\n\n\"2\nwrapped\",y\n3,z\n",
            "A,B\r1,x\r\r\"2\rwrapped\",y\r3,z\r",
        ] {
            assert_eq!(lines(t.as_bytes()), vec![1, 2, 4, 6], "{t:?}");
        }
    }

    #[test]
    fn line_numbers_survive_buffer_boundaries() {
        let mut t = String::from("Name,Note\n");
        for i in 0..5000 {
            if i % 7 == 0 {
                t.push_str(&format!("n{i},\"two\nlines\"\r\n\r\n"));
            } else {
                t.push_str(&format!("n{i},plain\n"));
            }
        }
        let recs = read_all(t.as_bytes()).1;
        let mut expected_line = 2;
        for (i, r) in recs.iter().skip(1).enumerate() {
            assert_eq!(r.line, expected_line, "record {i}");
            expected_line += if i % 7 == 0 { 3 } else { 1 };
        }
        assert_eq!(recs.len(), 5001);
    }

    #[test]
    fn damaged_utf8_stays_utf8_and_latin1_stays_latin1() {
        // Mostly UTF-8 (é, ü, ß) with one stray byte: the accents survive, the byte becomes �.
        let damaged = b"Name,City\nRen\xC3\xA9e,M\xC3\xBCnchen\nJ\xF6rg,Stra\xC3\x9Fe\n";
        let (enc, recs) = read_all(damaged);
        assert_eq!(enc, TextEncoding::Utf8Damaged);
        assert_eq!(recs[1].cells, ["Renée", "München"]);
        assert_eq!(recs[2].cells, ["J\u{FFFD}rg", "Straße"]);
        // Latin-1 bytes only: Windows-1252, nothing replaced.
        let (enc, recs) = read_all(b"Name\nJ\xF6rg M\xFCller\n");
        assert_eq!(enc, TextEncoding::Windows1252);
        assert_eq!(recs[1].cells, ["Jörg Müller"]);
    }

    #[test]
    fn an_unclosed_quote_is_caught_not_swallowed() {
        let broken = "Name,Email,Phone\nAcme,\"a@x.test,1\nBeta,b@x.test,2\nGamma,g@x.test,3\nDelta,d@x.test,4\n";
        let msg = read_all(broken.as_bytes())
            .1
            .iter()
            .find_map(|r| swallowed_rows(r, b',', 3))
            .unwrap_or_default();
        assert!(msg.starts_with("line 2, column 2"), "{msg}");
        // Two columns, and lines ending in CR only: the rows have one delimiter each.
        let mut two = String::from("Customer Name,Email\rQ1 Co,q1@x.test\r\"Q2 Co,q2@x.test\r");
        for i in 0..20 {
            two.push_str(&format!("QQ{i} Co,qq{i}@x.test\r"));
        }
        let msg = read_all(two.as_bytes())
            .1
            .iter()
            .find_map(|r| swallowed_rows(r, b',', 2))
            .unwrap_or_default();
        assert!(msg.starts_with("line 3, column 1"), "{msg}");
        // A real multi-line cell (an address, a note) is fine.
        let fine = "Name,Address\nAcme,\"1 Main St\nSuite 4\nBrisbane, QLD\"\n";
        assert!(read_all(fine.as_bytes())
            .1
            .iter()
            .all(|r| swallowed_rows(r, b',', 2).is_none()));
    }

    fn text_of(bytes: &[u8]) -> (String, &'static str) {
        let enc = sniff_encoding(bytes).unwrap_or(TextEncoding::Utf8);
        let mut out = String::new();
        let _ = Decoded::new(bytes, enc).read_to_string(&mut out);
        (out, enc.label())
    }

    #[test]
    fn encodings_are_detected_and_decoded() {
        assert_eq!(
            text_of(b"\xEF\xBB\xBFname\n"),
            ("name\n".into(), "UTF-8 with BOM")
        );
        assert_eq!(text_of(b"J\xf6hn"), ("Jöhn".into(), "windows-1252"));
        assert_eq!(text_of(b"\xFF\xFEa\x00b\x00"), ("ab".into(), "UTF-16LE"));
        assert_eq!(text_of(b"\xFE\xFF\x00a\x00b"), ("ab".into(), "UTF-16BE"));
        assert_eq!(text_of("Zoë".as_bytes()), ("Zoë".into(), "UTF-8"));
        // One bad byte late in a UTF-8 file: decided over the whole file, still UTF-8 (the
        // 50,000 é stay é); only that byte is replaced.
        let mut late = "é,".repeat(50_000).into_bytes();
        late.extend_from_slice(b"\x80");
        let (text, label) = text_of(&late);
        assert_eq!(label, "UTF-8 (invalid bytes replaced)");
        assert!(text.starts_with("é,é,") && text.ends_with("é,\u{FFFD}"));
        // A multi-byte character cut by a chunk boundary is not an error.
        let mut cut = vec![b'a'; CHUNK - 1];
        cut.extend_from_slice("é".as_bytes());
        assert_eq!(text_of(&cut).1, "UTF-8");
        // A UTF-16 file bigger than one chunk decodes whole.
        let mut big = vec![0xFF, 0xFE];
        for _ in 0..100_000 {
            big.extend_from_slice(&[b'x', 0]);
        }
        assert_eq!(text_of(&big).0.len(), 100_000);
    }

    #[test]
    fn delimiters_are_detected() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(detect_delimiter("a,b\n\"x;y\",2\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(detect_delimiter("a|b\n1|2\n"), b'|');
    }
}
