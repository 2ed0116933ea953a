//! TRUST003 oidc-wildcard-sub: `sub` matched with a wildcard pattern; graded by how many identities
//! the pattern admits.

use super::{identity, without_placeholders};
use crate::finding::{Finding, Severity};
use crate::iam_eval::glob::has_wildcard;
use crate::iam_eval::issuer::{classify, split_claim_key, CiService, IssuerKind};
use crate::model::{BaseOp, SetOp};
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct OidcWildcardSub;

trust_rule!(OidcWildcardSub, "TRUST003");

impl TrustRule for OidcWildcardSub {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for st in policy.statements.iter().filter(|s| s.is_allow()) {
            for cond in &st.conditions {
                let Some(op) = &cond.op else { continue };
                if op.base != BaseOp::StringLike || op.set == Some(SetOp::ForAllValues) {
                    continue;
                }
                let Some((issuer, claim)) = split_claim_key(&cond.key.text) else {
                    continue;
                };
                if !claim.eq_ignore_ascii_case("sub") {
                    continue;
                }
                let kind = classify(issuer);
                for value in &cond.values {
                    let pattern = without_placeholders(value);
                    if !has_wildcard(&pattern) {
                        continue;
                    }
                    let (severity, admits) = reach(&kind, &value.text);
                    out.push(
                        Finding::new(
                            self.id(),
                            severity,
                            value.span,
                            format!(
                                "role `{}` admits `sub` pattern `{}`: {}",
                                role.name, value.text, admits
                            ),
                        )
                        .label("wildcard subject")
                        .help("list the exact subjects with StringEquals instead of a pattern")
                        .identity(identity(
                            role,
                            st,
                            &format!("sub-pattern:{}", value.text),
                        )),
                    );
                }
            }
        }
    }
}

fn wild(s: &str) -> bool {
    has_wildcard(s)
}

/// How far a `sub` pattern reaches, by issuer.
pub fn reach(kind: &IssuerKind, pattern: &str) -> (Severity, String) {
    match kind {
        IssuerKind::PublicCi(ci) => ci_reach(*ci, pattern),
        IssuerKind::Eks { .. } => eks_reach(pattern),
        _ if pattern.starts_with("system:serviceaccount:") => eks_reach(pattern),
        _ if pattern == "*" => (Severity::High, "every identity of the provider".into()),
        _ => (
            Severity::Medium,
            "every identity of the provider whose subject fits the pattern".into(),
        ),
    }
}

fn eks_reach(pattern: &str) -> (Severity, String) {
    let Some(rest) = pattern.strip_prefix("system:serviceaccount:") else {
        return (
            Severity::High,
            "every ServiceAccount of every namespace (the pattern does not pin the namespace)"
                .into(),
        );
    };
    match rest.split_once(':') {
        Some((ns, _)) if wild(ns) => (
            Severity::High,
            "ServiceAccounts of any namespace matching the pattern (the namespace is a wildcard)"
                .into(),
        ),
        Some((ns, "*")) => (
            Severity::Medium,
            format!("every ServiceAccount of namespace `{ns}`"),
        ),
        Some((ns, _)) => (
            Severity::Medium,
            format!("every ServiceAccount of namespace `{ns}` whose name fits the pattern"),
        ),
        None => (
            Severity::High,
            "every ServiceAccount of every namespace matching the pattern (`*` also matches `:`)"
                .into(),
        ),
    }
}

fn ci_reach(ci: CiService, pattern: &str) -> (Severity, String) {
    let service = ci.name();
    if pattern == "*" {
        return (
            Severity::Critical,
            format!("every {service} workflow of every account on the service"),
        );
    }
    let body = match ci {
        CiService::GitHub => pattern.strip_prefix("repo:"),
        CiService::GitLab => pattern.strip_prefix("project_path:"),
        CiService::TerraformCloud => {
            return match pattern
                .strip_prefix("organization:")
                .and_then(|r| r.split(':').next())
            {
                Some(org) if !wild(org) => (
                    Severity::Medium,
                    format!("every {service} workspace of organization `{org}`"),
                ),
                _ => (
                    Severity::Critical,
                    format!("{service} runs of any organization"),
                ),
            }
        }
        CiService::Bitbucket | CiService::CircleCi => {
            return (
                Severity::Medium,
                format!("every {service} pipeline whose subject fits the pattern"),
            );
        }
    };
    let Some(body) = body else {
        let first = pattern.split(':').next().unwrap_or("");
        return if wild(first) {
            (
                Severity::Critical,
                format!("{service} workflows of any repository of any owner"),
            )
        } else {
            (
                Severity::Medium,
                format!("{service} workflows whose subject fits the pattern"),
            )
        };
    };
    let (owner, after_owner) = match body.split_once('/') {
        Some((o, a)) => (o, Some(a)),
        None => (body, None),
    };
    if wild(owner) || after_owner.is_none() {
        return (
            Severity::Critical,
            format!("{service} workflows of repositories of any owner matching `{owner}`"),
        );
    }
    let after = after_owner.unwrap_or("");
    let repo = after.split(':').next().unwrap_or("");
    if wild(repo) {
        (
            Severity::Medium,
            format!("{service} workflows of every repository of `{owner}`"),
        )
    } else {
        (
            Severity::Low,
            format!("any branch, tag, environment or pull request of `{owner}/{repo}`"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_grades() {
        let gh = IssuerKind::PublicCi(CiService::GitHub);
        assert_eq!(reach(&gh, "*").0, Severity::Critical);
        assert_eq!(reach(&gh, "repo:*").0, Severity::Critical);
        assert_eq!(reach(&gh, "repo:my*").0, Severity::Critical);
        assert_eq!(reach(&gh, "repo:myorg/*").0, Severity::Medium);
        assert_eq!(reach(&gh, "repo:AlexKanj/*:*").0, Severity::Medium);
        assert_eq!(reach(&gh, "repo:myorg/app:*").0, Severity::Low);
        assert_eq!(
            reach(&gh, "repo:myorg/app:ref:refs/heads/*").0,
            Severity::Low
        );
    }

    #[test]
    fn eks_grades() {
        let eks = IssuerKind::Eks {
            region: "us-east-1".into(),
        };
        assert_eq!(reach(&eks, "*").0, Severity::High);
        assert_eq!(reach(&eks, "system:serviceaccount:*").0, Severity::High);
        assert_eq!(reach(&eks, "system:serviceaccount:prod*").0, Severity::High);
        assert_eq!(reach(&eks, "system:serviceaccount:*:app").0, Severity::High);
        assert_eq!(
            reach(&eks, "system:serviceaccount:prod:*").0,
            Severity::Medium
        );
        assert_eq!(
            reach(&eks, "system:serviceaccount:prod:app-*").0,
            Severity::Medium
        );
    }
}
