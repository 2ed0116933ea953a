//! A strict JSON parser producing the spanned [`Node`] tree. Written here (rather than via
//! serde_json) because rules need the byte span of every key and value, and duplicate keys must be
//! reported rather than silently merged.

use crate::node::{DuplicateKey, Node, NodeKind, ParsedDoc, Style, SyntaxError};
use crate::source::{FileId, Span};

pub struct Limits {
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 256 }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
    depth: usize,
    max_depth: usize,
    duplicates: Vec<DuplicateKey>,
}

type PResult<T> = Result<T, SyntaxError>;

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
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: start,
        file,
        depth: 0,
        max_depth: limits.max_depth,
        duplicates: Vec::new(),
    };
    p.skip_ws();
    let root = p.value()?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(ParsedDoc {
        root,
        duplicates: p.duplicates,
    })
}

impl<'a> Parser<'a> {
    fn err(&self, message: &str) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn value(&mut self) -> PResult<Node> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
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
            Some(_) => Err(self.err(&format!("unexpected character {}", self.describe_here()))),
        }
    }

    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
            Some(c) => format!("'{c}'"),
            None => "end of input".into(),
        }
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> PResult<Node> {
        let start = self.pos;
        if self.text.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(Node::new(kind, self.span(start)))
        } else {
            Err(self.err(&format!("unexpected character {}", self.describe_here())))
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return Err(self.err("invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.err("invalid number: digits expected after '.'"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.err("invalid number: digits expected in exponent"));
            }
        }
        let text = self.text[start..self.pos].to_string();
        Ok(Node::new(NodeKind::Number(text), self.span(start)))
    }

    fn string(&mut self) -> PResult<String> {
        // Caller checked the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let (c, len) = decode_escape(self.text, self.pos)
                        .ok_or_else(|| self.err("invalid escape sequence in string"))?;
                    out.push(c);
                    self.pos += len;
                }
                Some(_) => return Err(self.err("control character in string (escape it)")),
            }
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
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                items.push(self.value()?);
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                        if self.bytes.get(self.pos) == Some(&b']') {
                            return Err(self.err("trailing comma before ']'"));
                        }
                    }
                    Some(b']') => {
                        self.pos += 1;
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
        let start = self.pos;
        self.enter()?;
        self.pos += 1;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b'"') {
                    return Err(self.err("expected a string key in object"));
                }
                let key_start = self.pos;
                let key = self.string()?;
                let mut key_node = Node::new(NodeKind::Str(key), self.span(key_start));
                key_node.style = Style::Json;
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.err("expected ':' after object key"));
                }
                self.pos += 1;
                self.skip_ws();
                let value = self.value()?;
                if let Some((first, _)) = entries.iter().find(|(k, _)| k.kind == key_node.kind) {
                    self.duplicates.push(DuplicateKey {
                        key: key_node.as_str().unwrap_or_default().to_string(),
                        first: first.span,
                        second: key_node.span,
                    });
                }
                entries.push((key_node, value));
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_ws();
                        if self.bytes.get(self.pos) == Some(&b'}') {
                            return Err(self.err("trailing comma before '}'"));
                        }
                    }
                    Some(b'}') => {
                        self.pos += 1;
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
fn decode_escape(text: &str, pos: usize) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(pos + 1)?;
    let simple = match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = u32::from_str_radix(text.get(pos + 2..pos + 6)?, 16).ok()?;
            if (0xD800..0xDC00).contains(&hi) && text.get(pos + 6..pos + 8) == Some("\\u") {
                if let Some(lo) = text
                    .get(pos + 8..pos + 12)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                {
                    if (0xDC00..0xE000).contains(&lo) {
                        let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                        return Some((c, 12));
                    }
                }
            }
            return Some((char::from_u32(hi).unwrap_or('\u{fffd}'), 6));
        }
        _ => return None,
    };
    Some((simple, 2))
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
