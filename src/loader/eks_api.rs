//! EKS and EC2 API responses as the AWS CLI prints them (and as a live audit's snapshot stores
//! them): `describe-cluster`, `describe-access-entry` / `list-associated-access-policies`,
//! `describe-pod-identity-association`, `describe-nodegroup`, `describe-launch-template-versions`,
//! `describe-instances` (the nodes' instance profiles), and list forms holding full objects
//! (`{"accessEntries": [{...}]}`, `{"associations": [...]}`, `{"nodegroups": [...]}`).

use super::k8s::pstr;
use crate::model::{
    AccessEntry, AccessPolicy, Eks, ImdsSettings, InstanceProfileRef, Launcher, NodeRoleRef, PStr,
    PodIdentityAssociation,
};
use crate::node::Node;
use std::collections::HashSet;

pub fn detect(root: &Node) -> bool {
    [
        "cluster",
        "accessEntry",
        "accessEntries",
        "associatedAccessPolicies",
        "association",
        "associations",
        "nodegroup",
        "nodegroups",
        "LaunchTemplateVersions",
        "Reservations",
    ]
    .iter()
    .any(|k| {
        root.get(k).is_some_and(|n| {
            n.as_map().is_some()
                || n.as_seq()
                    .is_some_and(|s| s.iter().all(|i| i.as_map().is_some()))
        })
    })
}

/// A list of access policies: `policyArn` in the EKS API's output, `policyARN` in eksctl's
/// `accessPolicies`. Items without an ARN are left out.
pub(super) fn policies(node: Option<&Node>, arn_key: &str) -> Vec<AccessPolicy> {
    node.and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            Some(AccessPolicy {
                arn: p.get(arn_key).and_then(pstr)?,
                scope: p.path(&["accessScope", "type"]).and_then(Node::scalar_text),
                namespaces: p
                    .path(&["accessScope", "namespaces"])
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect(),
            })
        })
        .collect()
}

fn access_entry(e: &Node) -> Option<AccessEntry> {
    let policies = policies(e.get("associatedAccessPolicies"), "policyArn");
    let span = e.get("principalArn").map(|n| n.span).unwrap_or(e.span);
    access_entry_with(e, "principalArn", policies, span)
}

/// The IMDS settings EKS gives a managed node group that has no launch template of its own, where
/// its AMI type decides them: AL2 AMIs (`AL2_x86_64`, `AL2_x86_64_GPU`, `AL2_ARM_64`) leave
/// IMDSv1 on with a hop limit of 2. AL2023 requires IMDSv2 with a hop limit of 1; other and
/// unset AMI types are not judged.
pub(super) fn default_node_group_imds(
    name: String,
    ami_type: Option<PStr>,
    has_launch_template: bool,
) -> Option<ImdsSettings> {
    let ami_type = ami_type.filter(|a| a.text.starts_with("AL2_") && !has_launch_template)?;
    Some(ImdsSettings {
        name,
        span: ami_type.span,
        http_tokens: None,
        hop_limit: Some((2, ami_type.span)),
        hop_limit_default: Some(
            "EKS's default for an AL2 node group without a launch template, which also allows IMDSv1",
        ),
        eksctl_pod_imds_open: false,
        launched_by: None,
    })
}

/// Whether an EC2 user data script joins the instance to an EKS cluster: the AL2 bootstrap
/// script, an AL2023 `nodeadm` `NodeConfig`, Bottlerocket's Kubernetes settings or the Windows
/// bootstrap script. A launch template with such user data launches nodes.
pub(super) fn is_eks_node_user_data(script: &str) -> bool {
    const MARKERS: [&str; 4] = [
        "/etc/eks/bootstrap.sh",
        "node.eks.aws/",
        "[settings.kubernetes]",
        "Start-EKSBootstrap.ps1",
    ];
    MARKERS.iter().any(|m| script.contains(m))
}

/// IMDS settings as metadata options write them, under the source's keys for the tokens setting
/// and the hop limit (`HttpTokens`/`HttpPutResponseHopLimit` in the EC2 API, snake case in
/// Terraform).
pub(super) fn written_imds(
    name: String,
    options: &Node,
    [tokens, hops]: [&str; 2],
) -> ImdsSettings {
    ImdsSettings {
        name,
        span: options.span,
        http_tokens: options.get(tokens).and_then(pstr),
        hop_limit: options
            .get(hops)
            .and_then(|n| Some((n.scalar_text()?.parse().ok()?, n.span))),
        hop_limit_default: None,
        eksctl_pod_imds_open: false,
        launched_by: None,
    }
}

/// Whether metadata options switch the instance metadata endpoint off (`HttpEndpoint:
/// disabled` in any spelling of the key): then neither the node nor its pods reach IMDS, and
/// the tokens and hop limit settings do not matter.
pub(super) fn imds_endpoint_disabled(options: &Node, key: &str) -> bool {
    options
        .get_str(key)
        .is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
}

/// The tag EKS looks for on the instances of a self-managed node group (`owned` or `shared`).
pub(super) fn is_cluster_tag_key(key: &str) -> bool {
    key.starts_with("kubernetes.io/cluster/")
}

/// The tag naming an instance's Auto Scaling group.
const AUTO_SCALING_GROUP_TAG: &str = "aws:autoscaling:groupName";

/// The tag EKS puts on the instances of a managed node group: the group's name.
const NODE_GROUP_TAG: &str = "eks:nodegroup-name";
/// Tags Karpenter puts on the instances it launches: the NodePool and the EC2NodeClass, or
/// before v0.32 the Provisioner.
const NODE_POOL_TAG: &str = "karpenter.sh/nodepool";
const NODE_CLASS_TAG: &str = "karpenter.k8s.aws/ec2nodeclass";
const PROVISIONER_TAG: &str = "karpenter.sh/provisioner-name";

/// The instance tags `describe-instances` is read for (and all a live audit's snapshot keeps):
/// the cluster tag, the Auto Scaling group and the launchers' tags.
pub fn is_node_tag(key: &str) -> bool {
    is_cluster_tag_key(key)
        || [
            AUTO_SCALING_GROUP_TAG,
            NODE_GROUP_TAG,
            NODE_POOL_TAG,
            NODE_CLASS_TAG,
            PROVISIONER_TAG,
        ]
        .contains(&key)
}

/// An access entry whose `type`, `username` and `kubernetesGroups` keys are the EKS API's (as in
/// eksctl's `accessEntries`); the principal's key and the policies differ by source. `None`
/// without a principal.
pub(super) fn access_entry_with(
    e: &Node,
    principal_key: &str,
    policies: Vec<AccessPolicy>,
    span: crate::source::Span,
) -> Option<AccessEntry> {
    Some(AccessEntry {
        principal_arn: e.get(principal_key).and_then(pstr)?,
        entry_type: e.get("type").and_then(pstr),
        username: e.get("username").and_then(pstr),
        groups: e
            .get("kubernetesGroups")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(pstr)
            .collect(),
        policies,
        span,
    })
}

/// A Pod Identity association from its namespace, ServiceAccount and role keys (camelCase in the
/// EKS API, snake_case in Terraform). `None` unless all three are there.
pub(super) fn association_with(
    node: &Node,
    [namespace, service_account, role_arn]: [&str; 3],
    span: crate::source::Span,
) -> Option<PodIdentityAssociation> {
    Some(PodIdentityAssociation {
        namespace: node.get(namespace).and_then(pstr)?,
        service_account: node.get(service_account).and_then(pstr)?,
        role_arn: node.get(role_arn).and_then(pstr)?,
        span,
    })
}

pub fn load(root: &Node, out: &mut Eks) {
    if let Some(issuer) = root
        .path(&["cluster", "identity", "oidc", "issuer"])
        .and_then(Node::as_str)
    {
        out.cluster_issuers
            .push(issuer.trim_start_matches("https://").to_string());
    }
    let one_or_list = |single: &str, list: &str| -> Vec<&Node> {
        let mut v: Vec<&Node> = root
            .get(single)
            .filter(|n| n.as_map().is_some())
            .into_iter()
            .collect();
        v.extend(
            root.get(list)
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter(|n| n.as_map().is_some()),
        );
        v
    };
    out.access_entries.extend(
        one_or_list("accessEntry", "accessEntries")
            .into_iter()
            .filter_map(access_entry),
    );
    // `list-associated-access-policies` output: policies of one principal.
    if let (Some(principal), Some(list)) = (
        root.get("principalArn").and_then(pstr),
        root.get("associatedAccessPolicies"),
    ) {
        let found = policies(Some(list), "policyArn");
        match out
            .access_entries
            .iter_mut()
            .find(|e| e.principal_arn.text == principal.text)
        {
            Some(entry) => entry.policies.extend(found),
            None => out.access_entries.push(AccessEntry {
                span: principal.span,
                principal_arn: principal,
                entry_type: None,
                username: None,
                groups: Vec::new(),
                policies: found,
            }),
        }
    }
    for a in one_or_list("association", "associations") {
        out.pod_identity.extend(association_with(
            a,
            ["namespace", "serviceAccount", "roleArn"],
            a.span,
        ));
    }
    for ng in one_or_list("nodegroup", "nodegroups") {
        if let Some(defined) = ng.get_str("nodegroupName") {
            out.launchers
                .push(Launcher::ManagedNodeGroup(defined.to_string()));
        }
        let name = format!("node group {}", ng.get_str("nodegroupName").unwrap_or("?"));
        out.imds.extend(default_node_group_imds(
            name.clone(),
            ng.get("amiType").and_then(pstr),
            ng.get("launchTemplate").is_some_and(|t| !t.is_null()),
        ));
        if let Some(role) = ng.get("nodeRole").and_then(pstr) {
            out.node_roles.push(NodeRoleRef { role, source: name });
        }
    }
    load_instances(root, out);
    for v in root
        .get("LaunchTemplateVersions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
    {
        let Some(md) = v
            .path(&["LaunchTemplateData", "MetadataOptions"])
            .filter(|md| !imds_endpoint_disabled(md, "HttpEndpoint"))
        else {
            continue;
        };
        let name = format!(
            "launch template {}",
            v.get_str("LaunchTemplateName").unwrap_or("?")
        );
        out.imds.push(written_imds(
            name,
            md,
            ["HttpTokens", "HttpPutResponseHopLimit"],
        ));
    }
}

/// `describe-instances`: an instance tagged for a cluster is a node (self-managed, managed or
/// Karpenter's), and its instance profile holds a node role; instances sharing a profile name it
/// once. The metadata options are judged as they are on the instance (NODE003), once per Auto
/// Scaling group or Karpenter NodePool. Those of a managed node group's or Karpenter's node carry
/// their launcher: where the inputs define it, its template or class is judged instead.
fn load_instances(root: &Node, out: &mut Eks) {
    // Sets: an estate's output lists tens of thousands of instances.
    let mut profiles_seen: HashSet<&str> = HashSet::new();
    // (the kind of launcher, its name)
    let mut groups_seen: HashSet<(&str, &str)> = HashSet::new();
    let instances = root
        .get("Reservations")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .flat_map(|r| r.get("Instances").and_then(Node::as_seq).unwrap_or(&[]));
    for instance in instances {
        let tags = instance.get("Tags").and_then(Node::as_seq).unwrap_or(&[]);
        let tag = |wanted: &dyn Fn(&str) -> bool| {
            tags.iter()
                .find(|t| t.get_str("Key").is_some_and(wanted))
                .map(|t| (t.get_str("Key").unwrap_or(""), t.get_str("Value")))
        };
        let Some((cluster_tag, _)) = tag(&is_cluster_tag_key) else {
            continue;
        };
        let id = instance.get_str("InstanceId").unwrap_or("?");
        let profile_node = instance
            .path(&["IamInstanceProfile", "Arn"])
            .filter(|n| n.as_str().is_some_and(|arn| !profiles_seen.contains(&arn)));
        if let Some((arn, profile)) = profile_node.and_then(|n| Some((n.as_str()?, pstr(n)?))) {
            profiles_seen.insert(arn);
            out.node_instance_profiles.push(InstanceProfileRef {
                profile,
                source: format!("EC2 instance {id} (tagged {cluster_tag})"),
            });
        }
        let Some(md) = instance
            .get("MetadataOptions")
            .filter(|md| !imds_endpoint_disabled(md, "HttpEndpoint"))
        else {
            continue;
        };
        let value = |key: &str| tag(&|k| k == key).and_then(|(_, v)| v);
        // Nodes are judged once per launcher: the node group (whose instances also carry an
        // Auto Scaling group), the NodePool or Provisioner, or the Auto Scaling group of
        // self-managed nodes. The first three may be judged through their definition instead.
        let (launched_by, group, name) = if let Some(g) = value(NODE_GROUP_TAG) {
            (
                Some(Launcher::ManagedNodeGroup(g.to_string())),
                Some(("node group", g)),
                format!("managed node group {g} (instance {id})"),
            )
        } else if let Some(p) = value(NODE_POOL_TAG) {
            (
                Some(Launcher::NodeClass(
                    value(NODE_CLASS_TAG).map(str::to_string),
                )),
                Some(("NodePool", p)),
                format!("Karpenter NodePool {p} (instance {id})"),
            )
        } else if let Some(p) = value(PROVISIONER_TAG) {
            (
                Some(Launcher::NodeTemplate),
                Some(("Provisioner", p)),
                format!("Karpenter Provisioner {p} (instance {id})"),
            )
        } else if let Some(a) = value(AUTO_SCALING_GROUP_TAG) {
            (
                None,
                Some(("Auto Scaling group", a)),
                format!("Auto Scaling group {a} (instance {id})"),
            )
        } else {
            (None, None, format!("EC2 instance {id}"))
        };
        if let Some(g) = group {
            if !groups_seen.insert(g) {
                continue;
            }
        }
        out.imds.push(ImdsSettings {
            launched_by,
            ..written_imds(name, md, ["HttpTokens", "HttpPutResponseHopLimit"])
        });
    }
}

#[cfg(test)]
mod tests {
    use super::is_eks_node_user_data;

    #[test]
    fn user_data_that_joins_a_cluster_is_recognised_on_every_node_os() {
        let joins = [
            "#!/bin/bash\n/etc/eks/bootstrap.sh prod\n",
            "MIME-Version: 1.0\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n",
            "[settings.kubernetes]\ncluster-name = \"prod\"\n",
            "<powershell>\n& $env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1 -EKSClusterName prod\n</powershell>",
        ];
        for script in joins {
            assert!(is_eks_node_user_data(script), "{script}");
        }
        let others = [
            "#!/bin/bash\nyum install -y amazon-cloudwatch-agent\n",
            "[settings.ecs]\ncluster = \"batch\"\n",
            "#!/bin/bash\necho eks > /etc/motd\n",
        ];
        for script in others {
            assert!(!is_eks_node_user_data(script), "{script}");
        }
    }
}
