//! RBAC006 workload-create-steals-iam-role: whoever can create pods (or controllers, or exec into
//! pods) in a namespace can run as any of its ServiceAccounts and so obtain their IAM roles, from
//! IRSA annotations and Pod Identity associations alike.

use super::{identity, subject_names, user_bindings, PerRole, ResolvedRole};
use crate::finding::{listed, Finding, Severity, MAX_LISTED};
use crate::model::{Inventory, PodIdentityAssociation, ServiceAccount};
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::cell::OnceCell;
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

/// What a pod in a namespace can get IAM roles through.
#[derive(Default)]
struct Exposed<'a> {
    /// ServiceAccounts with an IRSA role.
    service_accounts: Vec<&'a ServiceAccount>,
    /// Pod Identity associations of the namespace's ServiceAccounts.
    associations: Vec<&'a PodIdentityAssociation>,
}

/// IRSA ServiceAccounts and Pod Identity associations, by namespace. An association is left out
/// when its namespace or ServiceAccount is a template placeholder, or when the inventory is
/// complete and its ServiceAccount does not exist (no pod can run as it; PODID004 reports it).
fn exposed_by_namespace<'a>(cx: &Context<'a>) -> BTreeMap<&'a str, Exposed<'a>> {
    let inv = cx.inventory;
    let mut map: BTreeMap<&str, Exposed> = BTreeMap::new();
    for (ns, sas) in irsa_by_namespace(inv) {
        map.entry(ns).or_default().service_accounts = sas;
    }
    for a in &inv.eks.pod_identity {
        let (ns, sa) = (&a.namespace, &a.service_account);
        if ns.templated || sa.templated {
            continue;
        }
        if cx.config.complete && inv.service_account(&ns.text, &sa.text).is_none() {
            continue;
        }
        map.entry(ns.text.as_str())
            .or_default()
            .associations
            .push(a);
    }
    map
}

/// The namespaces a binding's grants apply to, among those that matter: all of them for a
/// cluster binding, a lookup (not a scan of every namespace) for a namespaced one.
pub fn namespaces_in_scope<'a, V>(
    b: &crate::model::Binding,
    interesting: &BTreeMap<&'a str, V>,
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

/// A namespace's IAM roles as a finding shows them: the roles listed (up to [`MAX_LISTED`], with
/// the count of the rest) and labels on the first [`MAX_LISTED`] role ARNs. Built once per
/// namespace, not once per binding that reaches it, so that thousands of bindings and roles in
/// one namespace keep the work and the report linear in the input.
pub struct RolesShown {
    count: usize,
    text: String,
    labels: Vec<(Span, String)>,
}

impl RolesShown {
    /// The IRSA roles of `sas` (those with one), then the roles of `associations`.
    pub fn of<'a>(
        sas: impl IntoIterator<Item = &'a ServiceAccount> + Clone,
        associations: &[&PodIdentityAssociation],
    ) -> RolesShown {
        let irsa = || {
            sas.clone()
                .into_iter()
                .filter_map(|s| Some((s, s.role_arn()?)))
        };
        let count = irsa().count() + associations.len();
        let descriptions = irsa()
            .map(|(s, arn)| format!("`{}` (via {})", arn.text, s.meta.name))
            .chain(associations.iter().map(|a| {
                format!(
                    "`{}` (via {}, Pod Identity)",
                    a.role_arn.text, a.service_account.text
                )
            }));
        let labels = irsa()
            .map(|(s, arn)| {
                (
                    arn.span,
                    format!(
                        "IAM role of ServiceAccount {}/{}",
                        s.meta.namespace, s.meta.name
                    ),
                )
            })
            .chain(associations.iter().map(|a| {
                (
                    a.role_arn.span,
                    format!(
                        "Pod Identity role of ServiceAccount {}/{}",
                        a.namespace.text, a.service_account.text
                    ),
                )
            }))
            .take(MAX_LISTED)
            .collect();
        RolesShown {
            count,
            text: listed(descriptions, count),
            labels,
        }
    }

    /// "role" or "roles".
    pub fn noun(&self) -> &'static str {
        if self.count == 1 {
            "role"
        } else {
            "roles"
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn label(&self, mut finding: Finding) -> Finding {
        for (span, text) in &self.labels {
            finding = finding.with_label(*span, text.clone());
        }
        finding
    }
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
        let exposed = exposed_by_namespace(cx);
        if exposed.is_empty() {
            return;
        }
        // Each namespace's roles are shown once, when a binding first reaches it.
        let shown: BTreeMap<&str, (&Exposed, OnceCell<RolesShown>)> = exposed
            .iter()
            .map(|(ns, e)| (*ns, (e, OnceCell::new())))
            .collect();
        let mut capabilities = PerRole::default();
        for (b, role) in user_bindings(cx.inventory) {
            let Some((how, rule_span)) = capabilities.get(&role, || capability(&role)) else {
                continue;
            };
            let Some(subjects) = subject_names(b) else {
                continue;
            };
            for ns in namespaces_in_scope(b, &shown) {
                let Some((e, cell)) = shown.get(ns) else {
                    continue;
                };
                let roles = cell.get_or_init(|| {
                    RolesShown::of(e.service_accounts.iter().copied(), &e.associations)
                });
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    b.role_span,
                    format!(
                        "{} can `{how}` in namespace `{ns}` through {} `{}`, and so run as its ServiceAccounts and obtain IAM {} {}",
                        subjects,
                        b.meta.kind,
                        b.meta.name,
                        roles.noun(),
                        roles.text()
                    ),
                )
                .label("grants workload creation")
                .help("keep workload-creation rights out of namespaces whose ServiceAccounts hold IAM roles, or move those ServiceAccounts to a namespace only their deployer can write")
                .identity(identity(b, &format!("steal:{ns}")));
                if let Some(span) = rule_span {
                    f = f.with_label(*span, format!("allows {how}"));
                }
                let f = roles.label(f);
                out.push(f);
            }
        }
    }
}
