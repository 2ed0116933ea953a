//! AUTH003 aws-auth-role-path: a `rolearn` with a path never matches.

use super::{entries, identity, MapKind};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthRolePath;

/// `arn:<p>:iam::<acct>:role/<path>/<name>` → the path-less ARN.
pub fn without_path(arn: &str) -> Option<String> {
    let (prefix, resource) = arn.split_once(":role/")?;
    let name = resource.rsplit('/').next()?;
    (resource.contains('/') && !name.is_empty()).then(|| format!("{prefix}:role/{name}"))
}

impl Rule for AwsAuthRolePath {
    fn id(&self) -> &'static str {
        "AUTH003"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            if kind != MapKind::Roles {
                continue;
            }
            let Some(arn) = &e.rolearn else { continue };
            let Some(fixed) = without_path(&arn.text) else {
                continue;
            };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::High,
                    arn.span,
                    format!("aws-auth rolearn `{}` has a path: EKS matches the ARN without path, so this mapping never applies", arn.text),
                )
                .label("role path")
                .help(format!("use `{fixed}`"))
                .identity(identity(cm, kind, e, "path")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_paths() {
        assert_eq!(
            super::without_path("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_abc").as_deref(),
            Some("arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_abc")
        );
        assert_eq!(
            super::without_path("arn:aws:iam::111122223333:role/plain"),
            None
        );
    }
}
