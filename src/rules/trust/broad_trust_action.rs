//! TRUST008 broad-trust-action: `*`/`sts:*` in a trust statement, or an action that does not fit
//! the principal type.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::PrincipalKind;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct BroadTrustAction;

trust_rule!(BroadTrustAction, "TRUST008");

impl TrustRule for BroadTrustAction {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            let has_principals = st.principals().next().is_some();
            let federated_only =
                has_principals && st.principals().all(|(k, _)| *k == PrincipalKind::Federated);
            let any_federated = st.principals().any(|(k, _)| *k == PrincipalKind::Federated);
            for action in st.actions.iter() {
                if action.is_unknown_part() {
                    continue;
                }
                let is = |name: &str| action.text.eq_ignore_ascii_case(name);
                let why = if is("*") || is("sts:*") {
                    Some(format!(
                        "`{}` lets the trusted principals call every STS action on the role",
                        action.text
                    ))
                } else if is("sts:AssumeRole") && federated_only {
                    Some("`sts:AssumeRole` does not apply to a Federated principal: identity providers use AssumeRoleWithWebIdentity or AssumeRoleWithSAML".to_string())
                } else if (is("sts:AssumeRoleWithWebIdentity") || is("sts:AssumeRoleWithSAML"))
                    && !any_federated
                    && has_principals
                {
                    Some(format!(
                        "`{}` is for Federated identity providers, not AWS or Service principals",
                        action.text
                    ))
                } else {
                    None
                };
                if let Some(why) = why {
                    out.push(
                        Finding::new(self.id(), Severity::Medium, action.span, format!("role `{}`: {why}", role.name))
                            .label("action does not fit")
                            .help("allow only the AssumeRole* action the principal uses (plus sts:TagSession where session tags are needed)")
                            .identity(identity(role, st, &format!("action:{}", action.text))),
                    );
                }
            }
        }
    }
}
