//! SA007 ⧉ unused-sa-with-role: a ServiceAccount with an IAM role (an IRSA annotation or a Pod
//! Identity association) that no workload runs as.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::PodIdentityAssociation;
use crate::rules::{Context, Rule};
use std::collections::HashMap;

pub struct UnusedSaWithRole;

impl Rule for UnusedSaWithRole {
    fn id(&self) -> &'static str {
        "SA007"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        // Associations by (namespace, ServiceAccount): one lookup per ServiceAccount.
        let mut associations: HashMap<(&str, &str), Vec<&PodIdentityAssociation>> = HashMap::new();
        for a in &cx.inventory.eks.pod_identity {
            associations
                .entry((&a.namespace.text, &a.service_account.text))
                .or_default()
                .push(a);
        }
        for sa in &cx.inventory.kube.service_accounts {
            let (ns, name) = (sa.meta.namespace.as_str(), sa.meta.name.as_str());
            let annotation = sa.role_arn();
            let associated = associations
                .get(&(ns, name))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if annotation.is_none() && associated.is_empty() {
                continue;
            }
            if !cx.inventory.workloads_using(ns, name).is_empty() {
                continue;
            }
            let roles: Vec<String> = annotation
                .map(|arn| format!("`{}`", arn.text))
                .into_iter()
                .chain(
                    associated
                        .iter()
                        .map(|a| format!("`{}` (Pod Identity)", a.role_arn.text)),
                )
                .collect();
            // At the annotation when there is one, else at the ServiceAccount's name.
            let span = annotation.map_or(sa.meta.name_span, |arn| arn.span);
            let mut finding = Finding::new(
                self.id(),
                Severity::Low,
                span,
                format!(
                    "ServiceAccount {ns}/{name} holds IAM role{} {} but no workload runs as it: a standing credential for whoever can create pods in the namespace",
                    if roles.len() == 1 { "" } else { "s" },
                    roles.join(", ")
                ),
            )
            .label("unused ServiceAccount with a role")
            .help("delete the ServiceAccount (or its annotation or association) if nothing needs it")
            .identity(identity(sa, "unused"));
            for a in associated {
                finding = finding.with_label(a.role_arn.span, "Pod Identity association");
            }
            out.push(finding);
        }
    }
}
