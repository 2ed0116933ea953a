//! POD001 host-network-node-role: hostNetwork pods reach IMDS and the node role.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct HostNetworkNodeRole;

/// Vendor DaemonSets that need the host network (kube-system).
pub const EXEMPT: &[&str] = &[
    "aws-node",
    "kube-proxy",
    "eks-pod-identity-agent",
    "ebs-csi-node",
    "efs-csi-node",
    "ebs-csi-node-windows",
];

impl Rule for HostNetworkNodeRole {
    fn id(&self) -> &'static str {
        "POD001"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            let Some(span) = w.pod.host_network else {
                continue;
            };
            let exempt = w.meta.kind == "DaemonSet"
                && (EXEMPT.contains(&w.meta.name.as_str())
                    || cx
                        .config
                        .host_network_exempt
                        .iter()
                        .any(|e| e == w.meta.name.as_str() || *e == w.meta.reference()));
            if exempt {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::High,
                    span,
                    format!("{} {}/{} runs on the host network: it reaches IMDS and the node role's credentials whatever the hop limit, IRSA or not", w.meta.kind, w.meta.namespace, w.meta.name),
                )
                .label("hostNetwork: true")
                .help("drop hostNetwork unless the workload truly needs it; if it does, keep the node role to the baseline policies")
                .identity(identity(w, "hostNetwork")),
            );
        }
    }
}
