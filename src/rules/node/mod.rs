//! NODE rules: the worker node IAM role, which every pod that reaches IMDS inherits.

pub mod cni_policy_on_node_role;
pub mod eksctl_addon_policies;
pub mod imds_reachable_from_pods;
pub mod node_role_overreach;

use crate::model::{Inventory, Role};
use crate::rules::auth::{entries, is_node_username};

/// Managed policies every node role may have (AmazonEKS_CNI_Policy is NODE002's).
pub const BASELINE: &[&str] = &[
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
    "AmazonEKS_CNI_Policy",
];

/// Node roles found in the inventory, each with where it was found to be a node role.
pub fn node_roles(inv: &Inventory) -> Vec<(&Role, String)> {
    let mut found: Vec<(Vec<&Role>, String)> = Vec::new();
    for (_, _, e) in entries(inv) {
        if let (Some(arn), Some(user)) = (&e.rolearn, &e.username) {
            if is_node_username(&user.text) {
                found.push((
                    inv.roles_for_arn(&arn.text),
                    "mapped as a node in aws-auth".into(),
                ));
            }
        }
    }
    for e in &inv.eks.access_entries {
        if e.entry_type
            .as_ref()
            .is_some_and(|t| t.text.starts_with("EC2"))
        {
            found.push((
                inv.roles_for_reference(&e.principal_arn.text),
                "an EC2 access entry".into(),
            ));
        }
    }
    for n in &inv.eks.node_roles {
        found.push((
            inv.roles_for_reference(&n.role.text),
            format!("the role of {}", n.source),
        ));
    }
    for p in &inv.eks.node_instance_profiles {
        found.push((
            inv.roles_for_instance_profile(&p.profile.text),
            format!(
                "the role of instance profile {} of {}",
                p.profile.text, p.source
            ),
        ));
    }
    let mut out: Vec<(&Role, String)> = Vec::new();
    // A set, not a scan of `out`: an estate has thousands of node roles.
    let mut seen: std::collections::HashSet<*const Role> = std::collections::HashSet::new();
    for (roles, why) in found {
        for r in roles {
            if seen.insert(std::ptr::from_ref(r)) {
                out.push((r, why.clone()));
            }
        }
    }
    out
}

/// Last path segment of a managed policy ARN.
pub fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}
