//! TRUST004 oidc-issuer-mismatch: a `:sub`/`:aud` condition key names an issuer the statement does
//! not trust.

use super::{identity, key_names, oidc_uses};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::split_claim_key;
use crate::iam_eval::Tri;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcIssuerMismatch;

trust_rule!(OidcIssuerMismatch, "TRUST004");

impl TrustRule for OidcIssuerMismatch {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        let uses = oidc_uses(policy);
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            // The issuers this statement trusts; listed only for a finding.
            let issuers = uses
                .clone()
                .filter(|u| std::ptr::eq(u.statement, st))
                .map(|u| u.issuer);
            if issuers.clone().next().is_none() {
                continue;
            }
            for cond in &st.conditions {
                let Some((key_issuer, claim)) = split_claim_key(&cond.key.text) else {
                    continue;
                };
                let claim = if claim.eq_ignore_ascii_case("sub") {
                    "sub"
                } else if claim.eq_ignore_ascii_case("aud") {
                    "aud"
                } else {
                    continue;
                };
                if issuers
                    .clone()
                    .any(|i| key_names(&cond.key, i, claim) != Tri::False)
                {
                    continue;
                }
                let listed: Vec<&str> = issuers.clone().collect();
                let open = cond.op.as_ref().is_some_and(|o| o.fails_open());
                let effect = if open {
                    "its operator fails open on a missing key, so the condition is always true"
                } else {
                    "tokens of the trusted provider never carry this key, so the statement never matches"
                };
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    cond.key.span,
                    format!(
                        "condition key `{}` names issuer `{}`, but the statement trusts `{}`: {}",
                        cond.key.text,
                        key_issuer,
                        listed.join("`, `"),
                        effect
                    ),
                )
                .label("issuer differs from the Federated principal")
                .help(format!(
                    "write the key as `{}:{}` (the provider's issuer without https://)",
                    listed.first().copied().unwrap_or_default(),
                    claim
                ))
                .identity(identity(role, st, &format!("key:{}", cond.key.text)));
                for u in uses.clone().filter(|u| std::ptr::eq(u.statement, st)) {
                    f = f.with_label(u.provider.span, "the trusted provider");
                }
                out.push(f);
            }
        }
    }
}
