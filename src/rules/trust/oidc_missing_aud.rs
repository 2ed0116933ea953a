//! TRUST002 oidc-missing-aud: web identity trust with no condition on the issuer's audience.

use super::{identity, oidc_uses, ClaimConditions};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::IssuerKind;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcMissingAud;

trust_rule!(OidcMissingAud, "TRUST002");

impl TrustRule for OidcMissingAud {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        let mut conditions = ClaimConditions::default();
        for u in oidc_uses(policy) {
            let (claim, severity, why) = match u.kind {
                IssuerKind::AudienceIdentified { aud_claim } => (
                    *aud_claim,
                    Severity::Critical,
                    "for this provider the audience identifies the app or identity pool, so any app's users can assume the role",
                ),
                _ => (
                    "aud",
                    Severity::Medium,
                    "STS still checks the provider's client-ID list, but the role accepts tokens minted for any audience registered on it",
                ),
            };
            if conditions.any(u.statement, u.issuer, claim) {
                continue;
            }
            let mut f = Finding::new(
                self.id(),
                severity,
                u.provider.span,
                format!("role `{}` trusts `{}` with no condition on `{}:{}`: {}", role.name, u.issuer, u.issuer, claim, why),
            )
            .label("trusted with no audience condition")
            .help(format!("add a StringEquals condition on `{}:{}` (for EKS and most CI issuers `sts.amazonaws.com`)", u.issuer, claim))
            .identity(identity(role, u.statement, &format!("aud:{}", u.issuer)));
            if let Some(span) = u.statement.condition_span {
                f = f.with_label(
                    span,
                    format!("no condition here tests `{}:{}`", u.issuer, claim),
                );
            }
            out.push(f);
        }
    }
}
