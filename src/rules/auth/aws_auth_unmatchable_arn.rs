//! AUTH009 aws-auth-unmatchable-arn: ARNs that can never match, and mis-cased top-level keys.

use super::{entries, identity, MapKind};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthUnmatchableArn;

/// Why an aws-auth ARN can never match, if it cannot.
pub fn unmatchable(arn: &str, kind: MapKind) -> Option<String> {
    if arn.contains('*') {
        return Some("aws-auth does not support wildcards".into());
    }
    if arn.contains(":assumed-role/") {
        return Some(
            "an STS assumed-role (session) ARN is never matched; map the IAM role ARN".into(),
        );
    }
    let expected = match kind {
        MapKind::Roles => "role/",
        MapKind::Users => "user/",
    };
    match crate::loader::iam::check_arn(arn, &["iam"]) {
        Err(why) => Some(format!("malformed ARN: {why}")),
        Ok(resource) if !(resource.starts_with("role/") || resource.starts_with("user/")) => {
            Some(format!("the resource should start with `{expected}`"))
        }
        Ok(_) => None,
    }
}

impl Rule for AwsAuthUnmatchableArn {
    fn id(&self) -> &'static str {
        "AUTH009"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(arn) = e.arn() else { continue };
            let Some(why) = unmatchable(&arn.text, kind) else {
                continue;
            };
            out.push(
                Finding::new(self.id(), Severity::Medium, arn.span, format!("aws-auth ARN `{}` can never match: {why}", arn.text))
                    .label("never matches")
                    .help("use the full IAM ARN arn:<partition>:iam::<12-digit account>:role/<name> (or user/<name>)")
                    .identity(identity(cm, kind, e, "arn")),
            );
        }
        for cm in &cx.inventory.kube.aws_auth {
            for key in &cm.miscased_keys {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        key.span,
                        format!("aws-auth key `{}` is ignored: top-level keys are case-sensitive (mapRoles, mapUsers, mapAccounts)", key.text),
                    )
                    .label("ignored key")
                    .help("spell the key mapRoles, mapUsers or mapAccounts")
                    .identity(format!("{}#key:{}", cm.meta.reference(), key.text)),
                );
            }
        }
    }
}
