//! Scale probe: inputs whose objects point at each other, or that are wide in one place, at two
//! sizes, linted by the release binary (human report, the slowest) to see that time grows
//! linearly. Each shape once made the linter quadratic (BENCHMARKS.md, nineteenth run).
//!
//! Usage: `cargo build --release && cargo run --release --example scale_probe -- [N]`
//! (N defaults to 5000; each shape is also run at 4×N).

use std::path::{Path, PathBuf};
use std::time::Instant;

type Shape = (&'static str, &'static str, fn(usize) -> String);

/// (name, file extension, generator of a file with `n` objects)
const SHAPES: &[Shape] = &[
    ("ServiceAccounts sharing one role", "yaml", shared_role),
    (
        "IRSA ServiceAccounts in one namespace",
        "yaml",
        one_namespace,
    ),
    ("instances in distinct groups", "json", instances),
    ("CloudFormation roles and policies", "yaml", cloudformation),
    ("one-line get-role listing", "json", one_line_roles),
    ("one wide JSON object", "json", wide_object),
    (
        "bindings of one large ClusterRole",
        "yaml",
        bindings_of_one_role,
    ),
    ("token names over many namespaces", "yaml", token_names),
    ("one binding of many subjects", "yaml", binding_subjects),
    (
        "a trust statement per provider",
        "yaml",
        statement_per_provider,
    ),
    (
        "one trust condition of many subjects",
        "yaml",
        many_subjects,
    ),
    (
        "provider statements and a NotPrincipal",
        "yaml",
        provider_statements_and_not_principal,
    ),
    ("statements trusting * per issuer", "yaml", star_per_issuer),
    ("providers denied alike", "yaml", providers_denied_alike),
    (
        "providers denying all but one subject",
        "yaml",
        providers_denying_all_but_one,
    ),
    (
        "providers denied on another issuer's key",
        "yaml",
        providers_denied_on_another_key,
    ),
];

/// `head`, then `item(i)` for each of `n` objects.
fn repeated(n: usize, head: &str, item: impl Fn(usize) -> String) -> String {
    let mut out = String::from(head);
    for i in 0..n {
        out.push_str(&item(i));
    }
    out
}

fn shared_role(n: usize) -> String {
    repeated(n, "", |i| {
        format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shared\n")
    })
}

fn one_namespace(n: usize) -> String {
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployers\n  namespace: team\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n- kind: Group\n  name: deployers\n";
    repeated(n, binding, |i| {
        format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: team\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r{i}\n")
    })
}

fn instances(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"InstanceId": "i-{i:017x}", "IamInstanceProfile": {{"Arn": "arn:aws:iam::111122223333:instance-profile/p{i}"}}, "MetadataOptions": {{"HttpTokens": "optional", "HttpPutResponseHopLimit": 2}}, "Tags": [{{"Key": "aws:autoscaling:groupName", "Value": "asg-{i}"}}, {{"Key": "kubernetes.io/cluster/prod", "Value": "owned"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Reservations": [{{"Instances": [{}]}}]}}"#,
        items.join(",\n")
    )
}

fn cloudformation(n: usize) -> String {
    repeated(
        n,
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n",
        |i| {
            format!("  Role{i}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: role-{i}\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {{Service: ec2.amazonaws.com}}\n            Action: sts:AssumeRole\n  Policy{i}:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p{i}\n      Roles: [!Ref Role{i}]\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n")
        },
    )
}

fn one_line_roles(n: usize) -> String {
    let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    let roles: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"RoleName": "r{i}", "Arn": "arn:aws:iam::111122223333:role/r{i}", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringLike": {{"{issuer}:sub": "system:serviceaccount:ns{i}:*"}}}}}}]}}}}"#
            )
        })
        .collect();
    format!(r#"{{"Roles": [{}]}}"#, roles.join(", "))
}

fn wide_object(n: usize) -> String {
    let keys: Vec<String> = (0..n * 10).map(|i| format!(r#""key{i}": {i}"#)).collect();
    format!("{{{}}}", keys.join(", "))
}

/// A ClusterRole of `n` rules (the last lets it create pods and read ConfigMaps and Secrets)
/// bound by `n` ClusterRoleBindings, beside one IRSA ServiceAccount.
fn bindings_of_one_role(n: usize) -> String {
    let rules = repeated(n, "", |i| {
        format!("- apiGroups: [\"\"]\n  resources: [r{i}]\n  verbs: [get]\n")
    });
    let role = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: big\nrules:\n{rules}- apiGroups: [\"\"]\n  resources: [pods, configmaps, secrets]\n  verbs: [create, get, update]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: worker\n  namespace: team\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/worker\n");
    repeated(n, &role, |i| {
        format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b{i}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: big\nsubjects:\n- kind: Group\n  name: g{i}\n")
    })
}

/// A ClusterRole that names `n` ServiceAccounts for token requests, bound cluster-wide, and `n`
/// namespaces each holding one of them with an IAM role.
fn token_names(n: usize) -> String {
    let names: Vec<String> = (0..n).map(|i| format!("sa{i}")).collect();
    let head = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: minter\nrules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts/token]\n  resourceNames: [{}]\n  verbs: [create]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: minters\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: minter\nsubjects:\n- kind: Group\n  name: ci\n", names.join(", "));
    repeated(n, &head, |i| {
        format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r{i}\n")
    })
}

/// One ClusterRoleBinding of `n` ServiceAccounts to `cluster-admin`, each in its own namespace
/// with an IAM role (RBAC006 and RBAC007 report every namespace, each naming the subjects).
fn binding_subjects(n: usize) -> String {
    let subjects = repeated(n, "", |i| {
        format!("- kind: ServiceAccount\n  name: sa{i}\n  namespace: ns{i}\n")
    });
    let head = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: everyone\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n{subjects}");
    repeated(n, &head, |i| {
        format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r{i}\n")
    })
}

/// `get-role` output of one role whose trust policy has a statement per OIDC provider (`n` of
/// them), and `n` ServiceAccounts naming that role (SA002 judges each
/// against every provider).
fn statement_per_provider(n: usize) -> String {
    let statements = per_issuer(n, |i, issuer| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:ns{i}:sa{i}", "{issuer}:aud": "sts.amazonaws.com"}}}}}}"#
        )
    });
    with_service_accounts(n, &statements.join(", "))
}

/// A statement per provider (`n`) trusting a subject no ServiceAccount has, one more that
/// trusts every provider but one (`NotPrincipal`) on a condition no token meets, and `n`
/// ServiceAccounts naming the role: each is rejected, and SA002 once judged each through every
/// provider, since the `NotPrincipal` statement may admit it through any.
fn provider_statements_and_not_principal(n: usize) -> String {
    let mut statements = per_issuer(n, |i, issuer| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:other:sa{i}"}}}}}}"#
        )
    });
    statements.push(r#"{"Effect": "Allow", "NotPrincipal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/example.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x"}}}"#.to_string());
    with_service_accounts(n, &statements.join(", "))
}

/// `n` statements trusting `*`, each on another issuer's `sub`, one trusting a provider, and
/// `n` ServiceAccounts it rejects: judging one once read every `*` statement.
fn star_per_issuer(n: usize) -> String {
    let mut statements = per_issuer(n, |i, issuer| {
        format!(
            r#"{{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:other:sa{i}"}}}}}}"#
        )
    });
    let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    statements.push(format!(
        r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:x:y"}}}}}}"#
    ));
    with_service_accounts(n, &statements.join(", "))
}

/// For each of `n` providers, an Allow for a subject no ServiceAccount has and a Deny of every
/// ServiceAccount on its own issuer's `sub`; a `*` Allow; and `n` ServiceAccounts naming the
/// role: each is rejected, and SA002 once judged each through every provider, whose Denies
/// differ only by their issuer.
fn providers_denied_alike(n: usize) -> String {
    denied_per_provider(n, |_, issuer| {
        format!(r#""StringLike": {{"{issuer}:sub": "system:serviceaccount:*"}}"#)
    })
}

/// As [`providers_denied_alike`], but each Deny spares one subject of its own, so the Denies
/// differ.
fn providers_denying_all_but_one(n: usize) -> String {
    denied_per_provider(n, |i, issuer| {
        format!(r#""StringNotEquals": {{"{issuer}:sub": "system:serviceaccount:x:only{i}"}}"#)
    })
}

/// As [`providers_denying_all_but_one`], but each Deny's key is the next provider's `sub`: a
/// provider's requests lack it, so its Deny applies to every one of them.
fn providers_denied_on_another_key(n: usize) -> String {
    denied_per_provider(n, |i, _| {
        let next = issuer(i + 1);
        format!(r#""StringNotEquals": {{"{next}:sub": "system:serviceaccount:x:only{i}"}}"#)
    })
}

/// For each of `n` providers, an Allow for a subject no ServiceAccount has and a Deny on the
/// conditions `deny(i, issuer)`; a `*` Allow; then `n` ServiceAccounts naming the role.
fn denied_per_provider(n: usize, deny: impl Fn(usize, &str) -> String) -> String {
    let mut statements = per_issuer(n, |i, issuer| {
        let provider = format!("arn:aws:iam::111122223333:oidc-provider/{issuer}");
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "{provider}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": "system:serviceaccount:other:sa{i}"}}}}}}, {{"Effect": "Deny", "Principal": {{"Federated": "{provider}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{{}}}}}"#,
            deny(i, issuer)
        )
    });
    statements.push(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}"#
            .to_string(),
    );
    with_service_accounts(n, &statements.join(", "))
}

/// One trust statement whose `sub` condition lists `n` subjects, and `n` ServiceAccounts.
fn many_subjects(n: usize) -> String {
    let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    let subjects: Vec<String> = (0..n)
        .map(|i| format!(r#""system:serviceaccount:ns{i}:sa{i}""#))
        .collect();
    let statement = format!(
        r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": [{}], "{issuer}:aud": "sts.amazonaws.com"}}}}}}"#,
        subjects.join(", ")
    );
    with_service_accounts(n, &statement)
}

/// One trust statement for each of `n` OIDC issuers: `statement(i, issuer)`.
fn per_issuer(n: usize, statement: impl Fn(usize, &str) -> String) -> Vec<String> {
    (0..n).map(|i| statement(i, &issuer(i))).collect()
}

/// The `i`-th OIDC issuer of [`per_issuer`].
fn issuer(i: usize) -> String {
    format!("oidc.eks.eu-west-1.amazonaws.com/id/{i:032X}")
}

/// A `get-role` document (JSON, as YAML reads it) of role `shared` with these trust statements,
/// then `n` ServiceAccounts annotated with it.
fn with_service_accounts(n: usize, statements: &str) -> String {
    let head = format!(
        "---\n{{\"Role\": {{\"RoleName\": \"shared\", \"Arn\": \"arn:aws:iam::111122223333:role/shared\", \"AssumeRolePolicyDocument\": {{\"Version\": \"2012-10-17\", \"Statement\": [{statements}]}}}}}}\n"
    );
    repeated(n, &head, |i| {
        format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shared\n")
    })
}

/// Wall time of the release binary linting `path` (human report to /dev/null), in seconds.
fn lint_seconds(binary: &Path, path: &Path) -> f64 {
    let start = Instant::now();
    let status = std::process::Command::new(binary)
        .args(["lint", "--no-config", "--complete"])
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if let Err(e) = status {
        eprintln!("cannot run {}: {e}", binary.display());
        std::process::exit(2);
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/ekstrust");
    if !binary.exists() {
        eprintln!("build the release binary first: cargo build --release");
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("ekstrust-scale-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(2);
    }
    println!("{:<40} {:>10} {:>10} {:>7}", "shape", "N", "4N", "ratio");
    for (name, ext, generate) in SHAPES {
        let mut times = Vec::new();
        for size in [n, 4 * n] {
            let path = dir.join(format!("probe-{size}.{ext}"));
            if let Err(e) = std::fs::write(&path, generate(size)) {
                eprintln!("cannot write {}: {e}", path.display());
                std::process::exit(2);
            }
            times.push(lint_seconds(&binary, &path));
            let _ = std::fs::remove_file(&path);
        }
        let (small, large) = (times[0], times[1]);
        println!(
            "{name:<40} {:>9.2}s {:>9.2}s {:>6.1}x",
            small,
            large,
            large / small.max(1e-6)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
