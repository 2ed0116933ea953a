//! POD004 manual-web-identity-env: half-configured web identity environment, or AWS_ROLE_ARN naming
//! another role than the ServiceAccount's annotation.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct ManualWebIdentityEnv;

impl Rule for ManualWebIdentityEnv {
    fn id(&self) -> &'static str {
        "POD004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            for c in &w.pod.containers {
                let role = c.env.iter().find(|e| e.name.text == "AWS_ROLE_ARN");
                let token = c
                    .env
                    .iter()
                    .find(|e| e.name.text == "AWS_WEB_IDENTITY_TOKEN_FILE");
                let message = match (role, token) {
                    (Some(r), None) => Some((r.name.span, "sets AWS_ROLE_ARN without AWS_WEB_IDENTITY_TOKEN_FILE: the webhook then injects neither and the SDK cannot use web identity".to_string())),
                    (None, Some(t)) => Some((t.name.span, "sets AWS_WEB_IDENTITY_TOKEN_FILE without AWS_ROLE_ARN: the webhook then injects neither and the SDK cannot use web identity".to_string())),
                    (Some(r), Some(_)) => {
                        let annotated = cx
                            .inventory
                            .service_account(&w.meta.namespace, w.pod.service_account_name())
                            .and_then(|sa| sa.role_arn())
                            .map(|a| a.text.trim().to_string());
                        match (annotated, &r.value) {
                            (Some(a), Some(v)) if !a.eq_ignore_ascii_case(v.text.trim()) => Some((
                                v.span,
                                format!("sets AWS_ROLE_ARN to `{}` while its ServiceAccount is annotated with `{a}`", v.text),
                            )),
                            _ => None,
                        }
                    }
                    (None, None) => None,
                };
                if let Some((span, what)) = message {
                    out.push(
                        Finding::new(self.id(), Severity::Medium, span, format!("container `{}` of {} {}/{} {what}", c.name, w.meta.kind, w.meta.namespace, w.meta.name))
                            .label("manual web identity wiring")
                            .help("let the pod identity webhook inject both variables from the ServiceAccount annotation")
                            .identity(identity(w, &format!("{}:web-identity", c.name))),
                    );
                }
            }
        }
    }
}
