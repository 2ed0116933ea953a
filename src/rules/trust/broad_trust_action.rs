//! TRUST008 broad-trust-action: `*`/`sts:*` in a trust statement, or an action that does not fit
//! the principal type.

use super::{identity, trust_policies};
use crate::finding::{Finding, Severity};
use crate::model::PrincipalKind;
use crate::rules::{Context, Rule};

pub struct BroadTrustAction;

impl Rule for BroadTrustAction {
    fn id(&self) -> &'static str {
        "TRUST008"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (role, policy) in trust_policies(cx.inventory) {
            for st in policy.statements.iter().filter(|s| s.is_allow()) {
                let kinds: Vec<&PrincipalKind> = st.principals().map(|(k, _)| k).collect();
                let federated_only =
                    !kinds.is_empty() && kinds.iter().all(|k| **k == PrincipalKind::Federated);
                let any_federated = kinds.iter().any(|k| **k == PrincipalKind::Federated);
                for action in &st.actions {
                    if action.is_unknown_part() {
                        continue;
                    }
                    let a = action.text.to_ascii_lowercase();
                    let why = if a == "*" || a == "sts:*" {
                        Some(format!(
                            "`{}` lets the trusted principals call every STS action on the role",
                            action.text
                        ))
                    } else if a == "sts:assumerole" && federated_only {
                        Some("`sts:AssumeRole` does not apply to a Federated principal: identity providers use AssumeRoleWithWebIdentity or AssumeRoleWithSAML".to_string())
                    } else if (a == "sts:assumerolewithwebidentity"
                        || a == "sts:assumerolewithsaml")
                        && !any_federated
                        && !kinds.is_empty()
                    {
                        Some(format!("`{}` is for Federated identity providers, not AWS or Service principals", action.text))
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
}
