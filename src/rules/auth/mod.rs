//! AUTH rules: the aws-auth ConfigMap (and, later, EKS access entries).

pub mod access_entry_admin;
pub mod access_entry_system_group;
pub mod auth_overlap;
pub mod aws_auth_duplicate;
pub mod aws_auth_invalid_entry;
pub mod aws_auth_map_accounts;
pub mod aws_auth_node_mapping;
pub mod aws_auth_role_path;
pub mod aws_auth_system_masters;
pub mod aws_auth_template;
pub mod aws_auth_unmatchable_arn;
pub mod aws_auth_unparseable;
pub mod iam_user_mapping;
pub mod reserved_username;
pub mod unbound_group;

use crate::model::{AuthEntry, AwsAuth, Inventory, MapField};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MapKind {
    Roles,
    Users,
}

impl MapKind {
    pub fn key(self) -> &'static str {
        match self {
            MapKind::Roles => "mapRoles",
            MapKind::Users => "mapUsers",
        }
    }
}

/// Every parsed `mapRoles`/`mapUsers` entry with its ConfigMap.
pub fn entries(inv: &Inventory) -> impl Iterator<Item = (&AwsAuth, MapKind, &AuthEntry)> {
    inv.kube.aws_auth.iter().map(|cm| &**cm).flat_map(|cm| {
        [
            (MapKind::Roles, &cm.map_roles),
            (MapKind::Users, &cm.map_users),
        ]
        .into_iter()
        .flat_map(move |(kind, field)| {
            let list: &[AuthEntry] = match field {
                MapField::Entries(e) => e,
                _ => &[],
            };
            list.iter().map(move |e| (cm, kind, e))
        })
    })
}

/// Stable identity of an entry for fingerprints.
pub fn identity(cm: &AwsAuth, kind: MapKind, entry: &AuthEntry, part: &str) -> String {
    let who = entry
        .arn()
        .map(|a| a.text.to_ascii_lowercase())
        .unwrap_or_else(|| {
            entry
                .username
                .as_ref()
                .map(|u| u.text.clone())
                .unwrap_or_default()
        });
    format!("{}#{}[{who}].{part}", cm.meta.reference(), kind.key())
}

pub const NODE_GROUPS: [&str; 2] = ["system:bootstrappers", "system:nodes"];

pub fn is_node_username(u: &str) -> bool {
    u.starts_with("system:node:")
}
