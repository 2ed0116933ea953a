//! Kubernetes side of the audit: kubeconfig (named context, exec credential plugins, in-cluster),
//! paginated list calls for every kind the rules read, run concurrently, and per-namespace
//! fallback when a kind is forbidden cluster-wide. Objects are written as `List` documents.

use super::{progress, write_json, AuditOptions, Warnings};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{json, Value};

/// (API prefix, resource, kind, namespaced)
const KINDS: &[(&str, &str, &str, bool)] = &[
    ("/api/v1", "namespaces", "Namespace", false),
    ("/api/v1", "serviceaccounts", "ServiceAccount", true),
    ("/api/v1", "pods", "Pod", true),
    (
        "/api/v1",
        "replicationcontrollers",
        "ReplicationController",
        true,
    ),
    ("/apis/apps/v1", "deployments", "Deployment", true),
    ("/apis/apps/v1", "replicasets", "ReplicaSet", true),
    ("/apis/apps/v1", "statefulsets", "StatefulSet", true),
    ("/apis/apps/v1", "daemonsets", "DaemonSet", true),
    ("/apis/batch/v1", "jobs", "Job", true),
    ("/apis/batch/v1", "cronjobs", "CronJob", true),
    ("/apis/rbac.authorization.k8s.io/v1", "roles", "Role", true),
    (
        "/apis/rbac.authorization.k8s.io/v1",
        "clusterroles",
        "ClusterRole",
        false,
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1",
        "rolebindings",
        "RoleBinding",
        true,
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        false,
    ),
    // Absent (404) where Karpenter is not installed; see `OLDER_VERSION` for Karpenter before v1.
    (
        "/apis/karpenter.k8s.aws/v1",
        "ec2nodeclasses",
        "EC2NodeClass",
        false,
    ),
    // Karpenter before v0.32 (with Provisioners); absent (404) from later versions.
    (
        "/apis/karpenter.k8s.aws/v1alpha1",
        "awsnodetemplates",
        "AWSNodeTemplate",
        false,
    ),
];

/// API versions to ask for when the current one is not served: Karpenter before v1.0 serves
/// EC2NodeClasses as `v1beta1` only. (Karpenter 1.0 serves both, so `v1` is asked first and the
/// objects are not read twice.)
const OLDER_VERSION: &[(&str, &str)] = &[(
    "/apis/karpenter.k8s.aws/v1",
    "/apis/karpenter.k8s.aws/v1beta1",
)];

/// What the AWS side needs from the cluster.
#[derive(Debug, Default)]
pub struct KubeFacts {
    /// IRSA role ARNs annotated on ServiceAccounts.
    pub annotated_roles: Vec<String>,
    /// Role ARNs mapped in aws-auth (mapRoles text, searched for ARNs).
    pub aws_auth_text: String,
    /// Node roles named by Karpenter EC2NodeClasses (`spec.role`: a role name, or an ARN).
    pub karpenter_node_roles: Vec<String>,
    /// Instance profiles named by EC2NodeClasses (or AWSNodeTemplates) instead of a role
    /// (`spec.instanceProfile`).
    pub karpenter_instance_profiles: Vec<String>,
}

async fn client(opts: &AuditOptions) -> Result<Client, String> {
    let options = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let mut config = match &opts.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)
                .map_err(|e| format!("kubeconfig {}: {e}", path.display()))?;
            Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| format!("kubeconfig: {e}"))?
        }
        None => match Config::from_kubeconfig(&options).await {
            Ok(c) => c,
            Err(kube_err) => Config::incluster().map_err(|e| {
                format!("no usable kubeconfig ({kube_err}) and not in a cluster ({e})")
            })?,
        },
    };
    config.connect_timeout = Some(opts.timeout);
    config.read_timeout = Some(opts.timeout);
    Client::try_from(config).map_err(|e| format!("Kubernetes client: {e}"))
}

enum ListError {
    Forbidden(String),
    NotFound,
    Other(String),
}

async fn get(client: &Client, path: &str) -> Result<Value, ListError> {
    let req = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| ListError::Other(e.to_string()))?;
    match client.request::<Value>(req).await {
        Ok(v) => Ok(v),
        Err(kube::Error::Api(status)) if status.code == 403 => {
            Err(ListError::Forbidden(status.message.clone()))
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Err(ListError::NotFound),
        Err(e) => Err(ListError::Other(e.to_string())),
    }
}

/// All items of a list, following `metadata.continue`.
async fn list_all(client: &Client, path: &str, page_size: u32) -> Result<Vec<Value>, ListError> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut url = format!("{path}?limit={page_size}");
        if let Some(t) = &token {
            url.push_str("&continue=");
            url.push_str(
                &t.replace('%', "%25")
                    .replace('&', "%26")
                    .replace('=', "%3D")
                    .replace('+', "%2B"),
            );
        }
        let page = get(client, &url).await?;
        items.extend(
            page.get("items")
                .and_then(|i| i.as_array())
                .cloned()
                .unwrap_or_default(),
        );
        match page.pointer("/metadata/continue").and_then(|c| c.as_str()) {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(items),
        }
    }
}

fn with_type(mut item: Value, api_version: &str, kind: &str) -> Value {
    if let Value::Object(map) = &mut item {
        map.entry("apiVersion").or_insert(json!(api_version));
        map.entry("kind").or_insert(json!(kind));
        // Noise for a snapshot a person reads.
        if let Some(Value::Object(md)) = map.get_mut("metadata") {
            md.remove("managedFields");
        }
    }
    item
}

pub async fn fetch(opts: &AuditOptions, warnings: &Warnings) -> Result<KubeFacts, String> {
    progress(opts.progress, "Kubernetes: connecting");
    let client = client(opts).await?;
    let namespaces: Vec<String> =
        match list_all(&client, "/api/v1/namespaces", opts.page_size).await {
            Ok(items) => items
                .iter()
                .filter_map(|n| n.pointer("/metadata/name")?.as_str().map(String::from))
                .collect(),
            Err(ListError::Forbidden(m)) => {
                warnings.push(format!("Kubernetes: cannot list namespaces: {m}"));
                Vec::new()
            }
            Err(ListError::NotFound) => Vec::new(),
            Err(ListError::Other(m)) => return Err(format!("Kubernetes API: {m}")),
        };
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    let mut tasks = Vec::new();
    for &(prefix, resource, kind, namespaced) in KINDS {
        let client = client.clone();
        let namespaces = namespaces.clone();
        let sem = semaphore.clone();
        let page = opts.page_size;
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await;
            let mut prefix = prefix;
            let mut listed = list_all(&client, &format!("{prefix}/{resource}"), page).await;
            if let (Err(ListError::NotFound), Some(&(_, older))) = (
                &listed,
                OLDER_VERSION.iter().find(|(current, _)| *current == prefix),
            ) {
                prefix = older;
                listed = list_all(&client, &format!("{prefix}/{resource}"), page).await;
            }
            let api_version = prefix
                .trim_start_matches("/apis/")
                .trim_start_matches("/api/")
                .to_string();
            let mut problems = Vec::new();
            let items = match listed {
                Ok(items) => items,
                Err(ListError::Forbidden(m)) if namespaced => {
                    // Cluster-wide listing forbidden: try each namespace.
                    let mut items = Vec::new();
                    for ns in &namespaces {
                        match list_all(
                            &client,
                            &format!("{prefix}/namespaces/{ns}/{resource}"),
                            page,
                        )
                        .await
                        {
                            Ok(more) => items.extend(more),
                            Err(ListError::Forbidden(m)) => {
                                problems.push(format!("{resource} in namespace {ns}: {m}"))
                            }
                            Err(ListError::NotFound) => {}
                            Err(ListError::Other(m)) => {
                                problems.push(format!("{resource} in namespace {ns}: {m}"))
                            }
                        }
                    }
                    if namespaces.is_empty() {
                        problems.push(format!("{resource}: {m}"));
                    }
                    items
                }
                Err(ListError::Forbidden(m)) | Err(ListError::Other(m)) => {
                    problems.push(format!("{resource}: {m}"));
                    Vec::new()
                }
                Err(ListError::NotFound) => Vec::new(),
            };
            let items: Vec<Value> = items
                .into_iter()
                .map(|i| with_type(i, &api_version, kind))
                .collect();
            (resource, api_version, items, problems)
        }));
    }
    let mut facts = KubeFacts::default();
    let dir = opts.snapshot.join("kubernetes");
    for (n, task) in tasks.into_iter().enumerate() {
        let (resource, _api_version, items, problems) =
            task.await.map_err(|e| format!("Kubernetes task: {e}"))?;
        progress(
            opts.progress,
            &format!("Kubernetes: {resource} ({}/{})", n + 1, KINDS.len()),
        );
        for p in problems {
            warnings.push(format!("Kubernetes: could not read {p}"));
        }
        if resource == "ec2nodeclasses" || resource == "awsnodetemplates" {
            let spec_texts = |pointer: &str| -> Vec<String> {
                items
                    .iter()
                    .filter_map(|c| c.pointer(pointer)?.as_str())
                    .map(|r| r.trim().to_string())
                    .collect()
            };
            facts.karpenter_node_roles.extend(spec_texts("/spec/role"));
            facts
                .karpenter_instance_profiles
                .extend(spec_texts("/spec/instanceProfile"));
        }
        if resource == "serviceaccounts" {
            for sa in &items {
                // `~1` is JSON Pointer's escape for the `/` inside the annotation key.
                let annotation = "/metadata/annotations/eks.amazonaws.com~1role-arn";
                if let Some(arn) = sa.pointer(annotation).and_then(|a| a.as_str()) {
                    facts.annotated_roles.push(arn.trim().to_string());
                }
            }
        }
        write_json(
            &dir,
            &format!("{resource}.json"),
            &json!({"apiVersion": "v1", "kind": "List", "items": items}),
        )?;
    }
    match get(
        &client,
        "/api/v1/namespaces/kube-system/configmaps/aws-auth",
    )
    .await
    {
        Ok(cm) => {
            let cm = with_type(cm, "v1", "ConfigMap");
            facts.aws_auth_text = format!(
                "{}\n{}",
                cm.pointer("/data/mapRoles")
                    .and_then(|v| v.as_str())
                    .unwrap_or(""),
                cm.pointer("/data/mapUsers")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
            );
            write_json(&dir, "aws-auth.json", &cm)?;
        }
        Err(ListError::NotFound) => {}
        Err(ListError::Forbidden(m)) | Err(ListError::Other(m)) => warnings.push(format!(
            "Kubernetes: could not read kube-system/aws-auth: {m}"
        )),
    }
    Ok(facts)
}
