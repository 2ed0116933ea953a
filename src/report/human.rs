//! Human output through miette: rule, severity, message, the source excerpt with the exact span
//! underlined, secondary labels and the remediation.

use crate::finding::{Finding, Severity};
use crate::loader::LoadError;
use crate::source::{SourceFile, SourceMap, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SpanContents,
};
use std::fmt;

/// A source file as miette sees it: the file's text, with secret values masked.
struct Src<'a> {
    file: &'a SourceFile,
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Src<'a> {
    fn new(file: &'a SourceFile, id: crate::source::FileId, secrets: &[Span]) -> Src<'a> {
        let mine: Vec<&Span> = secrets.iter().filter(|s| s.file == id).collect();
        if mine.is_empty() {
            return Src {
                file,
                text: std::borrow::Cow::Borrowed(file.text()),
            };
        }
        let mut chars: Vec<char> = Vec::with_capacity(file.text().len());
        for (i, c) in file.text().char_indices() {
            let secret = mine
                .iter()
                .any(|s| (s.start as usize..s.end as usize).contains(&i));
            // Same byte length, so every span stays valid.
            if secret && c != '\n' && c != '\r' {
                chars.extend(std::iter::repeat_n('*', c.len_utf8()));
            } else {
                chars.push(c);
            }
        }
        Src {
            file,
            text: std::borrow::Cow::Owned(chars.into_iter().collect()),
        }
    }
}

impl SourceCode for Src<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.display.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
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

pub struct Human {
    handler: GraphicalReportHandler,
    secrets: Vec<Span>,
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
            secrets: Vec::new(),
        }
    }

    /// Mask these spans (literal secrets) in every excerpt.
    pub fn with_secrets(mut self, secrets: &[Span]) -> Human {
        self.secrets = secrets.to_vec();
        self
    }

    pub fn finding(&self, f: &Finding, sources: &SourceMap, out: &mut String) {
        let file = sources.get(f.span.file);
        let mut labels = vec![labeled(f.span, f.label.as_deref().map(str::to_owned), true)];
        // Labels in other files are listed in the help text (miette shows one source).
        let mut elsewhere = Vec::new();
        for l in &f.labels {
            if l.span.file == f.span.file {
                labels.push(labeled(l.span, Some(l.message.to_string()), false));
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
            src: Src::new(file, f.span.file, &self.secrets),
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
                    src: Src::new(file, span.file, &self.secrets),
                    labels: vec![labeled(span, Some(e.message.clone()), true)],
                };
                let _ = self.handler.render_report(out, &r);
                out.push('\n');
            }
            None => out.push_str(&format!("error: {}: {}\n\n", e.path, e.message)),
        }
    }
}

fn rule_name(id: &str) -> &'static str {
    crate::rules::meta::get(id)
        .map(|m| m.name.as_str())
        .unwrap_or("")
}
