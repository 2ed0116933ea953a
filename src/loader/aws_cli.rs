//! Output of `aws iam get-role`, `aws iam list-roles`, `aws iam get-account-authorization-details`
//! and the instance-profile commands (`get-instance-profile`, `list-instance-profiles`,
//! `list-instance-profiles-for-role`). Documents may be decoded objects (CLI) or URL-encoded
//! strings (raw API / SDK).

use super::FileCtx;
use crate::model::{Eks, InstanceProfile, PermissionPolicy, Role, RoleOrigin};
use crate::node::Node;
use std::collections::HashMap;

pub enum Shape {
    GetRole,
    ListRoles,
    AuthorizationDetails,
    InstanceProfiles,
}

pub fn detect(root: &Node) -> Option<Shape> {
    if root.get("Role").and_then(|r| r.get("RoleName")).is_some() {
        Some(Shape::GetRole)
    } else if root.get("RoleDetailList").is_some() || root.get("UserDetailList").is_some() {
        Some(Shape::AuthorizationDetails)
    } else if root.get("Roles").and_then(Node::as_seq).is_some() {
        Some(Shape::ListRoles)
    } else if root
        .get("InstanceProfile")
        .and_then(|p| p.get("InstanceProfileName"))
        .is_some()
        || root
            .get("InstanceProfiles")
            .and_then(Node::as_seq)
            .is_some()
    {
        Some(Shape::InstanceProfiles)
    } else {
        None
    }
}

pub fn load(cx: &FileCtx, root: &Node, shape: Shape, out: &mut Vec<Role>, eks: &mut Eks) {
    match shape {
        Shape::GetRole => {
            if let Some(r) = root.get("Role") {
                out.push(role(cx, r, &HashMap::new()));
            }
        }
        Shape::ListRoles => {
            for r in root.get("Roles").and_then(Node::as_seq).unwrap_or(&[]) {
                out.push(role(cx, r, &HashMap::new()));
            }
        }
        Shape::AuthorizationDetails => {
            // Managed policy documents by ARN (default version).
            let mut managed: HashMap<&str, &Node> = HashMap::new();
            for p in root.get("Policies").and_then(Node::as_seq).unwrap_or(&[]) {
                let Some(arn) = p.get_str("Arn") else {
                    continue;
                };
                let versions = p
                    .get("PolicyVersionList")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[]);
                let default = versions
                    .iter()
                    .find(|v| {
                        matches!(
                            v.get("IsDefaultVersion").map(|n| &n.kind),
                            Some(crate::node::NodeKind::Bool(true))
                        )
                    })
                    .or(versions.first());
                if let Some(doc) = default.and_then(|v| v.get("Document")) {
                    managed.insert(arn, doc);
                }
            }
            for r in root
                .get("RoleDetailList")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                out.push(role(cx, r, &managed));
                eks.instance_profiles
                    .extend(instance_profiles(r.get("InstanceProfileList")));
            }
        }
        Shape::InstanceProfiles => {
            let single = root.get("InstanceProfile").map(std::slice::from_ref);
            eks.instance_profiles
                .extend(single.into_iter().flatten().filter_map(instance_profile));
            eks.instance_profiles
                .extend(instance_profiles(root.get("InstanceProfiles")));
        }
    }
}

/// A list of instance profiles, as `list-instance-profiles` and a role's
/// `InstanceProfileList` give them.
fn instance_profiles(list: Option<&Node>) -> impl Iterator<Item = InstanceProfile> + '_ {
    list.and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(instance_profile)
}

/// One instance profile and the ARNs (or, failing those, names) of its roles.
fn instance_profile(p: &Node) -> Option<InstanceProfile> {
    Some(InstanceProfile {
        name: p.get_str("InstanceProfileName")?.to_string(),
        arn: p.get_str("Arn").map(str::to_string),
        aliases: Vec::new(),
        roles: p
            .get("Roles")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|r| r.get_str("Arn").or_else(|| r.get_str("RoleName")))
            .map(str::to_string)
            .collect(),
    })
}

fn role(cx: &FileCtx, r: &Node, managed: &HashMap<&str, &Node>) -> Role {
    let name_node = r.get("RoleName");
    let mut permissions = Vec::new();
    for p in r
        .get("RolePolicyList")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        permissions.push(PermissionPolicy {
            name: p.get_str("PolicyName").unwrap_or("inline").to_string(),
            arn: None,
            document: p.get("PolicyDocument").map(|d| cx.policy_value(d, false)),
            span: p.get("PolicyName").map(|n| n.span).unwrap_or(p.span),
            inline: true,
        });
    }
    for p in r
        .get("AttachedManagedPolicies")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let arn = p.get_str("PolicyArn").map(str::to_string);
        let document = arn
            .as_deref()
            .and_then(|a| managed.get(a))
            .map(|d| cx.policy_value(d, false));
        permissions.push(PermissionPolicy {
            name: p.get_str("PolicyName").unwrap_or("").to_string(),
            arn,
            document,
            span: p.get("PolicyArn").map(|n| n.span).unwrap_or(p.span),
            inline: false,
        });
    }
    Role {
        name: name_node.and_then(Node::as_str).unwrap_or("?").into(),
        arn: r.get_str("Arn").map(str::to_string),
        origin: RoleOrigin::AwsCli,
        span: name_node.map(|n| n.span).unwrap_or(r.span),
        trust: r
            .get("AssumeRolePolicyDocument")
            .map(|d| cx.policy_value(d, true)),
        permissions,
        // `RoleLastUsed: {}` means never used (empty string); no key means unknown (None).
        last_used: r
            .get("RoleLastUsed")
            .map(|u| u.get_str("LastUsedDate").unwrap_or("").into()),
        aliases: Vec::new(),
    }
}
