//! Terraform plans from `terraform show -json`: `aws_iam_role` and its policies in
//! `planned_values` (modules included). Policies are JSON strings inside the plan JSON; spans point
//! inside them.

use super::FileCtx;
use crate::model::{Launcher, PStr, PermissionPolicy, Role, RoleOrigin};
use crate::node::Node;
use std::collections::HashMap;

pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// Every resource of the planned root module and its child modules.
pub fn resources(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut modules: Vec<&Node> = root
        .path(&["planned_values", "root_module"])
        .into_iter()
        .collect();
    while let Some(module) = modules.pop() {
        out.extend(
            module
                .get("resources")
                .and_then(Node::as_seq)
                .unwrap_or(&[]),
        );
        modules.extend(
            module
                .get("child_modules")
                .and_then(Node::as_seq)
                .unwrap_or(&[]),
        );
    }
    out
}

pub fn load(cx: &FileCtx, root: &Node, out: &mut Vec<Role>) {
    let all = resources(root);
    let start = out.len();
    let configuration = Configuration::of(root);
    // Customer managed policies the plan creates, by address: attachments and roles whose policy
    // ARN is unknown until apply look their document up here.
    let policies: HashMap<&str, &Node> = all
        .iter()
        .filter(|r| r.get_str("type") == Some("aws_iam_policy"))
        .filter_map(|r| Some((r.get_str("address")?, *r)))
        .collect();
    for res in &all {
        if res.get_str("type") != Some("aws_iam_role") {
            continue;
        }
        let Some(values) = res.get("values") else {
            continue;
        };
        let address = res.get("address").or_else(|| res.get("name"));
        let name = values
            .get_str("name")
            .or_else(|| res.get_str("name"))
            .unwrap_or("?")
            .to_string();
        let trust = values
            .get("assume_role_policy")
            .filter(|n| !n.is_null())
            .map(|d| cx.policy_value(d, true));
        let mut permissions = Vec::new();
        for p in values
            .get("inline_policy")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            if let Some(doc) = p
                .get("policy")
                .filter(|d| d.as_str().is_some_and(|s| !s.is_empty()))
            {
                permissions.push(PermissionPolicy {
                    name: p.get_str("name").unwrap_or("inline").to_string(),
                    arn: None,
                    document: Some(cx.policy_value(doc, false)),
                    span: p.span,
                    inline: true,
                });
            }
        }
        match values.get("managed_policy_arns").and_then(Node::as_seq) {
            Some(arns) => {
                for arn in arns {
                    if let Some(a) = arn.as_str() {
                        permissions.push(PermissionPolicy::managed(a, arn.span));
                    }
                }
            }
            // Unknown until apply: the list names a policy the same plan creates.
            None => permissions.extend(
                configuration
                    .references(res, &["managed_policy_arns"], "aws_iam_policy")
                    .iter()
                    .filter_map(|address| planned_policy(cx, &policies, address)),
            ),
        }
        out.push(Role {
            name: name.into(),
            arn: values.get_str("arn").map(str::to_string),
            origin: RoleOrigin::Terraform,
            span: address.map(|a| a.span).unwrap_or(res.span),
            trust,
            permissions,
            last_used: None,
            aliases: address
                .and_then(Node::as_str)
                .map(|a| vec![a.to_string()])
                .unwrap_or_default(),
        });
    }
    // Separate policy and attachment resources join their role by name, or by the role the
    // configuration names when the name is unknown until apply (a role with `name_prefix`).
    let attachments: Vec<&Node> = all
        .iter()
        .copied()
        .filter(|r| {
            matches!(
                r.get_str("type"),
                Some(
                    "aws_iam_role_policy"
                        | "aws_iam_role_policy_attachment"
                        | "aws_iam_policy_attachment"
                )
            )
        })
        .collect();
    if attachments.is_empty() {
        return;
    }
    // The plan's roles by name and by address (first of each), so that joining is a lookup per
    // attachment rather than a scan of the roles.
    let ours = out.get_mut(start..).unwrap_or_default();
    let mut by_name: HashMap<compact_str::CompactString, usize> = HashMap::new();
    let mut by_address: HashMap<String, usize> = HashMap::new();
    for (i, role) in ours.iter().enumerate() {
        by_name.entry(role.name.clone()).or_insert(i);
        for alias in &role.aliases {
            by_address.entry(alias.clone()).or_insert(i);
        }
    }
    for res in attachments {
        let kind = res.get_str("type");
        let Some(values) = res.get("values") else {
            continue;
        };
        // Positions in `ours` of the roles the resource names (one, or a list for
        // `aws_iam_policy_attachment`).
        let mut roles: Vec<usize> = Vec::new();
        let names: Vec<&str> = match kind {
            Some("aws_iam_policy_attachment") => values
                .get("roles")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect(),
            _ => values.get_str("role").into_iter().collect(),
        };
        let names: Vec<&str> = names.into_iter().filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            let attribute = if kind == Some("aws_iam_policy_attachment") {
                "roles"
            } else {
                "role"
            };
            for address in configuration.references(res, &[attribute], "aws_iam_role") {
                roles.extend(by_address.get(address.text.as_str()));
            }
        } else {
            for name in names {
                roles.extend(by_name.get(name));
            }
        }
        if roles.is_empty() {
            continue;
        }
        let permission = match kind {
            Some("aws_iam_role_policy") => values.get("policy").map(|doc| PermissionPolicy {
                name: values.get_str("name").unwrap_or("inline").to_string(),
                arn: None,
                document: Some(cx.policy_value(doc, false)),
                span: res.span,
                inline: true,
            }),
            _ => match values
                .get("policy_arn")
                .filter(|a| a.as_str().is_some_and(|a| !a.is_empty()))
            {
                Some(arn) => Some(PermissionPolicy::managed(
                    arn.as_str().unwrap_or_default(),
                    arn.span,
                )),
                None => configuration
                    .reference(res, &["policy_arn"], "aws_iam_policy")
                    .and_then(|address| planned_policy(cx, &policies, &address)),
            },
        };
        let Some(permission) = permission else {
            continue;
        };
        for i in roles {
            if let Some(role) = ours.get_mut(i) {
                role.permissions.push(permission.clone());
            }
        }
    }
}

/// The document of the customer managed policy the plan creates at `address`. Its ARN is not
/// known before apply, but its document is in the plan: it is judged as written.
fn planned_policy(
    cx: &FileCtx,
    policies: &HashMap<&str, &Node>,
    address: &PStr,
) -> Option<PermissionPolicy> {
    let policy = *policies.get(address.text.as_str())?;
    let values = policy.get("values");
    let doc = values
        .and_then(|v| v.get("policy"))
        .filter(|d| d.as_str().is_some_and(|t| !t.is_empty()))?;
    Some(PermissionPolicy {
        name: values
            .and_then(|v| v.get_str("name"))
            .or_else(|| policy.get_str("address"))
            .unwrap_or("policy")
            .to_string(),
        arn: None,
        document: Some(cx.policy_value(doc, false)),
        span: policy.get("address").map(|a| a.span).unwrap_or(policy.span),
        inline: false,
    })
}

/// EKS resources of a plan.
pub fn load_eks(root: &Node, out: &mut crate::model::Eks) {
    use crate::loader::k8s::pstr;
    use crate::model::{AccessEntry, AccessPolicy, InstanceProfile, NodeRoleRef};
    let all = resources(root);
    let configuration = Configuration::of(root);
    let entry_start = out.access_entries.len();
    for res in &all {
        let Some(v) = res.get("values") else { continue };
        let span = res.get("address").map(|a| a.span).unwrap_or(res.span);
        match res.get_str("type") {
            Some("aws_eks_pod_identity_association") => {
                let (Some(namespace), Some(service_account), Some(role_arn)) = (
                    v.get("namespace").and_then(pstr),
                    v.get("service_account").and_then(pstr),
                    known_or_referenced(&configuration, res, "role_arn", "aws_iam_role"),
                ) else {
                    continue;
                };
                out.pod_identity.push(crate::model::PodIdentityAssociation {
                    namespace,
                    service_account,
                    role_arn,
                    span,
                });
            }
            Some("aws_eks_access_entry") => {
                let Some(principal_arn) =
                    known_or_referenced(&configuration, res, "principal_arn", "aws_iam_role")
                else {
                    continue;
                };
                out.access_entries.push(AccessEntry {
                    principal_arn,
                    entry_type: v.get("type").and_then(pstr),
                    username: v
                        .get("user_name")
                        .and_then(pstr)
                        .filter(|u| !u.text.is_empty()),
                    groups: v
                        .get("kubernetes_groups")
                        .and_then(Node::as_seq)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(pstr)
                        .collect(),
                    policies: Vec::new(),
                    span,
                });
            }
            Some("aws_eks_node_group") => {
                if let Some(defined) = v.get_str("node_group_name") {
                    out.launchers
                        .push(Launcher::ManagedNodeGroup(defined.to_string()));
                }
                let name = format!("node group {}", res.get_str("address").unwrap_or("?"));
                out.imds.extend(super::eks_api::default_node_group_imds(
                    name.clone(),
                    v.get("ami_type").and_then(pstr),
                    v.get("launch_template")
                        .and_then(Node::as_seq)
                        .is_some_and(|t| !t.is_empty()),
                ));
                if let Some(role) =
                    known_or_referenced(&configuration, res, "node_role_arn", "aws_iam_role")
                {
                    out.node_roles.push(NodeRoleRef { role, source: name });
                }
            }
            Some("aws_iam_instance_profile") => {
                let address = res.get_str("address").unwrap_or("?");
                out.instance_profiles.push(InstanceProfile {
                    name: v.get_str("name").unwrap_or(address).to_string(),
                    arn: v.get_str("arn").map(str::to_string),
                    aliases: vec![address.to_string()],
                    roles: known_or_referenced(&configuration, res, "role", "aws_iam_role")
                        .map(|r| r.text.to_string())
                        .into_iter()
                        .collect(),
                });
            }
            // Launch configurations (the older form) carry the same metadata options.
            Some("aws_launch_template" | "aws_launch_configuration") => {
                let Some(md) = v
                    .get("metadata_options")
                    .and_then(Node::as_seq)
                    .and_then(|s| s.first())
                    .filter(|md| !super::eks_api::imds_endpoint_disabled(md, "http_endpoint"))
                else {
                    continue;
                };
                out.imds.push(super::eks_api::written_imds(
                    res.get_str("address").unwrap_or("?").to_string(),
                    md,
                    ["http_tokens", "http_put_response_hop_limit"],
                ));
            }
            _ => {}
        }
    }
    self_managed_node_groups(&all, &configuration, out);
    // Policy associations attach to the access entry of the same principal.
    for res in &all {
        if res.get_str("type") != Some("aws_eks_access_policy_association") {
            continue;
        }
        let Some(v) = res.get("values") else { continue };
        let (Some(principal), Some(arn)) = (
            v.get_str("principal_arn"),
            v.get("policy_arn").and_then(pstr),
        ) else {
            continue;
        };
        let scope = v
            .get("access_scope")
            .and_then(Node::as_seq)
            .and_then(|s| s.first());
        let policy = AccessPolicy {
            arn,
            scope: scope
                .and_then(|s| s.get("type"))
                .and_then(Node::scalar_text),
            namespaces: scope
                .and_then(|s| s.get("namespaces"))
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::scalar_text)
                .collect(),
        };
        match out
            .access_entries
            .get_mut(entry_start..)
            .unwrap_or_default()
            .iter_mut()
            .find(|e| e.principal_arn.text == principal)
        {
            Some(entry) => entry.policies.push(policy),
            None => out.access_entries.push(AccessEntry {
                principal_arn: crate::model::PStr::new(principal, res.span),
                entry_type: None,
                username: None,
                groups: Vec::new(),
                policies: vec![policy],
                span: res.get("address").map(|a| a.span).unwrap_or(res.span),
            }),
        }
    }
}

/// Self-managed node groups: an `aws_autoscaling_group` tagged for a cluster launches nodes from
/// the launch template or configuration it names, and a launch template whose user data joins a
/// cluster launches nodes whatever uses it. The role of such a launch's instance profile is a
/// node role. Groups name templates by `name` or `id`; an id still unknown in the plan (a
/// template the same plan creates) is matched through the configuration's reference.
fn self_managed_node_groups(
    all: &[&Node],
    configuration: &Configuration,
    out: &mut crate::model::Eks,
) {
    use super::eks_api::{is_cluster_tag_key, is_eks_node_user_data};
    use crate::loader::k8s::pstr;
    // (group address, the template ids, names and addresses it launches from, its launch
    // configuration's name or address)
    let mut tagged_groups: Vec<(&str, Vec<String>, Option<String>)> = Vec::new();
    for res in all {
        if res.get_str("type") != Some("aws_autoscaling_group") {
            continue;
        }
        let Some(v) = res.get("values") else { continue };
        // `tag` blocks, or the older `tags` list of maps.
        let tagged = ["tag", "tags"].iter().any(|k| {
            v.get(k)
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .any(|t| t.get_str("key").is_some_and(is_cluster_tag_key))
        });
        if !tagged {
            continue;
        }
        let direct = first(v.get("launch_template"));
        let mixed = first(v.get("mixed_instances_policy"))
            .and_then(|m| first(m.get("launch_template")))
            .and_then(|t| first(t.get("launch_template_specification")));
        let mut templates: Vec<String> = Vec::new();
        for (spec, keys) in [
            (direct, ["id", "name"]),
            (mixed, ["launch_template_id", "launch_template_name"]),
        ] {
            templates.extend(
                spec.into_iter()
                    .flat_map(|s| keys.map(|k| s.get_str(k)))
                    .flatten()
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
            );
        }
        let template_paths: [&[&str]; 4] = [
            &["launch_template", "id"],
            &["launch_template", "name"],
            &[
                "mixed_instances_policy",
                "launch_template",
                "launch_template_specification",
                "launch_template_id",
            ],
            &[
                "mixed_instances_policy",
                "launch_template",
                "launch_template_specification",
                "launch_template_name",
            ],
        ];
        if templates.is_empty() {
            templates.extend(template_paths.iter().filter_map(|path| {
                configuration
                    .reference(res, path, "aws_launch_template")
                    .map(|a| a.text.to_string())
            }));
        }
        let launch_configuration = known_or_referenced(
            configuration,
            res,
            "launch_configuration",
            "aws_launch_configuration",
        )
        .map(|c| c.text.to_string());
        tagged_groups.push((
            res.get_str("address").unwrap_or("?"),
            templates,
            launch_configuration,
        ));
    }
    for res in all {
        let kind = match res.get_str("type") {
            Some("aws_launch_template") => "launch template",
            Some("aws_launch_configuration") => "launch configuration",
            _ => continue,
        };
        let Some(v) = res.get("values") else { continue };
        let address = res.get_str("address").unwrap_or("?");
        // A template's profile is a block (`arn` or `name`), a configuration's a string; a
        // profile the same plan creates may be known only by the configuration's reference.
        let written = match v.get("iam_instance_profile") {
            Some(p) if p.as_seq().is_some() => p.as_seq().and_then(|s| s.first()).and_then(|b| {
                b.get("arn")
                    .and_then(pstr)
                    .filter(|a| !a.text.is_empty())
                    .or_else(|| b.get("name").and_then(pstr))
            }),
            other => other.and_then(pstr),
        };
        let profile_paths: &[&[&str]] = if kind == "launch template" {
            &[
                &["iam_instance_profile", "arn"],
                &["iam_instance_profile", "name"],
            ]
        } else {
            &[&["iam_instance_profile"]]
        };
        let profile = written.filter(|p| !p.text.is_empty()).or_else(|| {
            profile_paths
                .iter()
                .find_map(|path| configuration.reference(res, path, "aws_iam_instance_profile"))
        });
        let Some(profile) = profile else {
            continue;
        };
        let own = |key: &str| v.get_str(key).filter(|s| !s.is_empty());
        let group = tagged_groups.iter().find(|(_, templates, configuration)| {
            let names = [own("id"), own("name"), Some(address)];
            if kind == "launch template" {
                names
                    .into_iter()
                    .flatten()
                    .any(|n| templates.iter().any(|t| t == n))
            } else {
                names
                    .into_iter()
                    .skip(1)
                    .flatten()
                    .any(|n| configuration.as_deref() == Some(n))
            }
        });
        let source = match group {
            Some((group, ..)) => format!("Auto Scaling group {group} ({kind} {address})"),
            None if own("user_data").is_some_and(|d| {
                decoded_user_data(d).is_some_and(|s| is_eks_node_user_data(&s))
            }) =>
            {
                format!("{kind} {address}, whose user data joins an EKS cluster")
            }
            None => continue,
        };
        out.node_instance_profiles
            .push(crate::model::InstanceProfileRef { profile, source });
    }
}

/// The plan's configuration, for values unknown until apply. Planned values leave those out (the
/// ARN of a role the same plan creates, the id of its launch template), but the configuration
/// keeps, for every expression, the objects it refers to.
struct Configuration<'a> {
    /// The configuration's managed resources by module call path and `type.name`
    /// (`eks.node_groups|aws_iam_role.node`; the root module's path is empty), so that following
    /// a reference is a lookup however many resources the plan has.
    resources: HashMap<String, &'a Node>,
}

impl<'a> Configuration<'a> {
    fn of(plan: &'a Node) -> Self {
        let mut resources = HashMap::new();
        let mut modules: Vec<(String, &Node)> = plan
            .path(&["configuration", "root_module"])
            .map(|m| (String::new(), m))
            .into_iter()
            .collect();
        while let Some((calls, module)) = modules.pop() {
            for r in module
                .get("resources")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                if r.get_str("mode") == Some("data") {
                    continue;
                }
                if let (Some(kind), Some(name)) = (r.get_str("type"), r.get_str("name")) {
                    resources
                        .entry(configuration_key(&calls, kind, name))
                        .or_insert(r);
                }
            }
            for (call, node) in module
                .get("module_calls")
                .and_then(Node::as_map)
                .unwrap_or(&[])
            {
                if let (Some(call), Some(child)) = (call.as_str(), node.get("module")) {
                    let path = if calls.is_empty() {
                        call.to_string()
                    } else {
                        format!("{calls}.{call}")
                    };
                    modules.push((path, child));
                }
            }
        }
        Configuration { resources }
    }

    /// The `kind` object (`aws_iam_role`, say) that the planned resource's expression at `path`
    /// refers to: its address in the plan (the resource's module instance, then the object as
    /// the module names it), with the reference's span. A nested block is read at its first
    /// element. `None` when the expression is not in the configuration or refers to no such
    /// object (a variable, another module's output).
    fn reference(&self, res: &Node, path: &[&str], kind: &str) -> Option<PStr> {
        self.references(res, path, kind).into_iter().next()
    }

    /// Every `kind` object the expression at `path` refers to (a list of roles, say), in the
    /// order the configuration gives, each once.
    ///
    /// An object indexed by `count.index` or `each.key` is listed by Terraform without its key
    /// (`aws_iam_role.node`); it is the instance with the referring resource's own key, as in
    /// the usual pattern of two resources with the same `count` or `for_each`.
    fn references(&self, res: &Node, path: &[&str], kind: &str) -> Vec<PStr> {
        let mut out: Vec<PStr> = Vec::new();
        // A plan without a configuration section (or a hand-made one) has nothing to follow.
        if self.resources.is_empty() {
            return out;
        }
        let Some(located) = Located::of(res) else {
            return out;
        };
        let Some(references) = located
            .expression(&self.resources, res, path)
            .and_then(|e| e.get("references"))
            .and_then(Node::as_seq)
        else {
            return out;
        };
        let dynamic_key = references.iter().any(|r| {
            r.as_str()
                .is_some_and(|r| matches!(r, "count.index" | "each.key" | "each.value"))
        });
        for r in references {
            let Some(object) = r.as_str().and_then(|t| object_address(t, kind)) else {
                continue;
            };
            let key = match located.instance_key {
                Some(key) if dynamic_key && !object.ends_with(']') => key,
                _ => "",
            };
            let address = format!("{}{object}{key}", located.module_instance);
            if !out.iter().any(|o| o.text == address) {
                out.push(PStr::new(address, r.span));
            }
        }
        out
    }
}

/// Where a planned resource sits: its module instance (`module.eks[0].`, empty at the root) and
/// its own instance key (`[0]`, `["a"]`), from its address.
struct Located<'a> {
    module_instance: &'a str,
    instance_key: Option<&'a str>,
}

impl<'a> Located<'a> {
    fn of(res: &'a Node) -> Option<Self> {
        let address = res.get_str("address")?;
        let own = format!("{}.{}", res.get_str("type")?, res.get_str("name")?);
        // The module instance part of the address: everything before the resource's own name.
        let at = address
            .rmatch_indices(own.as_str())
            .map(|(i, _)| i)
            .find(|&i| i == 0 || address.as_bytes().get(i - 1) == Some(&b'.'))?;
        let key = address.get(at + own.len()..)?;
        Some(Located {
            module_instance: address.get(..at)?,
            instance_key: (key.starts_with('[') && skip_instance_key(key) == Some(""))
                .then_some(key),
        })
    }

    /// The configuration's expression for the resource's attribute at `path`.
    fn expression<'c>(
        &self,
        resources: &HashMap<String, &'c Node>,
        res: &Node,
        path: &[&str],
    ) -> Option<&'c Node> {
        let calls = module_calls(self.module_instance)?.join(".");
        let key = configuration_key(&calls, res.get_str("type")?, res.get_str("name")?);
        let mut expression = resources.get(&key)?.get("expressions")?;
        for key in path {
            expression = expression.get(key)?;
            if let Some(blocks) = expression.as_seq() {
                expression = blocks.first()?;
            }
        }
        Some(expression)
    }
}

/// The key of a configuration resource: its module call path, then `type.name`.
fn configuration_key(calls: &str, kind: &str, name: &str) -> String {
    format!("{calls}|{kind}.{name}")
}

/// A resource's attribute as planned or, when it is known only after apply (the ARN of a role
/// the same plan creates), the `kind` object the configuration says it refers to.
fn known_or_referenced(
    configuration: &Configuration,
    res: &Node,
    attribute: &str,
    kind: &str,
) -> Option<PStr> {
    res.get("values")
        .and_then(|v| v.get(attribute))
        .and_then(crate::loader::k8s::pstr)
        .filter(|p| !p.text.is_empty())
        .or_else(|| configuration.reference(res, &[attribute], kind))
}

/// The module call names along a module instance address (`module.a[0].module.b.` → `a`, `b`);
/// `None` when the address is not one.
fn module_calls(instance: &str) -> Option<Vec<&str>> {
    let mut calls = Vec::new();
    let mut rest = instance;
    while !rest.is_empty() {
        rest = rest.strip_prefix("module.")?;
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        calls.push(rest.get(..end)?);
        rest = skip_instance_key(rest.get(end..)?)?;
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    Some(calls)
}

/// What follows an instance key (`[0]`, `["a.b"]`), or the text itself when it starts with none.
fn skip_instance_key(text: &str) -> Option<&str> {
    let Some(key) = text.strip_prefix('[') else {
        return Some(text);
    };
    let end = match key.strip_prefix('"') {
        // A quoted key may hold `]` and `.`: its end is the closing quote (escaped quotes skipped).
        Some(quoted) => {
            let mut escaped = false;
            let close = quoted.char_indices().find_map(|(i, c)| {
                let found = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                found.then_some(i)
            })?;
            1 + close + 1
        }
        None => key.find(']')?,
    };
    key.get(end..)?.strip_prefix(']')
}

/// The object a reference names, when it is a `kind` resource: `aws_iam_role.node[0].arn` →
/// `aws_iam_role.node[0]`.
fn object_address<'r>(reference: &'r str, kind: &str) -> Option<&'r str> {
    let name = reference.strip_prefix(kind)?.strip_prefix('.')?;
    let end = name.find(['.', '[']).unwrap_or(name.len());
    if end == 0 {
        return None;
    }
    let after = skip_instance_key(name.get(end..)?)?;
    let len = kind.len() + 1 + (name.len() - after.len());
    reference.get(..len)
}

/// The first block of a nested block list (`launch_template = [{...}]`).
fn first(node: Option<&Node>) -> Option<&Node> {
    node.and_then(Node::as_seq).and_then(|s| s.first())
}

/// A launch template's user data as the plan holds it (base64), decoded; `None` when it is not
/// base64 of text.
fn decoded_user_data(encoded: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::{decoded_user_data, module_calls, object_address};

    #[test]
    fn module_instances_are_read_call_by_call() {
        assert_eq!(module_calls(""), Some(vec![]));
        assert_eq!(module_calls("module.eks."), Some(vec!["eks"]));
        assert_eq!(
            module_calls("module.a[0].module.b[\"x.y]\"]."),
            Some(vec!["a", "b"])
        );
        // Not a module instance address.
        assert_eq!(module_calls("data.x."), None);
        assert_eq!(module_calls("module.a[\"open."), None);
    }

    #[test]
    fn references_name_the_object_of_the_wanted_kind() {
        assert_eq!(
            object_address("aws_iam_role.node.arn", "aws_iam_role"),
            Some("aws_iam_role.node")
        );
        assert_eq!(
            object_address("aws_iam_role.node[0].arn", "aws_iam_role"),
            Some("aws_iam_role.node[0]")
        );
        assert_eq!(
            object_address("aws_iam_role.node[\"a.b\"]", "aws_iam_role"),
            Some("aws_iam_role.node[\"a.b\"]")
        );
        assert_eq!(
            object_address("aws_iam_role.node", "aws_iam_role"),
            Some("aws_iam_role.node")
        );
        // Another kind with the same prefix, a variable, a module output.
        assert_eq!(
            object_address("aws_iam_role_policy.x.id", "aws_iam_role"),
            None
        );
        assert_eq!(object_address("var.node_role_arn", "aws_iam_role"), None);
        assert_eq!(object_address("module.iam.role_arn", "aws_iam_role"), None);
    }

    #[test]
    fn user_data_is_decoded_only_when_it_is_base64_text() {
        assert_eq!(
            decoded_user_data("IyEvYmluL2Jhc2gK").as_deref(),
            Some("#!/bin/bash\n")
        );
        // Not base64, and base64 of bytes that are not UTF-8 (gzipped user data).
        assert_eq!(decoded_user_data("#!/bin/bash"), None);
        assert_eq!(decoded_user_data("H4sIAAAAAAAA/w=="), None);
    }
}
