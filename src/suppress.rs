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

#[derive(Clone)]
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

/// A config entry's target, read once for all findings.
enum Target {
    Any,
    /// An ARN glob: the role a finding is about.
    Arn(String),
    /// `Kind/namespace/name` (glob): the object a finding is about.
    Object(String),
    /// A path glob; `None` when it does not compile, which matches nothing.
    Path(Option<globset::GlobMatcher>),
}

impl Target {
    fn of(entry: &SuppressEntry) -> Target {
        let Some(target) = entry.target.as_deref() else {
            return Target::Any;
        };
        if target.starts_with("arn:") {
            return Target::Arn(target.to_string());
        }
        let first = target.split('/').next().unwrap_or("");
        if first.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && target.contains('/') {
            return Target::Object(target.to_string());
        }
        Target::Path(Glob::new(target).ok().map(|g| g.compile_matcher()))
    }

    /// Does the target cover the finding (in the file shown as `path`)?
    fn covers(&self, f: &Finding, path: &str) -> bool {
        match self {
            Target::Any => true,
            Target::Arn(target) => {
                crate::iam_eval::glob::matches_ci(target, role_of(f).unwrap_or(""))
            }
            Target::Object(target) => {
                crate::iam_eval::glob::match_value(target, object_of(f), true, false, false)
                    == crate::iam_eval::Tri::True
            }
            Target::Path(matcher) => matcher.as_ref().is_some_and(|m| m.is_match(path)),
        }
    }
}

/// The object a finding is about, as an object target names it: its identity up to `#`.
fn object_of(f: &Finding) -> &str {
    f.identity.split('#').next().unwrap_or("")
}

/// The role a finding is about, as an ARN target names it, when its identity is a role's.
fn role_of(f: &Finding) -> Option<&str> {
    f.identity
        .strip_prefix("role:")
        .and_then(|r| r.split('#').next())
}

/// Config entries by target, so that a finding is checked against the entries that can cover
/// it rather than against every entry (a config of thousands of object targets made this
/// findings × entries). Targets without wildcards are looked up by the finding's object or
/// role; the rest (paths, globs, no target) are checked for every finding.
struct EntryIndex {
    /// Exact `Kind/namespace/name` targets.
    objects: foldhash::HashMap<String, Vec<usize>>,
    /// Exact ASCII role ARN targets, lowercased (ARN targets compare ignoring ASCII case).
    arns: foldhash::HashMap<String, Vec<usize>>,
    /// The entries of `arns`, for a role ARN that is not ASCII (compared the slow way).
    all_arns: Vec<usize>,
    /// Every other entry.
    scanned: Vec<usize>,
}

impl EntryIndex {
    fn new(entries: &[(bool, Target)]) -> EntryIndex {
        let mut index = EntryIndex {
            objects: Default::default(),
            arns: Default::default(),
            all_arns: Vec::new(),
            scanned: Vec::new(),
        };
        for (i, (_, target)) in entries.iter().enumerate() {
            match target {
                Target::Object(t) if !crate::iam_eval::glob::has_wildcard(t) => {
                    index.objects.entry(t.clone()).or_default().push(i);
                }
                Target::Arn(t) if !crate::iam_eval::glob::has_wildcard(t) && t.is_ascii() => {
                    index
                        .arns
                        .entry(t.to_ascii_lowercase())
                        .or_default()
                        .push(i);
                    index.all_arns.push(i);
                }
                _ => index.scanned.push(i),
            }
        }
        index
    }

    /// The entries that may cover `f`, into `out` (cleared first).
    fn candidates(&self, f: &Finding, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.scanned);
        if let Some(list) = self.objects.get(object_of(f)) {
            out.extend_from_slice(list);
        }
        if self.all_arns.is_empty() {
            return;
        }
        let Some(who) = role_of(f) else {
            return;
        };
        if who.is_ascii() {
            if let Some(list) = self.arns.get(&who.to_ascii_lowercase()) {
                out.extend_from_slice(list);
            }
        } else {
            out.extend_from_slice(&self.all_arns);
        }
    }
}

/// Annotation and comment markers in (file, start) order, each with the furthest end of the
/// markers up to it in its file: a finding looks back only over the markers that start before
/// it and may still reach it, not over every marker (a file of thousands of annotated objects
/// made this findings × markers).
struct Markers {
    markers: Vec<Marker>,
    reach: Vec<u32>,
}

impl Markers {
    fn new(mut markers: Vec<Marker>) -> Markers {
        markers.sort_by_key(|m| (m.span.file, m.span.start));
        let mut reach = Vec::with_capacity(markers.len());
        let mut previous: Option<(FileId, u32)> = None;
        for m in &markers {
            let end = marker_end(m);
            let furthest = match previous {
                Some((file, r)) if file == m.span.file => r.max(end),
                _ => end,
            };
            reach.push(furthest);
            previous = Some((m.span.file, furthest));
        }
        Markers { markers, reach }
    }

    /// Does a marker for the finding's rule cover where it starts?
    fn cover(&self, f: &Finding) -> bool {
        let (file, at) = (f.span.file, f.span.start);
        let upto = self
            .markers
            .partition_point(|m| (m.span.file, m.span.start) <= (file, at));
        let markers = self.markers.get(..upto).unwrap_or_default();
        let reach = self.reach.get(..upto).unwrap_or_default();
        for (m, &reach) in markers.iter().zip(reach).rev() {
            if m.span.file != file || reach <= at {
                break;
            }
            if at < marker_end(m) && rule_matches(&m.rules, f.rule) {
                return true;
            }
        }
        false
    }
}

/// Where a marker's cover ends (an empty one still covers its first byte).
fn marker_end(m: &Marker) -> u32 {
    m.span.end.max(m.span.start.saturating_add(1))
}

pub fn apply(
    findings: Vec<Finding>,
    inv: &Inventory,
    sources: &SourceMap,
    config: &Config,
    today: i64,
) -> Applied {
    let mut errors = Vec::new();
    let markers = Markers::new(markers(inv, sources, &mut errors));
    // Each entry read once: whether it has expired, and its target.
    let entries: Vec<(bool, Target)> = config
        .suppress
        .iter()
        .map(|e| {
            let expired = e
                .expires
                .as_deref()
                .and_then(crate::config::parse_date)
                .is_some_and(|d| d < today);
            (expired, Target::of(e))
        })
        .collect();
    let mut used = vec![false; config.suppress.len()];
    let mut suppressed = 0;
    let by_target = EntryIndex::new(&entries);
    let mut candidates = Vec::new();
    // Filtered in place: the findings are the largest list made after loading, and a second
    // one would be fresh memory.
    let mut kept = findings;
    kept.retain(|f| {
        let path = &sources.get(f.span.file).display;
        let by_marker = markers.cover(f);
        let mut by_config = false;
        by_target.candidates(f, &mut candidates);
        for &i in &candidates {
            let (Some(e), Some((expired, target)), Some(used)) =
                (config.suppress.get(i), entries.get(i), used.get_mut(i))
            else {
                continue;
            };
            if !expired
                && rule_matches(std::slice::from_ref(&e.rule), f.rule)
                && target.covers(f, path)
            {
                *used = true;
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
    for ((e, (expired, _)), used) in config.suppress.iter().zip(&entries).zip(used) {
        let target = e
            .target
            .as_deref()
            .map(|t| format!(" for `{t}`"))
            .unwrap_or_default();
        if let Some(exp) = e.expires.as_deref().filter(|_| *expired) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &'static str, file: FileId, at: usize, identity: &str) -> Finding {
        let mut f = Finding::new(
            rule,
            crate::finding::Severity::Low,
            Span::new(file, at, at + 3),
            "m",
        );
        f.identity = identity.to_string();
        f
    }

    /// The index answers as a scan of every marker does, with markers that nest, overlap, are
    /// empty and lie in several files.
    #[test]
    fn marker_index_agrees_with_a_scan() {
        let mut seed: u64 = 42;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        let rules = ["SA003", "POD001", "TRUST001"];
        let mut markers = Vec::new();
        for _ in 0..300 {
            let file = next(3) as FileId;
            let start = next(2_000) as usize;
            let len = if next(4) == 0 { 0 } else { next(300) as usize };
            let rule = rules[next(3) as usize];
            markers.push(Marker {
                span: Span::new(file, start, start + len),
                rules: vec![rule.to_string()],
            });
        }
        let scan = |f: &Finding| {
            markers.iter().any(|m| {
                m.span.file == f.span.file
                    && m.span.start <= f.span.start
                    && f.span.start < m.span.end.max(m.span.start + 1)
                    && rule_matches(&m.rules, f.rule)
            })
        };
        let expected: Vec<bool> = (0..3)
            .flat_map(|file| (0..2_400).step_by(7).map(move |at| (file, at)))
            .flat_map(|(file, at)| rules.iter().map(move |r| finding(r, file, at, "")))
            .map(|f| scan(&f))
            .collect();
        let index = Markers::new(markers.clone());
        let got: Vec<bool> = (0..3)
            .flat_map(|file| (0..2_400).step_by(7).map(move |at| (file, at)))
            .flat_map(|(file, at)| rules.iter().map(move |r| finding(r, file, at, "")))
            .map(|f| index.cover(&f))
            .collect();
        assert_eq!(got, expected);
        assert!(expected.iter().any(|c| *c) && expected.iter().any(|c| !*c));
    }

    #[test]
    fn config_targets_match_roles_objects_and_paths() {
        let entry = |target: &str| SuppressEntry {
            rule: "TRUST001".into(),
            target: Some(target.into()),
            reason: Some("reviewed".into()),
            expires: None,
            line: 1,
        };
        let role = finding(
            "TRUST001",
            0,
            0,
            "role:arn:aws:iam::111122223333:role/ci-deploy#trust.Statement[0].sub:x",
        );
        assert!(Target::of(&entry("arn:aws:iam::111122223333:role/ci-*")).covers(&role, "a.json"));
        assert!(!Target::of(&entry("arn:aws:iam::111122223333:role/other")).covers(&role, "a.json"));
        let sa = finding("SA003", 0, 0, "ServiceAccount/team/default#role");
        assert!(Target::of(&entry("ServiceAccount/team/*")).covers(&sa, "a.yaml"));
        assert!(!Target::of(&entry("ServiceAccount/other/*")).covers(&sa, "a.yaml"));
        assert!(Target::of(&entry("deploy/**/*.yaml")).covers(&sa, "deploy/team/a.yaml"));
        assert!(!Target::of(&entry("deploy/**/*.yaml")).covers(&sa, "other/a.yaml"));
        // A glob that does not compile matches nothing.
        assert!(!Target::of(&entry("deploy/[")).covers(&sa, "deploy/["));
        let any = SuppressEntry {
            target: None,
            ..entry("x")
        };
        assert!(Target::of(&any).covers(&sa, "anything"));
    }

    /// The entries the index offers a finding include every entry whose target covers it, for
    /// exact, globbed and mixed-case targets, ARNs that are not ASCII, and paths.
    #[test]
    fn entry_index_offers_every_covering_entry() {
        let targets = [
            "ServiceAccount/team/app",
            "ServiceAccount/team/*",
            "Deployment/team/app",
            "arn:aws:iam::111122223333:role/CI-Deploy",
            "arn:aws:iam::111122223333:role/ci-*",
            "arn:aws:iam::111122223333:role/other",
            "deploy/**/*.yaml",
        ];
        let entries: Vec<(bool, Target)> = targets
            .iter()
            .map(|t| {
                let e = SuppressEntry {
                    rule: "TRUST001".into(),
                    target: Some((*t).into()),
                    reason: Some("reviewed".into()),
                    expires: None,
                    line: 1,
                };
                (false, Target::of(&e))
            })
            .collect();
        let index = EntryIndex::new(&entries);
        let identities = [
            "ServiceAccount/team/app#role",
            "ServiceAccount/team/other#role",
            "Deployment/team/app#pod",
            "role:arn:aws:iam::111122223333:role/ci-deploy#trust.Statement[0]",
            "role:arn:aws:iam::111122223333:role/CI-DEPLOY#trust.Statement[0]",
            "role:arn:aws:iam::111122223333:role/ci-déploy#trust.Statement[0]",
            "role:arn:aws:iam::111122223333:role/other#trust",
            "",
        ];
        let mut offered = Vec::new();
        let mut covered_somewhere = 0;
        for identity in identities {
            for path in ["deploy/team/a.yaml", "other/a.json"] {
                let f = finding("TRUST001", 0, 0, identity);
                index.candidates(&f, &mut offered);
                for (i, (_, target)) in entries.iter().enumerate() {
                    if target.covers(&f, path) {
                        covered_somewhere += 1;
                        assert!(
                            offered.contains(&i),
                            "{identity} in {path}: entry {i} not offered"
                        );
                    }
                }
            }
        }
        assert!(covered_somewhere > 8);
    }
}
