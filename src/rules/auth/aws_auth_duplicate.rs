//! AUTH006 aws-auth-duplicate: the same ARN mapped twice (the last wins).

use super::{entries, identity};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use std::collections::HashMap;

pub struct AwsAuthDuplicate;

impl Rule for AwsAuthDuplicate {
    fn id(&self) -> &'static str {
        "AUTH006"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut seen: HashMap<(usize, super::MapKind, String), crate::source::Span> =
            HashMap::new();
        let configmaps = &cx.inventory.kube.aws_auth;
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(arn) = e.arn() else { continue };
            let cm_index = configmaps
                .iter()
                .position(|c| std::ptr::eq(&**c, cm))
                .unwrap_or(0);
            let key = (cm_index, kind, arn.text.as_str().to_ascii_lowercase());
            match seen.get(&key) {
                Some(first) => out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        arn.span,
                        format!(
                            "aws-auth maps `{}` twice in {}: only the last entry applies",
                            arn.text,
                            kind.key()
                        ),
                    )
                    .label("duplicate mapping")
                    .with_label(*first, "first mapped here")
                    .help("merge the two entries into one")
                    .identity(identity(cm, kind, e, "duplicate")),
                ),
                None => {
                    seen.insert(key, arn.span);
                }
            }
        }
    }
}
