//! PODID001 missing-tag-session: Pod Identity needs both sts:AssumeRole and sts:TagSession.

use super::trusts_pod_identity;
use crate::finding::{Finding, Severity};
use crate::iam_eval::glob::matches_ci;
use crate::model::{Policy, Role};
use crate::rules::trust::identity;
use crate::rules::{Context, Rule, TrustRule};

pub struct MissingTagSession;

trust_rule!(MissingTagSession, "PODID001");

impl TrustRule for MissingTagSession {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        let statements = policy.statements.iter().filter(|s| trusts_pod_identity(s));
        if statements
            .clone()
            .any(|s| s.allows_action("sts:TagSession"))
        {
            return;
        }
        for st in statements {
            let Some(action) = st
                .actions
                .iter()
                .find(|a| matches_ci(&a.text, "sts:AssumeRole"))
            else {
                continue;
            };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    action.span,
                    format!("role `{}` trusts pods.eks.amazonaws.com for sts:AssumeRole but not sts:TagSession: EKS Pod Identity cannot use it", role.name),
                )
                .label("sts:TagSession is missing beside this")
                .help("allow both \"sts:AssumeRole\" and \"sts:TagSession\" for pods.eks.amazonaws.com")
                .identity(identity(role, st, "pod-identity:tagsession")),
            );
        }
    }
}
