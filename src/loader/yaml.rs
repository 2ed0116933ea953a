//! Multi-document YAML into the spanned [`Node`] tree, built from saphyr-parser events (which carry
//! start and end marks). Anchors are expanded with a budget so alias bombs cannot exhaust memory.

use crate::node::{DuplicateKey, MappingKeys, Node, NodeKind, ParsedDoc, Style, SyntaxError};
use crate::source::{FileId, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};

#[derive(Clone, Debug)]
pub struct Limits {
    pub max_depth: usize,
    /// Nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_alias_nodes: 100_000,
        }
    }
}

/// Character index → byte offset (saphyr reports character indexes).
struct Offsets {
    /// `None` for pure ASCII text, where both are equal.
    table: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        if text.is_ascii() {
            return Offsets {
                table: None,
                len: text.len(),
            };
        }
        let mut table: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
        table.push(text.len() as u32);
        Offsets {
            table: Some(table),
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map(|&b| b as usize).unwrap_or(self.len),
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<Box<str>>,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<Box<str>>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        keys: MappingKeys,
    },
}

/// Parse every document of a YAML stream. On a syntax error, the documents completed before it are
/// discarded: a Kubernetes apply of such a file fails as a whole too.
///
/// One leniency: a line holding only the closing bracket of a flow collection, indented less than
/// the flow content, is rejected by the YAML spec but accepted by libyaml and go-yaml (so kubectl
/// applies it). Such lines are re-indented in a patched copy and spans are mapped back.
pub fn parse(text: &str, file: FileId, limits: &Limits) -> Result<Vec<ParsedDoc>, SyntaxError> {
    let first = match parse_strict(text, file, limits) {
        Ok(docs) => return Ok(docs),
        Err(e) => e,
    };
    let mut patched = text.to_string();
    // (offset in the patched text, spaces inserted there), in increasing order.
    let mut inserts: Vec<(usize, usize)> = Vec::new();
    let mut error = first.clone();
    for _ in 0..64 {
        let Some((at, spaces)) = closing_bracket_fix(&patched, error.offset) else {
            break;
        };
        patched.insert_str(at, &" ".repeat(spaces));
        inserts.push((at, spaces));
        match parse_strict(&patched, file, limits) {
            Ok(mut docs) => {
                let back = |s: Span| Span {
                    file: s.file,
                    start: unpatch(&inserts, s.start),
                    end: unpatch(&inserts, s.end),
                };
                for d in &mut docs {
                    d.root.map_spans(&back);
                    for dup in &mut d.duplicates {
                        dup.first = back(dup.first);
                        dup.second = back(dup.second);
                    }
                }
                return Ok(docs);
            }
            Err(e) => error = e,
        }
    }
    Err(first)
}

/// Map an offset of the patched text back to the original.
fn unpatch(inserts: &[(usize, usize)], offset: u32) -> u32 {
    let mut o = offset as usize;
    for &(at, n) in inserts.iter().rev() {
        if o >= at + n {
            o -= n;
        } else if o > at {
            o = at;
        }
    }
    o as u32
}

/// If the error is on a line that holds only `]`/`}` (and spaces), the indentation to insert
/// there: enough to match the previous non-blank line.
fn closing_bracket_fix(text: &str, offset: usize) -> Option<(usize, usize)> {
    let line_start = text.get(..offset)?.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text
        .get(line_start..)?
        .find('\n')
        .map(|i| line_start + i)
        .unwrap_or(text.len());
    let line = text.get(line_start..line_end)?;
    let trimmed = line.trim();
    if trimmed.is_empty() || !trimmed.chars().all(|c| matches!(c, ']' | '}' | ',' | ' ')) {
        return None;
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    let prev = text
        .get(..line_start.checked_sub(1)?)?
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())?;
    let prev_indent = prev.len() - prev.trim_start_matches(' ').len();
    (prev_indent > indent).then_some((line_start, prev_indent - indent))
}

fn parse_strict(text: &str, file: FileId, limits: &Limits) -> Result<Vec<ParsedDoc>, SyntaxError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: Vec<Option<(Node, usize)>> = Vec::new();
    let mut alias_budget = limits.max_alias_nodes;
    let mut duplicates = Vec::new();
    let mut root: Option<Node> = None;
    let span = |s: &YSpan| {
        Span::new(
            file,
            offsets.byte(s.start.index()),
            offsets.byte(s.end.index()),
        )
    };

    while let Some(event) = parser.next_event() {
        let (event, yspan) = event.map_err(|e| SyntaxError {
            offset: offsets.byte(e.marker().index()),
            message: e.info().to_string(),
        })?;
        // An error at the start of this event.
        let error_here = |message: String| SyntaxError {
            offset: span(&yspan).start as usize,
            message,
        };
        // A collection opens inside `open` others.
        let check_depth = |open: usize| {
            if open >= limits.max_depth {
                return Err(error_here(format!(
                    "nesting deeper than {} levels",
                    limits.max_depth
                )));
            }
            Ok(())
        };
        let completed: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                root = None;
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                let node = root
                    .take()
                    .unwrap_or_else(|| Node::new(NodeKind::Null, span(&yspan)));
                docs.push(ParsedDoc {
                    root: node,
                    duplicates: std::mem::take(&mut duplicates),
                });
                None
            }
            Event::Alias(id) => {
                let Some(Some((node, size))) = anchors.get(id) else {
                    return Err(error_here("unknown alias".into()));
                };
                if *size > alias_budget {
                    return Err(error_here(format!(
                        "alias expansion exceeds the limit of {} nodes (possible alias bomb)",
                        limits.max_alias_nodes
                    )));
                }
                alias_budget -= *size;
                let mut copy = node.clone();
                // An alias points where it is written, not at the anchored original.
                copy.span = span(&yspan);
                Some((copy, 0))
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag_text = tag.as_ref().map(|t| tag_name(&t.handle, &t.suffix));
                Some((
                    scalar(value.into_owned(), style, tag_text.as_deref(), span(&yspan)),
                    anchor,
                ))
            }
            Event::SequenceStart(anchor, tag) => {
                check_depth(stack.len())?;
                stack.push(Frame::Seq {
                    start: span(&yspan).start as usize,
                    anchor,
                    tag: local_tag(tag.as_deref()),
                    items: Vec::new(),
                });
                None
            }
            Event::MappingStart(anchor, tag) => {
                check_depth(stack.len())?;
                stack.push(Frame::Map {
                    start: span(&yspan).start as usize,
                    anchor,
                    tag: local_tag(tag.as_deref()),
                    entries: Vec::new(),
                    key: None,
                    keys: MappingKeys::default(),
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    tag,
                    items,
                }) => {
                    let last = items.last().map(|n| n.span.end as usize);
                    let end = collection_end(text, start, last, span(&yspan));
                    let mut node = Node::new(NodeKind::Seq(items), Span::new(file, start, end));
                    node.tag = tag;
                    Some((node, anchor))
                }
                _ => return Err(error_here("unbalanced sequence".into())),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start,
                    anchor,
                    tag,
                    entries,
                    key,
                    ..
                }) => {
                    let mut entries = entries;
                    if let Some(k) = key {
                        let s = k.span;
                        entries.push((
                            k,
                            Node::new(
                                NodeKind::Null,
                                Span::new(file, s.end as usize, s.end as usize),
                            ),
                        ));
                    }
                    let last = entries
                        .last()
                        .map(|(k, v)| k.span.end.max(v.span.end) as usize);
                    let end = collection_end(text, start, last, span(&yspan));
                    let mut node = Node::new(NodeKind::Map(entries), Span::new(file, start, end));
                    node.tag = tag;
                    Some((node, anchor))
                }
                _ => {
                    return Err(error_here("unbalanced mapping".into()));
                }
            },
        };
        let Some((node, anchor)) = completed else {
            continue;
        };
        if anchor > 0 {
            if anchors.len() <= anchor {
                anchors.resize(anchor + 1, None);
            }
            let size = count_nodes(&node);
            if let Some(slot) = anchors.get_mut(anchor) {
                *slot = Some((node.clone(), size));
            }
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, keys, ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(text) = k.as_str() {
                        if let Some(first) = keys.earlier(entries, text) {
                            duplicates.push(DuplicateKey {
                                key: text.to_string(),
                                first: first.span,
                                second: k.span,
                            });
                        }
                    }
                    entries.push((k, node));
                }
            },
        }
    }
    Ok(docs)
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.kind {
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    count
}

fn tag_name(handle: &str, suffix: &str) -> String {
    if handle == "!" {
        format!("!{suffix}")
    } else if handle == "tag:yaml.org,2002:" || handle == "!!" {
        format!("!!{suffix}")
    } else {
        format!("{handle}{suffix}")
    }
}

fn local_tag(tag: Option<&saphyr_parser::Tag>) -> Option<Box<str>> {
    let t = tag?;
    let name = tag_name(&t.handle, &t.suffix);
    (!name.starts_with("!!")).then(|| name.trim_start_matches('!').into())
}

/// Where a collection ends: at its closing bracket when it is a flow collection, else at the end
/// of its last item. (The end event of a block collection sits at the token after it, the next
/// list item or a dedented key, past any comments and blank lines.)
fn collection_end(text: &str, start: usize, last_item_end: Option<usize>, close: Span) -> usize {
    let items_end = last_item_end.unwrap_or(start);
    let bracket = text.as_bytes().get(close.start as usize);
    // The end event of a flow collection may also cover the blanks and comment after it.
    if close.end > close.start && matches!(bracket, Some(b']' | b'}')) {
        items_end.max(close.start as usize + 1)
    } else {
        items_end
    }
}

fn scalar(value: String, style: ScalarStyle, tag: Option<&str>, span: Span) -> Node {
    let node_style = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    };
    let kind = match tag {
        Some("!!str") => NodeKind::Str(value),
        Some(t) if !t.starts_with("!!") => NodeKind::Str(value),
        _ if node_style != Style::Plain => NodeKind::Str(value),
        _ => resolve_plain(value),
    };
    let mut node = Node::new(kind, span);
    node.style = node_style;
    if let Some(t) = tag.filter(|t| !t.starts_with("!!")) {
        node.tag = Some(t.trim_start_matches('!').into());
    }
    node
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(value: String) -> NodeKind {
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        v if looks_numeric(v) => NodeKind::Number(value),
        _ => NodeKind::Str(value),
    }
}

fn looks_numeric(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    if body.is_empty() {
        return false;
    }
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0o")) {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if matches!(body, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut seen_exp = false;
    let mut prev = ' ';
    for c in body.chars() {
        match c {
            '0'..='9' => seen_digit = true,
            '.' if !seen_dot && !seen_exp => seen_dot = true,
            'e' | 'E' if seen_digit && !seen_exp => seen_exp = true,
            '+' | '-' if matches!(prev, 'e' | 'E') => {}
            _ => return false,
        }
        prev = c;
    }
    seen_digit && !matches!(prev, 'e' | 'E' | '+' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<ParsedDoc> {
        parse(s, 0, &Limits::default()).unwrap()
    }
    fn slice<'a>(text: &'a str, n: &Node) -> &'a str {
        &text[n.span.start as usize..n.span.end as usize]
    }

    #[test]
    fn multi_document_with_spans() {
        let text = "a: 1\n---\nb: \"two\"\nc: 'x'\n---\n- x\n";
        let docs = p(text);
        assert_eq!(docs.len(), 3);
        let b = docs[1].root.get("b").unwrap();
        assert_eq!(b.as_str(), Some("two"));
        assert_eq!(slice(text, b), "\"two\"");
        assert_eq!(slice(text, docs[1].root.get("c").unwrap()), "'x'");
    }

    #[test]
    fn non_ascii_and_crlf_spans_are_bytes() {
        let text = "name: café\r\nrole: arn\r\n";
        let docs = p(text);
        let role = docs[0].root.get("role").unwrap();
        assert_eq!(slice(text, role), "arn");
    }

    #[test]
    fn plain_scalars_resolve() {
        let docs = p("a: true\nb: 012345678901\nc: ~\nd: \"true\"\ne: 1.5e3\nf: v1\n");
        let r = &docs[0].root;
        assert_eq!(r.get("a").unwrap().kind, NodeKind::Bool(true));
        assert_eq!(
            r.get("b").unwrap().kind,
            NodeKind::Number("012345678901".into())
        );
        assert!(r.get("c").unwrap().is_null());
        assert_eq!(r.get("d").unwrap().as_str(), Some("true"));
        assert_eq!(r.get("e").unwrap().kind, NodeKind::Number("1.5e3".into()));
        assert_eq!(r.get("f").unwrap().as_str(), Some("v1"));
    }

    #[test]
    fn local_tags_are_kept() {
        let text = "a: !Sub 'arn:${AWS::Partition}'\nb: !GetAtt [R, Arn]\n";
        let docs = p(text);
        let a = docs[0].root.get("a").unwrap();
        assert_eq!(a.tag.as_deref(), Some("Sub"));
        assert_eq!(
            docs[0].root.get("b").unwrap().tag.as_deref(),
            Some("GetAtt")
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let e = parse(&text, 0, &Limits::default()).unwrap_err();
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        assert!(parse(&text, 0, &Limits::default()).is_err());
    }

    #[test]
    fn duplicate_keys_found() {
        let docs = p("a: 1\na: 2\n");
        assert_eq!(docs[0].duplicates.len(), 1);
    }

    #[test]
    fn closing_bracket_at_key_indent_is_accepted_with_exact_spans() {
        let text = "a:\n  command: [\n      \"x\", \"y\"\n  ]\n  after: z\n";
        let docs = p(text);
        let after = docs[0].root.path(&["a", "after"]).unwrap();
        assert_eq!(slice(text, after), "z");
        let cmd = docs[0]
            .root
            .path(&["a", "command"])
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(slice(text, &cmd[1]), "\"y\"");
    }

    #[test]
    fn collections_end_at_their_last_item() {
        // A block collection ends where its last item does, not at the token after it (the
        // next list item or a dedented key); a flow collection ends at its bracket.
        let text =
            "rules:\n  - verbs: [get]\n    resources: [pods]  # c\n\n  - verbs: {a: b}\ntail: x\n";
        let docs = p(text);
        let rules = docs[0].root.get("rules").unwrap();
        let items = rules.as_seq().unwrap();
        assert_eq!(
            slice(text, &items[0]),
            "verbs: [get]\n    resources: [pods]"
        );
        assert_eq!(slice(text, &items[1]), "verbs: {a: b}");
        assert_eq!(slice(text, items[1].get("verbs").unwrap()), "{a: b}");
        assert!(slice(text, rules).ends_with("verbs: {a: b}"));
        assert_eq!(slice(text, items[0].get("resources").unwrap()), "[pods]");
    }

    #[test]
    fn syntax_error_has_offset() {
        let e = parse("a: [1, 2\nb: 3\n", 0, &Limits::default()).unwrap_err();
        assert!(e.offset > 0);
    }
}
