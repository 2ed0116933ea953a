//! TRUST006 oidc-literal-mismatch: condition values that can never match (a wildcard under
//! StringEquals, an EKS `sub` that is not a valid ServiceAccount subject), and, at low severity,
//! StringLike with no wildcard.

use super::{identity, without_placeholders};
use crate::finding::{Finding, Severity};
use crate::iam_eval::glob::has_wildcard;
use crate::iam_eval::issuer::{classify, split_claim_key, IssuerKind};
use crate::model::BaseOp;
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcLiteralMismatch;

trust_rule!(OidcLiteralMismatch, "TRUST006");

impl TrustRule for OidcLiteralMismatch {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in &policy.statements {
            for cond in &st.conditions {
                let Some(op) = &cond.op else { continue };
                let claim = split_claim_key(&cond.key.text);
                for value in &cond.values {
                    let known = without_placeholders(value);
                    let problem = if matches!(
                        op.base,
                        BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase
                    ) && has_wildcard(&known)
                    {
                        Some((
                            Severity::Medium,
                            format!("`{}` compares `{}` literally: `*` and `?` are not wildcards under StringEquals, so this value never matches", cond.operator.text, value.text),
                            "use StringLike for a pattern, or better, the exact value".to_string(),
                        ))
                    } else if op.base == BaseOp::StringEquals
                        && !value.is_unknown_part()
                        // The subject check first: it is cheap and usually passes.
                        && !valid_sa_subject(&value.text)
                        && is_eks_sub(claim)
                    {
                        Some((
                            Severity::Medium,
                            format!("`{}` is not a ServiceAccount subject `system:serviceaccount:<namespace>:<name>` with valid lowercase names: no EKS token carries it, so the role can never be assumed this way", value.text),
                            "write the subject as `system:serviceaccount:<namespace>:<serviceaccount>`".to_string(),
                        ))
                    } else if op.base == BaseOp::StringLike
                        && claim.is_some()
                        && !value.templated
                        && !has_wildcard(&value.text)
                    {
                        Some((
                            Severity::Low,
                            format!("`StringLike` with the literal `{}` has no wildcard: StringEquals says the same and cannot be widened by accident", value.text),
                            "use StringEquals for exact values".to_string(),
                        ))
                    } else {
                        None
                    };
                    if let Some((severity, message, help)) = problem {
                        let id =
                            identity(role, st, &format!("value:{}={}", cond.key.text, value.text));
                        out.push(
                            Finding::new(
                                self.id(),
                                severity,
                                value.span,
                                format!("role `{}`: {message}", role.name),
                            )
                            .label("never matches as written")
                            .with_label(cond.operator.span, "operator")
                            .help(help)
                            .identity(id),
                        );
                    }
                }
            }
        }
    }
}

fn is_eks_sub(claim: Option<(&str, &str)>) -> bool {
    claim.is_some_and(|(issuer, c)| {
        c.eq_ignore_ascii_case("sub") && matches!(classify(issuer), IssuerKind::Eks { .. })
    })
}

/// `system:serviceaccount:<DNS label>:<DNS subdomain>`.
pub fn valid_sa_subject(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("system:serviceaccount:") else {
        return false;
    };
    let Some((ns, name)) = rest.split_once(':') else {
        return false;
    };
    is_dns_label(ns) && is_dns_subdomain(name)
}

pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert!(valid_sa_subject(
            "system:serviceaccount:kube-system:aws-load-balancer-controller"
        ));
        assert!(valid_sa_subject("system:serviceaccount:a:b.c"));
        assert!(!valid_sa_subject("system:serviceaccount:Prod:app"));
        assert!(!valid_sa_subject("system:serviceaccount:prod"));
        assert!(!valid_sa_subject("system:serviceaccount:prod:app:x"));
        assert!(!valid_sa_subject("sts.amazonaws.com"));
    }
}
