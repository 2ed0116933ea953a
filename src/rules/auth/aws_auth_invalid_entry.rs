//! AUTH002 aws-auth-invalid-entry: entries EKS drops or misreads.

use super::{entries, identity, MapKind};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthInvalidEntry;

impl Rule for AwsAuthInvalidEntry {
    fn id(&self) -> &'static str {
        "AUTH002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            let mut report = |span, message: String, help: &str, part: &str| {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        span,
                        format!("aws-auth {} entry: {message}", kind.key()),
                    )
                    .label("invalid entry")
                    .help(help.to_string())
                    .identity(identity(cm, kind, e, part)),
                );
            };
            let (needed, have) = match kind {
                MapKind::Roles => ("rolearn", e.rolearn.is_some()),
                MapKind::Users => ("userarn", e.userarn.is_some()),
            };
            let sso_only = kind == MapKind::Roles && e.sso.is_some();
            if !have && !sso_only {
                report(
                    e.span,
                    format!("no `{needed}`: the entry maps nobody"),
                    "add the ARN the entry is for",
                    "missing-arn",
                );
            }
            if let (Some(sso), true) = (e.sso, e.rolearn.is_some()) {
                report(
                    sso,
                    "has both `rolearn` and `sso`".into(),
                    "keep one of `rolearn` and `sso`",
                    "sso",
                );
            }
            for k in &e.unknown_keys {
                report(
                    k.span,
                    format!("unknown key `{}` (ignored; a typo?)", k.text),
                    "entry keys are rolearn/userarn, username and groups",
                    &format!("key:{}", k.text),
                );
            }
            if let Some(span) = e.groups_not_list {
                report(
                    span,
                    "`groups` is not a list: no group is granted".into(),
                    "write groups as a YAML list",
                    "groups",
                );
            }
            for g in e.groups.iter().filter(|g| g.text.contains(" - ")) {
                report(
                    g.span,
                    format!(
                        "group `{}` merges several list items into one string (mis-indented `- `)",
                        g.text
                    ),
                    "put each group on its own `- ` line at the same indentation",
                    &format!("group:{}", g.text),
                );
            }
        }
    }
}
