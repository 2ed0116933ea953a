//! TRUST007 public-principal: anyone (`*`) may assume the role, with no condition pinning the caller.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::{Policy, Role};
use crate::model::{PrincipalKind, Statement};
use crate::rules::{Context, Rule, TrustRule};

pub struct PublicPrincipal;

/// Condition keys that pin who the caller is.
const PINNING_KEYS: &[&str] = &[
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "sts:ExternalId",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
];

/// A positive (fail-closed) condition on one of the pinning keys.
pub fn pinned(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        PINNING_KEYS
            .iter()
            .any(|k| c.key.text.eq_ignore_ascii_case(k))
            && c.op.as_ref().is_some_and(|o| !o.fails_open())
    })
}

trust_rule!(PublicPrincipal, "TRUST007");

impl TrustRule for PublicPrincipal {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(p) = &st.principal else { continue };
            let mut stars: Vec<_> = p.star.into_iter().collect();
            stars.extend(
                p.of_kind(&PrincipalKind::Aws)
                    .filter(|v| v.text == "*")
                    .map(|v| v.span),
            );
            if stars.is_empty() || pinned(st) {
                continue;
            }
            for span in stars {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Critical,
                        span,
                        format!("role `{}` can be assumed by any AWS principal of any account: nothing pins the caller", role.name),
                    )
                    .label("public principal")
                    .help("name the trusted accounts or roles, or add a condition on aws:PrincipalOrgID, aws:PrincipalArn or sts:ExternalId")
                    .identity(identity(role, st, "principal:*")),
                );
            }
        }
    }
}
