//! SA002 role-does-not-trust-sa: the annotated role is loaded and its trust policy does not admit
//! this ServiceAccount (evaluated with IAM semantics, not string comparison).

use super::{identity, rejection, PolicyIndexes, Rejection};
use crate::finding::{listed_with, Finding, Severity};
use crate::model::AUDIENCE_ANNOTATION;
use crate::rules::{Context, Rule};

pub struct RoleDoesNotTrustSa;

impl Rule for RoleDoesNotTrustSa {
    fn id(&self) -> &'static str {
        "SA002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut indexes = PolicyIndexes::default();
        for sa in &cx.inventory.kube.service_accounts {
            let Some(arn) = sa.role_arn() else { continue };
            let roles = cx.inventory.roles_for_arn(&arn.text);
            // With a complete inventory, a role that is not there does not exist.
            if roles.is_empty() && cx.config.complete && !arn.is_unknown_part() {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        arn.span,
                        format!("ServiceAccount {}/{} is annotated with role `{}`, which does not exist in the account", sa.meta.namespace, sa.meta.name, arn.text),
                    )
                    .label("no such role")
                    .help("create the role with a trust policy for this ServiceAccount, or fix the ARN")
                    .identity(identity(sa, "missing-role")),
                );
            }
            for role in roles {
                let Some(policy) = &role.trust else { continue };
                let Some(why) = rejection(
                    &mut indexes,
                    policy,
                    sa,
                    cx.inventory
                        .cluster_issuer(cx.config.cluster_issuer.as_deref()),
                ) else {
                    continue;
                };
                let subject = format!(
                    "system:serviceaccount:{}:{}",
                    sa.meta.namespace, sa.meta.name
                );
                let (reason, label) = match &why {
                    Rejection::NoWebIdentity => ("its trust policy trusts no OIDC provider for sts:AssumeRoleWithWebIdentity".to_string(), None),
                    Rejection::Condition { claim, condition } if claim == "sub" => (
                        format!(
                            "sub mismatch: the trust policy requires `{}` {} but this ServiceAccount's token says `{subject}`",
                            condition.operator.text,
                            alternatives(condition)
                        ),
                        Some(condition),
                    ),
                    Rejection::Condition { claim, condition } if claim == "aud" => {
                        if sa.meta.annotation(AUDIENCE_ANNOTATION).is_some() {
                            continue; // SA005 reports an explicit audience that the role rejects.
                        }
                        (format!("audience mismatch: the token audience is `{}` but the trust policy requires {}", sa.audience(), alternatives(condition)), Some(condition))
                    }
                    Rejection::Condition { condition, .. } => (
                        format!("the condition on `{}` rejects its token (issuer mismatch or an unexpected claim)", condition.key.text),
                        Some(condition),
                    ),
                    Rejection::Other(s) => (s.clone(), None),
                };
                let mut f = Finding::new(
                    self.id(),
                    Severity::Medium,
                    arn.span,
                    format!("ServiceAccount {}/{} is annotated with role `{}`, which does not trust it: {reason}", sa.meta.namespace, sa.meta.name, role.name),
                )
                .label("annotated role")
                .help("add this ServiceAccount's subject to the role's trust policy, or annotate the role that trusts it")
                .identity(identity(sa, "trust"));
                if let Some(c) = label {
                    f = f.with_label(c.values_span, "the trust condition that rejects it");
                } else {
                    f = f.with_label(role.span, "the role");
                }
                out.push(f);
            }
        }
    }
}

/// The values a condition allows, as "`a` or `b`": at most ten of them (a trust policy may list
/// thousands of subjects, and every rejected ServiceAccount's finding would repeat them all).
fn alternatives(condition: &crate::model::Condition) -> String {
    let values = condition.values.iter().map(|v| format!("`{}`", v.text));
    listed_with(values, condition.values.len(), " or ")
}
