//! AUTH012 ⧉ unbound-group: a group granted by aws-auth or an access entry that no binding uses.

use super::entries;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use std::collections::HashSet;

pub struct UnboundGroup;

impl Rule for UnboundGroup {
    fn id(&self) -> &'static str {
        "AUTH012"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let bound: HashSet<&str> = cx
            .inventory
            .kube
            .bindings
            .iter()
            .flat_map(|b| b.subjects.iter())
            .filter(|s| s.kind == "Group")
            .map(|s| s.name.as_str())
            .collect();
        let granted = entries(cx.inventory)
            .flat_map(|(_, _, e)| e.groups.iter())
            .chain(
                cx.inventory
                    .eks
                    .access_entries
                    .iter()
                    .flat_map(|e| e.groups.iter()),
            );
        for g in granted {
            if g.text.starts_with("system:") || bound.contains(g.text.as_str()) {
                continue;
            }
            out.push(
                Finding::new(self.id(), Severity::Low, g.span, format!("group `{}` is granted but no RoleBinding or ClusterRoleBinding names it", g.text))
                    .label("unbound group")
                    .help("bind the group to a role, or remove it from the mapping (a later binding to it grants access silently)")
                    .identity(format!("group:{}", g.text)),
            );
        }
    }
}
