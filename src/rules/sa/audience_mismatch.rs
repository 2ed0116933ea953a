//! SA005 audience-mismatch: `eks.amazonaws.com/audience` differs from what the role admits.

use super::{identity, rejection, PolicyIndexes, Rejection};
use crate::finding::{Finding, Severity};
use crate::model::AUDIENCE_ANNOTATION;
use crate::rules::{Context, Rule};

pub struct AudienceMismatch;

impl Rule for AudienceMismatch {
    fn id(&self) -> &'static str {
        "SA005"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut indexes = PolicyIndexes::default();
        for sa in &cx.inventory.kube.service_accounts {
            let (Some(arn), Some(aud)) = (sa.role_arn(), sa.meta.annotation(AUDIENCE_ANNOTATION))
            else {
                continue;
            };
            for role in cx.inventory.roles_for_arn(&arn.text) {
                let Some(policy) = &role.trust else { continue };
                let Some(Rejection::Condition { claim, condition }) = rejection(
                    &mut indexes,
                    policy,
                    sa,
                    cx.inventory
                        .cluster_issuer(cx.config.cluster_issuer.as_deref()),
                ) else {
                    continue;
                };
                if claim != "aud" {
                    continue;
                }
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        aud.span,
                        format!(
                            "ServiceAccount {}/{} asks for audience `{}`, but role `{}` admits only {}",
                            sa.meta.namespace,
                            sa.meta.name,
                            aud.text,
                            role.name,
                            condition.values.iter().map(|v| format!("`{}`", v.text)).collect::<Vec<_>>().join(" or ")
                        ),
                    )
                    .label("token audience")
                    .with_label(condition.values_span, "audiences the role admits")
                    .help("make the annotation and the trust policy's :aud condition agree")
                    .identity(identity(sa, "audience")),
                );
            }
        }
    }
}
