//! AUTH014 access-entry-system-group: access entries cannot use `system:` groups.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AccessEntrySystemGroup;

impl Rule for AccessEntrySystemGroup {
    fn id(&self) -> &'static str {
        "AUTH014"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for e in &cx.inventory.eks.access_entries {
            for g in e.groups.iter().filter(|g| g.text.starts_with("system:")) {
                out.push(
                    Finding::new(self.id(), Severity::High, g.span, format!("access entry for `{}` lists Kubernetes group `{}`: the EKS API rejects groups starting with system:", e.principal_arn.text, g.text))
                        .label("reserved group")
                        .help("use an access policy (AmazonEKSClusterAdminPolicy ...) or a custom group bound with RBAC")
                        .identity(format!("access-entry:{}#group:{}", e.principal_arn.text.to_ascii_lowercase(), g.text)),
                );
            }
        }
    }
}
