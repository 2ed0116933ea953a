//! PODID003 irsa-and-pod-identity: a ServiceAccount with both an IRSA annotation and a Pod
//! Identity association; the webhook injects only Pod Identity.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct IrsaAndPodIdentity;

impl Rule for IrsaAndPodIdentity {
    fn id(&self) -> &'static str {
        "PODID003"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for a in &cx.inventory.eks.pod_identity {
            let Some(sa) = cx
                .inventory
                .service_account(&a.namespace.text, &a.service_account.text)
            else {
                continue;
            };
            let Some(arn) = sa.role_arn() else { continue };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    arn.span,
                    format!("ServiceAccount {}/{} has IRSA role `{}` and a Pod Identity association with `{}`: the annotation is silently ignored", sa.meta.namespace, sa.meta.name, arn.text, a.role_arn.text),
                )
                .label("ignored IRSA annotation")
                .with_label(a.span, "Pod Identity association")
                .help("remove one of the two; keep the one whose role the workload should get")
                .identity(format!("{}#irsa-and-pod-identity", sa.meta.reference())),
            );
        }
    }
}
