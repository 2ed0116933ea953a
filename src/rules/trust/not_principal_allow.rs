//! TRUST009 not-principal-allow: Allow with NotPrincipal or NotAction in a trust policy.

use super::{identity, trust_policies};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct NotPrincipalAllow;

impl Rule for NotPrincipalAllow {
    fn id(&self) -> &'static str {
        "TRUST009"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (role, policy) in trust_policies(cx.inventory) {
            for st in policy.statements.iter().filter(|s| s.is_allow()) {
                if let Some(np) = &st.not_principal {
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
                if let Some(span) = st.not_action.as_ref().map(|n| n.key) {
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
}
