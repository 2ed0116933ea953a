//! TRUST011 cross-account-no-guard: an AWS principal of an untrusted account may assume the role
//! with no ExternalId, organization or principal-ARN condition.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::loader::iam::is_account_id;
use crate::model::{Policy, Role};
use crate::model::{PrincipalKind, Statement};
use crate::rules::{Context, Rule, TrustRule};

pub struct CrossAccountNoGuard;

const GUARD_KEYS: &[&str] = &[
    "sts:ExternalId",
    "aws:PrincipalOrgID",
    "aws:PrincipalArn",
    "aws:PrincipalOrgPaths",
];

fn guarded(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        GUARD_KEYS
            .iter()
            .any(|k| c.key.text.eq_ignore_ascii_case(k))
            && c.op.as_ref().is_some_and(|o| !o.fails_open())
    })
}

/// The account an AWS principal entry belongs to (account ID or IAM/STS ARN).
fn account_of(principal: &str) -> Option<&str> {
    if is_account_id(principal) {
        return Some(principal);
    }
    let account = principal.strip_prefix("arn:")?.split(':').nth(3)?;
    is_account_id(account).then_some(account)
}

trust_rule!(CrossAccountNoGuard, "TRUST011");

impl TrustRule for CrossAccountNoGuard {
    fn check_trust(&self, cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        let own = role.account();
        if cx.config.trusted_accounts.is_empty() && own.is_none() {
            // Without trusted_accounts or the role's own account, "outside" is unknowable.
            return;
        }
        let trusted = |account: &str| {
            own == Some(account) || cx.config.trusted_accounts.iter().any(|t| t == account)
        };
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            if guarded(st) {
                continue;
            }
            for principal in st
                .principal
                .iter()
                .flat_map(|p| p.of_kind(&PrincipalKind::Aws))
            {
                let Some(account) = account_of(&principal.text) else {
                    continue;
                };
                if trusted(account) {
                    continue;
                }
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        principal.span,
                        format!(
                            "role `{}` trusts account {account}, which is not in trusted_accounts, with no sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalArn condition",
                            role.name
                        ),
                    )
                    .label("untrusted account")
                    .help("add the account to trusted_accounts if it is yours, otherwise require sts:ExternalId (third parties) or aws:PrincipalOrgID")
                    .identity(identity(role, st, &format!("account:{account}"))),
                );
            }
        }
    }
}
