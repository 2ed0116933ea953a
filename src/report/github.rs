//! `--format github`: GitHub Actions workflow commands, shown as annotations on the pull request.

use crate::finding::{Finding, Severity};
use crate::source::SourceMap;

/// Workflow command values escape `%`, CR and LF; properties also `:` and `,`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let positions = sources.positions(findings.iter().map(|f| f.span));
    let mut out = String::new();
    for f in findings {
        let file = sources.get(f.span.file);
        let (line, col) = positions.line_col(f.span.file, f.span.start);
        let (end_line, end_col) = positions.line_col(f.span.file, f.span.end);
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let title = format!(
            "{} {} ({})",
            f.rule,
            crate::rules::meta::get(f.rule)
                .map(|m| m.name.as_str())
                .unwrap_or(""),
            f.severity.as_str()
        );
        out.push_str(&format!(
            "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            escape_property(&file.display),
            escape_property(&title),
            escape_data(&f.message)
        ));
    }
    out
}
