//! Karpenter `EC2NodeClass` objects (`karpenter.k8s.aws`), and the `AWSNodeTemplate` (`v1alpha1`)
//! that preceded them: the IAM role or instance profile Karpenter launches nodes with, and the
//! IMDS options of the launch templates it generates from the class.

use super::k8s::pstr;
use crate::model::{Eks, ImdsSettings, InstanceProfileRef, Launcher, NodeRoleRef};
use crate::node::Node;

/// The hop limit the `v1beta1` schema fills in (Karpenter before v1.0): for a `metadataOptions`
/// without `httpPutResponseHopLimit`, and for a class without `metadataOptions` at all. The `v1`
/// schema defaults both to 1, and both versions default `httpTokens` to `required`.
const V1BETA1_DEFAULT_HOP_LIMIT: i64 = 2;

/// The hop limit an `AWSNodeTemplate` (Karpenter before v0.32) gets when it sets no
/// `metadataOptions` at all.
const V1ALPHA1_DEFAULT_HOP_LIMIT: i64 = 2;

pub fn is_node_class(root: &Node) -> bool {
    let api_version = root.get_str("apiVersion").unwrap_or("");
    match root.get_str("kind") {
        Some("EC2NodeClass") => api_version.starts_with("karpenter.k8s.aws/"),
        Some("AWSNodeTemplate") => api_version == "karpenter.k8s.aws/v1alpha1",
        _ => false,
    }
}

pub fn load(root: &Node, out: &mut Eks) {
    let Some(spec) = root.get("spec") else {
        return;
    };
    let name_node = root.path(&["metadata", "name"]);
    let template = root.get_str("kind") == Some("AWSNodeTemplate");
    // Nodes name their EC2NodeClass in a tag; a Provisioner's nodes do not name the template.
    out.launchers.push(if template {
        Launcher::NodeTemplate
    } else {
        Launcher::NodeClass(name_node.and_then(Node::as_str).map(str::to_string))
    });
    let name = format!(
        "Karpenter {} {}",
        if template {
            "AWSNodeTemplate"
        } else {
            "EC2NodeClass"
        },
        name_node.and_then(Node::as_str).unwrap_or("?")
    );
    if let Some(role) = spec.get("role").and_then(pstr) {
        out.node_roles.push(NodeRoleRef {
            role,
            source: name.clone(),
        });
    }
    // The alternative to `role`: a profile made outside Karpenter, resolved to its role where
    // an input defines it.
    if let Some(profile) = spec.get("instanceProfile").and_then(pstr) {
        out.node_instance_profiles.push(InstanceProfileRef {
            profile,
            source: name.clone(),
        });
    }
    let v1beta1 = root.get_str("apiVersion") == Some("karpenter.k8s.aws/v1beta1");
    let options = spec.get("metadataOptions").filter(|n| !n.is_null());
    if options.is_some_and(|o| super::eks_api::imds_endpoint_disabled(o, "httpEndpoint")) {
        return;
    }
    let explicit_hop_limit = options
        .and_then(|o| o.get("httpPutResponseHopLimit"))
        .and_then(|n| Some((n.scalar_text()?.parse().ok()?, n.span)));
    let (hop_limit, hop_limit_default) = match explicit_hop_limit {
        Some(limit) => (Some(limit), None),
        // The documented default is for the whole of `metadataOptions`: with the options
        // written but no hop limit, the limit is not known here.
        None if template && options.is_none() => (
            Some((
                V1ALPHA1_DEFAULT_HOP_LIMIT,
                name_node.map(|n| n.span).unwrap_or(root.span),
            )),
            Some("the karpenter.k8s.aws/v1alpha1 default when metadataOptions is not set"),
        ),
        None if v1beta1 => {
            // Point at the options that leave the limit out, or at the class's name.
            let span = options.or(name_node).map(|n| n.span).unwrap_or(root.span);
            (
                Some((V1BETA1_DEFAULT_HOP_LIMIT, span)),
                Some(
                    "the karpenter.k8s.aws/v1beta1 default when httpPutResponseHopLimit is not set",
                ),
            )
        }
        None => (None, None),
    };
    out.imds.push(ImdsSettings {
        name,
        span: name_node.map(|n| n.span).unwrap_or(root.span),
        http_tokens: options.and_then(|o| o.get("httpTokens")).and_then(pstr),
        hop_limit,
        hop_limit_default,
        eksctl_pod_imds_open: false,
        launched_by: None,
    });
}
