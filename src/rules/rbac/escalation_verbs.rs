//! RBAC004 escalation-verbs: rules that lead to more privileges than they grant.

use super::{grants, is_full_admin, is_vendor};
use crate::finding::{Finding, Severity};
use crate::model::PolicyRule;
use crate::rules::{Context, Rule};

pub struct EscalationVerbs;

/// The escalation a rule grants, if any.
pub fn escalation(rule: &PolicyRule) -> Option<&'static str> {
    let rbac = "rbac.authorization.k8s.io";
    let adm = "admissionregistration.k8s.io";
    let checks: [(&str, &str, &str, &'static str); 12] = [
        (
            "escalate",
            rbac,
            "roles",
            "`escalate` on roles: write roles with permissions it does not hold",
        ),
        (
            "escalate",
            rbac,
            "clusterroles",
            "`escalate` on clusterroles: write roles with permissions it does not hold",
        ),
        (
            "bind",
            rbac,
            "roles",
            "`bind` on roles: bind roles it does not hold",
        ),
        (
            "bind",
            rbac,
            "clusterroles",
            "`bind` on clusterroles: bind roles it does not hold, cluster-admin included",
        ),
        (
            "impersonate",
            "",
            "users",
            "`impersonate` users: act as any user",
        ),
        (
            "impersonate",
            "",
            "groups",
            "`impersonate` groups: act as any group, system:masters included",
        ),
        (
            "impersonate",
            "",
            "serviceaccounts",
            "`impersonate` serviceaccounts: act as any ServiceAccount and so use its IAM role",
        ),
        (
            "update",
            "certificates.k8s.io",
            "certificatesigningrequests/approval",
            "approve CSRs: mint client certificates for any identity",
        ),
        (
            "patch",
            adm,
            "mutatingwebhookconfigurations",
            "write mutating webhooks: rewrite every object the API server admits",
        ),
        (
            "patch",
            adm,
            "validatingwebhookconfigurations",
            "write validating webhooks: intercept or block every admission",
        ),
        (
            "get",
            "",
            "nodes/proxy",
            "`nodes/proxy`: talk to kubelets directly, exec into any pod",
        ),
        (
            "create",
            "",
            "nodes/proxy",
            "`nodes/proxy`: talk to kubelets directly, exec into any pod",
        ),
    ];
    checks
        .iter()
        .find(|(verb, group, resource, _)| grants(rule, verb, group, resource, None))
        .map(|c| c.3)
}

impl Rule for EscalationVerbs {
    fn id(&self) -> &'static str {
        "RBAC004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for role in cx
            .inventory
            .kube
            .roles
            .iter()
            .filter(|r| !is_vendor(&r.meta) && !is_full_admin(&r.rules))
        {
            for (i, rule) in role.rules.iter().enumerate() {
                let Some(what) = escalation(rule) else {
                    continue;
                };
                out.push(
                    Finding::new(self.id(), Severity::High, rule.span, format!("{} `{}` allows {what}", role.meta.kind, role.meta.name))
                        .label("privilege escalation")
                        .help("remove the escalation verb, or restrict it with resourceNames to the specific objects needed")
                        .identity(format!("{}#rules[{i}]:escalation", role.meta.reference())),
                );
            }
        }
    }
}
