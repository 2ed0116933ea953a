//! Output formats. Every format reads the same sorted findings.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod table;

use crate::finding::{Finding, Severity};

/// Counts by severity, most severe first.
pub fn counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|s| (*s, findings.iter().filter(|f| f.severity == *s).count()))
        .collect()
}

pub fn summary_line(findings: &[Finding], files: usize, errors: usize) -> String {
    let parts: Vec<String> = counts(findings)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let mut line = if findings.is_empty() {
        format!(
            "no findings in {files} file{}",
            if files == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{} finding{} ({}) in {files} file{}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            parts.join(", "),
            if files == 1 { "" } else { "s" }
        )
    };
    if errors > 0 {
        line.push_str(&format!(
            "; {errors} input error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    line
}
