//! Kubernetes objects: ServiceAccounts, Namespaces, Pods and the pod templates of every workload
//! kind, RBAC, the aws-auth ConfigMap, and the Secrets and ConfigMaps that `envFrom` can read AWS
//! keys from. `List` kinds (kubectl output) are unwrapped.

use super::FileCtx;
use crate::model::{
    may_name_credential_var, Binding, Container, Eks, EnvFrom, EnvSource, EnvVar, Kube, Namespace,
    ObjectMeta, PStr, PodSpec, PolicyRule, ProjectedToken, RbacRole, ServiceAccount, Subject,
    Workload,
};
use crate::node::{Node, NodeKind};
use crate::source::Span;

pub fn is_object(root: &Node) -> bool {
    root.get_str("kind").is_some() && root.get("apiVersion").is_some()
}

pub fn pstr(node: &Node) -> Option<PStr> {
    node.scalar_compact().map(|t| PStr::new(t, node.span))
}

/// The annotation keys the rules read, longer than an inline string: a key equal to one of them
/// points at the constant instead of a heap copy per object.
const KNOWN_KEYS: &[&str] = &[
    crate::model::ROLE_ARN_ANNOTATION,
    crate::model::AUDIENCE_ANNOTATION,
    crate::model::TOKEN_EXPIRATION_ANNOTATION,
    crate::model::REGIONAL_STS_ANNOTATION,
];

fn key_pstr(node: &Node) -> Option<PStr> {
    let known = node
        .as_str()
        .and_then(|text| KNOWN_KEYS.iter().find(|k| **k == text));
    match known {
        Some(k) => Some(PStr::new(
            compact_str::CompactString::const_new(k),
            node.span,
        )),
        None => pstr(node),
    }
}

/// A filtered list without the spare capacity of its growth: the model lives for the whole run.
fn exact<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

fn string_list(node: Option<&Node>) -> Vec<String> {
    node.map(|n| {
        exact(
            n.one_or_many()
                .iter()
                .filter_map(Node::scalar_text)
                .collect(),
        )
    })
    .unwrap_or_default()
}

fn pairs(node: Option<&Node>) -> Box<[(PStr, PStr)]> {
    node.and_then(Node::as_map)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| {
            Some((
                key_pstr(k)?,
                pstr(v).unwrap_or_else(|| PStr::new("", v.span)),
            ))
        })
        .collect()
}

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "Node",
    "CustomResourceDefinition",
];

pub fn meta(root: &Node, kind: &str) -> ObjectMeta {
    let md = root.get("metadata");
    let name_node = md.and_then(|m| m.get("name"));
    let namespace = if CLUSTER_SCOPED.contains(&kind) {
        Default::default()
    } else {
        md.and_then(|m| m.get("namespace"))
            .and_then(Node::scalar_compact)
            .unwrap_or_else(|| "default".into())
    };
    ObjectMeta {
        kind: kind.into(),
        namespace,
        name: name_node.and_then(Node::scalar_compact).unwrap_or_default(),
        name_span: name_node.map(|n| n.span).unwrap_or(crate::source::Span {
            end: root.span.start,
            ..root.span
        }),
        span: root.span,
        annotations: pairs(md.and_then(|m| m.get("annotations"))),
        labels: pairs(md.and_then(|m| m.get("labels")))
            .into_vec()
            .into_iter()
            .map(|(k, v)| (k.text, v.text))
            .collect(),
    }
}

/// A Kubernetes object, or each item of a `List`. Karpenter's EC2NodeClass (a node setting, not a
/// workload) goes to `eks`.
pub fn load(cx: &FileCtx, root: &Node, out: &mut Kube, eks: &mut Eks) {
    let Some(kind) = root.get_str("kind") else {
        return;
    };
    if kind.ends_with("List") {
        for item in root.get("items").and_then(Node::as_seq).unwrap_or(&[]) {
            if is_object(item) {
                load(cx, item, out, eks);
            }
        }
        return;
    }
    match kind {
        "EC2NodeClass" | "AWSNodeTemplate" if super::karpenter::is_node_class(root) => {
            super::karpenter::load(root, eks)
        }
        "ServiceAccount" => out.service_accounts.push(Box::new(ServiceAccount {
            meta: meta(root, kind),
        })),
        "Namespace" => out.namespaces.push(Box::new(Namespace {
            meta: meta(root, kind),
        })),
        "Pod" => {
            if let Some(spec) = root.get("spec") {
                out.workloads.push(Box::new(Workload {
                    meta: meta(root, kind),
                    pod: pod_spec(spec, root.get("metadata")),
                }));
            }
        }
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => {
            if let Some(t) = root.path(&["spec", "template"]) {
                out.workloads.push(Box::new(Workload {
                    meta: meta(root, kind),
                    pod: pod_spec(t.get("spec").unwrap_or(t), t.get("metadata")),
                }));
            }
        }
        "CronJob" => {
            if let Some(t) = root.path(&["spec", "jobTemplate", "spec", "template"]) {
                out.workloads.push(Box::new(Workload {
                    meta: meta(root, kind),
                    pod: pod_spec(t.get("spec").unwrap_or(t), t.get("metadata")),
                }));
            }
        }
        "Role" | "ClusterRole" => out.roles.push(Box::new(RbacRole {
            meta: meta(root, kind),
            cluster: kind == "ClusterRole",
            rules: root
                .get("rules")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(rule)
                .collect(),
            aggregated: root.get("aggregationRule").is_some_and(|n| !n.is_null()),
        })),
        "RoleBinding" | "ClusterRoleBinding" => {
            let role_ref = root.get("roleRef");
            let m = meta(root, kind);
            let subjects = root
                .get("subjects")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(|s| Subject {
                    kind: s
                        .get("kind")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    name: s
                        .get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    namespace: s
                        .get("namespace")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| m.namespace.to_string()),
                    span: s.span,
                })
                .collect();
            out.bindings.push(Box::new(Binding {
                cluster: kind == "ClusterRoleBinding",
                role_kind: role_ref
                    .and_then(|r| r.get("kind"))
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                role_name: role_ref
                    .and_then(|r| r.get("name"))
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                role_span: role_ref
                    .and_then(|r| r.get("name"))
                    .map(|n| n.span)
                    .or(role_ref.map(|r| r.span))
                    .unwrap_or(root.span),
                subjects,
                meta: m,
            }));
        }
        "ConfigMap" => {
            let m = meta(root, kind);
            if m.name == "aws-auth" && m.namespace == "kube-system" {
                out.aws_auth
                    .push(Box::new(super::aws_auth::load(cx, root, m)));
            } else {
                // Only `data`: the kubelet makes variables from no other ConfigMap field.
                env_source(root, kind, || m, &["data"], out);
            }
        }
        // `stringData` is merged into `data` when the Secret is written.
        "Secret" => env_source(
            root,
            kind,
            || meta(root, kind),
            &["data", "stringData"],
            out,
        ),
        _ => {}
    }
}

/// Keep a Secret or ConfigMap only for its keys that can become AWS credential variables
/// through `envFrom` (most objects have none and are not kept, so their metadata is not read).
fn env_source(
    root: &Node,
    kind: &str,
    meta: impl FnOnce() -> ObjectMeta,
    maps: &[&str],
    out: &mut Kube,
) {
    let keys: Box<[(PStr, Span)]> = maps
        .iter()
        .filter_map(|m| root.get(m).and_then(Node::as_map))
        .flatten()
        .filter(|(k, _)| k.as_str().is_some_and(may_name_credential_var))
        .filter_map(|(k, v)| Some((pstr(k)?, v.span)))
        .collect();
    if !keys.is_empty() {
        let meta = meta();
        out.env_sources.push(Box::new(EnvSource {
            kind: kind.into(),
            namespace: meta.namespace,
            name: meta.name,
            keys,
        }));
    }
}

fn rule(node: &Node) -> PolicyRule {
    PolicyRule {
        span: node.span,
        api_groups: string_list(node.get("apiGroups")),
        resources: string_list(node.get("resources")),
        resource_names: string_list(node.get("resourceNames")),
        verbs: string_list(node.get("verbs")),
        non_resource_urls: string_list(node.get("nonResourceURLs")),
    }
}

fn pod_spec(spec: &Node, metadata: Option<&Node>) -> PodSpec {
    let mut containers = Vec::new();
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec.get(key).and_then(Node::as_seq).unwrap_or(&[]) {
            containers.push(container(c));
        }
    }
    let mut projected_tokens = Vec::new();
    for vol in spec.get("volumes").and_then(Node::as_seq).unwrap_or(&[]) {
        for src in vol
            .path(&["projected", "sources"])
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            if let Some(tok) = src.get("serviceAccountToken") {
                projected_tokens.push(ProjectedToken {
                    span: tok.span,
                    audience: tok.get("audience").and_then(pstr),
                    expiration: tok
                        .get("expirationSeconds")
                        .and_then(|n| Some((n.scalar_text()?.parse().ok()?, n.span))),
                });
            }
        }
    }
    let service_account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(pstr);
    PodSpec {
        span: spec.span,
        service_account,
        host_network: spec
            .get("hostNetwork")
            .filter(|n| n.kind == NodeKind::Bool(true))
            .map(|n| n.span),
        annotations: pairs(metadata.and_then(|m| m.get("annotations"))),
        containers: containers.into_boxed_slice(),
        projected_tokens: projected_tokens.into_boxed_slice(),
    }
}

fn container(c: &Node) -> Container {
    let env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| {
            Some(EnvVar {
                name: e.get("name").and_then(pstr)?,
                value: e.get("value").and_then(pstr),
                value_from: e.get("valueFrom").and_then(|v| {
                    let (k, _) = v.as_map()?.first()?;
                    Some((k.as_str()?.into(), v.span))
                }),
            })
        })
        .collect();
    let env_from = c
        .get("envFrom")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| {
            let (k, v) = e
                .as_map()?
                .iter()
                .find(|(k, _)| matches!(k.as_str(), Some("secretRef" | "configMapRef")))?;
            Some(EnvFrom {
                kind: k.as_str()?.into(),
                name: v.get_str("name").unwrap_or("").into(),
                prefix: e.get_str("prefix").unwrap_or("").into(),
                span: e.span,
            })
        })
        .collect();
    Container {
        name: c.get_str("name").unwrap_or("").into(),
        span: c.span,
        env: exact(env),
        env_from: exact(env_from),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::engine::lint_in_memory;

    const ENV_OBJECTS: &str = r#"apiVersion: v1
kind: Secret
metadata: {name: app-aws, namespace: web}
data:
  AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEVLRVlJRA==
  SMTP_PASSWORD: c210cC1wYXNz
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-env, namespace: web}
data:
  SESSION_TOKEN: session-token-value
  BUCKET: web-assets
binaryData:
  AWS_SECRET_ACCESS_KEY: bm90LWFuLWVudi12YXJpYWJsZQ==
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: web}
data:
  LOG_LEVEL: debug
"#;

    #[test]
    fn secrets_and_config_maps_keep_only_credential_keys_and_mask_their_values() {
        let out = lint_in_memory(&[("env.yaml", ENV_OBJECTS.as_bytes())], &Config::default());
        let kept: Vec<(&str, &str, Vec<&str>)> = out
            .inventory
            .kube
            .env_sources
            .iter()
            .map(|s| {
                let keys = s.keys.iter().map(|(k, _)| k.text.as_str()).collect();
                (s.kind.as_str(), s.name.as_str(), keys)
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("Secret", "app-aws", vec!["AWS_ACCESS_KEY_ID"]),
                // A key that becomes AWS_SESSION_TOKEN with `prefix: AWS_`.
                ("ConfigMap", "app-env", vec!["SESSION_TOKEN"]),
            ]
        );
        let file = &out.sources.files[0];
        let masked: Vec<&str> = out.secrets.iter().map(|s| file.slice(*s)).collect();
        assert_eq!(masked, ["QUtJQUVYQU1QTEVLRVlJRA==", "session-token-value"]);
    }
}
