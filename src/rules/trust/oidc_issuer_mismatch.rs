//! TRUST004 oidc-issuer-mismatch: a `:sub`/`:aud` condition key names an issuer the statement does
//! not trust.

use super::{identity, issuer_hash_key, key_names, oidc_uses_by_statement, HASH_ISSUERS_FROM};
use crate::finding::{listed, Finding, Severity, MAX_LISTED};
use crate::iam_eval::issuer::split_claim_key;
use crate::iam_eval::Tri;
use crate::model::{PStr, Policy, Role};
use crate::rules::{Context, Rule, TrustRule};
use foldhash::HashSet;

pub struct OidcIssuerMismatch;

trust_rule!(OidcIssuerMismatch, "TRUST004");

impl TrustRule for OidcIssuerMismatch {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        // Each statement that trusts an OIDC provider, with the issuers it trusts.
        for (st, uses) in oidc_uses_by_statement(policy) {
            let issuers = uses.clone().map(|u| u.issuer);
            let Some(first) = issuers.clone().next() else {
                continue;
            };
            let trusted = TrustedIssuers::of(issuers.clone());
            // Written once per statement, for its first finding.
            let mut trusts: Option<String> = None;
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
                if trusted.may_name(&cond.key, key_issuer, claim) {
                    continue;
                }
                let trusts = trusts.get_or_insert_with(|| trusted.listed());
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
                        "condition key `{}` names issuer `{}`, but the statement trusts {trusts}: {effect}",
                        cond.key.text,
                        key_issuer,
                    ),
                )
                .label("issuer differs from the Federated principal")
                .help(format!(
                    "write the key as `{first}:{claim}` (the provider's issuer without https://)"
                ))
                .identity(identity(role, st, &format!("key:{}", cond.key.text)));
                for u in uses.clone().take(MAX_LISTED) {
                    f = f.with_label(u.provider.span, "the trusted provider");
                }
                out.push(f);
            }
        }
    }
}

/// The issuers a statement trusts, for asking whether a condition key may name one of them.
struct TrustedIssuers<'a, I> {
    issuers: I,
    /// With more than [`HASH_ISSUERS_FROM`] issuers: their [`issuer_hash_key`]s, and apart those
    /// without one (compared by pattern, as [`key_names`] does).
    set: Option<(HashSet<String>, Vec<&'a str>)>,
}

impl<'a, I: Iterator<Item = &'a str> + Clone> TrustedIssuers<'a, I> {
    fn of(issuers: I) -> Self {
        let set = (issuers.clone().nth(HASH_ISSUERS_FROM).is_some()).then(|| {
            let mut plain = HashSet::default();
            let mut unsure = Vec::new();
            for issuer in issuers.clone() {
                match issuer_hash_key(issuer, true) {
                    Some(key) => {
                        plain.insert(key);
                    }
                    None => unsure.push(issuer),
                }
            }
            (plain, unsure)
        });
        TrustedIssuers { issuers, set }
    }

    /// The issuers as a finding lists them: at most ten (a statement may trust thousands).
    fn listed(&self) -> String {
        let total = self.issuers.clone().count();
        listed(self.issuers.clone().map(|i| format!("`{i}`")), total)
    }

    /// May `key` (whose issuer part is `key_issuer`) name `<issuer>:<claim>` for a trusted issuer?
    fn may_name(&self, key: &PStr, key_issuer: &str, claim: &str) -> bool {
        // The key's hash form is made only for a statement that has the hash set.
        let hashed = self
            .set
            .as_ref()
            .and_then(|set| Some((set, issuer_hash_key(key_issuer, key.templated)?)));
        match hashed {
            Some(((plain, unsure), key_issuer)) => {
                plain.contains(&key_issuer)
                    || unsure
                        .iter()
                        .any(|i| key_names(key, i, claim) != Tri::False)
            }
            None => self
                .issuers
                .clone()
                .any(|i| key_names(key, i, claim) != Tri::False),
        }
    }
}
