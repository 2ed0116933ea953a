//! TRUST012 invalid-trust-policy: one finding per grammar problem of a trust policy document.

use crate::finding::{Finding, Severity};
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct InvalidTrustPolicy;

trust_rule!(InvalidTrustPolicy, "TRUST012");

impl TrustRule for InvalidTrustPolicy {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for (n, problem) in policy.problems.iter().enumerate() {
            let who = role.arn.as_deref().unwrap_or(&role.name);
            out.push(
                Finding::new(self.id(), Severity::High, problem.span, format!("role `{}`: {}", role.name, problem.message))
                    .label("invalid here")
                    .help("IAM rejects or misreads this document; fix it so the policy says what you mean")
                    .identity(format!("role:{who}#trust.problem[{n}]:{}", problem.message)),
            );
        }
    }
}
