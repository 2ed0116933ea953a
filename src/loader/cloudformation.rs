//! CloudFormation templates (JSON or YAML): `AWS::IAM::Role` with its trust and permission policies,
//! including `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources attached to it.
//! Intrinsic functions are resolved where their value is knowable (parameter defaults, `Fn::Sub`
//! variable maps, OIDC provider resources); anything else stays a `${...}` placeholder that
//! evaluates as unknown, never as a wildcard.

use super::iam::{parse_policy, Resolver};
use super::{policy_problem, FileCtx};
use crate::model::{Launcher, PStr, PermissionPolicy, Policy, Role, RoleOrigin};
use crate::node::{Node, NodeKind};
use std::collections::HashMap;

pub fn is_template(root: &Node) -> bool {
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    root.get("AWSTemplateFormatVersion").is_some()
        || resources
            .iter()
            .any(|(_, r)| r.get_str("Type").is_some_and(|t| t.starts_with("AWS::")))
}

pub struct Template<'a> {
    params: HashMap<&'a str, Option<String>>,
    resources: HashMap<&'a str, &'a Node>,
}

/// A resolver that also substitutes a `Fn::Sub` variable map into plain strings (for documents
/// written as one `Fn::Sub` JSON string).
struct SubDoc<'a, 'b> {
    template: &'b Template<'a>,
    vars: HashMap<String, String>,
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node) -> Template<'a> {
        let mut params = HashMap::new();
        for (k, v) in root.get("Parameters").and_then(Node::as_map).unwrap_or(&[]) {
            if let Some(name) = k.as_str() {
                params.insert(name, v.get("Default").and_then(Node::scalar_text));
            }
        }
        let mut resources = HashMap::new();
        for (k, v) in root.get("Resources").and_then(Node::as_map).unwrap_or(&[]) {
            if let Some(name) = k.as_str() {
                resources.insert(name, v);
            }
        }
        Template { params, resources }
    }

    /// The resource a `!Ref` placeholder (`${Logical}`) names, when it has type `kind`.
    fn policy_resource(&self, reference: &str, kind: &str) -> Option<(&'a str, &'a Node)> {
        let logical = reference.strip_prefix("${")?.strip_suffix('}')?;
        let (&name, &res) = self.resources.get_key_value(logical)?;
        (res.get_str("Type") == Some(kind)).then_some((name, res))
    }

    /// Replace `${Name}` placeholders; unknown ones stay as written and mark the result templated.
    /// Text without a placeholder (most values of a `!Sub` policy) is returned as it is.
    fn substitute<'t>(
        &self,
        text: &'t str,
        vars: &HashMap<String, String>,
    ) -> (std::borrow::Cow<'t, str>, bool) {
        if !text.contains("${") {
            return (std::borrow::Cow::Borrowed(text), false);
        }
        let mut out = String::with_capacity(text.len());
        let mut templated = false;
        let mut rest = text;
        while let Some(pos) = rest.find("${") {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 2..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[pos..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(v);
            } else if let Some(v) = self.param_value(name) {
                out.push_str(&v);
            } else {
                templated = true;
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        (std::borrow::Cow::Owned(out), templated)
    }

    fn param_value(&self, name: &str) -> Option<String> {
        if let Some(Some(default)) = self.params.get(name) {
            return Some(default.clone());
        }
        None
    }

    fn reference(&self, name: &str, span: crate::source::Span) -> PStr {
        if let Some(v) = self.param_value(name) {
            return PStr::new(v, span);
        }
        if let Some(res) = self.resources.get(name) {
            if res.get_str("Type") == Some("AWS::IAM::OIDCProvider") {
                if let Some(url) = res.path(&["Properties", "Url"]).and_then(Node::as_str) {
                    let issuer = url.trim_start_matches("https://");
                    return PStr {
                        text: format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{issuer}").into(),
                        span,
                        templated: true,
                    };
                }
            }
        }
        PStr {
            text: format!("${{{name}}}").into(),
            span,
            templated: true,
        }
    }

    /// The intrinsic function a node applies, from a short-form tag or a one-key `Fn::` map.
    fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
        if let Some(tag) = node.tag.as_deref() {
            return Some((tag, node));
        }
        let [(k, v)] = node.as_map()? else {
            return None;
        };
        let name = k.as_str()?;
        if name == "Ref" {
            return Some(("Ref", v));
        }
        name.strip_prefix("Fn::").map(|n| (n, v))
    }

    fn sub_vars(&self, map: &Node) -> HashMap<String, String> {
        let mut vars = HashMap::new();
        for (k, v) in map.as_map().unwrap_or(&[]) {
            let (Some(name), Some(first)) = (k.as_str(), self.first_string(v)) else {
                continue;
            };
            if !first.templated {
                vars.insert(name.to_string(), first.text.into());
            }
        }
        vars
    }

    /// The `Fn::Sub` argument: its template string node and variable map.
    fn sub_parts(arg: &Node) -> Option<(&Node, Option<&Node>)> {
        match &arg.kind {
            NodeKind::Str(_) => Some((arg, None)),
            NodeKind::Seq(items) => Some((items.first()?, items.get(1))),
            _ => None,
        }
    }
}

impl Resolver for Template<'_> {
    fn strings(&self, node: &Node) -> Option<Vec<PStr>> {
        let Some((func, arg)) = Template::intrinsic(node) else {
            return node.scalar_text().map(|t| vec![PStr::new(t, node.span)]);
        };
        let span = node.span;
        let unknown = || {
            Some(vec![PStr {
                text: "${?}".into(),
                span,
                templated: true,
            }])
        };
        match func {
            "Sub" => {
                let (template, vars) = Template::sub_parts(arg)?;
                let vars = vars.map(|v| self.sub_vars(v)).unwrap_or_default();
                let (text, templated) = self.substitute(template.as_str()?, &vars);
                Some(vec![PStr {
                    text: text.into(),
                    span: template.span,
                    templated,
                }])
            }
            "Ref" => Some(vec![self.reference(arg.as_str()?, span)]),
            "GetAtt" => {
                let target = match &arg.kind {
                    NodeKind::Str(s) => s.clone(),
                    NodeKind::Seq(items) => items
                        .iter()
                        .filter_map(Node::as_str)
                        .collect::<Vec<_>>()
                        .join("."),
                    _ => "?".into(),
                };
                Some(vec![PStr {
                    text: format!("${{{target}}}").into(),
                    span,
                    templated: true,
                }])
            }
            "If" => {
                let items = arg.as_seq()?;
                let mut out = Vec::new();
                for branch in items.iter().skip(1) {
                    out.extend(self.strings(branch).unwrap_or_default());
                }
                Some(out)
            }
            "Join" => {
                let items = arg.as_seq()?;
                let delim = items.first()?.as_str().unwrap_or("");
                let mut templated = false;
                let mut parts = Vec::new();
                for part in items.get(1)?.as_seq()? {
                    let first = self.first_string(part);
                    match first {
                        Some(p) => {
                            templated |= p.templated;
                            parts.push(p.text);
                        }
                        None => return unknown(),
                    }
                }
                Some(vec![PStr {
                    text: parts.join(delim).into(),
                    span,
                    templated,
                }])
            }
            _ => unknown(),
        }
    }
}

impl SubDoc<'_, '_> {
    fn value(&self, node: &Node) -> Option<PStr> {
        let written = match &node.kind {
            NodeKind::Str(s) | NodeKind::Number(s) => std::borrow::Cow::Borrowed(s.as_str()),
            _ => std::borrow::Cow::Owned(node.scalar_text()?),
        };
        let (text, templated) = self.template.substitute(&written, &self.vars);
        Some(PStr {
            text: text.into(),
            span: node.span,
            templated,
        })
    }
}

impl Resolver for SubDoc<'_, '_> {
    fn strings(&self, node: &Node) -> Option<Vec<PStr>> {
        self.value(node).map(|v| vec![v])
    }
    fn last_string(&self, node: &Node) -> Option<PStr> {
        self.value(node)
    }
    fn append_strings(&self, node: &Node, out: &mut Vec<PStr>) -> bool {
        self.value(node).map(|v| out.push(v)).is_some()
    }
}

/// Roles of a template.
pub fn load(cx: &FileCtx, root: &Node, out: &mut Vec<Role>) {
    let template = Template::new(root);
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return;
    };
    let start = out.len();
    for (logical, res) in resources {
        if res.get_str("Type") != Some("AWS::IAM::Role") {
            continue;
        }
        let logical_id = logical.as_str().unwrap_or("?");
        let props = res.get("Properties");
        let name = props
            .and_then(|p| p.get("RoleName"))
            .and_then(|n| template.last_string(n))
            .filter(|p| !p.templated)
            .map(|p| p.text)
            .unwrap_or_else(|| logical_id.into());
        let trust = props
            .and_then(|p| p.get("AssumeRolePolicyDocument"))
            .map(|d| document(cx, &template, d, true));
        let mut permissions = Vec::new();
        for p in props
            .and_then(|p| p.get("Policies"))
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let pname = p
                .get("PolicyName")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            permissions.push(PermissionPolicy {
                name: pname,
                arn: None,
                document: p
                    .get("PolicyDocument")
                    .map(|d| document(cx, &template, d, false)),
                span: p.span,
                inline: true,
            });
        }
        for arn in props
            .and_then(|p| p.get("ManagedPolicyArns"))
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            for s in template.strings(arn).unwrap_or_default() {
                // `!Ref` to a customer managed policy of the same template: its document is
                // here, so it is judged as written rather than by its (unknown) ARN.
                match template.policy_resource(&s.text, "AWS::IAM::ManagedPolicy") {
                    Some((logical, policy)) => permissions
                        .extend(policy_resource_permission(cx, &template, logical, policy)),
                    None => permissions.push(PermissionPolicy::managed(&s.text, s.span)),
                }
            }
        }
        out.push(Role {
            name,
            arn: None,
            origin: RoleOrigin::CloudFormation,
            span: logical.span,
            trust,
            permissions,
            last_used: None,
            aliases: vec![logical_id.to_string()],
        });
    }
    // Policies that name their roles (`Roles: [!Ref NodeRole]`) instead of being listed by them.
    let ours = out.get_mut(start..).unwrap_or_default();
    // The template's roles by logical ID and by name (the first of each), looked up per policy
    // instead of scanned when there are many: a template of thousands of roles and policies
    // stays linear.
    let mut by_alias: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let indexed = ours.len() > MANY_ROLES;
    if indexed {
        for (i, role) in ours.iter().enumerate() {
            for alias in &role.aliases {
                by_alias.entry(alias.clone()).or_insert(i);
            }
            by_name.entry(role.name.to_string()).or_insert(i);
        }
    }
    for (logical, res) in resources {
        if !matches!(
            res.get_str("Type"),
            Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy")
        ) {
            continue;
        }
        let Some(permission) =
            policy_resource_permission(cx, &template, logical.as_str().unwrap_or("?"), res)
        else {
            continue;
        };
        for role_ref in res
            .path(&["Properties", "Roles"])
            .map(Node::one_or_many)
            .unwrap_or_default()
        {
            for named in template.strings(role_ref).unwrap_or_default() {
                // `!Ref Role` gives the logical ID; a plain string is the role's name.
                let key = named.text.trim_start_matches("${").trim_end_matches('}');
                let first = if indexed {
                    [by_alias.get(key), by_name.get(named.text.as_str())]
                        .into_iter()
                        .flatten()
                        .min()
                        .copied()
                } else {
                    ours.iter()
                        .position(|r| r.aliases.iter().any(|a| a == key) || r.name == named.text)
                };
                let Some(role) = first.and_then(|i| ours.get_mut(i)) else {
                    continue;
                };
                // A managed policy both listed by the role and naming it counts once.
                let same = |p: &PermissionPolicy| {
                    p.document.as_ref().map(|d| d.span)
                        == permission.document.as_ref().map(|d| d.span)
                };
                if !role.permissions.iter().any(same) {
                    role.permissions.push(permission.clone());
                }
            }
        }
    }
}

/// Roles in a template beyond which policies find theirs through a map.
const MANY_ROLES: usize = 16;

/// The permission an `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` resource grants: its
/// document, named by its `PolicyName`/`ManagedPolicyName` or logical ID.
fn policy_resource_permission(
    cx: &FileCtx,
    template: &Template,
    logical: &str,
    res: &Node,
) -> Option<PermissionPolicy> {
    let props = res.get("Properties")?;
    let written = props.get("PolicyDocument")?;
    let name = ["PolicyName", "ManagedPolicyName"]
        .iter()
        .find_map(|k| props.get(k).and_then(|n| template.last_string(n)))
        .filter(|n| !n.templated)
        .map(|n| n.text.to_string())
        .unwrap_or_else(|| logical.to_string());
    Some(PermissionPolicy {
        name,
        arn: None,
        document: Some(document(cx, template, written, false)),
        span: res.span,
        // `AWS::IAM::Policy` is embedded in its roles; `AWS::IAM::ManagedPolicy` stands alone.
        inline: res.get_str("Type") != Some("AWS::IAM::ManagedPolicy"),
    })
}

/// A policy document property: an object (intrinsics resolved), a JSON string, or a `Fn::Sub`
/// JSON string whose placeholders are substituted in each value.
fn document(cx: &FileCtx, template: &Template, node: &Node, trust: bool) -> Policy {
    if let Some(("Sub", arg)) = Template::intrinsic(node) {
        if let Some((string, vars)) = Template::sub_parts(arg) {
            let resolver = SubDoc {
                template,
                vars: vars.map(|v| template.sub_vars(v)).unwrap_or_default(),
            };
            return cx.embedded_policy(string, &resolver, trust);
        }
    }
    if node.as_str().is_some() {
        return cx.embedded_policy(node, &super::iam::Literal, trust);
    }
    if node.as_map().is_none() {
        return policy_problem(
            node.span,
            "the policy document must be an object or a JSON string",
        );
    }
    parse_policy(node, template, trust, &cx.duplicates_within(node.span))
}

/// EKS resources of a template: Pod Identity associations, access entries, node groups and
/// launch template metadata options.
pub fn load_eks(root: &Node, out: &mut crate::model::Eks) {
    use crate::model::{
        AccessEntry, AccessPolicy, ImdsSettings, InstanceProfile, NodeRoleRef,
        PodIdentityAssociation,
    };
    let template = Template::new(root);
    let first = |n: Option<&Node>| n.and_then(|n| template.first_string(n));
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return;
    };
    for (logical, res) in resources {
        let props = res.get("Properties");
        let prop = |k: &str| props.and_then(|p| p.get(k));
        match res.get_str("Type") {
            Some("AWS::EKS::PodIdentityAssociation") => {
                if let (Some(namespace), Some(service_account), Some(role_arn)) = (
                    first(prop("Namespace")),
                    first(prop("ServiceAccount")),
                    first(prop("RoleArn")),
                ) {
                    out.pod_identity.push(PodIdentityAssociation {
                        namespace,
                        service_account,
                        role_arn,
                        span: logical.span,
                    });
                }
            }
            Some("AWS::EKS::AccessEntry") => {
                let Some(principal_arn) = first(prop("PrincipalArn")) else {
                    continue;
                };
                let groups = prop("KubernetesGroups")
                    .map(|g| {
                        g.one_or_many()
                            .iter()
                            .filter_map(|n| first(Some(n)))
                            .collect()
                    })
                    .unwrap_or_default();
                let policies = prop("AccessPolicies")
                    .and_then(Node::as_seq)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|p| {
                        Some(AccessPolicy {
                            arn: first(p.get("PolicyArn"))?,
                            scope: p.path(&["AccessScope", "Type"]).and_then(Node::scalar_text),
                            namespaces: p
                                .path(&["AccessScope", "Namespaces"])
                                .map(|n| {
                                    n.one_or_many()
                                        .iter()
                                        .filter_map(Node::scalar_text)
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                    })
                    .collect();
                out.access_entries.push(AccessEntry {
                    principal_arn,
                    entry_type: first(prop("Type")),
                    username: first(prop("Username")),
                    groups,
                    policies,
                    span: logical.span,
                });
            }
            Some("AWS::EKS::Nodegroup") => {
                // A name CloudFormation generates is not known here: instances of that group
                // are then judged as they run.
                if let Some(defined) = first(prop("NodegroupName")).filter(|n| !n.is_unknown_part())
                {
                    out.launchers
                        .push(Launcher::ManagedNodeGroup(defined.text.to_string()));
                }
                let name = format!("node group {}", logical.as_str().unwrap_or("?"));
                out.imds.extend(super::eks_api::default_node_group_imds(
                    name.clone(),
                    first(prop("AmiType")),
                    prop("LaunchTemplate").is_some(),
                ));
                if let Some(role) = first(prop("NodeRole")) {
                    out.node_roles.push(NodeRoleRef { role, source: name });
                }
            }
            Some("AWS::IAM::InstanceProfile") => {
                let logical_id = logical.as_str().unwrap_or("?");
                out.instance_profiles.push(InstanceProfile {
                    name: first(prop("InstanceProfileName"))
                        .map_or_else(|| logical_id.to_string(), |n| n.text.to_string()),
                    arn: None,
                    aliases: vec![logical_id.to_string()],
                    roles: prop("Roles")
                        .map(|r| {
                            r.one_or_many()
                                .iter()
                                .filter_map(|n| first(Some(n)))
                                .map(|r| r.text.to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
            // Launch configurations (the older form) hold the options directly.
            Some(kind @ ("AWS::EC2::LaunchTemplate" | "AWS::AutoScaling::LaunchConfiguration")) => {
                let path: &[&str] = if kind == "AWS::EC2::LaunchTemplate" {
                    &["LaunchTemplateData", "MetadataOptions"]
                } else {
                    &["MetadataOptions"]
                };
                let Some(md) = props
                    .and_then(|p| p.path(path))
                    .filter(|md| !super::eks_api::imds_endpoint_disabled(md, "HttpEndpoint"))
                else {
                    continue;
                };
                out.imds.push(ImdsSettings {
                    name: logical.as_str().unwrap_or("?").to_string(),
                    span: md.span,
                    http_tokens: first(md.get("HttpTokens")),
                    hop_limit: md
                        .get("HttpPutResponseHopLimit")
                        .and_then(|n| Some((n.scalar_text()?.parse().ok()?, n.span))),
                    hop_limit_default: None,
                    eksctl_pod_imds_open: false,
                    launched_by: None,
                });
            }
            _ => {}
        }
    }
    self_managed_node_groups(&template, resources, out);
}

/// Self-managed node groups: an Auto Scaling group tagged for a cluster launches nodes from its
/// launch template or configuration, and a launch template whose user data joins a cluster
/// launches nodes whatever uses it. The role of such a launch's instance profile is a node role.
fn self_managed_node_groups(
    template: &Template,
    resources: &[(Node, Node)],
    out: &mut crate::model::Eks,
) {
    use super::eks_api::{is_cluster_tag_key, is_eks_node_user_data};
    let first = |n: Option<&Node>| n.and_then(|n| template.first_string(n));
    // The names an Auto Scaling group tagged for a cluster gives its launch template or
    // configuration, with the group's logical ID.
    let mut tagged_groups: Vec<(&str, Vec<PStr>)> = Vec::new();
    for (logical, res) in resources {
        if res.get_str("Type") != Some("AWS::AutoScaling::AutoScalingGroup") {
            continue;
        }
        let props = res.get("Properties");
        let tagged = props
            .and_then(|p| p.get("Tags"))
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|t| first(t.get("Key")).is_some_and(|k| is_cluster_tag_key(&k.text)));
        if !tagged {
            continue;
        }
        let specs = [
            props.and_then(|p| p.get("LaunchTemplate")),
            props.and_then(|p| {
                p.path(&[
                    "MixedInstancesPolicy",
                    "LaunchTemplate",
                    "LaunchTemplateSpecification",
                ])
            }),
        ];
        let mut names: Vec<PStr> = specs
            .iter()
            .flatten()
            .flat_map(|spec| {
                ["LaunchTemplateId", "LaunchTemplateName", "Version"]
                    .into_iter()
                    .filter_map(|k| first(spec.get(k)))
            })
            .collect();
        names.extend(first(props.and_then(|p| p.get("LaunchConfigurationName"))));
        tagged_groups.push((logical.as_str().unwrap_or("?"), names));
    }
    for (logical, res) in resources {
        let logical = logical.as_str().unwrap_or("?");
        let props = res.get("Properties");
        let (kind, data, name, profile) = match res.get_str("Type") {
            Some("AWS::EC2::LaunchTemplate") => {
                let data = props.and_then(|p| p.get("LaunchTemplateData"));
                let profile = data.and_then(|d| d.get("IamInstanceProfile"));
                (
                    "launch template",
                    data,
                    props.and_then(|p| p.get("LaunchTemplateName")),
                    profile.and_then(|p| p.get("Arn").or_else(|| p.get("Name"))),
                )
            }
            Some("AWS::AutoScaling::LaunchConfiguration") => (
                "launch configuration",
                props,
                props.and_then(|p| p.get("LaunchConfigurationName")),
                props.and_then(|p| p.get("IamInstanceProfile")),
            ),
            _ => continue,
        };
        let Some(mut profile) = first(profile) else {
            continue;
        };
        // `!Ref Profile` or `!GetAtt Profile.Arn` of this template: shown (and matched) by the
        // profile's logical ID rather than as a placeholder.
        let logical_profile = profile
            .text
            .strip_prefix("${")
            .and_then(|t| t.strip_suffix('}'))
            .map(|t| t.strip_suffix(".Arn").unwrap_or(t))
            .filter(|id| template.resources.contains_key(id))
            .map(compact_str::CompactString::from);
        if let Some(id) = logical_profile {
            profile.text = id;
            profile.templated = false;
        }
        let name = first(name);
        // Named by its logical ID (`!Ref`, `!GetAtt ….LatestVersionNumber`) or by its name.
        let names_this = |n: &PStr| {
            let target = n
                .text
                .strip_prefix("${")
                .and_then(|t| t.split(['.', '}']).next());
            target == Some(logical) || name.as_ref().is_some_and(|own| own.text == n.text)
        };
        let group = tagged_groups
            .iter()
            .find(|(_, names)| names.iter().any(names_this));
        let source = match group {
            Some((group, _)) => format!("Auto Scaling group {group} ({kind} {logical})"),
            None if data
                .and_then(|d| d.get("UserData"))
                .is_some_and(|u| any_scalar(u, &is_eks_node_user_data)) =>
            {
                format!("{kind} {logical}, whose user data joins an EKS cluster")
            }
            None => continue,
        };
        out.node_instance_profiles
            .push(crate::model::InstanceProfileRef { profile, source });
    }
}

/// Whether any scalar under a node passes the test (user data written through `Fn::Base64`,
/// `Fn::Sub` or `Fn::Join`).
fn any_scalar(node: &Node, test: &dyn Fn(&str) -> bool) -> bool {
    match &node.kind {
        NodeKind::Str(s) => test(s),
        NodeKind::Seq(items) => items.iter().any(|n| any_scalar(n, test)),
        NodeKind::Map(entries) => entries.iter().any(|(_, v)| any_scalar(v, test)),
        _ => false,
    }
}
