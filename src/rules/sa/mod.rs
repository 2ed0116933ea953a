//! SA rules: ServiceAccounts and their IRSA annotations.

pub mod audience_mismatch;
pub mod default_sa_has_role;
pub mod ignored_webhook_annotation;
pub mod invalid_role_arn;
pub mod role_does_not_trust_sa;
pub mod role_shared_across_namespaces;
pub mod unused_sa_with_role;

use crate::iam_eval::{evaluate, Miss, Request, Verdict};
use crate::model::{Condition, Policy, ServiceAccount};
use crate::rules::trust::{claim_of, oidc_uses};

pub fn identity(sa: &ServiceAccount, part: &str) -> String {
    format!("{}#{part}", sa.meta.reference())
}

/// Why a trust policy rejects a ServiceAccount.
pub enum Rejection<'a> {
    /// No Allow statement trusts an OIDC provider for web identity.
    NoWebIdentity,
    /// A condition fails: the claim it tests (`sub`, `aud`, other) and the condition.
    Condition {
        claim: String,
        condition: &'a Condition,
    },
    /// Another reason (principal, action, explicit deny).
    Other(String),
}

/// Evaluate whether `sa` (with its audience) may assume a role with this trust policy through
/// any OIDC provider the policy trusts (or only `cluster_issuer` when known). `None` means it
/// may (or, with unresolved placeholders, might).
pub fn rejection<'a>(
    policy: &'a Policy,
    sa: &ServiceAccount,
    cluster_issuer: Option<&str>,
) -> Option<Rejection<'a>> {
    let uses: Vec<_> = oidc_uses(policy)
        .filter(|u| {
            cluster_issuer.is_none_or(|c| {
                u.issuer
                    .eq_ignore_ascii_case(c.trim_start_matches("https://"))
            })
        })
        .collect();
    if uses.is_empty() {
        return Some(Rejection::NoWebIdentity);
    }
    // One evaluation per provider: the verdict depends on the provider, not on which statement
    // named it (a policy with a statement per subject names one provider thousands of times,
    // and each evaluation reads every statement).
    let mut evaluated: Vec<&str> = Vec::new();
    let mut first = None;
    for u in &uses {
        if evaluated.contains(&u.provider.text.as_str()) {
            continue;
        }
        evaluated.push(&u.provider.text);
        let req = Request::irsa(
            &u.provider.text,
            u.issuer,
            &sa.meta.namespace,
            &sa.meta.name,
            sa.audience(),
        );
        let verdict = evaluate(policy, &req);
        if verdict.may_allow() {
            return None;
        }
        first.get_or_insert(verdict);
    }
    Some(match first {
        Some(Verdict::NotAllowed(misses)) => misses
            .iter()
            .find_map(|(st, miss)| match miss {
                Miss::Condition(i) => policy.statements.get(*st)?.conditions.get(*i),
                _ => None,
            })
            .map(|c| Rejection::Condition {
                claim: claim_of(&c.key.text).unwrap_or("").to_ascii_lowercase(),
                condition: c,
            })
            .unwrap_or_else(|| {
                Rejection::Other("no statement admits the cluster's web identity".into())
            }),
        Some(Verdict::Denied(i)) => {
            Rejection::Other(format!("statement {} denies it explicitly", i + 1))
        }
        _ => Rejection::Other("no statement admits it".into()),
    })
}
