//! AUTH013 access-entry-admin: admin-level or secret-reading access policies on access entries.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AccessEntryAdmin;

impl Rule for AccessEntryAdmin {
    fn id(&self) -> &'static str {
        "AUTH013"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for e in &cx.inventory.eks.access_entries {
            for p in &e.policies {
                let name = p.arn.text.rsplit('/').next().unwrap_or("");
                let cluster_scope = p
                    .scope
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case("cluster"));
                let (severity, what) = match name {
                    "AmazonEKSClusterAdminPolicy" | "AmazonEKSAdminPolicy" if cluster_scope => {
                        (Severity::High, "cluster-wide admin")
                    }
                    "AmazonEKSAdminViewPolicy" => (
                        Severity::Medium,
                        "read access to every object, Secrets included",
                    ),
                    "AmazonEKSSecretReaderPolicy" => (Severity::Medium, "read access to Secrets"),
                    _ => continue,
                };
                let scope = if cluster_scope {
                    "the whole cluster".to_string()
                } else {
                    format!("namespaces {}", p.namespaces.join(", "))
                };
                out.push(
                    Finding::new(self.id(), severity, p.arn.span, format!("access entry for `{}` grants {name} on {scope}: {what}", e.principal_arn.text))
                        .label("powerful access policy")
                        .help("grant AmazonEKSEditPolicy or AmazonEKSViewPolicy scoped to the namespaces needed, or bind a narrower Kubernetes role to a group")
                        .identity(format!("access-entry:{}#{name}", e.principal_arn.text.to_ascii_lowercase())),
                );
            }
        }
    }
}
