//! AUTH010 aws-auth-template: unknown `{{...}}` templates and unquoted usernames starting with `{{`.

use super::{entries, identity};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthTemplate;

const KNOWN: [&str; 5] = [
    "EC2PrivateDNSName",
    "SessionName",
    "SessionNameRaw",
    "AccountID",
    "AccessKeyID",
];

impl Rule for AwsAuthTemplate {
    fn id(&self) -> &'static str {
        "AUTH010"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            if let Some(span) = e.username_unquoted_template {
                out.push(
                    Finding::new(self.id(), Severity::High, span, "unquoted username starting with `{{`: YAML reads it as a map, not a string")
                        .label("quote this")
                        .help("quote the username: username: \"{{SessionName}}\"")
                        .identity(identity(cm, kind, e, "unquoted")),
                );
                continue;
            }
            let Some(user) = &e.username else { continue };
            let mut rest = user.text.as_str();
            while let Some(start) = rest.find("{{") {
                let Some(len) = rest[start..].find("}}") else {
                    break;
                };
                let name = &rest[start + 2..start + len];
                if !KNOWN.contains(&name) {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::High,
                            user.span,
                            format!(
                                "unknown template `{{{{{name}}}}}` in username `{}`",
                                user.text
                            ),
                        )
                        .label("unknown template")
                        .help(format!(
                            "known templates: {}",
                            KNOWN.map(|k| format!("{{{{{k}}}}}")).join(", ")
                        ))
                        .identity(identity(
                            cm,
                            kind,
                            e,
                            &format!("template:{name}"),
                        )),
                    );
                }
                rest = &rest[start + len + 2..];
            }
        }
    }
}
