//! SARIF 2.1.0 for GitHub code scanning, hand-written to the spec: every rule with descriptions,
//! help and `security-severity`; results with 1-based regions, relative URIs under `%SRCROOT%`,
//! partial fingerprints from object identity (not line numbers) and related locations.

use crate::finding::{Finding, Severity};
use crate::rules::meta;
use crate::source::{Positions, SourceMap, Span};
use serde_json::{json, Value};

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `PascalCase` of a slug, the friendly rule name SARIF viewers expect.
fn pascal(slug: &str) -> String {
    slug.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule_descriptor(m: &meta::RuleMeta) -> Value {
    let markdown = format!(
        "**{} {}** ({})\n\n{}\n\n**Why it matters.** {}\n\n**How to fix.** {}\n\n[Documentation]({})",
        m.id,
        m.name,
        m.severity.as_str(),
        m.summary,
        m.rationale.trim(),
        m.remediation.trim(),
        meta::help_uri(&m.id)
    );
    json!({
        "id": m.id,
        "name": pascal(&m.name),
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": m.rationale.trim()},
        "help": {"text": format!("{} {}", m.rationale.trim(), m.remediation.trim()), "markdown": markdown},
        "helpUri": meta::help_uri(&m.id),
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": {
            "security-severity": security_severity(m.severity),
            "tags": ["security", "eks", m.category.as_str()],
            "precision": "high",
            "problem.severity": if m.severity >= Severity::High { "error" } else if m.severity == Severity::Medium { "warning" } else { "recommendation" },
        },
    })
}

fn uri(display: &str) -> (String, bool) {
    let path = std::path::Path::new(display);
    if path.is_absolute() {
        let encoded = display.replace(' ', "%20");
        (format!("file://{encoded}"), false)
    } else if display == "-" {
        ("stdin".into(), true)
    } else {
        (display.replace(' ', "%20"), true)
    }
}

fn physical(span: Span, sources: &SourceMap, positions: &Positions) -> Value {
    let file = sources.get(span.file);
    let (start_line, start_column) = positions.line_col(span.file, span.start);
    let (mut end_line, mut end_column) = positions.line_col(span.file, span.end);
    if (end_line, end_column) <= (start_line, start_column) {
        end_line = start_line;
        end_column = start_column + 1;
    }
    let (u, relative) = uri(&file.display);
    let mut artifact = json!({"uri": u});
    if let (true, Some(fields)) = (relative, artifact.as_object_mut()) {
        fields.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    json!({
        "artifactLocation": artifact,
        "region": {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column},
    })
}

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let metas = meta::all();
    let rules: Vec<Value> = metas.iter().map(rule_descriptor).collect();
    let positions = sources.positions(findings.iter().flat_map(Finding::spans));
    let positions = &positions;
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = metas.iter().position(|m| m.id == f.rule).unwrap_or(0);
            let path = &sources.get(f.span.file).display;
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": physical(f.span, sources, positions)}],
                "partialFingerprints": {"ekstrustIdentity/v1": f.fingerprint(path)},
                "properties": {"severity": f.severity.as_str(), "security-severity": security_severity(f.severity)},
            });
            if let (false, Some(fields)) = (f.labels.is_empty(), result.as_object_mut()) {
                fields.insert(
                    "relatedLocations".into(),
                    Value::Array(
                        f.labels
                            .iter()
                            .enumerate()
                            .map(|(i, l)| json!({"id": i + 1, "physicalLocation": physical(l.span, sources, positions), "message": {"text": l.message}}))
                            .collect(),
                    ),
                );
            }
            result
        })
        .collect();
    let root = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let root_uri = format!("file://{}/", root.trim_end_matches('/').replace(' ', "%20"));
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ekstrust",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ekstrust/ekstrust",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
