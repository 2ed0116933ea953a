//! `--format table`: one row per finding, or per rule with `--summary`.

use crate::finding::Finding;
use crate::source::SourceMap;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

pub fn render(findings: &[Finding], sources: &SourceMap, summary: bool) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    if summary {
        table.set_header(vec!["Rule", "Name", "Severity", "Findings"]);
        let mut rows: Vec<(&str, usize, crate::finding::Severity)> = Vec::new();
        for f in findings {
            match rows.iter_mut().find(|(r, _, _)| *r == f.rule) {
                Some(row) => {
                    row.1 += 1;
                    row.2 = row.2.max(f.severity);
                }
                None => rows.push((f.rule, 1, f.severity)),
            }
        }
        rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        for (rule, n, sev) in rows {
            let name = crate::rules::meta::get(rule)
                .map(|m| m.name.clone())
                .unwrap_or_default();
            table.add_row(vec![
                rule.to_string(),
                name,
                sev.as_str().to_string(),
                n.to_string(),
            ]);
        }
    } else {
        table.set_header(vec!["Severity", "Rule", "Location", "Message"]);
        let positions = sources.positions(findings.iter().map(|f| f.span));
        for f in findings {
            let file = sources.get(f.span.file);
            let (line, col) = positions.line_col(f.span.file, f.span.start);
            table.add_row(vec![
                f.severity.as_str().to_string(),
                f.rule.to_string(),
                format!("{}:{line}:{col}", file.display),
                f.message.clone(),
            ]);
        }
    }
    format!("{table}\n")
}
