//! A strict JSON parser producing the spanned [`Node`] tree. Written here (rather than via
//! serde_json) because rules need the byte span of every key and value, and duplicate keys must be
//! reported rather than silently merged.

use crate::node::{DuplicateKey, MappingKeys, Node, NodeKind, ParsedDoc, Style, SyntaxError};
use crate::source::{FileId, Span};

pub struct Limits {
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 256 }
    }
}

struct Parser<I> {
    input: I,
    file: FileId,
    depth: usize,
    max_depth: usize,
    duplicates: Vec<DuplicateKey>,
}

type PResult<T> = Result<T, SyntaxError>;

/// What the parser reads, with positions in the file's text: a document's bytes as they are
/// ([`Verbatim`]), or the decoded value of a JSON string literal read through its escapes
/// ([`Escaped`]: a policy inside a Terraform plan string, parsed where it stands).
trait Input {
    fn pos(&self) -> usize;
    /// The decoded byte at the cursor (the first byte of a non-ASCII character), `None` at the
    /// end.
    fn peek(&self) -> Option<u8>;
    /// Step over the decoded character at the cursor (called on ASCII characters only).
    fn bump(&mut self);
    /// Step over `word` if the decoded text at the cursor starts with it.
    fn eat(&mut self, word: &str) -> bool;
    /// Read a string's characters after its opening quote, through its closing quote.
    fn string(&mut self, out: &mut String) -> Result<(), &'static str>;
    /// The decoded text from `start` to the cursor (a number's digits).
    fn decoded_since(&self, start: usize) -> String;
    /// The character at the cursor, for an error message.
    fn describe_here(&self) -> String;
}

/// The bytes of `text` up to `end`, as they are.
struct Verbatim<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Input for Verbatim<'_> {
    fn pos(&self) -> usize {
        self.pos
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn bump(&mut self) {
        self.pos += 1;
    }
    fn eat(&mut self, word: &str) -> bool {
        let found = self.text.get(self.pos..self.pos + word.len()) == Some(word);
        if found {
            self.pos += word.len();
        }
        found
    }
    // Always inlined: this loop is most of the parse-only time of a JSON file.
    #[inline(always)]
    fn string(&mut self, out: &mut String) -> Result<(), &'static str> {
        loop {
            self.pos = copy_plain_run(self.text, self.pos, out);
            match self.bytes.get(self.pos) {
                None => return Err("unterminated string"),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let (c, len) = decode_escape(self.text, self.pos).ok_or(INVALID_ESCAPE)?;
                    out.push(c);
                    self.pos += len;
                }
                Some(_) => return Err(CONTROL_CHARACTER),
            }
        }
    }
    fn decoded_since(&self, start: usize) -> String {
        self.text[start..self.pos].to_string()
    }
    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
            Some(c) => format!("'{c}'"),
            None => "end of input".into(),
        }
    }
}

/// Copy the bytes from `pos` that stand for themselves inside a JSON string (up to a quote, a
/// backslash or a control byte) to `out`; returns where they end.
#[inline(always)]
fn copy_plain_run(text: &str, pos: usize, out: &mut String) -> usize {
    let bytes = text.as_bytes();
    let mut end = pos;
    while let Some(&b) = bytes.get(end) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        end += 1;
    }
    // The run stops only at ASCII bytes, so both ends are character boundaries.
    out.push_str(text.get(pos..end).unwrap_or_default());
    end
}

const INVALID_ESCAPE: &str = "invalid escape sequence in string";
const CONTROL_CHARACTER: &str = "control character in string (escape it)";

/// The decoded value of the JSON string literal whose content starts at `pos`: escapes of the
/// literal are read as the characters they stand for, and the literal's closing quote is the end.
#[derive(Clone, Copy)]
struct Escaped<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Escaped<'_> {
    /// The decoded character at the cursor and its length in the text.
    #[inline]
    fn char_here(&self) -> Option<(char, usize)> {
        match *self.bytes.get(self.pos)? {
            b'"' => None,
            b'\\' => decode_escape(self.text, self.pos),
            _ => {
                let c = self.text.get(self.pos..)?.chars().next()?;
                Some((c, c.len_utf8()))
            }
        }
    }
    fn next_char(&mut self) -> Option<char> {
        let (c, len) = self.char_here()?;
        self.pos += len;
        Some(c)
    }
    /// Four decoded characters read as hexadecimal, as [`decode_escape`] reads `\uXXXX`.
    fn hex4(&mut self) -> Option<u32> {
        let mut digits = String::with_capacity(4);
        for _ in 0..4 {
            digits.push(self.next_char()?);
        }
        u32::from_str_radix(&digits, 16).ok()
    }
    /// The escape after a decoded backslash, read from the decoded characters (the inner
    /// document's own escapes), with [`decode_escape`]'s meaning.
    fn inner_escape(&mut self) -> Option<char> {
        let letter = self.next_char()?;
        if letter != 'u' {
            return simple_escape(letter);
        }
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            let after_high = self.pos;
            let pair = (self.next_char() == Some('\\') && self.next_char() == Some('u'))
                .then(|| self.hex4())
                .flatten()
                .and_then(|lo| surrogate_pair(hi, lo));
            if pair.is_some() {
                return pair;
            }
            self.pos = after_high;
        }
        Some(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }
}

impl Input for Escaped<'_> {
    fn pos(&self) -> usize {
        self.pos
    }
    fn peek(&self) -> Option<u8> {
        // An escape that does not decode stops the grammar like any unexpected byte.
        match *self.bytes.get(self.pos)? {
            b'"' => None,
            b'\\' => Some(self.char_here().map_or(0, |(c, _)| {
                let mut utf8 = [0u8; 4];
                c.encode_utf8(&mut utf8).bytes().next().unwrap_or(0)
            })),
            b => Some(b),
        }
    }
    fn bump(&mut self) {
        self.pos += self.char_here().map_or(1, |(_, len)| len);
    }
    fn eat(&mut self, word: &str) -> bool {
        let mut reader = *self;
        let found = word.chars().all(|c| reader.next_char() == Some(c));
        if found {
            self.pos = reader.pos;
        }
        found
    }
    fn string(&mut self, out: &mut String) -> Result<(), &'static str> {
        loop {
            // Bytes other than the literal's quote and backslash stand for themselves.
            self.pos = copy_plain_run(self.text, self.pos, out);
            match self.bytes.get(self.pos) {
                Some(b'\\') => {
                    let (c, len) = decode_escape(self.text, self.pos).ok_or(INVALID_ESCAPE)?;
                    self.pos += len;
                    match c {
                        '"' => return Ok(()),
                        '\\' => out.push(self.inner_escape().ok_or(INVALID_ESCAPE)?),
                        c if (c as u32) < 0x20 => return Err(CONTROL_CHARACTER),
                        c => out.push(c),
                    }
                }
                // The literal ends inside the string.
                Some(b'"') | None => return Err("unterminated string"),
                Some(_) => return Err(CONTROL_CHARACTER),
            }
        }
    }
    fn decoded_since(&self, start: usize) -> String {
        let mut reader = Escaped {
            pos: start,
            ..*self
        };
        let mut out = String::new();
        while reader.pos < self.pos {
            match reader.next_char() {
                Some(c) => out.push(c),
                None => break,
            }
        }
        out
    }
    fn describe_here(&self) -> String {
        match self.char_here() {
            Some((c, _)) if c.is_control() => format!("U+{:04X}", c as u32),
            Some((c, _)) => format!("'{c}'"),
            None => "end of input".into(),
        }
    }
}

/// Parse one JSON document; `file` is stamped on every span.
pub fn parse(text: &str, file: FileId, limits: &Limits) -> Result<ParsedDoc, SyntaxError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    parse_range(text, start, text.len(), file, limits)
}

/// Parse the JSON document in `text[start..end]`, with spans (and error offsets) in `text`: a
/// document whose bytes lie verbatim in a larger file, such as a YAML literal block (its
/// indentation is JSON whitespace), is read in place.
pub fn parse_range(
    text: &str,
    start: usize,
    end: usize,
    file: FileId,
    limits: &Limits,
) -> Result<ParsedDoc, SyntaxError> {
    let Some(text) = text.get(..end).filter(|t| t.is_char_boundary(start)) else {
        return Err(SyntaxError {
            offset: start.min(text.len()),
            message: "the range is not inside the text".to_string(),
        });
    };
    let input = Verbatim {
        text,
        bytes: text.as_bytes(),
        pos: start,
    };
    Parser::new(input, file, limits).document()
}

/// Parse the JSON document that is the value of the JSON string literal whose opening quote is
/// at `start` of `text`, reading through the literal's escapes, with spans in `text`: the spans
/// [`crate::loader::embedded::Inner`] would map the value's tree to, without decoding the value
/// into a copy first or mapping every span afterwards. `None` when the value is not a valid
/// document (the caller reads the value for the error message).
pub fn parse_in_string_literal(
    text: &str,
    start: usize,
    file: FileId,
    limits: &Limits,
) -> Option<ParsedDoc> {
    if text.as_bytes().get(start) != Some(&b'"') {
        return None;
    }
    let input = Escaped {
        text,
        bytes: text.as_bytes(),
        pos: start + 1,
    };
    let mut p = Parser::new(input, file, limits);
    let doc = p.document().ok()?;
    // The document must end where the literal does.
    (text.as_bytes().get(p.input.pos) == Some(&b'"')).then_some(doc)
}

impl<I: Input> Parser<I> {
    fn new(input: I, file: FileId, limits: &Limits) -> Parser<I> {
        Parser {
            input,
            file,
            depth: 0,
            max_depth: limits.max_depth,
            duplicates: Vec::new(),
        }
    }

    fn document(&mut self) -> Result<ParsedDoc, SyntaxError> {
        self.skip_ws();
        let root = self.value()?;
        self.skip_ws();
        if self.input.peek().is_some() {
            return Err(self.err("unexpected content after the JSON value"));
        }
        Ok(ParsedDoc {
            root,
            duplicates: std::mem::take(&mut self.duplicates),
        })
    }

    fn err(&self, message: &str) -> SyntaxError {
        SyntaxError {
            offset: self.input.pos(),
            message: message.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.input.peek() {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.input.bump();
            } else {
                break;
            }
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.input.pos())
    }

    fn value(&mut self) -> PResult<Node> {
        let start = self.input.pos();
        match self.input.peek() {
            None => Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let s = self.string()?;
                let mut n = Node::new(NodeKind::Str(s), self.span(start));
                n.style = Style::Json;
                Ok(n)
            }
            Some(b't') => self.literal("true", NodeKind::Bool(true)),
            Some(b'f') => self.literal("false", NodeKind::Bool(false)),
            Some(b'n') => self.literal("null", NodeKind::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err(&format!(
                "unexpected character {}",
                self.input.describe_here()
            ))),
        }
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> PResult<Node> {
        let start = self.input.pos();
        if self.input.eat(word) {
            Ok(Node::new(kind, self.span(start)))
        } else {
            Err(self.err(&format!(
                "unexpected character {}",
                self.input.describe_here()
            )))
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.input.pos();
        if self.input.peek() == Some(b'-') {
            self.input.bump();
        }
        let digits = |p: &mut Self| {
            let s = p.input.pos();
            while p.input.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.input.bump();
            }
            p.input.pos() > s
        };
        if !digits(self) {
            return Err(self.err("invalid number"));
        }
        if self.input.peek() == Some(b'.') {
            self.input.bump();
            if !digits(self) {
                return Err(self.err("invalid number: digits expected after '.'"));
            }
        }
        if matches!(self.input.peek(), Some(b'e' | b'E')) {
            self.input.bump();
            if matches!(self.input.peek(), Some(b'+' | b'-')) {
                self.input.bump();
            }
            if !digits(self) {
                return Err(self.err("invalid number: digits expected in exponent"));
            }
        }
        let text = self.input.decoded_since(start);
        Ok(Node::new(NodeKind::Number(text), self.span(start)))
    }

    #[inline(always)]
    fn string(&mut self) -> PResult<String> {
        // Caller checked the opening quote.
        self.input.bump();
        let mut out = String::new();
        match self.input.string(&mut out) {
            Ok(()) => Ok(out),
            Err(message) => Err(self.err(message)),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.err(&format!("nesting deeper than {} levels", self.max_depth)));
        }
        Ok(())
    }

    fn array(&mut self) -> PResult<Node> {
        let start = self.input.pos();
        self.enter()?;
        self.input.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.input.peek() == Some(b']') {
            self.input.bump();
        } else {
            loop {
                self.skip_ws();
                items.push(self.value()?);
                self.skip_ws();
                match self.input.peek() {
                    Some(b',') => {
                        self.input.bump();
                        self.skip_ws();
                        if self.input.peek() == Some(b']') {
                            return Err(self.err("trailing comma before ']'"));
                        }
                    }
                    Some(b']') => {
                        self.input.bump();
                        break;
                    }
                    _ => return Err(self.err("expected ',' or ']' in array")),
                }
            }
        }
        self.depth -= 1;
        Ok(Node::new(NodeKind::Seq(items), self.span(start)))
    }

    fn object(&mut self) -> PResult<Node> {
        let start = self.input.pos();
        self.enter()?;
        self.input.bump();
        let mut entries: Vec<(Node, Node)> = Vec::new();
        let mut keys = MappingKeys::default();
        self.skip_ws();
        if self.input.peek() == Some(b'}') {
            self.input.bump();
        } else {
            loop {
                self.skip_ws();
                if self.input.peek() != Some(b'"') {
                    return Err(self.err("expected a string key in object"));
                }
                let key_start = self.input.pos();
                let key = self.string()?;
                let mut key_node = Node::new(NodeKind::Str(key), self.span(key_start));
                key_node.style = Style::Json;
                self.skip_ws();
                if self.input.peek() != Some(b':') {
                    return Err(self.err("expected ':' after object key"));
                }
                self.input.bump();
                self.skip_ws();
                let value = self.value()?;
                let text = key_node.as_str().unwrap_or_default();
                if let Some(first) = keys.earlier(&entries, text) {
                    self.duplicates.push(DuplicateKey {
                        key: text.to_string(),
                        first: first.span,
                        second: key_node.span,
                    });
                }
                entries.push((key_node, value));
                self.skip_ws();
                match self.input.peek() {
                    Some(b',') => {
                        self.input.bump();
                        self.skip_ws();
                        if self.input.peek() == Some(b'}') {
                            return Err(self.err("trailing comma before '}'"));
                        }
                    }
                    Some(b'}') => {
                        self.input.bump();
                        break;
                    }
                    _ => return Err(self.err("expected ',' or '}' in object")),
                }
            }
        }
        self.depth -= 1;
        Ok(Node::new(NodeKind::Map(entries), self.span(start)))
    }
}

/// Decode the escape at `pos` (which holds a backslash). Returns the character and the escape's
/// length in bytes. Surrogate pairs are joined; a lone surrogate becomes U+FFFD.
#[inline]
fn decode_escape(text: &str, pos: usize) -> Option<(char, usize)> {
    let letter = *text.as_bytes().get(pos + 1)?;
    if letter != b'u' {
        return simple_escape(char::from(letter)).map(|c| (c, 2));
    }
    let hex = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let hi = hex(pos + 2..pos + 6)?;
    if (0xD800..0xDC00).contains(&hi) && text.get(pos + 6..pos + 8) == Some("\\u") {
        if let Some(c) = hex(pos + 8..pos + 12).and_then(|lo| surrogate_pair(hi, lo)) {
            return Some((c, 12));
        }
    }
    Some((char::from_u32(hi).unwrap_or('\u{fffd}'), 6))
}

/// The character a one-letter escape (`\n`, `\"` ...) stands for; `None` for `u` and for
/// letters JSON does not define.
#[inline]
fn simple_escape(letter: char) -> Option<char> {
    Some(match letter {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        _ => return None,
    })
}

/// A high surrogate (`hi`, already checked) and `lo` joined into one character, when `lo` is a
/// low surrogate.
fn surrogate_pair(hi: u32, lo: u32) -> Option<char> {
    (0xDC00..0xE000)
        .contains(&lo)
        .then(|| char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)))
        .flatten()
}

/// Where the bytes of the JSON string literal at byte `start` of `text` (its opening quote) came
/// from, as [`Segments`] that restart after every escape; `value` is the string the parser
/// decoded from it, checked run by run, so callers use that value as it is instead of decoding
/// the literal a second time. Used to map an embedded document (a policy inside a Terraform plan
/// string) back to the outer file. `None` when the literal does not decode to `value`.
pub fn string_segments(text: &str, start: usize, value: &str) -> Option<Segments> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut segments = Segments::default();
    let mut pos = start + 1;
    let mut decoded = 0;
    let mut utf8 = [0u8; 4];
    segments.push(0, pos);
    loop {
        // A run of plain characters maps one to one.
        let run = pos;
        while bytes.get(pos).is_some_and(|&b| b != b'"' && b != b'\\') {
            pos += 1;
        }
        let plain = text.get(run..pos)?;
        if value.get(decoded..decoded + plain.len())? != plain {
            return None;
        }
        decoded += plain.len();
        match bytes.get(pos)? {
            b'"' => return (decoded == value.len()).then_some(segments),
            _ => {
                let (c, len) = decode_escape(text, pos)?;
                segments.push(decoded, pos);
                let char_text = c.encode_utf8(&mut utf8);
                if value.get(decoded..decoded + char_text.len())? != char_text {
                    return None;
                }
                decoded += char_text.len();
                pos += len;
                segments.push(decoded, pos);
            }
        }
    }
}

/// Where the bytes of a decoded string came from in the outer text: sorted (decoded offset,
/// outer offset) pairs, each starting a run that maps one to one. A few pairs per escape instead
/// of an offset per byte.
#[derive(Debug, Default, Clone)]
pub struct Segments(Vec<(u32, u32)>);

impl Segments {
    /// Start a run at `decoded` (replacing a run that would be empty).
    pub fn push(&mut self, decoded: usize, outer: usize) {
        let entry = (decoded as u32, outer as u32);
        match self.0.last_mut() {
            Some(last) if last.0 == entry.0 => *last = entry,
            // Continuing the previous run: nothing to record.
            Some(last) if last.1.wrapping_add(entry.0 - last.0) == entry.1 => {}
            _ => self.0.push(entry),
        }
    }

    /// The outer offset of a decoded offset (runs continue past their end), never beyond `cap`.
    pub fn outer(&self, decoded: usize, cap: u32) -> u32 {
        match self.run_of(decoded) {
            Some(run) => self.outer_in_run(run, decoded, cap),
            None => cap,
        }
    }

    /// The run holding `decoded`, by binary search; `None` before the first run.
    fn run_of(&self, decoded: usize) -> Option<usize> {
        self.0
            .partition_point(|(d, _)| (*d as usize) <= decoded)
            .checked_sub(1)
    }

    /// The outer offset of `decoded` in run `run` (which starts at or before it), capped.
    fn outer_in_run(&self, run: usize, decoded: usize, cap: u32) -> u32 {
        match self.0.get(run) {
            Some(&(d, o)) => (o as usize + (decoded - d as usize)).min(cap as usize) as u32,
            None => cap,
        }
    }

    /// [`Segments::outer`] for offsets looked up roughly in order (the spans of a tree, in
    /// document order): the search starts at the run found last (`hint`) and gallops forward,
    /// instead of a binary search over every run. A Terraform policy string has two runs per
    /// escaped quote, so this is most of the cost of mapping its tree.
    pub fn outer_near(&self, decoded: usize, cap: u32, hint: &std::cell::Cell<usize>) -> u32 {
        let runs = &self.0;
        let starts_by = |i: usize| runs.get(i).is_some_and(|r| r.0 as usize <= decoded);
        let mut lo = hint.get();
        let run = if starts_by(lo) {
            let mut step = 1;
            let mut hi = lo + 1;
            while starts_by(hi) {
                lo = hi;
                hi += step;
                step *= 2;
            }
            let window = runs.get(lo..hi.min(runs.len())).unwrap_or_default();
            lo + window
                .partition_point(|(d, _)| *d as usize <= decoded)
                .saturating_sub(1)
        } else {
            match self.run_of(decoded) {
                Some(run) => run,
                None => return cap,
            }
        };
        hint.set(run);
        self.outer_in_run(run, decoded, cap)
    }

    /// Segments of a per-byte offset list.
    pub fn from_offsets(offsets: impl IntoIterator<Item = u32>) -> Segments {
        let mut segments = Segments::default();
        for (i, o) in offsets.into_iter().enumerate() {
            segments.push(i, o as usize);
        }
        segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<ParsedDoc, SyntaxError> {
        parse(s, 0, &Limits::default())
    }

    #[test]
    fn a_range_is_parsed_in_place() {
        let text = "x: [{\"a\": 1}] é";
        let doc = parse_range(text, 4, 12, 0, &Limits::default()).unwrap();
        let a = doc.root.get("a").unwrap();
        assert_eq!(&text[a.span.start as usize..a.span.end as usize], "1");
        // Ranges outside the text or inside a character are errors, not panics.
        assert!(parse_range(text, 20, 4, 0, &Limits::default()).is_err());
        assert!(parse_range(text, 4, text.len() - 1, 0, &Limits::default()).is_err());
        assert!(parse_range(text, 4, 13, 0, &Limits::default()).is_err());
    }

    #[test]
    fn spans_point_at_values() {
        let text = r#"{"a": [1, "x\"y"], "b": null}"#;
        let doc = p(text).unwrap();
        let a = doc.root.get("a").unwrap().as_seq().unwrap();
        assert_eq!(
            &text[a[1].span.start as usize..a[1].span.end as usize],
            r#""x\"y""#
        );
        assert_eq!(a[1].as_str(), Some("x\"y"));
        assert!(doc.root.get("b").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let doc = p(r#"{"k": 1, "k": 2}"#).unwrap();
        assert_eq!(doc.duplicates.len(), 1);
        assert_eq!(doc.duplicates[0].key, "k");
        assert_eq!(
            doc.root.get("k").unwrap().kind,
            NodeKind::Number("2".into())
        );
    }

    #[test]
    fn errors_have_offsets() {
        let e = p("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.offset, 12);
        assert!(e.message.contains("trailing comma"));
        assert!(p("[1 2]").is_err());
        assert!(p("\"abc").is_err());
        assert!(p("{} x").is_err());
    }

    #[test]
    fn depth_is_limited() {
        let deep = "[".repeat(10_000);
        let e = p(&deep).unwrap_err();
        assert!(e.message.contains("nesting"));
    }

    #[test]
    fn surrogate_pairs_and_mapping() {
        let text = r#"x"a\u00e9\ud83d\ude00b""#;
        let s = "aé😀b";
        let map = string_segments(text, 1, s).unwrap();
        let cap = text.len() as u32;
        assert_eq!(map.outer(0, cap), 2);
        // é comes from the escape at 3, the emoji from the pair at 9, b from 21.
        assert_eq!(map.outer(1, cap), 3);
        assert_eq!(map.outer(3, cap), 9);
        assert_eq!(map.outer(7, cap), 21);
        // The end of the string is its closing quote.
        assert_eq!(map.outer(s.len(), cap), (text.len() - 1) as u32);
    }

    #[test]
    fn lookups_near_a_hint_agree_with_the_binary_search() {
        let text = r#""{\"a\":[\"x\",1],\"b\\\u00e9\":{\"c\":null}}""#;
        let value = "{\"a\":[\"x\",1],\"b\\\u{e9}\":{\"c\":null}}";
        let map = string_segments(text, 0, value).unwrap();
        let cap = text.len() as u32;
        let hint = std::cell::Cell::new(0);
        // In order, backwards, and jumping about, past the end too.
        let order: Vec<usize> = (0..=value.len() + 2)
            .chain((0..=value.len()).rev())
            .chain([3, 30, 1, 29, 0, 31, 7])
            .collect();
        for decoded in order {
            assert_eq!(
                map.outer_near(decoded, cap, &hint),
                map.outer(decoded, cap),
                "offset {decoded}"
            );
        }
        assert_eq!(Segments::default().outer_near(3, 9, &hint), 9);
    }

    #[test]
    fn segments_reject_a_value_the_literal_does_not_decode_to() {
        let text = r#""a\nb""#;
        assert!(string_segments(text, 0, "a\nb").is_some());
        assert!(string_segments(text, 0, "a\nc").is_none());
        assert!(string_segments(text, 0, "a\n").is_none());
        assert!(string_segments(text, 0, "a\nbc").is_none());
        assert!(string_segments(text, 1, "a\nb").is_none());
    }
}
