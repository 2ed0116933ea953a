//! TRUST013 ⧉ irsa-trust-without-sa: a role's exact `sub` names a ServiceAccount that does not exist.

use super::{identity, oidc_uses_by_statement, trust_policies};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::{split_claim_key, IssuerKind};
use crate::model::BaseOp;
use crate::rules::{Context, Rule};

pub struct IrsaTrustWithoutSa;

impl Rule for IrsaTrustWithoutSa {
    fn id(&self) -> &'static str {
        "TRUST013"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (role, policy) in trust_policies(cx.inventory) {
            // Each statement once, however many EKS providers it trusts.
            let statements = oidc_uses_by_statement(policy).filter(|(_, uses)| {
                uses.clone()
                    .any(|u| matches!(u.kind, IssuerKind::Eks { .. }))
            });
            for (statement, _) in statements {
                for cond in &statement.conditions {
                    let is_sub = split_claim_key(&cond.key.text)
                        .is_some_and(|(_, c)| c.eq_ignore_ascii_case("sub"));
                    if !is_sub
                        || cond
                            .op
                            .as_ref()
                            .is_none_or(|o| o.base != BaseOp::StringEquals || o.fails_open())
                    {
                        continue;
                    }
                    for v in cond.values.iter().filter(|v| !v.templated) {
                        let Some((ns, name)) = v
                            .text
                            .strip_prefix("system:serviceaccount:")
                            .and_then(|r| r.split_once(':'))
                        else {
                            continue;
                        };
                        if cx.inventory.service_account(ns, name).is_some() {
                            continue;
                        }
                        out.push(
                            Finding::new(
                                self.id(),
                                Severity::Medium,
                                v.span,
                                format!("role `{}` trusts ServiceAccount {ns}/{name}, which does not exist in the cluster: whoever can create it there gets the role", role.name),
                            )
                            .label("no such ServiceAccount")
                            .help("remove the subject from the trust policy, or create the ServiceAccount with the workload that needs the role")
                            .identity(identity(role, statement, &format!("sa:{ns}/{name}"))),
                        );
                    }
                }
            }
        }
    }
}
