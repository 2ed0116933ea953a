//! AUTH015 auth-overlap: the same principal in aws-auth and an access entry (the entry wins).

use super::{entries, identity};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AuthOverlap;

impl Rule for AuthOverlap {
    fn id(&self) -> &'static str {
        "AUTH015"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(arn) = e.arn() else { continue };
            let Some(entry) = cx
                .inventory
                .eks
                .access_entries
                .iter()
                .find(|a| a.principal_arn.text.eq_ignore_ascii_case(&arn.text))
            else {
                continue;
            };
            out.push(
                Finding::new(self.id(), Severity::Low, arn.span, format!("`{}` is mapped in aws-auth and has an access entry: the access entry wins and this aws-auth line is dead", arn.text))
                    .label("overridden by an access entry")
                    .with_label(entry.span, "the access entry")
                    .help("remove the aws-auth mapping")
                    .identity(identity(cm, kind, e, "overlap")),
            );
        }
    }
}
