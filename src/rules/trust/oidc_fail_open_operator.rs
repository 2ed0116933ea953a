//! TRUST005 oidc-fail-open-operator: `sub`/`aud` tested with an operator that is true when the
//! key is missing (IfExists, negation, ForAllValues) or a set operator on a single-valued claim.

use super::{claim_of, identity};
use crate::finding::{Finding, Severity};
use crate::model::SetOp;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcFailOpenOperator;

trust_rule!(OidcFailOpenOperator, "TRUST005");

impl TrustRule for OidcFailOpenOperator {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            for cond in &st.conditions {
                let Some(op) = &cond.op else { continue };
                // The operator first: most are plain and need no look at the key.
                let (severity, why) = if op.if_exists {
                    (
                        Severity::High,
                        "`IfExists` makes the condition true when the claim is absent",
                    )
                } else if op.base.is_negated() {
                    (Severity::High, "a negated operator is true for every other value and when the claim is absent")
                } else if op.set == Some(SetOp::ForAllValues) {
                    (
                        Severity::High,
                        "`ForAllValues:` is true when the claim is absent (an empty set)",
                    )
                } else if op.set == Some(SetOp::ForAnyValue) {
                    (
                        Severity::Medium,
                        "`ForAnyValue:` is meant for multi-valued keys; the claim is single-valued",
                    )
                } else {
                    continue;
                };
                let Some(claim) = claim_of(&cond.key.text) else {
                    continue;
                };
                if !claim.eq_ignore_ascii_case("sub") && !claim.eq_ignore_ascii_case("aud") {
                    continue;
                }
                out.push(
                    Finding::new(
                        self.id(),
                        severity,
                        cond.operator.span,
                        format!("role `{}` tests `{}` with `{}`: {}", role.name, cond.key.text, cond.operator.text, why),
                    )
                    .label("fail-open operator")
                    .with_label(cond.key.span, "the claim it tests")
                    .help("use plain StringEquals (or StringLike for a deliberate pattern) on the claim")
                    .identity(identity(role, st, &format!("op:{}:{}", cond.operator.text, cond.key.text))),
                );
            }
        }
    }
}
