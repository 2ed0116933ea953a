//! TRUST rules: IAM role trust policies. Shared helpers for finding the OIDC (web identity) uses of
//! a trust policy and the condition keys that constrain them.

pub mod broad_trust_action;
pub mod cross_account_no_guard;
pub mod invalid_trust_policy;
pub mod irsa_trust_without_sa;
pub mod not_principal_allow;
pub mod oidc_fail_open_operator;
pub mod oidc_issuer_mismatch;
pub mod oidc_literal_mismatch;
pub mod oidc_missing_aud;
pub mod oidc_missing_sub;
pub mod oidc_wildcard_sub;
pub mod partition_mismatch;
pub mod public_principal;
pub mod unused_role;

use crate::iam_eval::glob::match_value;
use crate::iam_eval::issuer::{split_claim_key, IssuerKind};
use crate::iam_eval::Tri;
use crate::model::{Condition, Inventory, PStr, Policy, Role, Statement};
use foldhash::{HashSet, HashSetExt};

/// Every loaded trust policy with its role.
pub fn trust_policies(inv: &Inventory) -> impl Iterator<Item = (&Role, &Policy)> {
    inv.roles
        .iter()
        .filter_map(|r| r.trust.as_ref().map(|t| (&**r, t)))
}

/// One OIDC provider trusted for web identity by an Allow statement.
pub struct OidcUse<'a> {
    pub statement: &'a Statement,
    pub provider: &'a PStr,
    pub issuer: &'a str,
    pub kind: &'a IssuerKind,
}

/// The OIDC providers an Allow statement trusts for `sts:AssumeRoleWithWebIdentity` (found when
/// the policy was read). An iterator: most trust rules read it once per role, and a vector each
/// time would be an allocation per rule and role.
pub fn oidc_uses(policy: &Policy) -> impl Iterator<Item = OidcUse<'_>> + Clone {
    uses_of(policy, &policy.oidc)
}

/// [`oidc_uses`] grouped by statement: each statement that trusts an OIDC provider, once, with
/// its own uses (the policy's references are in statement order, so each group is a run).
pub fn oidc_uses_by_statement(
    policy: &Policy,
) -> impl Iterator<Item = (&Statement, impl Iterator<Item = OidcUse<'_>> + Clone)> {
    policy
        .oidc
        .chunk_by(|a, b| a.statement == b.statement)
        .filter_map(|run| {
            let statement = policy.statements.get(run.first()?.statement as usize)?;
            Some((statement, uses_of(policy, run)))
        })
}

fn uses_of<'a>(
    policy: &'a Policy,
    refs: &'a [crate::model::OidcRef],
) -> impl Iterator<Item = OidcUse<'a>> + Clone {
    refs.iter().filter_map(|r| {
        let statement = policy.statements.get(r.statement as usize)?;
        let (_, provider) = statement
            .principal
            .as_ref()?
            .entries
            .get(r.entry as usize)?;
        Some(OidcUse {
            statement,
            provider,
            issuer: provider.text.get(r.issuer_start as usize..)?,
            kind: &r.kind,
        })
    })
}

/// Does the condition key name `<issuer>:<claim>`? Issuer names compare case-insensitively;
/// placeholders make the answer unknown.
pub fn key_names(key: &PStr, issuer: &str, claim: &str) -> Tri {
    let Some((key_issuer, key_claim)) = split_claim_key(&key.text) else {
        return Tri::False;
    };
    if !key_claim.eq_ignore_ascii_case(claim) {
        return Tri::False;
    }
    match match_value(key_issuer, issuer, false, key.templated, true) {
        // The issuer itself may hold a placeholder (a templated provider ARN).
        Tri::False if issuer.contains("${") => match_value(issuer, key_issuer, false, true, true),
        r => r,
    }
}

/// Conditions of the statement on `<issuer>:<claim>` (known or possibly).
pub fn conditions_on_claim<'a>(
    st: &'a Statement,
    issuer: &'a str,
    claim: &'a str,
) -> impl Iterator<Item = &'a Condition> + 'a {
    st.conditions
        .iter()
        .filter(move |c| key_names(&c.key, issuer, claim) != Tri::False)
}

/// Statements with more conditions, or trusting more providers, than this compare issuers
/// through a hash set ([`ClaimConditions`], TRUST004's trusted issuers) rather than each with
/// each: a statement trusting thousands of providers, each with its own conditions, would cost
/// providers × conditions. The usual handful is compared directly.
pub const HASH_ISSUERS_FROM: usize = 16;

/// An issuer (a provider's, or a condition key's) as such a hash set holds it: lowercased, when
/// [`key_names`] compares it as plain text; `None` when it holds a placeholder (in a templated
/// value; a provider's issuer always counts as one) or non-ASCII text, compared as a pattern.
pub fn issuer_hash_key(issuer: &str, templated: bool) -> Option<String> {
    let pattern = (templated && issuer.contains("${")) || !issuer.is_ascii();
    (!pattern).then(|| issuer.to_ascii_lowercase())
}

/// Whether a statement has a condition on `<issuer>:<claim>` ([`conditions_on_claim`] finds
/// one), asked for each provider the statement trusts. The last statement asked about with more
/// than [`HASH_ISSUERS_FROM`] conditions keeps an index of its condition keys.
#[derive(Default)]
pub struct ClaimConditions<'a> {
    indexed: Option<(&'a Statement, ClaimIndex<'a>)>,
}

/// A statement's condition keys: those a hash answers for, as ([`issuer_hash_key`], lowercase
/// claim), and the others, compared as [`key_names`] does.
struct ClaimIndex<'a> {
    literal: HashSet<(String, String)>,
    unsure: Vec<&'a Condition>,
}

impl<'a> ClaimIndex<'a> {
    fn of(st: &'a Statement) -> ClaimIndex<'a> {
        let mut index = ClaimIndex {
            literal: HashSet::new(),
            unsure: Vec::new(),
        };
        for c in st.conditions.iter() {
            let Some((issuer, claim)) = split_claim_key(&c.key.text) else {
                continue;
            };
            match issuer_hash_key(issuer, c.key.templated) {
                Some(issuer) => {
                    index.literal.insert((issuer, claim.to_ascii_lowercase()));
                }
                None => index.unsure.push(c),
            }
        }
        index
    }
}

impl<'a> ClaimConditions<'a> {
    pub fn any(&mut self, st: &'a Statement, issuer: &str, claim: &str) -> bool {
        let scan = || conditions_on_claim(st, issuer, claim).next().is_some();
        if st.conditions.len() <= HASH_ISSUERS_FROM {
            return scan();
        }
        let Some(issuer_key) = issuer_hash_key(issuer, true) else {
            return scan();
        };
        if !matches!(&self.indexed, Some((known, _)) if std::ptr::eq(*known, st)) {
            self.indexed = Some((st, ClaimIndex::of(st)));
        }
        let Some((_, index)) = &self.indexed else {
            return scan();
        };
        index
            .literal
            .contains(&(issuer_key, claim.to_ascii_lowercase()))
            || index
                .unsure
                .iter()
                .any(|c| key_names(&c.key, issuer, claim) != Tri::False)
    }
}

/// The claim (`sub`, `aud` ...) an OIDC condition key tests.
pub fn claim_of(key: &str) -> Option<&str> {
    split_claim_key(key).map(|(_, c)| c)
}

/// Stable identity of a place in a role's trust policy, for fingerprints.
pub fn identity(role: &Role, st: &Statement, part: &str) -> String {
    let who = role.arn.as_deref().unwrap_or(&role.name);
    format!("role:{who}#trust.Statement[{}].{part}", st.index)
}

/// Text with `${...}` placeholders removed, so their characters are not taken for wildcards.
pub fn without_placeholders(v: &PStr) -> std::borrow::Cow<'_, str> {
    if !v.templated {
        return std::borrow::Cow::Borrowed(&v.text);
    }
    let mut out = String::new();
    let mut rest = v.text.as_str();
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        match rest[p..].find('}') {
            Some(c) => rest = &rest[p + c + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}
