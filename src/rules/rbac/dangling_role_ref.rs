//! RBAC009 ⧉ dangling-role-ref: a binding to a role that does not exist.

use super::{identity, is_vendor, resolve};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct DanglingRoleRef;

impl Rule for DanglingRoleRef {
    fn id(&self) -> &'static str {
        "RBAC009"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for b in cx
            .inventory
            .kube
            .bindings
            .iter()
            .filter(|b| !is_vendor(&b.meta))
        {
            if resolve(cx.inventory, b).is_some()
                || b.role_name.starts_with("system:")
                || b.role_name.starts_with("eks:")
            {
                continue;
            }
            out.push(
                Finding::new(self.id(), Severity::Low, b.role_span, format!("{} `{}` references {} `{}`, which does not exist: whoever creates it decides what the subjects get", b.meta.kind, b.meta.name, b.role_kind, b.role_name))
                    .label("missing role")
                    .help("delete the binding or create the role it means")
                    .identity(identity(b, "dangling")),
            );
        }
    }
}
