//! SA rules: ServiceAccounts and their IRSA annotations.

pub mod audience_mismatch;
pub mod default_sa_has_role;
pub mod ignored_webhook_annotation;
pub mod invalid_role_arn;
pub mod role_does_not_trust_sa;
pub mod role_shared_across_namespaces;
pub mod unused_sa_with_role;

use crate::iam_eval::{evaluate, Miss, ProviderPlan, Request, Verdict, WebIdentityIndex};
use crate::model::{Condition, Policy, ServiceAccount};
use crate::rules::trust::{claim_of, oidc_uses};

pub fn identity(sa: &ServiceAccount, part: &str) -> String {
    format!("{}#{part}", sa.meta.reference())
}

/// What [`rejection`] needs of a trust policy whatever the ServiceAccount, worked out once per
/// policy for all the ServiceAccounts that name its role. The cluster issuer is the same for
/// the whole run.
#[derive(Default)]
pub struct PolicyIndexes<'a> {
    by_policy: foldhash::HashMap<*const Policy, Judged<'a>>,
}

struct Judged<'a> {
    /// The OIDC providers the policy trusts (of the cluster's issuer when known), once each,
    /// in policy order, with their issuers.
    providers: Vec<(&'a str, &'a str)>,
    /// For a large policy (`None`: small enough to evaluate whole), with what it needs of
    /// `providers`.
    index: Option<(WebIdentityIndex<'a>, ProviderPlan<'a>)>,
}

impl<'a> PolicyIndexes<'a> {
    fn of(&mut self, policy: &'a Policy, cluster_issuer: Option<&str>) -> &Judged<'a> {
        self.by_policy
            .entry(policy as *const Policy)
            .or_insert_with(|| {
                let mut seen = foldhash::HashSet::default();
                let mut providers = Vec::new();
                let uses = oidc_uses(policy).filter(|u| {
                    cluster_issuer.is_none_or(|c| {
                        u.issuer
                            .eq_ignore_ascii_case(c.trim_start_matches("https://"))
                    })
                });
                for u in uses {
                    if seen.insert(u.provider.text.as_str()) {
                        providers.push((u.provider.text.as_str(), u.issuer));
                    }
                }
                let index = WebIdentityIndex::of(policy).map(|index| {
                    let plan = index.plan(policy, &providers);
                    (index, plan)
                });
                Judged { providers, index }
            })
    }
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
    indexes: &mut PolicyIndexes<'a>,
    policy: &'a Policy,
    sa: &ServiceAccount,
    cluster_issuer: Option<&str>,
) -> Option<Rejection<'a>> {
    let judged = indexes.of(policy, cluster_issuer);
    let Some(&(first_provider, first_issuer)) = judged.providers.first() else {
        return Some(Rejection::NoWebIdentity);
    };
    let verdict_for = |provider: &str, issuer: &str| {
        let req = Request::irsa(
            provider,
            issuer,
            &sa.meta.namespace,
            &sa.meta.name,
            sa.audience(),
        );
        match &judged.index {
            Some((index, _)) => index.evaluate(policy, &req),
            None => evaluate(policy, &req),
        }
    };
    // One evaluation per provider: the verdict depends on the provider, not on which statement
    // named it. The first provider's verdict explains a rejection.
    let first = verdict_for(first_provider, first_issuer);
    if first.may_allow() {
        return None;
    }
    match &judged.index {
        // A large policy: only the providers that could admit this subject (a statement per
        // subject or per provider would otherwise make every ServiceAccount try them all).
        Some((index, plan)) => {
            let subject = format!(
                "system:serviceaccount:{}:{}",
                sa.meta.namespace, sa.meta.name
            );
            // A set, not a flag per provider: the list may be as long as the policy.
            let mut tried = foldhash::HashSet::default();
            tried.insert(0);
            for position in index.providers_to_try(plan, policy, &subject) {
                let Some(&(provider, issuer)) = judged.providers.get(position) else {
                    continue;
                };
                if tried.insert(position) && verdict_for(provider, issuer).may_allow() {
                    return None;
                }
            }
        }
        None => {
            for &(provider, issuer) in judged.providers.iter().skip(1) {
                if verdict_for(provider, issuer).may_allow() {
                    return None;
                }
            }
        }
    }
    Some(match first {
        Verdict::NotAllowed(misses) => misses
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
        Verdict::Denied(i) => Rejection::Other(format!("statement {} denies it explicitly", i + 1)),
        Verdict::Allowed(_) | Verdict::Unknown(_) => {
            Rejection::Other("no statement admits it".into())
        }
    })
}
