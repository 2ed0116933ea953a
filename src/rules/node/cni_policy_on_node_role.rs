//! NODE002 cni-policy-on-node-role: AmazonEKS_CNI_Policy belongs on the aws-node ServiceAccount.

use super::{node_roles, policy_name};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct CniPolicyOnNodeRole;

impl Rule for CniPolicyOnNodeRole {
    fn id(&self) -> &'static str {
        "NODE002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (role, _) in node_roles(cx.inventory) {
            for p in role
                .permissions
                .iter()
                .filter(|p| p.arn.as_deref().map(policy_name) == Some("AmazonEKS_CNI_Policy"))
            {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Low,
                        p.span,
                        format!("node role `{}` carries AmazonEKS_CNI_Policy: every pod that reaches IMDS can change the node's network interfaces", role.name),
                    )
                    .label("CNI policy on the node role")
                    .help("attach AmazonEKS_CNI_Policy to an IRSA or Pod Identity role for kube-system/aws-node instead")
                    .identity(format!("role:{}#cni", role.arn.as_deref().unwrap_or(&role.name))),
                );
            }
        }
    }
}
