//! PODID002 unscoped-pod-identity-trust: a Pod Identity trust with no condition scoping it to a
//! cluster, namespace, ServiceAccount or account.

use super::{trusts_pod_identity, POD_IDENTITY_SERVICE};
use crate::finding::{Finding, Severity};
use crate::model::{Policy, Role};
use crate::rules::trust::identity;
use crate::rules::{Context, Rule, TrustRule};

pub struct UnscopedPodIdentityTrust;

const SCOPING_KEYS: &[&str] = &[
    "aws:RequestTag/kubernetes-namespace",
    "aws:RequestTag/kubernetes-service-account",
    "aws:RequestTag/eks-cluster-arn",
    "aws:RequestTag/eks-cluster-name",
    "aws:SourceOrgId",
    "aws:SourceAccount",
    "aws:SourceArn",
];

trust_rule!(UnscopedPodIdentityTrust, "PODID002");

impl TrustRule for UnscopedPodIdentityTrust {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| trusts_pod_identity(s)) {
            let scoped = st.conditions.iter().any(|c| {
                SCOPING_KEYS
                    .iter()
                    .any(|k| c.key.text.eq_ignore_ascii_case(k))
                    && c.op.as_ref().is_some_and(|o| !o.fails_open())
            });
            if scoped {
                continue;
            }
            let Some(service) = st
                .services()
                .find(|s| s.text.eq_ignore_ascii_case(POD_IDENTITY_SERVICE))
            else {
                continue;
            };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    service.span,
                    format!("role `{}` trusts EKS Pod Identity with no condition on the cluster, namespace, ServiceAccount or account: any Pod Identity association in the account can use it", role.name),
                )
                .label("unscoped Pod Identity trust")
                .help("add a condition such as StringEquals aws:RequestTag/kubernetes-namespace and aws:RequestTag/kubernetes-service-account, or aws:SourceArn naming the cluster")
                .identity(identity(role, st, "pod-identity:scope")),
            );
        }
    }
}
