//! Findings: what a rule reports, where, and how it is identified across revisions.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
}

/// The most items a finding's message lists, and the most related locations a rule gives one
/// finding about other objects: a role shared by thousands of ServiceAccounts must not make each
/// of their findings name all the others (the report would grow with the square of the input).
pub const MAX_LISTED: usize = 10;

/// The first [`MAX_LISTED`] of `items` joined with ", ", then "and N more" for the rest of
/// `total` (the number of items in all).
pub fn listed<T: std::fmt::Display>(items: impl IntoIterator<Item = T>, total: usize) -> String {
    listed_with(items, total, ", ")
}

/// [`listed`] with another separator (" or " for alternatives).
pub fn listed_with<T: std::fmt::Display>(
    items: impl IntoIterator<Item = T>,
    total: usize,
    separator: &str,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut shown = 0;
    for item in items.into_iter().take(MAX_LISTED) {
        if shown > 0 {
            out.push_str(separator);
        }
        let _ = write!(out, "{item}");
        shown += 1;
    }
    if total > shown {
        let _ = write!(out, " and {} more", total - shown);
    }
    out
}

/// A secondary location of a finding (the other object of a cross-object finding, the condition
/// that decided it).
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: Cow<'static, str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What the primary span shows (under the underline).
    pub label: Option<Cow<'static, str>>,
    pub labels: Vec<Label>,
    pub help: Option<Cow<'static, str>>,
    /// The stable identity of the object and place (role name + JSON path, Kind/ns/name ...):
    /// fingerprints come from this, never from line numbers.
    pub identity: String,
}

impl Finding {
    /// The finding's own span, then its related locations' (what a report locates).
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        std::iter::once(self.span).chain(self.labels.iter().map(|l| l.span))
    }

    pub fn new(
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            message: message.into(),
            span,
            label: None,
            labels: Vec::new(),
            help: None,
            identity: String::new(),
        }
    }
    // Labels and help are mostly fixed text: `Cow` keeps a literal without a copy per finding.
    pub fn label(mut self, text: impl Into<Cow<'static, str>>) -> Finding {
        self.label = Some(text.into());
        self
    }
    pub fn with_label(mut self, span: Span, text: impl Into<Cow<'static, str>>) -> Finding {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }
    pub fn help(mut self, text: impl Into<Cow<'static, str>>) -> Finding {
        self.help = Some(text.into());
        self
    }
    pub fn identity(mut self, id: impl Into<String>) -> Finding {
        self.identity = id.into();
        self
    }

    /// A fingerprint that survives edits elsewhere in the file: FNV-1a of rule, file path and
    /// object identity.
    pub fn fingerprint(&self, path: &str) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [self.rule, path, &self.identity] {
            for b in part.bytes().chain(std::iter::once(0xff)) {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }
}

#[cfg(test)]
mod tests {
    use super::{listed, MAX_LISTED};

    #[test]
    fn long_lists_are_cut_with_a_count() {
        assert_eq!(listed(["a", "b"], 2), "a, b");
        assert_eq!(listed(Vec::<&str>::new(), 0), "");
        let many: Vec<String> = (0..25).map(|i| format!("ns{i}")).collect();
        let text = listed(&many, many.len());
        assert!(text.starts_with("ns0, ns1, "), "{text}");
        assert!(
            text.ends_with(&format!("ns{} and 15 more", MAX_LISTED - 1)),
            "{text}"
        );
        // Only the first items are read, whatever the total says.
        assert_eq!(
            listed((0..).map(|i| i * 2), 1000).matches(", ").count(),
            MAX_LISTED - 1
        );
    }
}
