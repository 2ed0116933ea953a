//! End-to-end live audit against the project's loopback servers (`tests/live/servers.sh`, started
//! by `.ci/run`): moto behind a proxy for IAM and EKS, and an HTTPS Kubernetes API server with an
//! exec-credential kubeconfig. Seeds AWS through the SDK, audits, checks the findings point into
//! the snapshot, re-lints the snapshot offline, and checks that nothing was written.

#![cfg(feature = "audit")]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Live {
    dir: PathBuf,
    kubeconfig: String,
    kube_url: String,
    aws_url: String,
    moto_url: String,
}

fn live() -> Option<Live> {
    let dir = std::env::var("EKSTRUST_LIVE_DIR").ok()?;
    Some(Live {
        dir: PathBuf::from(dir),
        kubeconfig: std::env::var("EKSTRUST_LIVE_KUBECONFIG").ok()?,
        kube_url: std::env::var("EKSTRUST_LIVE_KUBE_URL").ok()?,
        aws_url: std::env::var("EKSTRUST_LIVE_AWS_URL").ok()?,
        moto_url: std::env::var("EKSTRUST_LIVE_MOTO_URL").ok()?,
    })
}

/// A plain HTTP request to a loopback server; returns the body.
fn http(url: &str, method: &str, body: &str) -> String {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

async fn seed(moto: &str) -> String {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let iam = aws_sdk_iam::Client::new(&config);
    let eks = aws_sdk_eks::Client::new(&config);
    let cluster = eks
        .create_cluster()
        .name("prod")
        .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
        .resources_vpc_config(aws_sdk_eks::types::VpcConfigRequest::builder().build())
        .send()
        .await
        .unwrap();
    let issuer = cluster
        .cluster()
        .and_then(|c| c.identity())
        .and_then(|i| i.oidc())
        .and_then(|o| o.issuer())
        .unwrap()
        .trim_start_matches("https://")
        .to_string();
    // IRSA role with no `sub` condition (TRUST001).
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::123456789012:oidc-provider/{issuer}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{issuer}:aud":"sts.amazonaws.com"}}}}}}]}}"#
    );
    iam.create_role()
        .role_name("payments-api")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    // Node role with S3 full access, mapped in aws-auth (NODE001).
    let node_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    iam.create_role()
        .role_name("eks-nodes")
        .assume_role_policy_document(node_trust)
        .send()
        .await
        .unwrap();
    for p in ["AmazonEKSWorkerNodePolicy", "AmazonS3FullAccess"] {
        iam.attach_role_policy()
            .role_name("eks-nodes")
            .policy_arn(format!("arn:aws:iam::aws:policy/{p}"))
            .send()
            .await
            .unwrap();
    }
    // Karpenter's node role, known to be one only from the cluster's EC2NodeClass (NODE001).
    iam.create_role()
        .role_name("karpenter-nodes")
        .assume_role_policy_document(node_trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("karpenter-nodes")
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3FullAccess")
        .send()
        .await
        .unwrap();
    // A role in the instance profile another EC2NodeClass names instead of a role: fetched only
    // through the profile (NODE001).
    iam.create_role()
        .role_name("karpenter-gpu-nodes")
        .assume_role_policy_document(node_trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("karpenter-gpu-nodes")
        .policy_arn("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
        .send()
        .await
        .unwrap();
    iam.create_instance_profile()
        .instance_profile_name("karpenter-gpu-profile")
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name("karpenter-gpu-profile")
        .role_name("karpenter-gpu-nodes")
        .send()
        .await
        .unwrap();
    // A node group whose launch template allows IMDSv1 with a hop limit of 2 (NODE003).
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let lt = ec2
        .create_launch_template()
        .launch_template_name("eks-prod-general")
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .metadata_options(
                    aws_sdk_ec2::types::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                        .http_tokens(aws_sdk_ec2::types::LaunchTemplateHttpTokensState::Optional)
                        .http_put_response_hop_limit(2)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let lt_id = lt
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .unwrap()
        .to_string();
    eks.create_nodegroup()
        .cluster_name("prod")
        .nodegroup_name("general")
        .node_role("arn:aws:iam::123456789012:role/eks-nodes")
        .subnets("subnet-00000001")
        .launch_template(
            aws_sdk_eks::types::LaunchTemplateSpecification::builder()
                .id(lt_id)
                .version("1")
                .build(),
        )
        .send()
        .await
        .unwrap();
    // An AL2 node group without a launch template: EKS's defaults let pods reach IMDS (NODE003).
    eks.create_nodegroup()
        .cluster_name("prod")
        .nodegroup_name("legacy")
        .node_role("arn:aws:iam::123456789012:role/eks-nodes")
        .subnets("subnet-00000001")
        .ami_type(aws_sdk_eks::types::AmiTypes::Al2X8664)
        .send()
        .await
        .unwrap();
    // A self-managed node: an instance tagged for the cluster, whose instance profile holds a
    // role that nothing else names (NODE001 through describe-instances).
    iam.create_role()
        .role_name("self-managed-nodes")
        .assume_role_policy_document(node_trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("self-managed-nodes")
        .policy_arn("arn:aws:iam::aws:policy/AmazonSQSFullAccess")
        .send()
        .await
        .unwrap();
    iam.create_instance_profile()
        .instance_profile_name("self-managed-workers")
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name("self-managed-workers")
        .role_name("self-managed-nodes")
        .send()
        .await
        .unwrap();
    let tag = |key: &str, value: &str| {
        aws_sdk_ec2::types::TagSpecification::builder()
            .resource_type(aws_sdk_ec2::types::ResourceType::Instance)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build(),
            )
            .build()
    };
    ec2.run_instances()
        .image_id("ami-03cf127a")
        .min_count(1)
        .max_count(2)
        .iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name("self-managed-workers")
                .build(),
        )
        .tag_specifications(tag("kubernetes.io/cluster/prod", "owned"))
        .metadata_options(
            aws_sdk_ec2::types::InstanceMetadataOptionsRequest::builder()
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::Optional)
                .http_put_response_hop_limit(1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    issuer
}

fn run(args: &[&str], live: &Live) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", &live.aws_url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn findings(json: &[u8]) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(json).unwrap();
    let mut out: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}:{}",
                    f["file"].as_str().unwrap(),
                    f["start"]["line"],
                    f["start"]["column"]
                ),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn live_audit_end_to_end() {
    let Some(live) = live() else {
        eprintln!("EKSTRUST_LIVE_DIR not set: live test servers not running (.ci/run starts them)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _issuer = runtime.block_on(seed(&live.moto_url));
    // Pod Identity association for a ServiceAccount that does not exist (PODID004).
    http(
        &format!("{}/_seed", live.aws_url),
        "POST",
        r#"{"associations":[{"clusterName":"prod","namespace":"payments","serviceAccount":"ghost","roleArn":"arn:aws:iam::123456789012:role/payments-api","associationArn":"arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/a-0123456789abcdef0","associationId":"a-0123456789abcdef0"}]}"#,
    );

    let snapshot = live.dir.join("snapshot");
    let _ = std::fs::remove_dir_all(&snapshot);
    let audit = run(
        &[
            "audit",
            "--no-config",
            "--kubeconfig",
            &live.kubeconfig,
            "--cluster",
            "prod",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--page-size",
            "3",
            "--format",
            "json",
        ],
        &live,
    );
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert_eq!(
        audit.status.code(),
        Some(1),
        "exit code follows the findings; stderr: {stderr}"
    );
    // The forbidden namespace is named, and the rest was audited.
    assert!(stderr.contains("pods in namespace secret-ns"), "{stderr}");
    let found = findings(&audit.stdout);
    for rule in ["TRUST001", "NODE001", "NODE003", "PODID004", "RBAC006"] {
        let hit = found
            .iter()
            .find(|(r, _)| r == rule)
            .unwrap_or_else(|| panic!("{rule} missing: {found:?}"));
        assert!(
            Path::new(hit.1.split(':').next().unwrap()).starts_with(&snapshot)
                || hit.1.contains("snapshot"),
            "{rule} not in the snapshot: {}",
            hit.1
        );
    }
    // Karpenter: the EC2NodeClass was listed (the server serves it as v1beta1 only, so v1 gave 404
    // and the auditor fell back), its hop limit reported, and its node role fetched from IAM and
    // judged as a node role.
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let message_of =
        |rule: &str, needle: &str| {
            report["findings"].as_array().unwrap().iter().any(|f| {
                f["rule"] == rule && f["message"].as_str().is_some_and(|m| m.contains(needle))
            })
        };
    assert!(
        message_of(
            "NODE003",
            "Karpenter EC2NodeClass general: the hop limit is 2"
        ),
        "{found:?}"
    );
    // An AWSNodeTemplate (Karpenter before v0.32) without metadataOptions: the default hop limit.
    assert!(
        message_of(
            "NODE003",
            "Karpenter AWSNodeTemplate legacy: the hop limit is 2 (the karpenter.k8s.aws/v1alpha1 default"
        ),
        "{found:?}"
    );
    assert!(
        message_of(
            "NODE003",
            "node group legacy: the hop limit is 2 (EKS's default for an AL2 node group"
        ),
        "{found:?}"
    );
    assert!(
        !message_of(
            "NODE003",
            "node group general: the hop limit is 2 (EKS's default"
        ),
        "{found:?}"
    );
    assert!(message_of("NODE001", "karpenter-nodes"), "{found:?}");
    assert!(
        message_of(
            "NODE001",
            "`karpenter-gpu-nodes` (the role of instance profile karpenter-gpu-profile"
        ),
        "{found:?}"
    );
    assert!(
        message_of(
            "NODE001",
            "`self-managed-nodes` (the role of instance profile arn:aws:iam::123456789012:instance-profile/self-managed-workers of EC2 instance i-"
        ),
        "{found:?}"
    );
    // That instance's own metadata options (NODE003): IMDSv1 allowed on the running node.
    assert!(message_of("NODE003", "EC2 instance i-"), "{found:?}");
    // Pagination: all ServiceAccounts arrived although pages hold 3.
    let sas: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(snapshot.join("kubernetes/serviceaccounts.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sas["items"].as_array().unwrap().len(), 9);

    // Offline, the snapshot gives the same findings.
    let offline = run(
        &[
            "lint",
            "--no-config",
            "--complete",
            "--format",
            "json",
            snapshot.to_str().unwrap(),
        ],
        &live,
    );
    assert_eq!(findings(&offline.stdout), found);

    // Read-only: neither server saw a write.
    let aws = http(&format!("{}/_mutations", live.aws_url), "GET", "");
    assert!(aws.contains("\"mutations\": []"), "AWS writes: {aws}");
    let kube = Command::new("curl")
        .args(["-sk", &format!("{}/_ekstrust/mutations", live.kube_url)])
        .output()
        .unwrap();
    let kube = String::from_utf8_lossy(&kube.stdout);
    assert!(
        kube.contains("\"mutations\": []"),
        "Kubernetes writes: {kube}"
    );
}
