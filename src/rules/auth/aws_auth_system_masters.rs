//! AUTH004 aws-auth-system-masters: a mapping grants `system:masters`.

use super::{entries, identity};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthSystemMasters;

impl Rule for AwsAuthSystemMasters {
    fn id(&self) -> &'static str {
        "AUTH004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            for g in e.groups.iter().filter(|g| g.text == "system:masters") {
                let who = e.arn().map(|a| a.text.as_str()).unwrap_or("this entry");
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        g.span,
                        format!("aws-auth maps `{who}` to system:masters: unrestricted cluster admin that no RBAC binding can revoke"),
                    )
                    .label("system:masters")
                    .help("map to a custom group bound to a ClusterRole, or use an access entry with a scoped access policy")
                    .identity(identity(cm, kind, e, "masters")),
                );
            }
        }
    }
}
