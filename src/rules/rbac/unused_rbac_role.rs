//! RBAC010 ⧉ unused-rbac-role: a Role/ClusterRole no binding references.

use super::is_vendor;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use std::collections::HashSet;

pub struct UnusedRbacRole;

impl Rule for UnusedRbacRole {
    fn id(&self) -> &'static str {
        "RBAC010"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut referenced: HashSet<(bool, &str, &str)> = HashSet::new();
        for b in &cx.inventory.kube.bindings {
            let cluster = b.role_kind == "ClusterRole";
            referenced.insert((
                cluster,
                if cluster {
                    ""
                } else {
                    b.meta.namespace.as_str()
                },
                b.role_name.as_str(),
            ));
        }
        for r in cx
            .inventory
            .kube
            .roles
            .iter()
            .filter(|r| !is_vendor(&r.meta) && !r.aggregated)
        {
            // Roles aggregated into others are used through them.
            if r.meta
                .labels
                .iter()
                .any(|(k, _)| k.starts_with("rbac.authorization.k8s.io/aggregate-to-"))
            {
                continue;
            }
            let key = (
                r.cluster,
                if r.cluster {
                    ""
                } else {
                    r.meta.namespace.as_str()
                },
                r.meta.name.as_str(),
            );
            if referenced.contains(&key) {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Low,
                    r.meta.name_span,
                    format!(
                        "{} `{}` is referenced by no binding",
                        r.meta.kind, r.meta.name
                    ),
                )
                .label("unused role")
                .help("delete it, or bind it where it is meant to be used")
                .identity(format!("{}#unused", r.meta.reference())),
            );
        }
    }
}
