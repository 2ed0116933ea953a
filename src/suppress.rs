//! Suppressions: the `ekstrust.io/ignore` annotation on Kubernetes objects, `# ekstrust:ignore`
//! comments on the finding's line or the line above, and `[[suppress]]` config entries. Every
//! suppression needs a reason; expired and unmatched config entries are reported.

use crate::config::{Config, SuppressEntry};
use crate::finding::Finding;
use crate::loader::LoadError;
use crate::model::{Inventory, ObjectMeta};
use crate::source::{CommentMarker, FileId, SourceMap, Span};
use globset::Glob;

pub const ANNOTATION: &str = "ekstrust.io/ignore";
const COMMENT: &str = "ekstrust:ignore";

/// A config suppression that did not take effect.
#[derive(Clone, Debug)]
pub struct Note {
    pub message: String,
}

pub struct Applied {
    pub findings: Vec<Finding>,
    pub suppressed: usize,
    pub notes: Vec<Note>,
    /// Suppressions without a reason: errors (exit 2).
    pub errors: Vec<LoadError>,
}

struct Marker {
    span: Span,
    rules: Vec<String>,
}

/// `RULE[,RULE]: reason` (annotation) or `RULE[,RULE] reason` (comment).
fn parse_rules(text: &str, sep: char) -> (Vec<String>, Option<&str>) {
    let (rules, reason) = match text.split_once(sep) {
        Some((r, reason)) => (r, Some(reason.trim()).filter(|s| !s.is_empty())),
        None => (text, None),
    };
    (
        rules
            .split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
        reason,
    )
}

fn metas(inv: &Inventory) -> impl Iterator<Item = &ObjectMeta> {
    let k = &inv.kube;
    k.service_accounts
        .iter()
        .map(|o| &o.meta)
        .chain(k.namespaces.iter().map(|o| &o.meta))
        .chain(k.workloads.iter().map(|o| &o.meta))
        .chain(k.roles.iter().map(|o| &o.meta))
        .chain(k.bindings.iter().map(|o| &o.meta))
        .chain(k.aws_auth.iter().map(|o| &o.meta))
}

fn error(sources: &SourceMap, span: Span, message: &str) -> LoadError {
    LoadError {
        path: sources.get(span.file).display.clone(),
        span: Some(span),
        message: message.to_string(),
    }
}

/// Annotation and comment markers, and errors for those without a reason.
fn markers(inv: &Inventory, sources: &SourceMap, errors: &mut Vec<LoadError>) -> Vec<Marker> {
    let mut out = Vec::new();
    for meta in metas(inv) {
        let Some(value) = meta.annotation(ANNOTATION) else {
            continue;
        };
        let (rules, reason) = parse_rules(&value.text, ':');
        if reason.is_none() {
            errors.push(error(
                sources,
                value.span,
                "ekstrust.io/ignore needs a reason: \"RULE[,RULE]: reason\"",
            ));
            continue;
        }
        out.push(Marker {
            span: meta.span,
            rules,
        });
    }
    for file in &sources.files {
        for m in &file.comment_markers {
            if !m.has_reason || m.rules.is_empty() {
                errors.push(error(sources, m.comment, "`# ekstrust:ignore` needs a rule and a reason: `# ekstrust:ignore RULE reason`"));
                continue;
            }
            out.push(Marker {
                span: m.covers,
                rules: m.rules.clone(),
            });
        }
    }
    out
}

/// The `# ekstrust:ignore` comments of a file, found while its text is loaded (the text is
/// released afterwards).
pub fn scan_comments(file: FileId, text: &str) -> Vec<CommentMarker> {
    let mut out = Vec::new();
    // Almost no file has one: a vectorised search rules that out first.
    if memchr::memmem::find(text.as_bytes(), COMMENT.as_bytes()).is_none() {
        return out;
    }
    for (offset, _) in text.match_indices(COMMENT) {
        let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let before = &text[line_start..offset];
        let Some(hash) = before.rfind('#') else {
            continue;
        };
        if !before[hash + 1..].trim().is_empty() {
            continue;
        }
        let line_end = text[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(text.len());
        let rest = text[offset + COMMENT.len()..line_end].trim();
        let (rules, reason) = parse_rules(rest, ' ');
        // It covers its own line and the next one.
        let covers_end = text
            .get(line_end + 1..)
            .and_then(|next| next.find('\n'))
            .map(|i| line_end + 1 + i + 1)
            .unwrap_or(text.len());
        out.push(CommentMarker {
            comment: Span::new(file, line_start + hash, line_end),
            covers: Span::new(file, line_start, covers_end),
            rules,
            has_reason: reason.is_some(),
        });
    }
    out
}

fn rule_matches(selectors: &[String], rule: &str) -> bool {
    selectors.iter().any(|s| Config::selector_matches(s, rule))
}

/// Does a config entry's target cover the finding?
fn target_matches(entry: &SuppressEntry, f: &Finding, path: &str) -> bool {
    let Some(target) = entry.target.as_deref() else {
        return true;
    };
    if target.starts_with("arn:") {
        let who = f
            .identity
            .strip_prefix("role:")
            .and_then(|r| r.split('#').next())
            .unwrap_or("");
        return crate::iam_eval::glob::matches_ci(target, who);
    }
    let first = target.split('/').next().unwrap_or("");
    if first.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && target.matches('/').count() >= 1
    {
        let object = f.identity.split('#').next().unwrap_or("");
        return crate::iam_eval::glob::match_value(target, object, true, false, false)
            == crate::iam_eval::Tri::True;
    }
    Glob::new(target)
        .map(|g| g.compile_matcher().is_match(path))
        .unwrap_or(false)
}

pub fn apply(
    findings: Vec<Finding>,
    inv: &Inventory,
    sources: &SourceMap,
    config: &Config,
    today: i64,
) -> Applied {
    let mut errors = Vec::new();
    let markers = markers(inv, sources, &mut errors);
    let mut used = vec![false; config.suppress.len()];
    let mut suppressed = 0;
    // Filtered in place: the findings are the largest list made after loading, and a second
    // one would be fresh memory.
    let mut kept = findings;
    kept.retain(|f| {
        let path = &sources.get(f.span.file).display;
        let by_marker = markers.iter().any(|m| {
            m.span.file == f.span.file
                && m.span.start <= f.span.start
                && f.span.start < m.span.end.max(m.span.start + 1)
                && rule_matches(&m.rules, f.rule)
        });
        let mut by_config = false;
        for (i, e) in config.suppress.iter().enumerate() {
            let expired = e
                .expires
                .as_deref()
                .and_then(crate::config::parse_date)
                .is_some_and(|d| d < today);
            if !expired
                && rule_matches(std::slice::from_ref(&e.rule), f.rule)
                && target_matches(e, f, path)
            {
                if let Some(used) = used.get_mut(i) {
                    *used = true;
                }
                by_config = true;
            }
        }
        let suppress = by_marker || by_config;
        suppressed += usize::from(suppress);
        !suppress
    });
    let config_path = config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| ".ekstrust.toml".into());
    let mut notes = Vec::new();
    for (e, used) in config.suppress.iter().zip(used) {
        let target = e
            .target
            .as_deref()
            .map(|t| format!(" for `{t}`"))
            .unwrap_or_default();
        if let Some(exp) = e
            .expires
            .as_deref()
            .filter(|x| crate::config::parse_date(x).is_some_and(|d| d < today))
        {
            notes.push(Note { message: format!("{config_path}:{}: suppression of {}{target} expired on {exp}; its findings are reported again", e.line, e.rule) });
        } else if !used {
            notes.push(Note {
                message: format!(
                    "{config_path}:{}: suppression of {}{target} matched no finding; remove it",
                    e.line, e.rule
                ),
            });
        }
    }
    Applied {
        findings: kept,
        suppressed,
        notes,
        errors,
    }
}
