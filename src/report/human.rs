//! Human output through miette: rule, severity, message, the source excerpt with the exact span
//! underlined, secondary labels and the remediation.

use crate::finding::{Finding, Severity};
use crate::loader::LoadError;
use crate::source::{ceil_char_boundary, floor_char_boundary, FileId, SourceFile, SourceMap, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SpanContents,
};
use std::fmt;

/// A source file as miette sees it: the file's text, with secret values masked.
struct Src<'a> {
    file: &'a SourceFile,
    text: Text<'a>,
}

/// The file's own text, or its masked copy (made once per file and shared by its findings).
enum Text<'a> {
    Own(&'a str),
    Masked(std::sync::Arc<str>),
}

impl Src<'_> {
    fn text(&self) -> &str {
        match &self.text {
            Text::Own(t) => t,
            Text::Masked(t) => t,
        }
    }
}

/// The text with every character inside a secret span replaced by `*`s of the same byte length
/// (so every span stays valid), line breaks kept.
fn masked(text: &str, secrets: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in secrets {
        let start = span.start as usize;
        let Some(inside) = text.get(start..(span.end as usize).min(text.len())) else {
            continue;
        };
        for (i, c) in inside.char_indices() {
            if c != '\n' && c != '\r' {
                if let Some(target) = bytes.get_mut(start + i..start + i + c.len_utf8()) {
                    target.fill(b'*');
                }
            }
        }
    }
    // Whole characters were replaced by ASCII, so the bytes are still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Bytes of a long line shown on each side of a span: a one-line Terraform plan is megabytes on
/// a single line, and an excerpt of all of it would be unreadable (and would push a label past
/// the widths the renderer can pad to).
const LONG_LINE_CONTEXT: usize = 80;

impl SourceCode for Src<'_> {
    /// The excerpt around a span, found through the file's line index (no scan from the start of
    /// the file for each label). Whole lines, with the context lines asked for; on a line longer
    /// than the span plus [`LONG_LINE_CONTEXT`] on each side, only that window of it.
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text();
        let starts = self.file.line_starts();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let line_start = |line: usize| starts.get(line).map_or(0, |&s| s as usize);
        // Exclusive, past the line's newline (as whole-line excerpts are).
        let line_end = |line: usize| starts.get(line + 1).map_or(text.len(), |&s| s as usize);
        let first = self.file.line_of(start);
        let last = self.file.line_of(end.saturating_sub(1).max(start));
        let mut from = if context_lines_before == 0 {
            start
        } else {
            line_start(first.saturating_sub(context_lines_before))
        };
        let mut to_line = (last + context_lines_after).min(starts.len().saturating_sub(1));
        let mut to = line_end(to_line);
        let mut from_line = if context_lines_before == 0 {
            first
        } else {
            first.saturating_sub(context_lines_before)
        };
        // Context lines are for orientation: long ones are left out.
        if line_start(first).saturating_sub(from) > 4 * LONG_LINE_CONTEXT {
            from = line_start(first);
            from_line = first;
        }
        if to.saturating_sub(line_end(last)) > 4 * LONG_LINE_CONTEXT {
            to = line_end(last);
            to_line = last;
        }
        // A long line: a window around the span instead of whole lines.
        if start - line_start(first) > 2 * LONG_LINE_CONTEXT {
            from = window_start(text, start - LONG_LINE_CONTEXT).max(from);
            from_line = first;
        }
        if line_end(last).saturating_sub(end) > 2 * LONG_LINE_CONTEXT {
            to = window_end(text, end + LONG_LINE_CONTEXT);
            to_line = last;
        }
        let from = from.min(start);
        let to = to.max(end);
        let column = if context_lines_before == 0 {
            // `line_col` counts from the file's character checkpoints, not from the start of a
            // line that may be megabytes long.
            self.file.line_col(start).1 - 1
        } else {
            0
        };
        let data = text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.display.clone(),
            data.as_bytes(),
            (from, to - from).into(),
            from_line,
            column,
            // Lines in the excerpt: the renderer joins two excerpts into one when the first's
            // line plus this count reaches the second's line (they overlap or touch).
            to_line.saturating_sub(from_line) + 1,
        )))
    }
}

/// Bytes a window edge may move to land between tokens instead of inside one.
const TOKEN_SEARCH: usize = 24;

/// Where a window on a long line starts: just after the nearest separator (`,`, `:`, a bracket
/// or blank) at most [`TOKEN_SEARCH`] bytes before `at`, so that the excerpt does not open in the
/// middle of a key or value; `at`'s character boundary when there is none.
fn window_start(text: &str, at: usize) -> usize {
    let at = floor_char_boundary(text, at);
    let bytes = text.as_bytes();
    (at.saturating_sub(TOKEN_SEARCH)..at)
        .rev()
        .find(|&i| bytes.get(i).is_some_and(|b| is_separator(*b)))
        .map_or(at, |i| i + 1)
}

/// Where a window on a long line ends: just after the nearest separator at most
/// [`TOKEN_SEARCH`] bytes after `at`; `at`'s character boundary when there is none.
fn window_end(text: &str, at: usize) -> usize {
    let at = ceil_char_boundary(text, at);
    let bytes = text.as_bytes();
    (at..(at + TOKEN_SEARCH).min(text.len()))
        .find(|&i| bytes.get(i).is_some_and(|b| is_separator(*b)))
        .map_or(at, |i| i + 1)
}

/// Separators are ASCII: the byte after one is always a character boundary.
fn is_separator(byte: u8) -> bool {
    matches!(byte, b',' | b':' | b'{' | b'}' | b'[' | b']' | b' ' | b'\t')
}

struct Rendered<'a> {
    code: String,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    src: Src<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low | Severity::Info => miette::Severity::Advice,
    }
}

fn labeled(span: Span, text: Option<String>, primary: bool) -> LabeledSpan {
    let s = miette::SourceSpan::new((span.start as usize).into(), span.len());
    if primary {
        LabeledSpan::new_primary_with_span(text, s)
    } else {
        LabeledSpan::new_with_span(text, s)
    }
}

/// A file's literal secrets, and its masked text, made on the file's first finding.
#[derive(Default)]
struct FileSecrets {
    spans: Vec<Span>,
    masked: std::cell::OnceCell<std::sync::Arc<str>>,
}

pub struct Human {
    handler: GraphicalReportHandler,
    /// The files that hold literal secrets (looked up per finding, not scanned).
    secrets: std::collections::HashMap<FileId, FileSecrets>,
}

impl Human {
    pub fn new(color: bool) -> Human {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Human {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(110)
                .with_links(false),
            secrets: Default::default(),
        }
    }

    /// Mask these spans (literal secrets) in every excerpt.
    pub fn with_secrets(mut self, secrets: &[Span]) -> Human {
        self.secrets.clear();
        for span in secrets {
            self.secrets.entry(span.file).or_default().spans.push(*span);
        }
        self
    }

    /// The file as the excerpts show it: masked where it holds a secret.
    fn source<'a>(&self, file: &'a SourceFile, id: FileId) -> Src<'a> {
        let Some(secrets) = self.secrets.get(&id) else {
            return Src {
                file,
                text: Text::Own(file.text()),
            };
        };
        let text = secrets
            .masked
            .get_or_init(|| masked(file.text(), &secrets.spans).into())
            .clone();
        Src {
            file,
            text: Text::Masked(text),
        }
    }

    pub fn finding(&self, f: &Finding, sources: &SourceMap, out: &mut String) {
        let file = sources.get(f.span.file);
        let primary = shown_part(f.span, file);
        let mut labels = vec![labeled(
            primary,
            f.label.as_deref().map(str::to_owned),
            true,
        )];
        // Labels in other files are listed in the help text (miette shows one source), and so
        // are labels far along the same line as one already shown: the renderer would join the
        // two into one excerpt as long as the distance between them (a one-line plan).
        let mut shown = vec![(file.line_of(primary.start as usize), primary)];
        let mut elsewhere = Vec::new();
        for l in &f.labels {
            if l.span.file == f.span.file {
                let span = shown_part(l.span, file);
                let line = file.line_of(span.start as usize);
                let far = shown.iter().any(|(other_line, other)| {
                    *other_line == line && span.start.abs_diff(other.start) > MAX_LABEL_DISTANCE
                });
                if !far {
                    shown.push((line, span));
                    labels.push(labeled(span, Some(l.message.to_string()), false));
                    continue;
                }
                let (line, col) = file.line_col(l.span.start as usize);
                elsewhere.push(format!("{}:{line}:{col}: {}", file.display, l.message));
            } else {
                let other = sources.get(l.span.file);
                let (line, col) = other.line_col(l.span.start as usize);
                elsewhere.push(format!("{}:{line}:{col}: {}", other.display, l.message));
            }
        }
        let mut help = f.help.as_deref().map(str::to_owned);
        if !elsewhere.is_empty() {
            let joined = elsewhere.join("\n");
            help = Some(match help {
                Some(h) => format!("{h}\nsee also:\n{joined}"),
                None => format!("see also:\n{joined}"),
            });
        }
        let r = Rendered {
            code: format!("{} {} ({})", f.rule, rule_name(f.rule), f.severity.as_str()),
            message: f.message.clone(),
            severity: miette_severity(f.severity),
            help,
            src: self.source(file, f.span.file),
            labels,
        };
        let _ = self.handler.render_report(out, &r);
        out.push('\n');
    }

    pub fn error(&self, e: &LoadError, sources: &SourceMap, out: &mut String) {
        match e.span {
            Some(span) => {
                let file = sources.get(span.file);
                let (line, col) = file.line_col(span.start as usize);
                let r = Rendered {
                    code: "input error".into(),
                    message: format!("{}:{line}:{col}: {}", e.path, e.message),
                    severity: miette::Severity::Error,
                    help: None,
                    src: self.source(file, span.file),
                    labels: vec![labeled(
                        shown_part(span, file),
                        Some(e.message.clone()),
                        true,
                    )],
                };
                let _ = self.handler.render_report(out, &r);
                out.push('\n');
            }
            None => out.push_str(&format!("error: {}: {}\n\n", e.path, e.message)),
        }
    }
}

/// Bytes of a one-line span underlined at most, and the furthest apart two labels on one line may
/// be and still share an excerpt. The renderer pads to a label's column with a width argument,
/// which must stay under 65,536, and an excerpt wider than a screen helps no one.
const MAX_LABEL_DISTANCE: u32 = 1_000;

/// The part of a span to underline: all of it, unless it is longer than [`MAX_LABEL_DISTANCE`],
/// then its start: at most that many bytes of its first line. (A whole minified document on one
/// line, or a list rule whose `resourceNames` line is thousands of names long: every finding
/// pointing at it would otherwise repeat all of it.)
fn shown_part(span: Span, file: &SourceFile) -> Span {
    if span.end.saturating_sub(span.start) <= MAX_LABEL_DISTANCE {
        return span;
    }
    let text = file.text();
    let start = span.start as usize;
    let first_line_end = text
        .get(start..)
        .and_then(|rest| memchr::memchr(b'\n', rest.as_bytes()))
        .map_or(text.len(), |at| start + at);
    let end = floor_char_boundary(
        text,
        first_line_end.min(start + MAX_LABEL_DISTANCE as usize),
    );
    Span::new(span.file, start, end.max(start))
}

fn rule_name(id: &str) -> &'static str {
    crate::rules::meta::get(id)
        .map(|m| m.name.as_str())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::{masked, window_end, window_start, TOKEN_SEARCH};
    use crate::source::Span;

    #[test]
    fn long_line_windows_open_and_close_between_tokens() {
        let text = r#"{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":"x"}"#;
        // Inside `"Action"`: the window opens after the comma before it.
        let inside = text.find("ction").unwrap();
        assert_eq!(
            window_start(text, inside),
            text.find(r#""Action""#).unwrap()
        );
        // Inside `AssumeRole...`: it closes after the comma that ends the value.
        let value = text.find("Role").unwrap();
        let comma = text.find(r#","Principal""#).unwrap();
        assert_eq!(window_end(text, value), comma + 1);
        // No separator within reach: the character boundary itself (never inside `é`).
        let long = format!("{}é{}", "a".repeat(40), "b".repeat(40));
        let in_e = long.find('é').unwrap() + 1;
        assert_eq!(window_start(&long, in_e), in_e - 1);
        assert_eq!(window_end(&long, in_e), in_e + 1);
        assert!(long.len() > 2 * TOKEN_SEARCH);
        // Past the end: the end.
        assert_eq!(window_end(text, text.len() + 5), text.len());
    }

    #[test]
    fn masking_keeps_byte_lengths_and_line_breaks() {
        let text = "key: AKIAé\nnext: sécret\r\nend";
        let first = Span::new(0, 5, text.find('\n').unwrap());
        let second = Span::new(0, text.find("sécret").unwrap(), text.len() + 10);
        let out = masked(text, &[first, second]);
        assert_eq!(out.len(), text.len());
        assert_eq!(out, "key: ******\nnext: *******\r\n***");
    }
}
