//! Terraform plans from `terraform show -json`: `aws_iam_role` and its policies in
//! `planned_values` (modules included). Policies are JSON strings inside the plan JSON; spans point
//! inside them.

use super::FileCtx;
use crate::model::{PermissionPolicy, Role, RoleOrigin};
use crate::node::Node;

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
                });
            }
        }
        for arn in values
            .get("managed_policy_arns")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            if let Some(a) = arn.as_str() {
                permissions.push(PermissionPolicy {
                    name: a.rsplit('/').next().unwrap_or(a).to_string(),
                    arn: Some(a.to_string()),
                    document: None,
                    span: arn.span,
                });
            }
        }
        out.push(Role {
            name,
            arn: values.get_str("arn").map(str::to_string),
            origin: RoleOrigin::Terraform,
            span: address.map(|a| a.span).unwrap_or(res.span),
            trust,
            permissions,
            last_used: None,
        });
    }
    // Separate policy and attachment resources join their role by name.
    for res in &all {
        let Some(values) = res.get("values") else {
            continue;
        };
        let role_name = values.get_str("role");
        let Some(role) = role_name.and_then(|n| out[start..].iter_mut().find(|r| r.name == n))
        else {
            continue;
        };
        match res.get_str("type") {
            Some("aws_iam_role_policy") => {
                if let Some(doc) = values.get("policy") {
                    role.permissions.push(PermissionPolicy {
                        name: values.get_str("name").unwrap_or("inline").to_string(),
                        arn: None,
                        document: Some(cx.policy_value(doc, false)),
                        span: res.span,
                    });
                }
            }
            Some("aws_iam_role_policy_attachment") => {
                if let Some(arn) = values.get("policy_arn").and_then(Node::as_str) {
                    role.permissions.push(PermissionPolicy {
                        name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                        arn: Some(arn.to_string()),
                        document: None,
                        span: values.get("policy_arn").map(|n| n.span).unwrap_or(res.span),
                    });
                }
            }
            _ => {}
        }
    }
}
