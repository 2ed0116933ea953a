//! RBAC005 cluster-wide-secrets: read access to Secrets in every namespace.

use super::{identity, is_full_admin, subject_names, user_bindings, PerRole, ResolvedRole};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use crate::source::Span;

pub struct ClusterWideSecrets;

impl Rule for ClusterWideSecrets {
    fn id(&self) -> &'static str {
        "RBAC005"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut reads = PerRole::default();
        for (b, role) in user_bindings(cx.inventory) {
            if !b.cluster {
                continue;
            }
            let Some((verb, rule_span)) = *reads.get(&role, || secret_read(&role)) else {
                continue;
            };
            let Some(subjects) = subject_names(b) else {
                continue;
            };
            let mut f = Finding::new(
                self.id(),
                Severity::Medium,
                b.role_span,
                format!("ClusterRoleBinding `{}` lets {} `{verb}` Secrets in every namespace (through `{}`)", b.meta.name, subjects, role.name),
            )
            .label("cluster-wide secret read")
            .help("grant secret access per namespace with RoleBindings, limited by resourceNames")
            .identity(identity(b, "secrets"));
            if let Some(span) = rule_span {
                f = f.with_label(span, "rule that grants it");
            }
            out.push(f);
        }
    }
}

/// The verb by which a role reads Secrets, and the rule that grants it; `None` for a full admin
/// (RBAC001 reports those).
fn secret_read(role: &ResolvedRole) -> Option<(&'static str, Option<Span>)> {
    if is_full_admin(role.rules) {
        return None;
    }
    ["get", "list", "watch"].iter().find_map(|v| {
        role.find(v, "", "secrets", None)
            .map(|(_, span)| (*v, span))
    })
}
