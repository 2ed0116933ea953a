//! POD006 self-projected-sts-token: a pod mounts its own STS-audience token, or a very long-lived one.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct SelfProjectedStsToken;

impl Rule for SelfProjectedStsToken {
    fn id(&self) -> &'static str {
        "POD006"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            for t in &w.pod.projected_tokens {
                if let Some(aud) = t
                    .audience
                    .as_ref()
                    .filter(|a| a.text == "sts.amazonaws.com")
                {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::Low,
                            aud.span,
                            format!("{} {}/{} projects its own sts.amazonaws.com token: it can assume any role that trusts its ServiceAccount, annotation or not", w.meta.kind, w.meta.namespace, w.meta.name),
                        )
                        .label("self-projected STS token")
                        .help("let the pod identity webhook project the token from the ServiceAccount annotation")
                        .identity(identity(w, "sts-token")),
                    );
                }
                if let Some((secs, span)) = t.expiration.filter(|(s, _)| *s > 86_400) {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::Low,
                            span,
                            format!(
                                "{} {}/{} projects a token valid for {secs} s (more than a day)",
                                w.meta.kind, w.meta.namespace, w.meta.name
                            ),
                        )
                        .label("long-lived token")
                        .help("keep expirationSeconds at 86400 or less")
                        .identity(identity(w, "token-expiration")),
                    );
                }
            }
        }
    }
}
