//! RBAC001 cluster-admin-binding: cluster-admin (or `*`/`*`/`*`) bound to a non-system subject.

use super::{identity, is_full_admin, subject_names, user_bindings, PerRole};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct ClusterAdminBinding;

impl Rule for ClusterAdminBinding {
    fn id(&self) -> &'static str {
        "RBAC001"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut full_admin = PerRole::default();
        for (b, role) in user_bindings(cx.inventory) {
            if !*full_admin.get(&role, || is_full_admin(role.rules)) {
                continue;
            }
            let Some(subjects) = subject_names(b) else {
                continue;
            };
            let scope = if b.cluster {
                "in every namespace".to_string()
            } else {
                format!("in namespace {}", b.meta.namespace)
            };
            let mut f = Finding::new(
                self.id(),
                Severity::High,
                b.role_span,
                format!(
                    "{} `{}` gives `{}` (every verb on every resource) {scope} to {}",
                    b.meta.kind, b.meta.name, role.name, subjects
                ),
            )
            .label("full admin")
            .help("bind a role with only the verbs and resources the subject needs")
            .identity(identity(b, "admin"));
            if let Some(r) = role.object {
                f = f.with_label(r.meta.name_span, "role with * on *");
            }
            out.push(f);
        }
    }
}
