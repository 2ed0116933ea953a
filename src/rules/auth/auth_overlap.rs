//! AUTH015 auth-overlap: the same principal in aws-auth and an access entry (the entry wins).

use super::{entries, identity};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use foldhash::{HashMap, HashMapExt};

pub struct AuthOverlap;

impl Rule for AuthOverlap {
    fn id(&self) -> &'static str {
        "AUTH015"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        // Access entries by principal ARN (ASCII case folded, the first of each), looked up
        // rather than scanned for every aws-auth line.
        let mut by_principal = HashMap::new();
        for a in &cx.inventory.eks.access_entries {
            by_principal
                .entry(a.principal_arn.text.to_ascii_lowercase())
                .or_insert(a);
        }
        if by_principal.is_empty() {
            return;
        }
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(arn) = e.arn() else { continue };
            let Some(entry) = by_principal.get(&arn.text.to_ascii_lowercase()) else {
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
