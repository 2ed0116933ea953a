//! The JSON report, schema version 1 (documented in the README).
//!
//! Serialised straight from borrowed records (keys in alphabetical order, as the schema has always
//! been written), so a large report holds its output text and the positions, not a value tree.

use crate::finding::Finding;
use crate::loader::LoadError;
use crate::source::{Positions, SourceMap, Span};
use serde::Serialize;

#[derive(Serialize)]
struct Position {
    column: usize,
    line: usize,
    offset: u32,
}

#[derive(Serialize)]
struct Related<'a> {
    end: Position,
    file: &'a str,
    message: &'a str,
    start: Position,
}

#[derive(Serialize)]
struct FindingRecord<'a> {
    end: Position,
    file: &'a str,
    fingerprint: String,
    help: Option<&'a str>,
    message: &'a str,
    name: Option<&'a str>,
    related: Vec<Related<'a>>,
    rule: &'a str,
    severity: &'a str,
    start: Position,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ErrorRecord<'a> {
    Located {
        end: Position,
        file: &'a str,
        message: &'a str,
        start: Position,
    },
    Unlocated {
        file: &'a str,
        message: &'a str,
    },
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Report<'a> {
    errors: Vec<ErrorRecord<'a>>,
    findings: Vec<FindingRecord<'a>>,
    tool: Tool,
    version: u32,
}

fn ends(span: Span, positions: &Positions) -> (Position, Position) {
    let at = |offset: u32| {
        let (line, column) = positions.line_col(span.file, offset);
        Position {
            column,
            line,
            offset,
        }
    };
    (at(span.start), at(span.end))
}

pub fn render(findings: &[Finding], errors: &[LoadError], sources: &SourceMap) -> String {
    let positions = sources.positions(
        findings
            .iter()
            .flat_map(Finding::spans)
            .chain(errors.iter().filter_map(|e| e.span)),
    );
    let findings = findings
        .iter()
        .map(|f| {
            let file = sources.get(f.span.file).display.as_str();
            let (start, end) = ends(f.span, &positions);
            FindingRecord {
                end,
                file,
                fingerprint: f.fingerprint(file),
                help: f.help.as_deref(),
                message: &f.message,
                name: crate::rules::meta::get(f.rule).map(|m| m.name.as_str()),
                related: f
                    .labels
                    .iter()
                    .map(|l| {
                        let (start, end) = ends(l.span, &positions);
                        Related {
                            end,
                            file: &sources.get(l.span.file).display,
                            message: &l.message,
                            start,
                        }
                    })
                    .collect(),
                rule: f.rule,
                severity: f.severity.as_str(),
                start,
            }
        })
        .collect();
    let errors = errors
        .iter()
        .map(|e| match e.span {
            Some(span) => {
                let (start, end) = ends(span, &positions);
                ErrorRecord::Located {
                    end,
                    file: &sources.get(span.file).display,
                    message: &e.message,
                    start,
                }
            }
            None => ErrorRecord::Unlocated {
                file: &e.path,
                message: &e.message,
            },
        })
        .collect();
    let report = Report {
        errors,
        findings,
        tool: Tool {
            name: "ekstrust",
            version: env!("CARGO_PKG_VERSION"),
        },
        version: 1,
    };
    // Sized up front (a finding takes about 0.9 KB): growing by doubling would copy the text
    // and, at the end, hold up to twice its size. Untouched capacity costs no memory.
    let mut out = Vec::with_capacity(2048 + 1536 * (report.findings.len() + report.errors.len()));
    if serde_json::to_writer_pretty(&mut out, &report).is_err() {
        return String::new();
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}
