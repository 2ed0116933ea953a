//! AUTH008 reserved-username: a non-node username in a reserved prefix.

use super::{entries, identity, is_node_username};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct ReservedUsername;

pub const RESERVED_PREFIXES: [&str; 5] = ["system:", "eks:", "aws:", "amazon:", "iam:"];

impl Rule for ReservedUsername {
    fn id(&self) -> &'static str {
        "AUTH008"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(user) = &e.username else { continue };
            if is_node_username(&user.text) {
                continue;
            }
            let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| user.text.starts_with(*p)) else {
                continue;
            };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::High,
                    user.span,
                    format!("username `{}` uses the reserved prefix `{prefix}`: it can collide with Kubernetes or EKS identities and their RBAC", user.text),
                )
                .label("reserved username")
                .help("choose a username outside system:, eks:, aws:, amazon: and iam:")
                .identity(identity(cm, kind, e, "username")),
            );
        }
        for e in &cx.inventory.eks.access_entries {
            let Some(user) = &e.username else { continue };
            let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| user.text.starts_with(*p)) else {
                continue;
            };
            out.push(
                Finding::new(self.id(), Severity::High, user.span, format!("access entry username `{}` uses the reserved prefix `{prefix}`: the EKS API rejects it", user.text))
                    .label("reserved username")
                    .help("choose a username outside system:, eks:, aws:, amazon: and iam:")
                    .identity(format!("access-entry:{}#username", e.principal_arn.text.to_ascii_lowercase())),
            );
        }
    }
}
