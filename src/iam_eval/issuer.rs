//! OIDC issuers: recognising them in principals and condition keys, and how far their identities
//! reach (one cluster, a public CI service shared by everyone, an app-identified provider).

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssuerKind {
    /// `oidc.eks.<region>.amazonaws.com[.cn]/id/<ID>`: one cluster's ServiceAccounts.
    Eks {
        // Inline (regions are short): classifying allocates nothing.
        region: compact_str::CompactString,
    },
    /// A public multi-tenant CI issuer: anyone with an account can mint tokens.
    PublicCi(CiService),
    /// The audience claim identifies the app or identity pool; `sub` is a per-user id.
    AudienceIdentified {
        aud_claim: &'static str,
    },
    Generic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiService {
    GitHub,
    GitLab,
    TerraformCloud,
    Bitbucket,
    CircleCi,
}

impl CiService {
    pub fn name(self) -> &'static str {
        match self {
            CiService::GitHub => "GitHub Actions",
            CiService::GitLab => "GitLab.com",
            CiService::TerraformCloud => "Terraform Cloud",
            CiService::Bitbucket => "Bitbucket Pipelines",
            CiService::CircleCi => "CircleCI",
        }
    }
}

/// The issuer (host + path, no scheme) a Federated principal names: the part after
/// `:oidc-provider/` of a provider ARN, or a well-known web identity provider name.
pub fn provider_issuer(principal: &str) -> Option<&str> {
    // The first `:oidc-provider/`, found from the colons: a substring search's setup costs more
    // than the scan on a string this short, and every web identity statement asks.
    let mut fields = super::ArnFields::new(principal);
    while fields.next().is_some() {
        let after_colon = fields.remainder();
        if let Some(issuer) = after_colon.and_then(|r| r.strip_prefix("oidc-provider/")) {
            return Some(issuer);
        }
    }
    match principal {
        "cognito-identity.amazonaws.com"
        | "accounts.google.com"
        | "graph.facebook.com"
        | "www.amazon.com" => Some(principal),
        _ => None,
    }
}

pub fn classify(issuer: &str) -> IssuerKind {
    let (host, path) = issuer.split_at(issuer.find('/').unwrap_or(issuer.len()));
    // Host names are almost always written in lowercase already. The path is never lowered:
    // an EKS cluster ID is upper-case hex and only `/id/` is looked for in it.
    let host: std::borrow::Cow<'_, str> = if host.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(host.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(host)
    };
    if path.is_empty() {
        match &*host {
            "cognito-identity.amazonaws.com" | "accounts.google.com" => {
                return IssuerKind::AudienceIdentified { aud_claim: "aud" }
            }
            "graph.facebook.com" | "www.amazon.com" => {
                return IssuerKind::AudienceIdentified {
                    aud_claim: "app_id",
                }
            }
            _ => {}
        }
    }
    if let Some(rest) = host.strip_prefix("oidc.eks.") {
        if let Some((region, domain)) = rest.split_once('.') {
            let has_id = path
                .as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"/id/"));
            if domain.starts_with("amazonaws.com") && has_id {
                return IssuerKind::Eks {
                    region: region.into(),
                };
            }
        }
    }
    let host = &*host;
    let ci = match host {
        "token.actions.githubusercontent.com" => Some(CiService::GitHub),
        "gitlab.com" => Some(CiService::GitLab),
        "app.terraform.io" => Some(CiService::TerraformCloud),
        "api.bitbucket.org" => Some(CiService::Bitbucket),
        "oidc.circleci.com" => Some(CiService::CircleCi),
        _ => None,
    };
    ci.map(IssuerKind::PublicCi).unwrap_or(IssuerKind::Generic)
}

/// Split a condition key `<issuer>:<claim>` when it looks like an OIDC claim key (not a global
/// `aws:`/`sts:` key).
pub fn split_claim_key(key: &str) -> Option<(&str, &str)> {
    // Every condition key of every trust policy is split, several times: a vectorised scan.
    let colon = memchr::memrchr(b':', key.as_bytes())?;
    let (issuer, claim) = (key.get(..colon)?, key.get(colon + 1..)?);
    if issuer.is_empty() || claim.is_empty() {
        return None;
    }
    let global = [
        "aws",
        "sts",
        "iam",
        "ec2",
        "s3",
        "kms",
        "lambda",
        "organizations",
        "ssm",
        "sns",
        "sqs",
        "eks",
    ];
    if global.iter().any(|g| issuer.eq_ignore_ascii_case(g)) {
        return None;
    }
    Some((issuer, claim))
}

/// The DNS suffix of an AWS-hosted issuer and the partition it implies; `kind` is the issuer's
/// [`classify`] result, which the caller already has.
pub fn issuer_partition(issuer: &str, kind: &IssuerKind) -> Option<&'static str> {
    let host = issuer.split('/').next().unwrap_or("");
    // Host names compare case-insensitively.
    let ends_with = |suffix: &str| {
        host.len()
            .checked_sub(suffix.len())
            .and_then(|at| host.get(at..))
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
    };
    if ends_with(".amazonaws.com.cn") {
        return Some("aws-cn");
    }
    if let IssuerKind::Eks { region } = kind {
        if region.starts_with("us-gov-") {
            return Some("aws-us-gov");
        }
        if region.starts_with("cn-") {
            // A China region under the global suffix cannot exist.
            return Some("aws-cn");
        }
        if ends_with(".amazonaws.com") {
            return Some("aws");
        }
    }
    None
}

/// Partition of an ARN (`arn:<partition>:...`).
pub fn arn_partition(arn: &str) -> Option<&str> {
    let mut fields = super::ArnFields::new(arn);
    (fields.next()? == "arn").then_some(())?;
    fields.next().filter(|p| !p.is_empty())
}

/// The OIDC providers the Allow statements trust for web identity: a Federated principal naming
/// an identity provider, with an action that is or may be `sts:AssumeRoleWithWebIdentity`
/// (including a NotAction list without Action).
pub fn oidc_refs(statements: &[crate::model::Statement]) -> Vec<crate::model::OidcRef> {
    use crate::model::PrincipalKind;
    let mut out = Vec::new();
    for (index, st) in statements.iter().enumerate() {
        if !st.is_allow() {
            continue;
        }
        let web_identity = st.actions.iter().any(|a| {
            super::glob::match_value(
                &a.text,
                "sts:AssumeRoleWithWebIdentity",
                true,
                a.templated,
                true,
            ) != super::Tri::False
        }) || (!st.has_action && st.not_action().is_some());
        if !web_identity {
            continue;
        }
        let entries = st.principal.iter().flat_map(|p| p.entries.iter());
        for (entry, (kind, provider)) in entries.enumerate() {
            if *kind != PrincipalKind::Federated {
                continue;
            }
            if let Some(issuer) = provider_issuer(&provider.text) {
                out.push(crate::model::OidcRef {
                    statement: index as u32,
                    entry: entry as u32,
                    issuer_start: (provider.text.len() - issuer.len()) as u32,
                    kind: classify(issuer),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_issuers() {
        assert_eq!(
            classify("oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
            IssuerKind::Eks {
                region: "eu-west-1".into()
            }
        );
        assert_eq!(
            classify("token.actions.githubusercontent.com"),
            IssuerKind::PublicCi(CiService::GitHub)
        );
        assert_eq!(
            classify("cognito-identity.amazonaws.com"),
            IssuerKind::AudienceIdentified { aud_claim: "aud" }
        );
        assert_eq!(classify("auth.example.com"), IssuerKind::Generic);
        // Case-insensitive host and `/id/`; an EKS-looking host without a cluster ID is not one.
        assert_eq!(
            classify("OIDC.EKS.EU-WEST-1.AMAZONAWS.COM/ID/ABC"),
            IssuerKind::Eks {
                region: "eu-west-1".into()
            }
        );
        assert_eq!(
            classify("oidc.eks.eu-west-1.amazonaws.com/x/ABC"),
            IssuerKind::Generic
        );
        assert_eq!(
            classify("Token.Actions.GitHubUserContent.com"),
            IssuerKind::PublicCi(CiService::GitHub)
        );
        assert_eq!(
            classify("cognito-identity.amazonaws.com/x"),
            IssuerKind::Generic
        );
        assert_eq!(
            provider_issuer(
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"
            ),
            Some("oidc.eks.us-east-1.amazonaws.com/id/X")
        );
        // The first marker wins, wherever it stands; a marker without its colon is no marker.
        assert_eq!(
            provider_issuer("x:oidc-provider/a:oidc-provider/b"),
            Some("a:oidc-provider/b")
        );
        assert_eq!(provider_issuer("oidc-provider/a"), None);
        assert_eq!(provider_issuer("arn:aws:iam::1:oidc-provider/"), Some(""));
        assert_eq!(
            provider_issuer("accounts.google.com"),
            Some("accounts.google.com")
        );
        assert_eq!(provider_issuer("example.com"), None);
    }

    #[test]
    fn claim_keys() {
        assert_eq!(
            split_claim_key("gitlab.com:sub"),
            Some(("gitlab.com", "sub"))
        );
        assert_eq!(split_claim_key("aws:PrincipalArn"), None);
        assert_eq!(
            split_claim_key("$oidc_provider:aud"),
            Some(("$oidc_provider", "aud"))
        );
        // Split at the last colon; empty halves and global prefixes in any case are not claims.
        assert_eq!(
            split_claim_key("issuer.example:8443/x:amr"),
            Some(("issuer.example:8443/x", "amr"))
        );
        for not_a_claim in [
            "gitlab.com:",
            ":sub",
            "no-colon",
            "STS:RoleSessionName",
            "Organizations:x",
        ] {
            assert_eq!(split_claim_key(not_a_claim), None, "{not_a_claim}");
        }
        assert_eq!(
            split_claim_key("organizationsx:sub"),
            Some(("organizationsx", "sub"))
        );
    }

    #[test]
    fn partitions() {
        let partition = |issuer| issuer_partition(issuer, &classify(issuer));
        assert_eq!(
            partition("oidc.eks.cn-north-1.amazonaws.com.cn/id/X"),
            Some("aws-cn")
        );
        assert_eq!(
            partition("oidc.eks.us-gov-west-1.amazonaws.com/id/X"),
            Some("aws-us-gov")
        );
        assert_eq!(
            partition("oidc.eks.us-east-1.amazonaws.com/id/X"),
            Some("aws")
        );
        // Host names are case-insensitive.
        assert_eq!(
            partition("OIDC.EKS.cn-north-1.AMAZONAWS.COM.CN/id/X"),
            Some("aws-cn")
        );
        assert_eq!(partition("oidc.example.com/id/X"), None);
        assert_eq!(arn_partition("arn:aws-cn:iam::1:role/x"), Some("aws-cn"));
    }
}
