//! TRUST014 ⧉ unused-role: an IRSA or Pod Identity role that nothing uses.

use super::{oidc_uses, trust_policies};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::IssuerKind;
use crate::rules::podid::trusts_pod_identity;
use crate::rules::{Context, Rule};
use std::collections::HashSet;

pub struct UnusedRole;

impl Rule for UnusedRole {
    fn id(&self) -> &'static str {
        "TRUST014"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let inv = cx.inventory;
        let mut used_arns: HashSet<String> = HashSet::new();
        let mut used_names: HashSet<String> = HashSet::new();
        let annotated = inv
            .kube
            .service_accounts
            .iter()
            .filter_map(|s| s.role_arn().map(|a| a.text.trim().to_string()));
        let associated = inv
            .eks
            .pod_identity
            .iter()
            .map(|a| a.role_arn.text.to_string());
        // A template reference (`${PodRole.Arn}`, `aws_iam_role.orders`) names a role of the
        // same inputs by logical ID or address, not by ARN.
        let mut referenced: HashSet<*const crate::model::Role> = HashSet::new();
        for arn in annotated.chain(associated) {
            if !crate::model::is_plain_arn(&arn) {
                referenced.extend(
                    inv.roles_for_reference(&arn)
                        .into_iter()
                        .map(|r| r as *const _),
                );
            }
            used_names.insert(arn.rsplit('/').next().unwrap_or(&arn).to_string());
            used_arns.insert(arn.to_ascii_lowercase());
        }
        for (role, policy) in trust_policies(inv) {
            let irsa = oidc_uses(policy).any(|u| matches!(u.kind, IssuerKind::Eks { .. }));
            let pod_identity = policy.statements.iter().any(trusts_pod_identity);
            if !irsa && !pod_identity {
                continue;
            }
            let used = referenced.contains(&(role as *const _))
                || match &role.arn {
                    Some(arn) => used_arns.contains(&arn.to_ascii_lowercase()),
                    None => used_names.contains(role.name.as_str()),
                };
            let kind = if irsa { "IRSA" } else { "Pod Identity" };
            if used {
                // Referenced, but the account says it is idle (audit data carries RoleLastUsed).
                let days = if cx.config.unused_days == 0 {
                    90
                } else {
                    cx.config.unused_days
                };
                let stale = match role.last_used.as_deref() {
                    Some("") => Some("has never been used".to_string()),
                    Some(date) => crate::config::parse_date(date.get(..10).unwrap_or(date))
                        .filter(|d| crate::config::today() - d > i64::from(days))
                        .map(|_| format!("was last used on {}", date.get(..10).unwrap_or(date))),
                    None => None,
                };
                if let Some(why) = stale {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::Low,
                            role.span,
                            format!("{kind} role `{}` {why} (more than {days} days): a standing credential nobody needs", role.name),
                        )
                        .label("idle role")
                        .help("delete the role, or its trust for the cluster, if nothing needs it")
                        .identity(format!("role:{}#idle", role.arn.as_deref().unwrap_or(&role.name))),
                    );
                }
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Low,
                    role.span,
                    format!("{kind} role `{}` is used by no ServiceAccount annotation or Pod Identity association", role.name),
                )
                .label("unused role")
                .help("delete the role, or its trust for the cluster, if nothing needs it")
                .identity(format!("role:{}#unused", role.arn.as_deref().unwrap_or(&role.name))),
            );
        }
    }
}
