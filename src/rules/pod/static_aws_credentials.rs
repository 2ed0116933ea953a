//! POD002 static-aws-credentials: long-lived AWS keys in container environment, set in the
//! manifest, taken from a Secret or ConfigMap key, or brought in whole by `envFrom`. The value is
//! never printed.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::model::{Container, EnvSource, Workload, AWS_CREDENTIAL_VARS};
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::HashMap;

pub struct StaticAwsCredentials;

/// Secrets and ConfigMaps with credential keys, by (kind, namespace, name).
type Sources<'a> = HashMap<(&'a str, &'a str, &'a str), Vec<&'a EnvSource>>;

impl Rule for StaticAwsCredentials {
    fn id(&self) -> &'static str {
        "POD002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut sources: Sources = HashMap::new();
        for s in &cx.inventory.kube.env_sources {
            sources
                .entry((s.kind.as_str(), s.namespace.as_str(), s.name.as_str()))
                .or_default()
                .push(s);
        }
        for w in &cx.inventory.kube.workloads {
            for c in &w.pod.containers {
                for e in c
                    .env
                    .iter()
                    .filter(|e| AWS_CREDENTIAL_VARS.contains(&e.name.text.as_str()))
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
                    out.push(self.finding(w, c, &e.name.text, severity, span, &how));
                }
                if !sources.is_empty() {
                    self.check_env_from(w, c, &sources, out);
                }
            }
        }
    }
}

impl StaticAwsCredentials {
    /// Credential variables that `envFrom` brings in from a Secret or ConfigMap among the
    /// inputs. As in Kubernetes, a variable set under `env` wins over `envFrom`, and of two
    /// `envFrom` sources with the same key the later one wins: each variable is reported once,
    /// at the entry it comes from.
    fn check_env_from(
        &self,
        w: &Workload,
        c: &Container,
        sources: &Sources,
        out: &mut Vec<Finding>,
    ) {
        let mut taken: Vec<String> = c.env.iter().map(|e| e.name.text.to_string()).collect();
        for from in c.env_from.iter().rev() {
            let kind = match from.kind.as_str() {
                "secretRef" => "Secret",
                "configMapRef" => "ConfigMap",
                _ => continue,
            };
            let key = (kind, w.meta.namespace.as_str(), from.name.as_str());
            for source in sources.get(&key).into_iter().flatten() {
                for (source_key, _) in source.keys.iter() {
                    let var = format!("{}{}", from.prefix, source_key.text);
                    if !AWS_CREDENTIAL_VARS.contains(&var.as_str()) || taken.contains(&var) {
                        continue;
                    }
                    let how = format!(
                        "key `{}` of {kind} {}/{} through envFrom",
                        source_key.text, source.namespace, source.name
                    );
                    out.push(self.finding(w, c, &var, Severity::Medium, from.span, &how));
                    taken.push(var);
                }
            }
        }
    }

    fn finding(
        &self,
        w: &Workload,
        c: &Container,
        var: &str,
        severity: Severity,
        span: Span,
        how: &str,
    ) -> Finding {
        Finding::new(
            self.id(),
            severity,
            span,
            format!(
                "container `{}` of {} {}/{} gets {var} from {how}: long-lived keys that also win over IRSA and Pod Identity in the SDK credential chain",
                c.name, w.meta.kind, w.meta.namespace, w.meta.name
            ),
        )
        .label("static AWS credential (value not shown)")
        .help("remove the keys, rotate them, and give the workload an IAM role through IRSA or Pod Identity")
        .identity(identity(w, &format!("{}:{var}", c.name)))
    }
}
