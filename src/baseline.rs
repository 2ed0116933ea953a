//! Baselines: the fingerprints of accepted findings. Fingerprints come from the rule, the file
//! and the object's identity (role ARN, Kind/namespace/name, policy path), never line numbers, so
//! edits elsewhere keep a finding baselined and a new finding elsewhere is never absorbed.

use crate::finding::Finding;
use crate::source::SourceMap;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

pub fn write(path: &Path, findings: &[Finding], sources: &SourceMap) -> Result<(), String> {
    let items: Vec<Value> = findings
        .iter()
        .map(|f| {
            let file = &sources.get(f.span.file).display;
            json!({"rule": f.rule, "file": file, "fingerprint": f.fingerprint(file), "message": f.message})
        })
        .collect();
    let doc = json!({"version": 1, "tool": "ekstrust", "findings": items});
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
    std::fs::write(path, text).map_err(|e| format!("cannot write baseline {}: {e}", path.display()))
}

pub fn read(path: &Path) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if doc.get("version") != Some(&serde_json::Value::from(1)) {
        return Err(format!("{}: unsupported baseline version", path.display()));
    }
    Ok(doc
        .get("findings")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("fingerprint")?.as_str().map(String::from))
        .collect())
}

/// Findings whose fingerprint is not in the baseline.
pub fn filter(
    findings: Vec<Finding>,
    known: &HashSet<String>,
    sources: &SourceMap,
) -> (Vec<Finding>, usize) {
    let before = findings.len();
    let kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| !known.contains(&f.fingerprint(&sources.get(f.span.file).display)))
        .collect();
    let hidden = before - kept.len();
    (kept, hidden)
}
