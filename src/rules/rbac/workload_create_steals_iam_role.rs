//! RBAC006 workload-create-steals-iam-role: whoever can create pods (or controllers, or exec into
//! pods) in a namespace can run as any of its ServiceAccounts and so obtain their IAM roles.

use super::{identity, subject_names, user_bindings, ResolvedRole};
use crate::finding::{Finding, Severity};
use crate::model::{Inventory, ServiceAccount};
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::BTreeMap;

pub struct WorkloadCreateStealsIamRole;

/// Ways into a namespace's ServiceAccounts: (verb, group, resource).
const PATHS: &[(&str, &str, &str)] = &[
    ("create", "", "pods"),
    ("create", "apps", "deployments"),
    ("create", "apps", "replicasets"),
    ("create", "apps", "statefulsets"),
    ("create", "apps", "daemonsets"),
    ("create", "batch", "jobs"),
    ("create", "batch", "cronjobs"),
    ("create", "", "replicationcontrollers"),
    ("create", "", "pods/exec"),
    ("create", "", "pods/attach"),
    ("patch", "", "pods/ephemeralcontainers"),
    ("update", "", "pods/ephemeralcontainers"),
];

/// ServiceAccounts with an IRSA role, by namespace.
pub fn irsa_by_namespace(inv: &Inventory) -> BTreeMap<&str, Vec<&ServiceAccount>> {
    let mut map: BTreeMap<&str, Vec<&ServiceAccount>> = BTreeMap::new();
    for sa in inv
        .kube
        .service_accounts
        .iter()
        .filter(|s| s.role_arn().is_some())
    {
        map.entry(sa.meta.namespace.as_str()).or_default().push(sa);
    }
    map
}

/// The namespaces a binding's grants apply to, among those that matter: all of them for a
/// cluster binding, a lookup (not a scan of every namespace) for a namespaced one.
pub fn namespaces_in_scope<'a>(
    b: &crate::model::Binding,
    interesting: &BTreeMap<&'a str, Vec<&'a ServiceAccount>>,
) -> Vec<&'a str> {
    if b.cluster {
        return interesting.keys().copied().collect();
    }
    interesting
        .get_key_value(b.meta.namespace.as_str())
        .map(|(ns, _)| *ns)
        .into_iter()
        .collect()
}

/// "`<role ARN>` (via <name>)" for each of these ServiceAccounts with an IRSA role.
pub fn role_descriptions<'a>(sas: impl IntoIterator<Item = &'a ServiceAccount>) -> Vec<String> {
    sas.into_iter()
        .filter_map(|s| {
            s.role_arn()
                .map(|a| format!("`{}` (via {})", a.text, s.meta.name))
        })
        .collect()
}

/// A label on the role ARN of each of these ServiceAccounts.
pub fn with_role_labels<'a>(
    mut finding: Finding,
    sas: impl IntoIterator<Item = &'a ServiceAccount>,
) -> Finding {
    for sa in sas {
        if let Some(a) = sa.role_arn() {
            finding = finding.with_label(
                a.span,
                format!(
                    "IAM role of ServiceAccount {}/{}",
                    sa.meta.namespace, sa.meta.name
                ),
            );
        }
    }
    finding
}

fn capability(role: &ResolvedRole) -> Option<(String, Option<Span>)> {
    PATHS.iter().find_map(|(verb, group, resource)| {
        role.find(verb, group, resource, None)
            .map(|(_, span)| (format!("{verb} {resource}"), span))
    })
}

impl Rule for WorkloadCreateStealsIamRole {
    fn id(&self) -> &'static str {
        "RBAC006"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let irsa = irsa_by_namespace(cx.inventory);
        if irsa.is_empty() {
            return;
        }
        for (b, role) in user_bindings(cx.inventory) {
            let Some((how, rule_span)) = capability(&role) else {
                continue;
            };
            let subjects = subject_names(b);
            if subjects.is_empty() {
                continue;
            }
            for ns in namespaces_in_scope(b, &irsa) {
                let Some(sas) = irsa.get(ns) else {
                    continue;
                };
                let roles = role_descriptions(sas.iter().copied());
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    b.role_span,
                    format!(
                        "{} can `{how}` in namespace `{ns}` through {} `{}`, and so run as its ServiceAccounts and obtain IAM role{} {}",
                        subjects.join(", "),
                        b.meta.kind,
                        b.meta.name,
                        if roles.len() == 1 { "" } else { "s" },
                        roles.join(", ")
                    ),
                )
                .label("grants workload creation")
                .help("keep workload-creation rights out of namespaces whose ServiceAccounts hold IAM roles, or move those ServiceAccounts to a namespace only their deployer can write")
                .identity(identity(b, &format!("steal:{ns}")));
                if let Some(span) = rule_span {
                    f = f.with_label(span, format!("allows {how}"));
                }
                out.push(with_role_labels(f, sas.iter().copied()));
            }
        }
    }
}
