//! SA007 ⧉ unused-sa-with-role: a ServiceAccount with an IAM role that no workload runs as.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct UnusedSaWithRole;

impl Rule for UnusedSaWithRole {
    fn id(&self) -> &'static str {
        "SA007"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for sa in &cx.inventory.kube.service_accounts {
            let Some(arn) = sa.role_arn() else { continue };
            if !cx
                .inventory
                .workloads_using(&sa.meta.namespace, &sa.meta.name)
                .is_empty()
            {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Low,
                    arn.span,
                    format!("ServiceAccount {}/{} holds IAM role `{}` but no workload runs as it: a standing credential for whoever can create pods in the namespace", sa.meta.namespace, sa.meta.name, arn.text),
                )
                .label("unused ServiceAccount with a role")
                .help("delete the ServiceAccount (or its annotation) if nothing needs it")
                .identity(identity(sa, "unused")),
            );
        }
    }
}
