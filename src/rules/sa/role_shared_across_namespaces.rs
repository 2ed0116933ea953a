//! SA004 role-shared-across-namespaces: one IAM role annotated in several namespaces.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};
use std::collections::BTreeMap;

pub struct RoleSharedAcrossNamespaces;

impl Rule for RoleSharedAcrossNamespaces {
    fn id(&self) -> &'static str {
        "SA004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut by_role: BTreeMap<String, Vec<&crate::model::ServiceAccount>> = BTreeMap::new();
        for sa in &cx.inventory.kube.service_accounts {
            if let Some(arn) = sa.role_arn() {
                by_role
                    .entry(arn.text.trim().to_ascii_lowercase())
                    .or_default()
                    .push(sa);
            }
        }
        for sas in by_role.values() {
            let mut namespaces: Vec<&str> = sas.iter().map(|s| s.meta.namespace.as_str()).collect();
            namespaces.sort_unstable();
            namespaces.dedup();
            if namespaces.len() < 2 {
                continue;
            }
            for sa in sas {
                let Some(arn) = sa.role_arn() else { continue };
                let mut f = Finding::new(
                    self.id(),
                    Severity::Medium,
                    arn.span,
                    format!("IAM role `{}` is annotated on ServiceAccounts in namespaces {}: a compromise of either namespace reaches the other's AWS access", arn.text, namespaces.join(", ")),
                )
                .label("shared role")
                .help("give each namespace its own role with a trust policy for its own ServiceAccount")
                .identity(identity(sa, "shared"));
                for other in sas.iter().filter(|o| o.meta.namespace != sa.meta.namespace) {
                    if let Some(a) = other.role_arn() {
                        f = f.with_label(
                            a.span,
                            format!("also used by {}/{}", other.meta.namespace, other.meta.name),
                        );
                    }
                }
                out.push(f);
            }
        }
    }
}
