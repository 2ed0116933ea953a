//! A spanned document tree shared by the JSON and YAML loaders. Typed loaders read this tree, so a
//! rule can point at the exact bytes of any key or value.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
    /// A JSON string literal.
    Json,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// Kept as written so that account IDs and large numbers are never rounded.
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// A local YAML tag such as `!Sub` (CloudFormation short form), without the `!`.
    pub tag: Option<Box<str>>,
    pub style: Style,
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node {
            kind,
            span,
            tag: None,
            style: Style::Plain,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar as text, whatever its type (numbers and booleans as written).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => Some(s.clone()),
            NodeKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// `scalar_text` as an inline string, without a heap copy for short text.
    pub fn scalar_compact(&self) -> Option<compact_str::CompactString> {
        self.scalar_str().map(Into::into)
    }

    /// `scalar_text` borrowed.
    pub fn scalar_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => Some(s),
            NodeKind::Bool(b) => Some(if *b { "true" } else { "false" }),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// Value of a map key (exact, case-sensitive). The last duplicate wins, as in most parsers.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Key node and value node of a map key.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// Value of a key matched case-insensitively.
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str().is_some_and(|s| s.eq_ignore_ascii_case(key)))
            .map(|(_, v)| v)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// Follow a path of map keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// IAM's string-or-list: a single value or a list of values.
    /// The items of a list, or the node itself: IAM's "a string or a list of strings".
    pub fn one_or_many(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Number(_) => "number",
            NodeKind::Str(_) => "string",
            NodeKind::Seq(_) => "list",
            NodeKind::Map(_) => "map",
        }
    }

    /// Rewrite every span of the tree (used to map an embedded document back to its outer file).
    /// Recursive, without a work list to allocate: a parsed tree is never deeper than the
    /// parser's nesting limit.
    pub fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.kind {
            NodeKind::Seq(items) => items.iter_mut().for_each(|n| n.map_spans(f)),
            NodeKind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.map_spans(f);
                    v.map_spans(f);
                }
            }
            _ => {}
        }
    }
}

/// A syntax error at a byte offset of the parsed text.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// A map key written twice in one mapping (JSON or YAML).
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Span,
    pub second: Span,
}

/// One parsed document (a YAML stream holds several).
#[derive(Debug)]
pub struct ParsedDoc {
    pub root: Node,
    pub duplicates: Vec<DuplicateKey>,
}

/// Finds the first entry of a mapping with a given string key, for duplicate-key checks while
/// the mapping is read: a scan while the mapping is short, a hash index once it is long (a
/// CloudFormation `Resources` of 20,000 resources made the scan quadratic: 2.5 s for 1 MB).
#[derive(Debug, Default)]
pub struct MappingKeys {
    /// Hash of a key → position of the first entry with that hash, once the mapping is long.
    /// Boxed: the parsers keep one per open mapping, and most mappings are short, so a pointer
    /// (not a 48-byte map) is what they move around.
    #[allow(clippy::box_collection)]
    first_by_hash: Option<Box<std::collections::HashMap<u64, usize>>>,
}

/// Entries a mapping has before its keys are hashed (scanning this many costs less than hashing).
const SHORT_MAPPING: usize = 64;

impl MappingKeys {
    /// The earlier entry of `entries` whose key is the string `key`, if any; `key` is about to be
    /// added at position `entries.len()`.
    #[inline]
    pub fn earlier<'a>(&mut self, entries: &'a [(Node, Node)], key: &str) -> Option<&'a Node> {
        if self.first_by_hash.is_none() && entries.len() < SHORT_MAPPING {
            return scan_keys(entries, key);
        }
        self.earlier_hashed(entries, key)
    }

    #[inline(never)]
    fn earlier_hashed<'a>(&mut self, entries: &'a [(Node, Node)], key: &str) -> Option<&'a Node> {
        // Seeded per process (SipHash): input cannot be crafted to make every key collide.
        static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> =
            std::sync::OnceLock::new();
        let seed = SEED.get_or_init(Default::default);
        let hash = |text: &str| std::hash::BuildHasher::hash_one(seed, text);
        let index = self.first_by_hash.get_or_insert_with(|| {
            let mut index = std::collections::HashMap::with_capacity(entries.len() * 2);
            for (i, (k, _)) in entries.iter().enumerate() {
                if let Some(text) = k.as_str() {
                    index.entry(hash(text)).or_insert(i);
                }
            }
            Box::new(index)
        });
        match index.get(&hash(key)) {
            Some(&i) => match entries.get(i) {
                Some((first, _)) if first.as_str() == Some(key) => Some(first),
                // Two keys with one hash: rare, so a scan settles it.
                _ => scan_keys(entries, key),
            },
            None => {
                index.insert(hash(key), entries.len());
                None
            }
        }
    }
}

/// The first entry whose key is the string `key`.
#[inline]
fn scan_keys<'a>(entries: &'a [(Node, Node)], key: &str) -> Option<&'a Node> {
    entries
        .iter()
        .map(|(k, _)| k)
        .find(|k| matches!(&k.kind, NodeKind::Str(s) if s == key))
}

#[cfg(test)]
mod key_index_tests {
    use super::{MappingKeys, Node, NodeKind, SHORT_MAPPING};
    use crate::source::Span;

    #[test]
    fn finds_the_first_earlier_key_in_short_and_long_mappings() {
        for len in [3, SHORT_MAPPING - 1, SHORT_MAPPING, 5 * SHORT_MAPPING] {
            let mut index = MappingKeys::default();
            let mut entries: Vec<(Node, Node)> = Vec::new();
            let mut found = Vec::new();
            // Keys k0..k{len}, then every even one again, then a number key "k1".
            let keys = (0..len)
                .map(|i| format!("k{i}"))
                .chain((0..len).step_by(2).map(|i| format!("k{i}")));
            for (at, key) in keys.enumerate() {
                if let Some(first) = index.earlier(&entries, &key) {
                    found.push((key.clone(), first.span.start));
                }
                let node = Node::new(NodeKind::Str(key), Span::new(0, at, at + 1));
                entries.push((node, Node::new(NodeKind::Null, Span::default())));
            }
            let expected: Vec<(String, u32)> = (0..len)
                .step_by(2)
                .map(|i| (format!("k{i}"), i as u32))
                .collect();
            assert_eq!(found, expected, "length {len}");
            // A number key is not the string key of the same text.
            let number = Node::new(NodeKind::Number("7".into()), Span::default());
            entries.push((number, Node::new(NodeKind::Null, Span::default())));
            assert!(index.earlier(&entries, "7").is_none(), "length {len}");
        }
    }
}
