//! Seeded corpus generator for benchmarks and recall checks.
//!
//! `cargo run --release --example gen_corpus -- --objects 10000 [--seed 42] DIR`
//!
//! Writes a realistic mix of inputs (raw trust policies, `aws iam get-role` and `list-roles` output,
//! CloudFormation stacks, Terraform plans, multi-document Kubernetes manifests: ServiceAccounts,
//! every workload kind, Namespaces, RBAC, aws-auth; EKS Pod Identity associations) and
//! `DIR/.corpus/expected.json`, the planted misconfigurations as `{file: [rule IDs]}`. About one role in
//! eight is planted, and one cluster slice in six per planted rule; the rest are clean, so any
//! other finding is a false positive.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// xorshift64*: small, seeded and stable across platforms.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMESPACES: &[&str] = &[
    "payments",
    "checkout",
    "search",
    "batch",
    "ml",
    "platform",
    "observability",
    "kube-system",
];
const APPS: &[&str] = &[
    "api",
    "worker",
    "indexer",
    "scheduler",
    "exporter",
    "controller",
    "gateway",
    "sync",
];

#[derive(Clone, Copy)]
enum Plant {
    None,
    NoSub,
    WildcardSub,
    PublicPrincipal,
    PodIdentityNoTag,
    PodIdentityUnscoped,
    FailOpen,
}

impl Plant {
    fn rule(self) -> Option<&'static str> {
        match self {
            Plant::None => None,
            Plant::NoSub => Some("TRUST001"),
            Plant::WildcardSub => Some("TRUST003"),
            Plant::PublicPrincipal => Some("TRUST007"),
            Plant::PodIdentityNoTag => Some("PODID001"),
            Plant::PodIdentityUnscoped => Some("PODID002"),
            Plant::FailOpen => Some("TRUST005"),
        }
    }
}

struct Gen {
    rng: Rng,
    issuer: String,
    account: String,
}

impl Gen {
    fn plant(&mut self) -> Plant {
        match self.rng.below(48) {
            0 => Plant::NoSub,
            1 => Plant::WildcardSub,
            2 => Plant::PublicPrincipal,
            3 => Plant::PodIdentityNoTag,
            4 => Plant::PodIdentityUnscoped,
            5 => Plant::FailOpen,
            _ => Plant::None,
        }
    }

    /// A trust policy as compact-ish JSON text.
    fn trust(&mut self, plant: Plant) -> String {
        let ns = self.rng.pick(NAMESPACES);
        let app = self.rng.pick(APPS);
        let iss = &self.issuer;
        let provider = format!("arn:aws:iam::{}:oidc-provider/{iss}", self.account);
        let irsa = |op: &str, sub: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"{op}":{{"{iss}:sub":"{sub}"}},"StringEquals":{{"{iss}:aud":"sts.amazonaws.com"}}}}}}]}}"#
            )
        };
        match plant {
            Plant::None => match self.rng.below(3) {
                0 => format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"pods.eks.amazonaws.com"}},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{{"StringEquals":{{"aws:RequestTag/kubernetes-namespace":"{ns}","aws:RequestTag/kubernetes-service-account":"{app}"}}}}}}]}}"#
                ),
                1 => r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.to_string(),
                _ => {
                    let sub = format!("system:serviceaccount:{ns}:{app}");
                    format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{iss}:sub":"{sub}","{iss}:aud":"sts.amazonaws.com"}}}}}}]}}"#
                    )
                }
            },
            Plant::NoSub => format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{iss}:aud":"sts.amazonaws.com"}}}}}}]}}"#
            ),
            Plant::WildcardSub => irsa("StringLike", &format!("system:serviceaccount:{ns}:*")),
            Plant::FailOpen => irsa("StringEqualsIfExists", &format!("system:serviceaccount:{ns}:{app}")),
            Plant::PublicPrincipal => {
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#.to_string()
            }
            Plant::PodIdentityNoTag => format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"pods.eks.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{}"}}}}}}]}}"#,
                self.account
            ),
            Plant::PodIdentityUnscoped => {
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#.to_string()
            }
        }
    }

    /// One team's slice of a cluster: a Namespace, an IRSA ServiceAccount with a workload of each
    /// other kind, read-only RBAC, and an aws-auth ConfigMap. One file in six plants AUTH003 (a
    /// `rolearn` with a path) and one in six RBAC006 (a group that may create Deployments next
    /// to the IRSA ServiceAccount).
    fn cluster(&mut self, n: usize, planted: &mut Vec<&'static str>) -> String {
        let ns = format!("team-{n}");
        let account = &self.account;
        let mut text = format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: svc\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{account}:role/{ns}-svc\n"
        );
        for (kind, api) in [("StatefulSet", "apps/v1"), ("DaemonSet", "apps/v1")] {
            let _ = write!(
                text,
                "---\napiVersion: {api}\nkind: {kind}\nmetadata:\n  name: app\n  namespace: {ns}\nspec:\n  selector:\n    matchLabels: {{app: app}}\n  template:\n    metadata:\n      labels: {{app: app}}\n    spec:\n{}",
                pod_spec(6)
            );
        }
        let _ = write!(
            text,
            "---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\n  namespace: {ns}\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n{}",
            pod_spec(10)
        );
        let _ = write!(
            text,
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n  namespace: {ns}\nspec:\n{}",
            pod_spec(2)
        );
        let (api_groups, resources, verbs) = if self.rng.below(6) == 0 {
            planted.push("RBAC006");
            (
                "[\"apps\"]",
                "[\"deployments\"]",
                "[\"create\", \"get\", \"list\"]",
            )
        } else {
            (
                "[\"\"]",
                "[\"configmaps\"]",
                "[\"get\", \"list\", \"watch\"]",
            )
        };
        let _ = write!(
            text,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: team\n  namespace: {ns}\nrules:\n  - apiGroups: {api_groups}\n    resources: {resources}\n    verbs: {verbs}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: team\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: team\nsubjects:\n  - kind: Group\n    name: {ns}-members\n    apiGroup: rbac.authorization.k8s.io\n"
        );
        let team_role = if self.rng.below(6) == 0 {
            planted.push("AUTH003");
            format!("teams/{ns}/developers")
        } else {
            format!("{ns}-developers")
        };
        let _ = write!(
            text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::{account}:role/{ns}-nodes\n      username: system:node:{{{{EC2PrivateDNSName}}}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n    - rolearn: arn:aws:iam::{account}:role/{team_role}\n      username: {ns}:{{{{SessionName}}}}\n      groups:\n        - {ns}-members\n"
        );
        text
    }

    /// `aws eks describe-pod-identity-association` output for a ServiceAccount.
    fn eks_api(&mut self, n: usize) -> String {
        let ns = self.rng.pick(NAMESPACES);
        let account = &self.account;
        format!(
            "{{\n    \"association\": {{\n        \"clusterName\": \"prod\",\n        \"namespace\": \"{ns}\",\n        \"serviceAccount\": \"podid-{n}\",\n        \"roleArn\": \"arn:aws:iam::{account}:role/podid-{n}\",\n        \"associationArn\": \"arn:aws:eks:eu-west-1:{account}:podidentityassociation/prod/a-{n:017}\",\n        \"associationId\": \"a-{n:017}\",\n        \"tags\": {{}},\n        \"createdAt\": \"2025-06-01T10:00:00+00:00\",\n        \"modifiedAt\": \"2025-06-01T10:00:00+00:00\"\n    }}\n}}\n"
        )
    }
}

/// A pod spec running as the team's ServiceAccount, each line indented by `indent` spaces.
fn pod_spec(indent: usize) -> String {
    let pad = " ".repeat(indent);
    [
        "serviceAccountName: svc",
        "containers:",
        "  - name: app",
        "    image: registry.example.com/app:2.0.1",
        "    env:",
        "      - name: LOG_LEVEL",
        "        value: info",
    ]
    .iter()
    .map(|line| format!("{pad}{line}\n"))
    .collect()
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn main() {
    let mut objects: usize = 1000;
    let mut seed: u64 = 42;
    let mut dir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--objects" => objects = args.next().and_then(|v| v.parse().ok()).unwrap_or(objects),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: gen_corpus --objects N [--seed S] DIR");
        std::process::exit(2);
    };
    let count = generate(&dir, objects, seed);
    eprintln!("wrote {count} objects to {}", dir.display());
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Generate about `objects` objects; returns the exact count.
fn generate(dir: &Path, objects: usize, seed: u64) -> usize {
    let mut g = Gen {
        rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        issuer: "oidc.eks.eu-west-1.amazonaws.com/id/5C8A1F0E3B2D4A6B9C7E1D2F3A4B5C6D".into(),
        account: "111122223333".into(),
    };
    let mut expected: Vec<(String, Vec<&'static str>)> = Vec::new();
    let mut made = 0usize;
    let mut n = 0usize;
    while made < objects {
        n += 1;
        let shard = format!("shard{:03}", n % 100);
        let kind = g.rng.below(10);
        let mut planted = Vec::new();
        let (name, text, count) = match kind {
            0..=2 => {
                let p = g.plant();
                planted.extend(p.rule());
                (format!("{shard}/trust-{n}.json"), pretty(&g.trust(p)), 1)
            }
            3 => {
                let p = g.plant();
                planted.extend(p.rule());
                let doc = pretty(&g.trust(p)).replace('\n', "\n    ");
                let text = format!(
                    "{{\n  \"Role\": {{\n    \"Path\": \"/\",\n    \"RoleName\": \"role-{n}\",\n    \"RoleId\": \"AROA{n:016}\",\n    \"Arn\": \"arn:aws:iam::{}:role/role-{n}\",\n    \"CreateDate\": \"2025-03-01T10:00:00+00:00\",\n    \"AssumeRolePolicyDocument\": {},\n    \"MaxSessionDuration\": 3600\n  }}\n}}\n",
                    g.account, doc
                );
                (format!("{shard}/get-role-{n}.json"), text, 1)
            }
            4 => {
                let mut roles = Vec::new();
                for i in 0..10 {
                    let p = g.plant();
                    planted.extend(p.rule());
                    let doc = g.trust(p);
                    roles.push(format!(
                        "{{\"RoleName\":\"listed-{n}-{i}\",\"Arn\":\"arn:aws:iam::{}:role/listed-{n}-{i}\",\"Path\":\"/\",\"AssumeRolePolicyDocument\":{}}}",
                        g.account, doc
                    ));
                }
                (
                    format!("{shard}/list-roles-{n}.json"),
                    format!("{{\"Roles\":[\n{}\n]}}\n", roles.join(",\n")),
                    10,
                )
            }
            5 => {
                let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: workload roles\nResources:\n");
                for i in 0..5 {
                    let p = g.plant();
                    planted.extend(p.rule());
                    let doc = pretty(&g.trust(p)).replace('\n', "\n        ");
                    let _ = write!(text, "  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub stack-{n}-{i}-${{AWS::Region}}\n      AssumeRolePolicyDocument: !Sub |\n        {doc}\n");
                }
                (format!("{shard}/stack-{n}.yaml"), text, 5)
            }
            6 => {
                let mut resources = Vec::new();
                for i in 0..5 {
                    let p = g.plant();
                    planted.extend(p.rule());
                    resources.push(format!(
                        "{{\"address\":\"aws_iam_role.r{i}\",\"mode\":\"managed\",\"type\":\"aws_iam_role\",\"name\":\"r{i}\",\"values\":{{\"name\":\"tf-{n}-{i}\",\"assume_role_policy\":{},\"inline_policy\":[],\"managed_policy_arns\":[]}}}}",
                        json_string(&g.trust(p))
                    ));
                }
                let text = format!(
                    "{{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",\"planned_values\":{{\"root_module\":{{\"resources\":[{}]}}}}}}\n",
                    resources.join(",")
                );
                (format!("{shard}/plan-{n}.json"), text, 5)
            }
            // Namespace, ServiceAccount, four workloads, Role, RoleBinding, ConfigMap.
            7 => (
                format!("{shard}/cluster-{n}.yaml"),
                g.cluster(n, &mut planted),
                9,
            ),
            8 => (format!("{shard}/eks-{n}.json"), g.eks_api(n), 1),
            _ => {
                let mut text = String::new();
                for i in 0..5 {
                    let ns = g.rng.pick(NAMESPACES);
                    let app = g.rng.pick(APPS);
                    let _ = write!(
                        text,
                        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{}:role/{app}-{n}-{i}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n      labels: {{app: {app}}}\n    spec:\n      serviceAccountName: {app}-{i}\n      containers:\n        - name: {app}\n          image: registry.example.com/{app}:1.4.2\n          ports: [{{containerPort: 8080}}]\n",
                        g.account
                    );
                }
                (format!("{shard}/manifests-{n}.yaml"), text, 10)
            }
        };
        write(dir, &name, &text);
        if !planted.is_empty() {
            planted.sort_unstable();
            planted.dedup();
            expected.push((name, planted));
        }
        made += count;
    }
    let mut json = String::from("{\n");
    for (i, (file, rules)) in expected.iter().enumerate() {
        let list: Vec<String> = rules.iter().map(|r| format!("\"{r}\"")).collect();
        let _ = writeln!(
            json,
            "  {}: [{}]{}",
            json_string(file),
            list.join(", "),
            if i + 1 < expected.len() { "," } else { "" }
        );
    }
    json.push_str("}\n");
    // Metadata lives in a hidden folder, which the linter does not walk.
    write(dir, ".corpus/expected.json", &json);
    write(
        dir,
        ".corpus/meta.json",
        &format!("{{\"objects\": {made}, \"seed\": {seed}}}\n"),
    );
    made
}

/// Re-indent compact JSON so files look like what people commit.
fn pretty(compact: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(compact) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| compact.to_string()),
        Err(_) => compact.to_string(),
    }
}
