//! RBAC rules. Bindings resolve to roles by namespace and name; `apiGroups` and `resourceNames`
//! are honoured; Kubernetes' default ClusterRoles are known; EKS-managed and `system:` objects are
//! vendor defaults.

pub mod aws_auth_write;
pub mod broad_group_binding;
pub mod cluster_admin_binding;
pub mod cluster_wide_secrets;
pub mod dangling_role_ref;
pub mod escalation_verbs;
pub mod token_request_steals_iam_role;
pub mod unused_rbac_role;
pub mod wildcard_rule;
pub mod workload_create_steals_iam_role;

use crate::model::{Binding, Inventory, ObjectMeta, PolicyRule, RbacRole};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use std::sync::OnceLock;

/// Vendor defaults: `system:`/`eks:` names or the EKS component label.
pub fn is_vendor(meta: &ObjectMeta) -> bool {
    meta.name.starts_with("system:")
        || meta.name.starts_with("eks:")
        || meta.label("eks.amazonaws.com/component").is_some()
}

/// Does the rule allow `verb` on `group`/`resource` (`resource/subresource`) for object `name`?
pub fn grants(
    rule: &PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
    name: Option<&str>,
) -> bool {
    let name_ok = rule.resource_names.is_empty()
        || name.is_some_and(|n| rule.resource_names.iter().any(|x| x == n));
    name_ok && grants_some_names(rule, verb, group, resource)
}

/// Whether the rule grants the access to the objects it names (all of them without
/// `resourceNames`).
pub fn grants_some_names(rule: &PolicyRule, verb: &str, group: &str, resource: &str) -> bool {
    let any = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
    let resource_ok = rule.resources.iter().any(|r| {
        r == "*"
            || r == resource
            || (r.ends_with("/*") && resource.split('/').next() == r.strip_suffix("/*"))
            || (r.starts_with("*/")
                && resource.split_once('/').map(|(_, s)| s) == r.strip_prefix("*/"))
    });
    any(&rule.verbs, verb) && any(&rule.api_groups, group) && resource_ok
}

/// `*` verbs on `*` resources in `*` groups.
pub fn is_full_admin(rules: &[PolicyRule]) -> bool {
    rules.iter().any(|r| {
        r.verbs.iter().any(|v| v == "*")
            && r.resources.iter().any(|v| v == "*")
            && r.api_groups.iter().any(|v| v == "*")
    })
}

/// A binding's role: its rules and where they are (None for built-in roles).
pub struct ResolvedRole<'a> {
    pub name: &'a str,
    pub rules: &'a [PolicyRule],
    pub object: Option<&'a RbacRole>,
}

impl ResolvedRole<'_> {
    /// The first rule granting the access, and its span when it is in a loaded file.
    pub fn find(
        &self,
        verb: &str,
        group: &str,
        resource: &str,
        name: Option<&str>,
    ) -> Option<(&PolicyRule, Option<Span>)> {
        let rule = self
            .rules
            .iter()
            .find(|r| grants(r, verb, group, resource, name))?;
        Some((rule, self.object.map(|_| rule.span)))
    }
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
    PolicyRule {
        span: Span::default(),
        api_groups: s(groups),
        resources: s(resources),
        resource_names: vec![],
        verbs: s(verbs),
        non_resource_urls: vec![],
    }
}

/// The parts of Kubernetes' default user-facing ClusterRoles that matter to these rules.
fn builtin(name: &str) -> Option<&'static [PolicyRule]> {
    static ROLES: OnceLock<Vec<(&'static str, Vec<PolicyRule>)>> = OnceLock::new();
    let roles = ROLES.get_or_init(|| {
        let write = ["create", "delete", "deletecollection", "patch", "update"];
        let read = ["get", "list", "watch"];
        let edit = vec![
            rule(
                &[""],
                &[
                    "pods",
                    "pods/attach",
                    "pods/exec",
                    "pods/portforward",
                    "pods/proxy",
                    "replicationcontrollers",
                    "configmaps",
                    "secrets",
                    "services",
                    "persistentvolumeclaims",
                    "serviceaccounts",
                ],
                &write,
            ),
            rule(&[""], &["pods/ephemeralcontainers"], &["patch", "update"]),
            rule(
                &["apps"],
                &["deployments", "replicasets", "statefulsets", "daemonsets"],
                &write,
            ),
            rule(&["batch"], &["jobs", "cronjobs"], &write),
            rule(&[""], &["serviceaccounts"], &["impersonate"]),
            rule(
                &[""],
                &["secrets", "configmaps", "pods", "serviceaccounts"],
                &read,
            ),
        ];
        let mut admin = edit.clone();
        admin.push(rule(
            &["rbac.authorization.k8s.io"],
            &["roles", "rolebindings"],
            &write,
        ));
        vec![
            ("cluster-admin", vec![rule(&["*"], &["*"], &["*"])]),
            ("admin", admin),
            ("edit", edit),
            (
                "view",
                vec![rule(
                    &["", "apps", "batch"],
                    &[
                        "pods",
                        "configmaps",
                        "services",
                        "deployments",
                        "replicasets",
                        "statefulsets",
                        "daemonsets",
                        "jobs",
                        "cronjobs",
                    ],
                    &read,
                )],
            ),
        ]
    });
    roles
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| r.as_slice())
}

/// Resolve a binding's roleRef: a Role in the binding's namespace, or a ClusterRole (loaded or
/// built-in).
pub fn resolve<'a>(inv: &'a Inventory, b: &'a Binding) -> Option<ResolvedRole<'a>> {
    let loaded = inv.rbac_role(b.role_kind != "Role", &b.meta.namespace, &b.role_name);
    if let Some(r) = loaded {
        return Some(ResolvedRole {
            name: &r.meta.name,
            rules: &r.rules,
            object: Some(r),
        });
    }
    if b.role_kind == "ClusterRole" {
        return builtin(&b.role_name).map(|rules| ResolvedRole {
            name: &b.role_name,
            rules,
            object: None,
        });
    }
    None
}

/// Answers about roles, worked out once per role instead of once per binding of it: a role
/// bound thousands of times (`edit` in every namespace) would otherwise have its rules read for
/// each binding, which is quadratic for a large role. A role is known by its rules' address: a
/// loaded role's or a built-in one's, the same for every binding that resolves to it. (Roles
/// without rules share one address, and every answer about no rules is the same.)
pub struct PerRole<T> {
    answers: HashMap<(usize, usize), T>,
}

impl<T> Default for PerRole<T> {
    fn default() -> Self {
        PerRole {
            answers: HashMap::new(),
        }
    }
}

impl<T> PerRole<T> {
    /// The answer for `role`, from `work` the first time.
    pub fn get(&mut self, role: &ResolvedRole, work: impl FnOnce() -> T) -> &mut T {
        let key = (role.rules.as_ptr() as usize, role.rules.len());
        self.answers.entry(key).or_insert_with(work)
    }
}

/// User bindings (vendor defaults excluded) with their resolved roles.
pub fn user_bindings(inv: &Inventory) -> impl Iterator<Item = (&Binding, ResolvedRole<'_>)> {
    inv.kube
        .bindings
        .iter()
        .filter(|b| !is_vendor(&b.meta))
        .filter_map(move |b| resolve(inv, b).map(|r| (&**b, r)))
}

/// Subjects that are people or workloads, not Kubernetes' own `system:` identities, as a
/// message lists them (at most [`MAX_LISTED`](crate::finding::MAX_LISTED), then "and N more":
/// RBAC006 and RBAC007 repeat the list in a finding per namespace, so a binding of thousands of
/// ServiceAccounts would otherwise make the report grow with the square of the input). `None`
/// when there are none.
pub fn subject_names(b: &Binding) -> Option<String> {
    let named = || {
        b.subjects.iter().filter(|s| {
            !(s.kind != "ServiceAccount"
                && (s.name.starts_with("system:") || s.name.starts_with("eks:")))
        })
    };
    let total = named().count();
    if total == 0 {
        return None;
    }
    let shown = named().map(|s| {
        if s.kind == "ServiceAccount" {
            format!("ServiceAccount {}/{}", s.namespace, s.name)
        } else {
            format!("{} {}", s.kind, s.name)
        }
    });
    Some(crate::finding::listed(shown, total))
}

pub fn identity(b: &Binding, part: &str) -> String {
    format!("{}#{part}", b.meta.reference())
}
