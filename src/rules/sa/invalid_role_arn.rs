//! SA001 invalid-role-arn: the IRSA annotation is not an IAM role ARN.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::ROLE_ARN_ANNOTATION;
use crate::rules::{Context, Rule};

pub struct InvalidRoleArn;

/// Why a value is not a role ARN (`arn:<partition>:iam::<12 digits>:role/<name>`).
pub fn role_arn_problem(arn: &str) -> Option<String> {
    match crate::loader::iam::check_arn(arn.trim(), &["iam"]) {
        Err(why) => Some(why),
        Ok(resource) if !resource.starts_with("role/") || resource.len() <= 5 => {
            Some("the resource must be role/<name>".into())
        }
        Ok(_) => None,
    }
}

impl Rule for InvalidRoleArn {
    fn id(&self) -> &'static str {
        "SA001"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for sa in &cx.inventory.kube.service_accounts {
            let Some(arn) = sa.meta.annotation(ROLE_ARN_ANNOTATION) else {
                continue;
            };
            // Placeholders of generated configs (eksctl-created roles) are not judged.
            if arn.text.trim().is_empty() || arn.is_unknown_part() {
                continue;
            }
            let Some(why) = role_arn_problem(&arn.text) else {
                continue;
            };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    arn.span,
                    format!("ServiceAccount {}/{}: `{}` is not a valid IAM role ARN ({why}): pods get no AWS credentials", sa.meta.namespace, sa.meta.name, arn.text),
                )
                .label("invalid role ARN")
                .help("use arn:<partition>:iam::<12-digit account>:role/<name>, rendered before apply")
                .identity(identity(sa, "role-arn")),
            );
        }
    }
}
