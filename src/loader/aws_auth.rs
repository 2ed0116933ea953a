//! The `kube-system/aws-auth` ConfigMap: `mapRoles`, `mapUsers` and `mapAccounts` are strings
//! holding YAML. They are parsed on their own and every span is mapped back into the outer file.

use super::embedded::Inner;
use super::k8s::pstr;
use super::FileCtx;
use crate::model::{AuthEntry, AwsAuth, MapField, ObjectMeta, PStr};
use crate::node::{Node, NodeKind};

const KEYS: [&str; 3] = ["mapRoles", "mapUsers", "mapAccounts"];

pub fn load(cx: &FileCtx, root: &Node, meta: ObjectMeta) -> AwsAuth {
    let data = root.get("data");
    let mut miscased = Vec::new();
    for (k, _) in data.and_then(Node::as_map).unwrap_or(&[]) {
        if let Some(key) = k.as_str() {
            if KEYS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(key) && *m != key)
            {
                miscased.extend(pstr(k));
            }
        }
    }
    let field = |key: &str| match data.and_then(|d| d.get(key)) {
        None => MapField::Absent,
        Some(node) => parse_field(cx, key, node),
    };
    AwsAuth {
        meta,
        map_roles: field("mapRoles"),
        map_users: field("mapUsers"),
        map_accounts: field("mapAccounts"),
        miscased_keys: miscased,
    }
}

fn parse_field(cx: &FileCtx, key: &str, node: &Node) -> MapField {
    if node.is_null() {
        return MapField::Absent;
    }
    if node.as_str().is_none() {
        return MapField::Broken {
            span: node.span,
            message: format!(
                "`{key}` is a YAML {} instead of a string (missing `|`), which EKS rejects",
                node.type_name()
            ),
        };
    }
    let Some(inner) = Inner::of(cx.text, node) else {
        return MapField::Broken {
            span: node.span,
            message: format!("`{key}` is not a string"),
        };
    };
    let docs = match super::yaml::parse(&inner.text, cx.file, &Default::default()) {
        Ok(d) => d,
        Err(e) => {
            return MapField::Broken {
                span: inner.error_span(&e),
                message: format!("`{key}` is not valid YAML ({})", e.message),
            }
        }
    };
    let Some(mut doc) = docs.into_iter().next() else {
        return MapField::Entries(Vec::new());
    };
    inner.remap(&mut doc.root);
    let root = doc.root;
    if root.is_null() {
        return MapField::Entries(Vec::new());
    }
    let Some(items) = root.as_seq() else {
        return MapField::Broken {
            span: root.span,
            message: format!(
                "`{key}` holds a YAML {} instead of a list",
                root.type_name()
            ),
        };
    };
    if key == "mapAccounts" {
        return MapField::Accounts(items.iter().filter_map(pstr).collect());
    }
    MapField::Entries(items.iter().map(entry).collect())
}

fn entry(node: &Node) -> AuthEntry {
    let mut e = AuthEntry {
        span: node.span,
        ..AuthEntry::default()
    };
    for (k, v) in node.as_map().unwrap_or(&[]) {
        let Some(key) = k.as_str() else { continue };
        match key.to_ascii_lowercase().as_str() {
            "rolearn" => e.rolearn = pstr(v),
            "userarn" => e.userarn = pstr(v),
            "username" => {
                if v.as_map().is_some() {
                    e.username_unquoted_template = Some(v.span);
                }
                e.username = pstr(v);
            }
            "groups" => {
                e.groups_key = Some(k.span);
                match &v.kind {
                    NodeKind::Seq(items) => e.groups = items.iter().filter_map(pstr).collect(),
                    NodeKind::Null => {}
                    _ => e.groups_not_list = Some(v.span),
                }
            }
            "sso" => e.sso = Some(k.span),
            _ => e.unknown_keys.push(PStr::new(key, k.span)),
        }
    }
    e
}
