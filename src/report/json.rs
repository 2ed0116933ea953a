//! The JSON report, schema version 1 (documented in the README).

use crate::finding::Finding;
use crate::loader::LoadError;
use crate::source::{SourceMap, Span};
use serde_json::{json, Value};

fn location(span: Span, sources: &SourceMap) -> Value {
    let file = sources.get(span.file);
    let (start_line, start_column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    json!({
        "file": file.display,
        "start": {"line": start_line, "column": start_column, "offset": span.start},
        "end": {"line": end_line, "column": end_column, "offset": span.end},
    })
}

pub fn render(findings: &[Finding], errors: &[LoadError], sources: &SourceMap) -> String {
    let items: Vec<Value> = findings
        .iter()
        .map(|f| {
            let path = &sources.get(f.span.file).display;
            let mut loc = location(f.span, sources);
            if let Value::Object(map) = &mut loc {
                map.insert("rule".into(), json!(f.rule));
                map.insert(
                    "name".into(),
                    json!(crate::rules::meta::get(f.rule).map(|m| m.name.as_str())),
                );
                map.insert("severity".into(), json!(f.severity.as_str()));
                map.insert("message".into(), json!(f.message));
                map.insert("help".into(), json!(f.help));
                map.insert("fingerprint".into(), json!(f.fingerprint(path)));
                map.insert(
                    "related".into(),
                    Value::Array(
                        f.labels
                            .iter()
                            .map(|l| {
                                let mut v = location(l.span, sources);
                                if let Value::Object(m) = &mut v {
                                    m.insert("message".into(), json!(l.message));
                                }
                                v
                            })
                            .collect(),
                    ),
                );
            }
            loc
        })
        .collect();
    let errs: Vec<Value> = errors
        .iter()
        .map(|e| match e.span {
            Some(span) => {
                let mut v = location(span, sources);
                if let Value::Object(m) = &mut v {
                    m.insert("message".into(), json!(e.message));
                }
                v
            }
            None => json!({"file": e.path, "message": e.message}),
        })
        .collect();
    let doc = json!({"version": 1, "tool": {"name": "ekstrust", "version": env!("CARGO_PKG_VERSION")}, "findings": items, "errors": errs});
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
