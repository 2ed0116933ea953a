//! RBAC008 aws-auth-write: write access to ConfigMaps in kube-system (and so to aws-auth).

use super::{identity, is_full_admin, subject_names, user_bindings, PerRole, ResolvedRole};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use crate::source::Span;

pub struct AwsAuthWrite;

impl Rule for AwsAuthWrite {
    fn id(&self) -> &'static str {
        "RBAC008"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut writes = PerRole::default();
        for (b, role) in user_bindings(cx.inventory) {
            if !(b.cluster || b.meta.namespace == "kube-system") {
                continue;
            }
            let Some((verb, rule_span)) = *writes.get(&role, || aws_auth_write(&role)) else {
                continue;
            };
            let Some(subjects) = subject_names(b) else {
                continue;
            };
            let mut f = Finding::new(
                self.id(),
                Severity::Critical,
                b.role_span,
                format!("{} `{}` lets {} `{verb}` ConfigMaps in kube-system, aws-auth included: mapping any IAM role to system:masters is one edit away", b.meta.kind, b.meta.name, subjects),
            )
            .label("aws-auth is writable")
            .help("limit ConfigMap writes in kube-system with resourceNames that exclude aws-auth, and move to EKS access entries")
            .identity(identity(b, "aws-auth"));
            if let Some(span) = rule_span {
                f = f.with_label(span, "rule that grants it");
            }
            out.push(f);
        }
    }
}

/// The verb by which a role writes aws-auth, and the rule that grants it; `None` for a full admin
/// (RBAC001 reports those).
fn aws_auth_write(role: &ResolvedRole) -> Option<(&'static str, Option<Span>)> {
    if is_full_admin(role.rules) {
        return None;
    }
    // `create` cannot be limited by resourceNames, so any create allows creating aws-auth.
    ["update", "patch", "delete"]
        .iter()
        .find_map(|v| {
            role.find(v, "", "configmaps", Some("aws-auth"))
                .map(|(_, span)| (*v, span))
        })
        .or_else(|| {
            role.find("create", "", "configmaps", None)
                .map(|(_, span)| ("create", span))
        })
}
