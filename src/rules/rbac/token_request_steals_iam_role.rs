//! RBAC007 token-request-steals-iam-role: `create serviceaccounts/token` mints STS-usable tokens
//! for ServiceAccounts that hold IAM roles.

use super::workload_create_steals_iam_role::{irsa_by_namespace, namespaces_in_scope, RolesShown};
use super::{grants_some_names, identity, subject_names, user_bindings};
use crate::finding::{Finding, Severity};
use crate::model::ServiceAccount;
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};

pub struct TokenRequestStealsIamRole;

impl Rule for TokenRequestStealsIamRole {
    fn id(&self) -> &'static str {
        "RBAC007"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let irsa = irsa_by_namespace(cx.inventory);
        if irsa.is_empty() {
            return;
        }
        // Every IRSA ServiceAccount of a namespace, shown once per namespace when a binding first
        // reaches it.
        let all_shown: BTreeMap<&str, OnceCell<RolesShown>> =
            irsa.keys().map(|ns| (*ns, OnceCell::new())).collect();
        for (b, role) in user_bindings(cx.inventory) {
            let subjects = subject_names(b);
            if subjects.is_empty() {
                continue;
            }
            for ns in namespaces_in_scope(b, &irsa) {
                // A rule without resourceNames exposes every ServiceAccount of the namespace;
                // otherwise only those the rules name (looked up, not scanned for).
                let named;
                let (roles, rule_span) =
                    match role.find("create", "", "serviceaccounts/token", None) {
                        Some((_, span)) => match (all_shown.get(ns), irsa.get(ns)) {
                            (Some(cell), Some(sas)) => (
                                cell.get_or_init(|| RolesShown::of(sas.iter().copied(), &[])),
                                span,
                            ),
                            _ => continue,
                        },
                        None => {
                            // The first rule naming a ServiceAccount decides its span.
                            let mut seen = HashSet::new();
                            let mut exposed: Vec<(&ServiceAccount, Option<Span>)> = Vec::new();
                            let granting = role.rules.iter().filter(|r| {
                                grants_some_names(r, "create", "", "serviceaccounts/token")
                            });
                            for r in granting {
                                for name in &r.resource_names {
                                    // The inventory's index (the last definition wins).
                                    let Some(sa) = cx
                                        .inventory
                                        .service_account(ns, name)
                                        .filter(|sa| sa.role_arn().is_some())
                                    else {
                                        continue;
                                    };
                                    if seen.insert(name.as_str()) {
                                        exposed.push((sa, role.object.map(|_| r.span)));
                                    }
                                }
                            }
                            let Some(&(_, span)) = exposed.first() else {
                                continue;
                            };
                            named = RolesShown::of(exposed.iter().map(|(sa, _)| *sa), &[]);
                            (&named, span)
                        }
                    };
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    b.role_span,
                    format!(
                        "{} can `create serviceaccounts/token` in namespace `{ns}` through {} `{}`: a token with audience sts.amazonaws.com assumes {}",
                        subjects.join(", "),
                        b.meta.kind,
                        b.meta.name,
                        roles.text()
                    ),
                )
                .label("grants token requests")
                .help("remove serviceaccounts/token creation, or limit it with resourceNames to ServiceAccounts without IAM roles")
                .identity(identity(b, &format!("token:{ns}")));
                if let Some(span) = rule_span {
                    f = f.with_label(span, "allows create serviceaccounts/token");
                }
                out.push(roles.label(f));
            }
        }
    }
}
