//! POD002 static-aws-credentials: long-lived AWS keys in container environment. The value is
//! never printed.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct StaticAwsCredentials;

const KEYS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

impl Rule for StaticAwsCredentials {
    fn id(&self) -> &'static str {
        "POD002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            for c in &w.pod.containers {
                for e in c
                    .env
                    .iter()
                    .filter(|e| KEYS.contains(&e.name.text.as_str()))
                {
                    let (severity, span, how) = match (&e.value, &e.value_from) {
                        (Some(v), _) if !v.text.is_empty() => (
                            Severity::Critical,
                            v.span,
                            "a literal value in the manifest".to_string(),
                        ),
                        (_, Some((kind, span)))
                            if kind == "secretKeyRef" || kind == "configMapKeyRef" =>
                        {
                            (Severity::Medium, *span, format!("a {kind}"))
                        }
                        _ => continue,
                    };
                    out.push(
                        Finding::new(
                            self.id(),
                            severity,
                            span,
                            format!(
                                "container `{}` of {} {}/{} gets {} from {how}: long-lived keys that also win over IRSA and Pod Identity in the SDK credential chain",
                                c.name, w.meta.kind, w.meta.namespace, w.meta.name, e.name.text
                            ),
                        )
                        .label("static AWS credential (value not shown)")
                        .help("remove the keys, rotate them, and give the workload an IAM role through IRSA or Pod Identity")
                        .identity(identity(w, &format!("{}:{}", c.name, e.name.text))),
                    );
                }
            }
        }
    }
}
