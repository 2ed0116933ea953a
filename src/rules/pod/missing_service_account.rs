//! POD003 ⧉ missing-service-account: a workload names a ServiceAccount that does not exist.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct MissingServiceAccount;

impl Rule for MissingServiceAccount {
    fn id(&self) -> &'static str {
        "POD003"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            let Some(sa) = &w.pod.service_account else {
                continue;
            };
            // Kubernetes creates `default` in every namespace.
            if sa.text == "default"
                || sa.text.is_empty()
                || cx
                    .inventory
                    .service_account(&w.meta.namespace, &sa.text)
                    .is_some()
            {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    sa.span,
                    format!("{} {}/{} runs as ServiceAccount `{}`, which does not exist in namespace `{}`: pods are not created, and whoever creates it later chooses its IAM role", w.meta.kind, w.meta.namespace, w.meta.name, sa.text, w.meta.namespace),
                )
                .label("missing ServiceAccount")
                .help("create the ServiceAccount with the workload, or fix the name")
                .identity(identity(w, "serviceAccountName")),
            );
        }
    }
}
