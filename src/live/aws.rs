//! AWS side of the audit through aws-sdk-iam and aws-sdk-eks (default credential chain, SSO and
//! credential_process profiles): the cluster's OIDC issuer, node groups, access entries with their
//! access policies, Pod Identity associations, and every role whose trust can matter, with trust
//! and permission policies and RoleLastUsed. Written as documented JSON shapes `lint` reads.

use super::kube::KubeFacts;
use super::{progress, write_json, AuditOptions, Warnings};
use aws_config::retry::RetryConfig;
use aws_config::BehaviorVersion;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// IAM API documents are URL-encoded; decode and parse, keeping the text when it is not JSON.
fn document(encoded: &str) -> Value {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = if byte == b'%' {
            encoded
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    serde_json::from_str(&text).unwrap_or(Value::String(encoded.to_string()))
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("AWS {what}: {e}")
}

pub async fn fetch(
    opts: &AuditOptions,
    kube: &KubeFacts,
    warnings: &Warnings,
) -> Result<(), String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(5));
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    let shared = loader.load().await;
    let iam = aws_sdk_iam::Client::new(&shared);
    let eks = aws_sdk_eks::Client::new(&shared);
    let ec2 = aws_sdk_ec2::Client::new(&shared);
    let dir = opts.snapshot.join("aws");

    // EKS: the cluster, node groups, access entries, Pod Identity associations.
    let mut issuer_host: Option<String> = None;
    let mut node_roles: Vec<String> = Vec::new();
    let mut principals: Vec<String> = Vec::new();
    let mut association_roles: Vec<String> = Vec::new();
    // Names of the instance profiles the cluster's EC2 instances run with.
    let mut instance_profile_names: Vec<String> = Vec::new();
    if let Some(cluster) = &opts.cluster {
        progress(opts.progress, "EKS: describe-cluster");
        let c = eks
            .describe_cluster()
            .name(cluster)
            .send()
            .await
            .map_err(|e| {
                err(
                    "DescribeCluster",
                    aws_sdk_eks::error::DisplayErrorContext(e),
                )
            })?;
        let c = c.cluster();
        let issuer = c
            .and_then(|c| c.identity())
            .and_then(|i| i.oidc())
            .and_then(|o| o.issuer())
            .unwrap_or_default();
        issuer_host =
            Some(issuer.trim_start_matches("https://").to_string()).filter(|s| !s.is_empty());
        write_json(
            &dir,
            "eks-cluster.json",
            &json!({"cluster": {
                "name": cluster,
                "arn": c.and_then(|c| c.arn()),
                "identity": {"oidc": {"issuer": issuer}},
                "accessConfig": {"authenticationMode": c.and_then(|c| c.access_config()).and_then(|a| a.authentication_mode()).map(|m| m.as_str())},
            }}),
        )?;

        progress(opts.progress, "EKS: node groups");
        let mut nodegroups = Vec::new();
        let mut templates: Vec<(Option<String>, Option<String>, String)> = Vec::new();
        let mut names = eks
            .list_nodegroups()
            .cluster_name(cluster)
            .into_paginator()
            .items()
            .send();
        while let Some(name) = names.next().await {
            let name = name
                .map_err(|e| err("ListNodegroups", aws_sdk_eks::error::DisplayErrorContext(e)))?;
            let ng = eks
                .describe_nodegroup()
                .cluster_name(cluster)
                .nodegroup_name(&name)
                .send()
                .await
                .map_err(|e| {
                    err(
                        "DescribeNodegroup",
                        aws_sdk_eks::error::DisplayErrorContext(e),
                    )
                })?;
            if let Some(ng) = ng.nodegroup() {
                node_roles.extend(ng.node_role().map(String::from));
                if let Some(lt) = ng.launch_template() {
                    templates.push((
                        lt.id().map(String::from),
                        lt.name().map(String::from),
                        lt.version().unwrap_or("$Default").to_string(),
                    ));
                }
                nodegroups.push(json!({
                    "nodegroupName": ng.nodegroup_name(),
                    "nodeRole": ng.node_role(),
                    // Without a launch template, the AMI type decides IMDS (NODE003).
                    "amiType": ng.ami_type().map(|a| a.as_str()),
                    "launchTemplate": ng.launch_template().map(|lt| json!({"name": lt.name(), "id": lt.id(), "version": lt.version()})),
                }));
            }
        }
        write_json(
            &dir,
            "eks-nodegroups.json",
            &json!({"nodegroups": nodegroups}),
        )?;

        // IMDS settings of the node groups' launch templates.
        let mut versions = Vec::new();
        for (id, name, version) in &templates {
            let mut req = ec2.describe_launch_template_versions().versions(version);
            req = match (id, name) {
                (Some(id), _) => req.launch_template_id(id),
                (None, Some(name)) => req.launch_template_name(name),
                (None, None) => continue,
            };
            match req.send().await {
                Ok(out) => {
                    for v in out.launch_template_versions() {
                        let md = v.launch_template_data().and_then(|d| d.metadata_options());
                        versions.push(json!({
                            "LaunchTemplateId": v.launch_template_id(),
                            "LaunchTemplateName": v.launch_template_name(),
                            "VersionNumber": v.version_number(),
                            "LaunchTemplateData": {"MetadataOptions": {
                                "HttpEndpoint": md.and_then(|m| m.http_endpoint()).map(|e| e.as_str()),
                                "HttpTokens": md.and_then(|m| m.http_tokens()).map(|t| t.as_str()),
                                "HttpPutResponseHopLimit": md.and_then(|m| m.http_put_response_hop_limit()),
                            }},
                        }));
                    }
                }
                Err(e) => warnings.push(format!(
                    "EC2: could not read launch template {}: {}",
                    id.as_deref().or(name.as_deref()).unwrap_or("?"),
                    aws_sdk_ec2::error::DisplayErrorContext(e)
                )),
            }
        }
        write_json(
            &dir,
            "ec2-launch-template-versions.json",
            &json!({"LaunchTemplateVersions": versions}),
        )?;

        // EC2: instances tagged for the cluster are its nodes however they were launched
        // (self-managed groups included); their instance profiles hold node roles.
        progress(opts.progress, "EC2: the cluster's instances");
        let tag_filter = aws_sdk_ec2::types::Filter::builder()
            .name("tag-key")
            .values(format!("kubernetes.io/cluster/{cluster}"))
            .build();
        let state_filter = aws_sdk_ec2::types::Filter::builder()
            .name("instance-state-name")
            .set_values(Some(
                ["pending", "running", "stopping", "stopped"]
                    .map(String::from)
                    .to_vec(),
            ))
            .build();
        let mut instances = Vec::new();
        let mut reservations = ec2
            .describe_instances()
            .filters(tag_filter)
            .filters(state_filter)
            .into_paginator()
            .items()
            .send();
        while let Some(reservation) = reservations.next().await {
            let reservation = match reservation {
                Ok(r) => r,
                Err(e) => {
                    warnings.push(format!(
                        "EC2: could not list the cluster's instances: {}",
                        aws_sdk_ec2::error::DisplayErrorContext(e)
                    ));
                    break;
                }
            };
            for i in reservation.instances() {
                let profile = i.iam_instance_profile().and_then(|p| p.arn());
                if let Some(name) = profile.and_then(|arn| arn.rsplit('/').next()) {
                    instance_profile_names.push(name.to_string());
                }
                // Only the tags that make it a node and say what launched it: the snapshot keeps
                // no other tag values.
                let tags: Vec<_> = i
                    .tags()
                    .iter()
                    .filter(|t| t.key().is_some_and(crate::loader::eks_api::is_node_tag))
                    .map(|t| json!({"Key": t.key(), "Value": t.value()}))
                    .collect();
                let md = i.metadata_options();
                instances.push(json!({
                    "InstanceId": i.instance_id(),
                    "IamInstanceProfile": profile.map(|arn| json!({"Arn": arn})),
                    "MetadataOptions": {
                        "HttpEndpoint": md.and_then(|m| m.http_endpoint()).map(|e| e.as_str()),
                        "HttpTokens": md.and_then(|m| m.http_tokens()).map(|t| t.as_str()),
                        "HttpPutResponseHopLimit": md.and_then(|m| m.http_put_response_hop_limit()),
                    },
                    "Tags": tags,
                }));
            }
        }
        write_json(
            &dir,
            "ec2-instances.json",
            &json!({"Reservations": [{"Instances": instances}]}),
        )?;

        progress(opts.progress, "EKS: access entries");
        let mut entries = Vec::new();
        let mut arns = eks
            .list_access_entries()
            .cluster_name(cluster)
            .into_paginator()
            .items()
            .send();
        while let Some(arn) = arns.next().await {
            let arn = match arn {
                Ok(a) => a,
                Err(e) => {
                    warnings.push(format!(
                        "EKS: could not list access entries: {}",
                        aws_sdk_eks::error::DisplayErrorContext(e)
                    ));
                    break;
                }
            };
            let entry = eks
                .describe_access_entry()
                .cluster_name(cluster)
                .principal_arn(&arn)
                .send()
                .await
                .map_err(|e| {
                    err(
                        "DescribeAccessEntry",
                        aws_sdk_eks::error::DisplayErrorContext(e),
                    )
                })?;
            let Some(entry) = entry.access_entry() else {
                continue;
            };
            let mut policies = Vec::new();
            let mut pols = eks
                .list_associated_access_policies()
                .cluster_name(cluster)
                .principal_arn(&arn)
                .into_paginator()
                .send();
            while let Some(page) = pols.next().await {
                let page = page.map_err(|e| {
                    err(
                        "ListAssociatedAccessPolicies",
                        aws_sdk_eks::error::DisplayErrorContext(e),
                    )
                })?;
                for p in page.associated_access_policies() {
                    policies.push(json!({
                        "policyArn": p.policy_arn(),
                        "accessScope": p.access_scope().map(|s| json!({"type": s.r#type().map(|t| t.as_str()), "namespaces": s.namespaces()})),
                    }));
                }
            }
            principals.push(arn.clone());
            entries.push(json!({
                "principalArn": entry.principal_arn(),
                "type": entry.r#type(),
                "username": entry.username(),
                "kubernetesGroups": entry.kubernetes_groups(),
                "associatedAccessPolicies": policies,
            }));
        }
        write_json(
            &dir,
            "eks-access-entries.json",
            &json!({"accessEntries": entries}),
        )?;

        progress(opts.progress, "EKS: Pod Identity associations");
        let mut associations = Vec::new();
        let mut summaries = eks
            .list_pod_identity_associations()
            .cluster_name(cluster)
            .into_paginator()
            .send();
        while let Some(page) = summaries.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    warnings.push(format!(
                        "EKS: could not list Pod Identity associations: {}",
                        aws_sdk_eks::error::DisplayErrorContext(e)
                    ));
                    break;
                }
            };
            for s in page.associations() {
                let Some(id) = s.association_id() else {
                    continue;
                };
                let a = eks
                    .describe_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id)
                    .send()
                    .await
                    .map_err(|e| {
                        err(
                            "DescribePodIdentityAssociation",
                            aws_sdk_eks::error::DisplayErrorContext(e),
                        )
                    })?;
                if let Some(a) = a.association() {
                    association_roles.extend(a.role_arn().map(String::from));
                    associations.push(json!({
                        "associationId": a.association_id(),
                        "namespace": a.namespace(),
                        "serviceAccount": a.service_account(),
                        "roleArn": a.role_arn(),
                    }));
                }
            }
        }
        write_json(
            &dir,
            "eks-pod-identity-associations.json",
            &json!({"associations": associations}),
        )?;
    } else {
        warnings.push("EKS: no --cluster given; cluster issuer, node groups, access entries and Pod Identity associations were not read".into());
    }

    // IAM: the account's OIDC providers (which issuers roles can federate at all).
    progress(opts.progress, "IAM: OIDC providers");
    let mut providers = Vec::new();
    match iam.list_open_id_connect_providers().send().await {
        Ok(list) => {
            for p in list.open_id_connect_provider_list() {
                let Some(arn) = p.arn() else { continue };
                let detail = iam
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(arn)
                    .send()
                    .await
                    .ok();
                providers.push(json!({
                    "Arn": arn,
                    "Url": detail.as_ref().and_then(|d| d.url()),
                    "ClientIDList": detail.as_ref().map(|d| d.client_id_list().to_vec()).unwrap_or_default(),
                }));
            }
        }
        Err(e) => warnings.push(format!(
            "IAM: could not list OIDC providers: {}",
            aws_sdk_iam::error::DisplayErrorContext(e)
        )),
    }
    write_json(
        &dir,
        "iam-oidc-providers.json",
        &json!({"OpenIDConnectProviderList": providers}),
    )?;

    // IAM: the instance profiles EC2NodeClasses name instead of a role, and those the cluster's
    // instances run with, so that their roles are fetched below and the snapshot says which
    // role each profile holds.
    let mut profiles = Vec::new();
    let mut profile_roles: Vec<String> = Vec::new();
    // Several classes and instances may share one profile: read each once.
    let profile_names: BTreeSet<&String> = kube
        .karpenter_instance_profiles
        .iter()
        .chain(&instance_profile_names)
        .collect();
    for name in &profile_names {
        progress(opts.progress, &format!("IAM: instance profile {name}"));
        match iam
            .get_instance_profile()
            .instance_profile_name(name.as_str())
            .send()
            .await
        {
            Ok(found) => {
                let Some(p) = found.instance_profile() else {
                    continue;
                };
                let mut roles = Vec::new();
                for r in p.roles() {
                    roles.push(json!({"RoleName": r.role_name(), "Arn": r.arn()}));
                    profile_roles.push(r.arn().to_string());
                }
                profiles.push(json!({
                    "InstanceProfileName": p.instance_profile_name(),
                    "Arn": p.arn(),
                    "Roles": roles,
                }));
            }
            Err(e) => warnings.push(format!(
                "IAM: could not read instance profile {name}: {}",
                aws_sdk_iam::error::DisplayErrorContext(e)
            )),
        }
    }
    if !profile_names.is_empty() {
        write_json(
            &dir,
            "iam-instance-profiles.json",
            &json!({"InstanceProfiles": profiles}),
        )?;
    }

    // IAM: every role whose trust can matter.
    progress(opts.progress, "IAM: roles");
    let wanted_arns: HashSet<String> = kube
        .annotated_roles
        .iter()
        .chain(&node_roles)
        .chain(&principals)
        .chain(&association_roles)
        // EC2NodeClass roles given as ARNs; those given by name are matched below.
        .chain(&kube.karpenter_node_roles)
        .chain(&profile_roles)
        .map(|a| a.to_ascii_lowercase())
        .collect();
    let mut selected = Vec::new();
    let mut roles = iam.list_roles().into_paginator().items().send();
    while let Some(role) = roles.next().await {
        let role =
            role.map_err(|e| err("ListRoles", aws_sdk_iam::error::DisplayErrorContext(e)))?;
        let trust = role
            .assume_role_policy_document()
            .map(document)
            .unwrap_or(Value::Null);
        let trust_text = trust.to_string();
        let relevant = wanted_arns.contains(&role.arn().to_ascii_lowercase())
            || trust_text.contains("pods.eks.amazonaws.com")
            || issuer_host
                .as_deref()
                .is_some_and(|h| trust_text.contains(h))
            || (issuer_host.is_none() && trust_text.contains("oidc.eks."))
            || kube.aws_auth_text.contains(role.arn())
            || kube
                .aws_auth_text
                .contains(&format!(":role/{}", role.role_name()))
            || kube
                .karpenter_node_roles
                .iter()
                .any(|r| r == role.role_name());
        if relevant {
            selected.push((
                role.role_name().to_string(),
                role.arn().to_string(),
                role.path().to_string(),
                trust,
            ));
        }
    }
    let mut details = Vec::new();
    let mut managed: BTreeMap<String, Value> = BTreeMap::new();
    for (n, (name, arn, path, trust)) in selected.iter().enumerate() {
        progress(
            opts.progress,
            &format!("IAM: role {}/{} {name}", n + 1, selected.len()),
        );
        let last_used = iam
            .get_role()
            .role_name(name)
            .send()
            .await
            .ok()
            .and_then(|r| {
                r.role()
                    .and_then(|r| r.role_last_used())
                    .and_then(|u| u.last_used_date())
                    .and_then(|d| {
                        d.fmt(aws_sdk_iam::primitives::DateTimeFormat::DateTime)
                            .ok()
                    })
            });
        let mut attached = Vec::new();
        let mut pages = iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| {
                err(
                    "ListAttachedRolePolicies",
                    aws_sdk_iam::error::DisplayErrorContext(e),
                )
            })?;
            let policy_arn = p.policy_arn().unwrap_or_default().to_string();
            if !managed.contains_key(&policy_arn) {
                let version = iam
                    .get_policy()
                    .policy_arn(&policy_arn)
                    .send()
                    .await
                    .ok()
                    .and_then(|r| {
                        r.policy()
                            .and_then(|p| p.default_version_id().map(String::from))
                    });
                let doc = match &version {
                    Some(v) => iam
                        .get_policy_version()
                        .policy_arn(&policy_arn)
                        .version_id(v)
                        .send()
                        .await
                        .ok()
                        .and_then(|r| {
                            r.policy_version()
                                .and_then(|pv| pv.document().map(document))
                        }),
                    None => None,
                };
                managed.insert(policy_arn.clone(), json!({
                    "PolicyName": p.policy_name(),
                    "Arn": policy_arn,
                    "DefaultVersionId": version,
                    "PolicyVersionList": doc.map(|d| vec![json!({"Document": d, "VersionId": version, "IsDefaultVersion": true})]).unwrap_or_default(),
                }));
            }
            attached.push(json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()}));
        }
        let mut inline = Vec::new();
        let mut names = iam
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send();
        while let Some(pname) = names.next().await {
            let pname = pname.map_err(|e| {
                err(
                    "ListRolePolicies",
                    aws_sdk_iam::error::DisplayErrorContext(e),
                )
            })?;
            let doc = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(&pname)
                .send()
                .await
                .map_err(|e| err("GetRolePolicy", aws_sdk_iam::error::DisplayErrorContext(e)))?;
            inline.push(
                json!({"PolicyName": pname, "PolicyDocument": document(doc.policy_document())}),
            );
        }
        details.push(json!({
            "Path": path,
            "RoleName": name,
            "Arn": arn,
            "AssumeRolePolicyDocument": trust,
            "RolePolicyList": inline,
            "AttachedManagedPolicies": attached,
            "RoleLastUsed": last_used.map(|d| json!({"LastUsedDate": d})).unwrap_or(json!({})),
        }));
    }
    write_json(
        &dir,
        "iam-authorization-details.json",
        &json!({
            "RoleDetailList": details,
            "Policies": managed.into_values().collect::<Vec<_>>(),
            "UserDetailList": [],
            "GroupDetailList": [],
        }),
    )?;
    Ok(())
}
