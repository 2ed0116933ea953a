//! AUTH011 iam-user-mapping: IAM users (long-lived keys) mapped into the cluster.

use super::{entries, identity, MapKind};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct IamUserMapping;

impl Rule for IamUserMapping {
    fn id(&self) -> &'static str {
        "AUTH011"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            if kind != MapKind::Users {
                continue;
            }
            let Some(arn) = &e.userarn else { continue };
            if !arn.text.contains(":user/") {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Low,
                    arn.span,
                    format!(
                        "aws-auth maps the IAM user `{}`: access rests on long-lived access keys",
                        arn.text
                    ),
                )
                .label("IAM user")
                .help("map a role assumed through SSO or federation instead of an IAM user")
                .identity(identity(cm, kind, e, "user")),
            );
        }
    }
}
