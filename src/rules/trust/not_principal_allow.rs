//! TRUST009 not-principal-allow: Allow with NotPrincipal or NotAction in a trust policy.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct NotPrincipalAllow;

trust_rule!(NotPrincipalAllow, "TRUST009");

impl TrustRule for NotPrincipalAllow {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            if let Some(np) = st.not_principal() {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        np.span,
                        format!("role `{}` allows everyone except the listed principals (Allow with NotPrincipal)", role.name),
                    )
                    .label("NotPrincipal in an Allow")
                    .help("list the trusted principals with Principal instead")
                    .identity(identity(role, st, "NotPrincipal")),
                );
            }
            if let Some(span) = st.not_action().map(|n| n.key) {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        span,
                        format!("role `{}` allows every action except the listed ones (Allow with NotAction)", role.name),
                    )
                    .label("NotAction in an Allow")
                    .help("list the AssumeRole* action the principal needs with Action instead")
                    .identity(identity(role, st, "NotAction")),
                );
            }
        }
    }
}
