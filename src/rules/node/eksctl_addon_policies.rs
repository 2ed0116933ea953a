//! NODE004 eksctl-addon-policies: `iam.withAddonPolicies` puts workload permissions on the node role.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct EksctlAddonPolicies;

impl Rule for EksctlAddonPolicies {
    fn id(&self) -> &'static str {
        "NODE004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for a in &cx.inventory.eks.addon_policies {
            for p in &a.enabled {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        p.span,
                        format!("eksctl node group `{}` adds the `{}` add-on policy to the node role: every pod that reaches IMDS gets it", a.nodegroup, p.text),
                    )
                    .label("add-on policy on the node role")
                    .help("give the add-on its own IRSA or Pod Identity role (eksctl iam.serviceAccounts or podIdentityAssociations)")
                    .identity(format!("eksctl:{}#addon:{}", a.nodegroup, p.text)),
                );
            }
        }
    }
}
