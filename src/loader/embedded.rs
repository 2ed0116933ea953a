//! Documents inside strings: a trust policy in a Terraform plan string, a CloudFormation JSON
//! string, a URL-encoded IAM API document, aws-auth's `mapRoles` YAML. The inner text is parsed on
//! its own and every span is mapped back to the bytes of the outer file where that is exact (JSON
//! strings, literal blocks, plain scalars); otherwise spans fall back to the whole outer value.

use crate::loader::json::Segments;
use crate::node::{Node, Style, SyntaxError};
use crate::source::{FileId, Span};
use std::borrow::Cow;
use std::cell::Cell;

/// The text of a string node and, where exact, where its bytes are in the outer file.
pub struct Inner<'a> {
    /// The node's own value, unless it had to be decoded further (URL encoding).
    pub text: Cow<'a, str>,
    pub map: Option<Segments>,
    pub outer: Span,
}

impl<'a> Inner<'a> {
    /// Extract the string value of `node` from the outer file text.
    pub fn of(outer_text: &str, node: &'a Node) -> Option<Inner<'a>> {
        let value = node.as_str()?;
        let map = match node.style {
            Style::Json => {
                crate::loader::json::string_segments(outer_text, node.span.start as usize, value)
            }
            _ => block_map(outer_text, node, value),
        };
        let mut inner = Inner {
            text: Cow::Borrowed(value),
            map,
            outer: node.span,
        };
        inner.percent_decode();
        Some(inner)
    }

    /// IAM API responses carry URL-encoded documents; decode them, keeping the map exact.
    fn percent_decode(&mut self) {
        let t = self.text.trim_start();
        if !(t.starts_with("%7B") || t.starts_with("%7b")) {
            return;
        }
        let bytes = self.text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut src_index = Vec::with_capacity(bytes.len() + 1);
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            let decoded = if byte == b'%' {
                self.text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            } else {
                None
            };
            src_index.push(i);
            match decoded {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    out.push(if byte == b'+' { b' ' } else { byte });
                    i += 1;
                }
            }
        }
        src_index.push(bytes.len());
        let Ok(text) = String::from_utf8(out) else {
            return;
        };
        // Rare (IAM API output): compose through per-byte offsets.
        let cap = self.outer.end;
        self.map = self
            .map
            .take()
            .map(|m| Segments::from_offsets(src_index.iter().map(|&i| m.outer(i, cap))));
        self.text = Cow::Owned(text);
    }

    /// Map a byte range of the inner text to the outer file.
    pub fn span(&self, start: usize, end: usize) -> Span {
        self.span_near(start, end, &Cell::new(0))
    }

    /// [`Inner::span`] for ranges mapped in document order: the start is looked up from the
    /// run found for the previous start (`start_run`), the end from its start's run.
    fn span_near(&self, start: usize, end: usize, start_run: &Cell<usize>) -> Span {
        let Some(map) = &self.map else {
            return self.outer;
        };
        let cap = self.outer.end;
        let start = map.outer_near(start, cap, start_run);
        let end = map
            .outer_near(end, cap, &Cell::new(start_run.get()))
            .max(start);
        Span {
            file: self.outer.file,
            start,
            end,
        }
    }

    /// Map every span of a tree parsed from the inner text (in document order).
    pub fn remap(&self, node: &mut Node) {
        let start_run = Cell::new(0);
        node.map_spans(&|s: Span| self.span_near(s.start as usize, s.end as usize, &start_run));
    }

    /// Locate a syntax error of the inner text in the outer file.
    pub fn error_span(&self, e: &SyntaxError) -> Span {
        let end = (e.offset + 1).min(self.text.len()).max(e.offset);
        self.span(e.offset, end)
    }

    /// Parse the inner text as JSON, with spans in the outer file.
    pub fn parse_json(&self, file: FileId) -> Result<crate::node::ParsedDoc, (Span, String)> {
        let mut doc = crate::loader::json::parse(&self.text, file, &Default::default())
            .map_err(|e| (self.error_span(&e), e.message))?;
        self.remap(&mut doc.root);
        for d in &mut doc.duplicates {
            d.first = self.span(d.first.start as usize, d.first.end as usize);
            d.second = self.span(d.second.start as usize, d.second.end as usize);
        }
        Ok(doc)
    }
}

/// Where a literal block's content begins, given the start of its span.
enum LiteralStart {
    /// The span starts at the first content character.
    Content,
    /// The span includes the tag and `|` header: content starts on this next line.
    AfterHeader(usize),
}

fn literal_content_start(outer: &str, start: usize) -> Option<LiteralStart> {
    let rest = outer.get(start..)?;
    if rest.starts_with(['|', '!', '&']) {
        Some(LiteralStart::AfterHeader(start + rest.find('\n')? + 1))
    } else {
        Some(LiteralStart::Content)
    }
}

/// Parse a JSON document written as a YAML literal block where it stands, with exact spans.
/// Its lines are the document's bytes, indented: the indentation is JSON whitespace and a JSON
/// string never spans lines, so reading the block's bytes gives the tree the block's value
/// gives, without copying the value or mapping spans. `None` when the node is not a literal
/// block or its bytes do not parse (the caller then reads the value, for the error).
pub fn literal_json(outer: &str, node: &Node, file: FileId) -> Option<crate::node::ParsedDoc> {
    if node.style != Style::Literal {
        return None;
    }
    let start = node.span.start as usize;
    let content = match literal_content_start(outer, start)? {
        LiteralStart::AfterHeader(line) => line,
        LiteralStart::Content => start,
    };
    let end = (node.span.end as usize).min(outer.len());
    crate::loader::json::parse_range(outer, content, end, file, &Default::default()).ok()
}

/// Map a YAML scalar's value to its source: each value line must appear, after indentation, on
/// consecutive source lines of the scalar. Verified line by line, so any mismatch (folding,
/// escapes) gives `None` and the caller falls back to the whole value.
fn block_map(outer: &str, node: &Node, value: &str) -> Option<Segments> {
    let start = node.span.start as usize;
    let end = (node.span.end as usize).min(outer.len());
    let raw = outer.get(start..end)?;
    let mut map = Segments::default();
    match node.style {
        Style::Plain | Style::SingleQuoted | Style::DoubleQuoted => {
            let body = match node.style {
                Style::Plain => raw,
                _ => raw.get(1..raw.len().saturating_sub(1))?,
            };
            if body != value {
                return None;
            }
            let body_start = start + (raw.len() - body.len()).min(1);
            map.push(0, body_start);
            Some(map)
        }
        Style::Literal => {
            // The scalar's span starts at its first content character; read whole source lines
            // from there.
            let line_begin = match literal_content_start(outer, start)? {
                LiteralStart::AfterHeader(line) => line,
                LiteralStart::Content => {
                    outer.get(..start)?.rfind('\n').map(|i| i + 1).unwrap_or(0)
                }
            };
            // Source lines are read only as far as the value goes (not to the end of the file).
            let mut src_lines =
                outer
                    .get(line_begin..)?
                    .split_inclusive('\n')
                    .scan(line_begin, |pos, line| {
                        let start = *pos;
                        *pos += line.len();
                        Some((start, line))
                    });
            // Each value line is one run: its text, then its line break, at the end of the
            // source line's indentation. Offsets past the value continue the last run, up to the
            // end of the scalar (`Inner::span` caps them).
            let mut decoded = 0;
            for vline in value.split_inclusive('\n') {
                let text = vline.strip_suffix('\n').unwrap_or(vline);
                let (line_start, sline) = src_lines.next()?;
                let content = sline.trim_end_matches(['\n', '\r']);
                let offset = content.len().checked_sub(text.len())?;
                if content.get(offset..)? != text || !content[..offset].bytes().all(|b| b == b' ') {
                    return None;
                }
                map.push(decoded, line_start + offset);
                decoded += vline.len();
            }
            if decoded == 0 {
                map.push(0, end);
            }
            Some(map)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::yaml;

    #[test]
    fn literal_block_maps_exactly() {
        let text = "data:\n  mapRoles: |\n    - rolearn: arn:x\n      groups:\n        - a\n";
        let docs = yaml::parse(text, 0, &Default::default()).unwrap();
        let node = docs[0].root.path(&["data", "mapRoles"]).unwrap();
        let inner = Inner::of(text, node).unwrap();
        assert!(inner.map.is_some());
        let pos = inner.text.find("arn:x").unwrap();
        let span = inner.span(pos, pos + 5);
        assert_eq!(&text[span.start as usize..span.end as usize], "arn:x");
    }

    /// The tree read in place from a literal block equals the tree read from its value and
    /// mapped back, spans included.
    #[test]
    fn literal_json_reads_the_block_in_place() {
        let block = "    {\n      \"Version\": \"2012-10-17\",\n      \"Statement\": [{\"Effect\": \"Allow\",\n        \"Condition\": {\"StringEquals\": {\"a:sub\": \"x\"}}}]\n    }\n";
        for (header, newline) in [("|", "\n"), ("!Sub |", "\n"), ("|", "\r\n"), ("|-", "\n")] {
            let text = format!("Doc: {header}\n{block}Next: 1\n").replace('\n', newline);
            let docs = yaml::parse(&text, 0, &Default::default()).unwrap();
            let node = docs[0].root.get("Doc").unwrap();
            let in_place = literal_json(&text, node, 0).expect("parsed in place");
            let mapped = Inner::of(&text, node).unwrap().parse_json(0).unwrap();
            assert_eq!(in_place.root, mapped.root, "{header:?} {newline:?}");
            let v = in_place.root.get("Version").unwrap();
            assert_eq!(
                &text[v.span.start as usize..v.span.end as usize],
                "\"2012-10-17\""
            );
        }
    }

    #[test]
    fn literal_json_leaves_other_values_to_the_caller() {
        // Not JSON: the caller reads the value to report the error.
        let text = "Doc: |\n  {\"Version\": \n  oops\nNext: 1\n";
        let docs = yaml::parse(text, 0, &Default::default()).unwrap();
        assert!(literal_json(text, docs[0].root.get("Doc").unwrap(), 0).is_none());
        // Not a literal block (a folded block or a quoted string is not the document's bytes).
        for text in ["Doc: >\n  {\"a\": 1}\n", "Doc: '{\"a\": 1}'\n"] {
            let docs = yaml::parse(text, 0, &Default::default()).unwrap();
            assert!(literal_json(text, docs[0].root.get("Doc").unwrap(), 0).is_none());
        }
    }

    #[test]
    fn json_string_maps_exactly() {
        let text = r#"{"p": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#;
        let doc = crate::loader::json::parse(text, 0, &Default::default()).unwrap();
        let inner = Inner::of(text, doc.root.get("p").unwrap()).unwrap();
        let parsed = inner.parse_json(0).unwrap();
        let v = parsed.root.get("Version").unwrap();
        assert_eq!(
            &text[v.span.start as usize..v.span.end as usize],
            r#"\"2012-10-17\""#
        );
    }

    /// Encode `value` as a JSON string literal: `plain` characters as they are, the others as
    /// `\uXXXX` (the way some tools escape `<`, `>`, `&` or every non-ASCII character).
    fn literal_of(value: &str, plain: impl Fn(char) -> bool) -> String {
        let mut out = String::from("\"");
        for c in value.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '/' if !plain(c) => out.push_str("\\/"),
                c if plain(c) && c >= ' ' => out.push(c),
                c => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out.push('"');
        out
    }

    /// A document read through the escapes of its string literal gives the tree, spans and
    /// duplicate keys that decoding the value and mapping its tree back gives; a value that is
    /// not a valid document is left to that path (for the error).
    #[test]
    fn a_policy_read_through_its_escapes_equals_the_mapped_value() {
        let documents = [
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x:sub":"system:serviceaccount:a:b"}}}]}"#,
            "{\n  \"a\" : [ 1, -2.5e+3, true, false, null, \"\" ],\n\t\"b\": {}\n}",
            r#"{"quote \" and \\ and \/ and \n": "é ü 😀 \u00e9 \ud83d\ude00 \u0041", "k": 1, "k": 2}"#,
            r#"{"lone": "\ud800 then text", "pair split": "\ud83d\u0041", "<&>": "a<b&c>d"}"#,
            "[]",
            "  \"just a string\"  ",
            "12",
        ];
        let styles: [&dyn Fn(char) -> bool; 3] = [
            &|_| true,
            &|c| c.is_ascii() && !matches!(c, '<' | '>' | '&' | '/'),
            &|c| c.is_ascii_alphanumeric(),
        ];
        for document in documents {
            for (n, plain) in styles.iter().enumerate() {
                let literal = literal_of(document, plain);
                let text = format!("{{\"Policy\": {literal}}}");
                let outer = crate::loader::json::parse(&text, 3, &Default::default()).unwrap();
                let node = outer.root.get("Policy").unwrap();
                let mapped = Inner::of(&text, node).unwrap().parse_json(3).unwrap();
                let direct = crate::loader::json::parse_in_string_literal(
                    &text,
                    node.span.start as usize,
                    3,
                    &Default::default(),
                )
                .unwrap_or_else(|| panic!("style {n}: {literal}"));
                assert_eq!(direct.root, mapped.root, "style {n}: {literal}");
                assert_eq!(
                    format!("{:?}", direct.duplicates),
                    format!("{:?}", mapped.duplicates),
                    "style {n}"
                );
            }
        }
        for invalid in [
            "{\"a\": 1,}",
            "{\"a\": \"tab\there\"}",
            "{\"a\": tru}",
            "{\"a\": 1} extra",
            "{\"a\": \"unterminated",
            "{\"a\": \"\\x\"}",
            "\u{feff}{}",
            "%7B%7D",
            "",
        ] {
            let literal = literal_of(invalid, |_| true);
            let text = format!("{{\"Policy\": {literal}}}");
            let outer = crate::loader::json::parse(&text, 0, &Default::default()).unwrap();
            let node = outer.root.get("Policy").unwrap();
            let start = node.span.start as usize;
            let direct =
                crate::loader::json::parse_in_string_literal(&text, start, 0, &Default::default());
            let mapped = Inner::of(&text, node).unwrap().parse_json(0);
            // The direct read never accepts what the mapped path rejects.
            assert!(direct.is_none() || mapped.is_ok(), "{literal}");
        }
    }

    #[test]
    fn url_encoded_documents_decode() {
        let text = r#"{"d": "%7B%22Version%22%3A%222012-10-17%22%7D"}"#;
        let doc = crate::loader::json::parse(text, 0, &Default::default()).unwrap();
        let inner = Inner::of(text, doc.root.get("d").unwrap()).unwrap();
        assert_eq!(inner.text, r#"{"Version":"2012-10-17"}"#);
        let parsed = inner.parse_json(0).unwrap();
        let v = parsed.root.get("Version").unwrap();
        assert_eq!(
            &text[v.span.start as usize..v.span.end as usize],
            "%222012-10-17%22"
        );
    }
}
