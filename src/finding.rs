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
