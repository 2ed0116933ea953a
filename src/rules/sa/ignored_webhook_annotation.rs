//! SA006 ignored-webhook-annotation: webhook annotations the pod identity webhook changes or ignores.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::{REGIONAL_STS_ANNOTATION, TOKEN_EXPIRATION_ANNOTATION};
use crate::rules::{Context, Rule};

pub struct IgnoredWebhookAnnotation;

impl Rule for IgnoredWebhookAnnotation {
    fn id(&self) -> &'static str {
        "SA006"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for sa in &cx.inventory.kube.service_accounts {
            if let Some(v) = sa.meta.annotation(TOKEN_EXPIRATION_ANNOTATION) {
                let problem = match v.text.trim().parse::<i64>() {
                    Err(_) => Some(format!("`{}` is not an integer: the webhook ignores it and uses the default (86400 s)", v.text)),
                    Ok(n) if n < 600 => Some(format!("{n} s is below the 600 s minimum: the webhook raises it to 600")),
                    Ok(_) => None,
                };
                if let Some(p) = problem {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::Low,
                            v.span,
                            format!(
                                "ServiceAccount {}/{}: token-expiration {p}",
                                sa.meta.namespace, sa.meta.name
                            ),
                        )
                        .label("changed or ignored")
                        .help("use an integer number of seconds, at least 600")
                        .identity(identity(sa, "token-expiration")),
                    );
                }
            }
            if let Some(v) = sa.meta.annotation(REGIONAL_STS_ANNOTATION) {
                if !matches!(
                    v.text.trim().to_ascii_lowercase().as_str(),
                    "true" | "false" | "1" | "0" | "t" | "f"
                ) {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::Low,
                            v.span,
                            format!("ServiceAccount {}/{}: sts-regional-endpoints `{}` is not a boolean, so the webhook ignores it", sa.meta.namespace, sa.meta.name, v.text),
                        )
                        .label("ignored")
                        .help("use \"true\" or \"false\"")
                        .identity(identity(sa, "sts-regional-endpoints")),
                    );
                }
            }
        }
    }
}
