//! TRUST001 oidc-missing-sub: web identity trust with no condition on the issuer's `sub`.

use super::{identity, oidc_uses, ClaimConditions};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::IssuerKind;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcMissingSub;

trust_rule!(OidcMissingSub, "TRUST001");

impl TrustRule for OidcMissingSub {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        let mut conditions = ClaimConditions::default();
        for u in oidc_uses(policy) {
            let (severity, who) = match u.kind {
                IssuerKind::AudienceIdentified { .. } => continue,
                IssuerKind::PublicCi(ci) => (
                    Severity::Critical,
                    std::borrow::Cow::Owned(format!(
                        "every {} workflow of every account on the service",
                        ci.name()
                    )),
                ),
                IssuerKind::Eks { .. } => (
                    Severity::High,
                    std::borrow::Cow::Borrowed(
                        "every ServiceAccount in every namespace of the cluster",
                    ),
                ),
                IssuerKind::Generic => (
                    Severity::High,
                    std::borrow::Cow::Borrowed("every identity the provider issues tokens for"),
                ),
            };
            if conditions.any(u.statement, u.issuer, "sub") {
                continue;
            }
            let mut f = Finding::new(
                self.id(),
                severity,
                u.provider.span,
                format!(
                    "role `{}` trusts `{}` for web identity with no condition on `{}:sub`: {} can assume it",
                    role.name, u.issuer, u.issuer, who
                ),
            )
            .label("trusted with no `sub` condition")
            .help(format!(
                "add a StringEquals condition on `{}:sub` naming the exact subject (for EKS `system:serviceaccount:<namespace>:<name>`)",
                u.issuer
            ))
            .identity(identity(role, u.statement, &format!("sub:{}", u.issuer)));
            if let Some(span) = u.statement.condition_span {
                f = f.with_label(span, format!("no condition here tests `{}:sub`", u.issuer));
            }
            out.push(f);
        }
    }
}
