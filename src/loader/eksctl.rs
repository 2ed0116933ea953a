//! eksctl `ClusterConfig` files: IRSA ServiceAccounts, Pod Identity associations, access entries,
//! node groups with their IAM settings and IMDS options.

use super::k8s::pstr;
use crate::model::{
    AddonPolicies, Eks, ImdsSettings, InstanceProfileRef, Launcher, NodeRoleRef, PermissionPolicy,
    PodIdentityAssociation, Role, RoleOrigin,
};
use crate::node::{Node, NodeKind};

pub fn is_cluster_config(root: &Node) -> bool {
    root.get_str("kind") == Some("ClusterConfig")
        && root
            .get_str("apiVersion")
            .is_some_and(|v| v.starts_with("eksctl.io/"))
}

pub fn load(
    cx: &super::FileCtx,
    root: &Node,
    out: &mut Eks,
    kube: &mut crate::model::Kube,
    roles: &mut Vec<Box<Role>>,
) {
    let iam = root.get("iam");
    // iam.serviceAccounts: eksctl creates each ServiceAccount with an IRSA annotation, for the role
    // given in attachRoleARN or for one it creates (unknown ARN, kept as a placeholder).
    for s in iam
        .and_then(|i| i.get("serviceAccounts"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let Some(md) = s.get("metadata") else {
            continue;
        };
        let Some(name) = md.get("name") else { continue };
        let namespace = md
            .get("namespace")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "default".into());
        let arn = s
            .get("attachRoleARN")
            .and_then(pstr)
            .unwrap_or_else(|| crate::model::PStr {
                text: format!(
                    "${{eksctl-created role for {namespace}/{}}}",
                    name.scalar_text().unwrap_or_default()
                )
                .into(),
                span: name.span,
                templated: true,
            });
        let key = crate::model::PStr::new(crate::model::ROLE_ARN_ANNOTATION, arn.span);
        kube.service_accounts
            .push(Box::new(crate::model::ServiceAccount {
                meta: crate::model::ObjectMeta {
                    kind: "ServiceAccount".into(),
                    namespace: namespace.into(),
                    name: name.scalar_compact().unwrap_or_default(),
                    name_span: name.span,
                    span: s.span,
                    annotations: Box::new([(key, arn)]),
                    labels: Box::default(),
                },
            }));
    }
    for a in iam
        .and_then(|i| i.get("podIdentityAssociations"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let (Some(namespace), Some(service_account)) = (
            a.get("namespace").and_then(pstr),
            a.get("serviceAccountName").and_then(pstr),
        ) else {
            continue;
        };
        // eksctl creates a role when none is given; name it after the association.
        let role_arn = a
            .get("roleARN")
            .and_then(pstr)
            .unwrap_or_else(|| crate::model::PStr {
                text: format!(
                    "${{eksctl-role-for-{}-{}}}",
                    namespace.text, service_account.text
                )
                .into(),
                span: a.span,
                templated: true,
            });
        out.pod_identity.push(PodIdentityAssociation {
            namespace,
            service_account,
            role_arn,
            span: a.span,
        });
    }
    for e in root
        .path(&["accessConfig", "accessEntries"])
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let policies = super::eks_api::policies(e.get("accessPolicies"), "policyARN");
        out.access_entries.extend(super::eks_api::access_entry_with(
            e,
            "principalARN",
            policies,
            e.span,
        ));
    }
    for key in ["nodeGroups", "managedNodeGroups"] {
        for ng in root.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
            let name = ng.get_str("name").unwrap_or("?").to_string();
            if key == "managedNodeGroups" && name != "?" {
                out.launchers.push(Launcher::ManagedNodeGroup(name.clone()));
            }
            let ng_iam = ng.get("iam");
            if let Some(role) = ng_iam.and_then(|i| i.get("instanceRoleARN")).and_then(pstr) {
                out.node_roles.push(NodeRoleRef {
                    role,
                    source: format!("eksctl node group {name}"),
                });
            }
            if let Some(profile) = ng_iam
                .and_then(|i| i.get("instanceProfileARN"))
                .and_then(pstr)
            {
                out.node_instance_profiles.push(InstanceProfileRef {
                    profile,
                    source: format!("eksctl node group {name}"),
                });
            }
            if let Some(role) = ng_iam.and_then(|i| created_node_role(cx, root, &name, i)) {
                out.node_roles.push(NodeRoleRef {
                    role: crate::model::PStr::new(role.name.clone(), role.span),
                    source: format!("eksctl node group {name}"),
                });
                roles.push(Box::new(role));
            }
            let enabled: Vec<_> = ng_iam
                .and_then(|i| i.get("withAddonPolicies"))
                .and_then(Node::as_map)
                .unwrap_or(&[])
                .iter()
                .filter(|(_, v)| v.kind == NodeKind::Bool(true))
                .filter_map(|(k, _)| pstr(k))
                .collect();
            if !enabled.is_empty() {
                out.addon_policies.push(AddonPolicies {
                    nodegroup: name.clone(),
                    enabled,
                });
            }
            let pod_imds_disabled = ng
                .get("disablePodIMDS")
                .is_some_and(|n| n.kind == NodeKind::Bool(true));
            let v1_allowed = ng
                .get("disableIMDSv1")
                .filter(|n| n.kind == NodeKind::Bool(false));
            out.imds.push(ImdsSettings {
                name: format!("eksctl node group {name}"),
                span: ng.get("name").map(|n| n.span).unwrap_or(ng.span),
                http_tokens: v1_allowed.map(|n| crate::model::PStr::new("optional", n.span)),
                hop_limit: None,
                hop_limit_default: None,
                eksctl_pod_imds_open: !pod_imds_disabled,
                launched_by: None,
            });
        }
    }
}

/// The node role eksctl creates for a node group whose `iam` lists its policies
/// (`attachPolicyARNs`, which replace eksctl's defaults, and an inline `attachPolicy`): the
/// config is then the whole of the role's permissions. Without such a list the role gets
/// eksctl's defaults, which the config does not spell out, and no role is made here; nor when
/// the group uses an existing role or instance profile. Named `instanceRoleName`, or after
/// eksctl's stack (`eksctl-<cluster>-nodegroup-<group>-NodeInstanceRole`, to which eksctl adds a
/// random suffix).
fn created_node_role(cx: &super::FileCtx, root: &Node, group: &str, iam: &Node) -> Option<Role> {
    if iam.get("instanceRoleARN").is_some() || iam.get("instanceProfileARN").is_some() {
        return None;
    }
    let arns = iam.get("attachPolicyARNs").and_then(Node::as_seq);
    let inline = iam.get("attachPolicy").filter(|p| !p.is_null());
    if arns.is_none() && inline.is_none() {
        return None;
    }
    let mut permissions: Vec<PermissionPolicy> = arns
        .unwrap_or(&[])
        .iter()
        .filter_map(|n| Some(PermissionPolicy::managed(n.as_str()?, n.span)))
        .collect();
    if let Some(doc) = inline {
        permissions.push(PermissionPolicy {
            name: "attachPolicy".into(),
            arn: None,
            document: Some(cx.policy_value(doc, false)),
            span: doc.span,
            inline: true,
        });
    }
    let name = iam
        .get_str("instanceRoleName")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let cluster = root.path(&["metadata", "name"]).and_then(Node::as_str);
            format!(
                "eksctl-{}-nodegroup-{group}-NodeInstanceRole",
                cluster.unwrap_or("?")
            )
        });
    // The key that lists the policies: the role has no object of its own in the config.
    let span = iam
        .as_map()
        .unwrap_or(&[])
        .iter()
        .find(|(k, _)| matches!(k.as_str(), Some("attachPolicyARNs" | "attachPolicy")))
        .map_or(iam.span, |(k, _)| k.span);
    Some(Role {
        name: name.into(),
        arn: None,
        // eksctl makes it in the node group's CloudFormation stack.
        origin: RoleOrigin::CloudFormation,
        span,
        trust: None,
        permissions,
        last_used: None,
        aliases: Vec::new(),
    })
}
