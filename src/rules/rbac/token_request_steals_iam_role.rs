//! RBAC007 token-request-steals-iam-role: `create serviceaccounts/token` mints STS-usable tokens
//! for ServiceAccounts that hold IAM roles.

use super::workload_create_steals_iam_role::{irsa_by_namespace, namespaces_in_scope, RolesShown};
use super::{grants_some_names, identity, subject_names, user_bindings, PerRole, ResolvedRole};
use crate::finding::{Finding, Severity};
use crate::model::{Inventory, ServiceAccount};
use crate::rules::{Context, Rule};
use crate::source::Span;
use foldhash::{HashMap, HashMapExt};
use std::cell::OnceCell;
use std::collections::BTreeMap;

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
        let mut access = PerRole::default();
        for (b, role) in user_bindings(cx.inventory) {
            let Some(subjects) = subject_names(b) else {
                continue;
            };
            let access = access.get(&role, || TokenAccess::of(&role));
            for ns in namespaces_in_scope(b, &irsa) {
                let Some(sas) = irsa.get(ns) else { continue };
                // A rule without resourceNames exposes every ServiceAccount of the namespace;
                // otherwise only those the rules name.
                let (roles, rule_span) = match access.unrestricted {
                    Some(span) => match all_shown.get(ns) {
                        Some(cell) => (
                            cell.get_or_init(|| RolesShown::of(sas.iter().copied(), &[])),
                            span,
                        ),
                        None => continue,
                    },
                    None => match access.named_in(cx.inventory, ns, sas) {
                        Some((shown, span)) => (shown, *span),
                        None => continue,
                    },
                };
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    b.role_span,
                    format!(
                        "{} can `create serviceaccounts/token` in namespace `{ns}` through {} `{}`: a token with audience sts.amazonaws.com assumes {}",
                        subjects,
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

/// How a role lets its holders request ServiceAccount tokens, worked out once per role (a role
/// may be bound thousands of times), with what it exposes in each namespace once per namespace.
struct TokenAccess<'a> {
    /// A rule grants it without resourceNames: every ServiceAccount (with the rule's span).
    unrestricted: Option<Option<Span>>,
    /// Otherwise the names that granting rules list, each once in the order of the rules, with
    /// the span of the first rule naming it.
    named: Vec<(&'a str, Option<Span>)>,
    /// Position of each name in `named`.
    position: HashMap<&'a str, usize>,
    /// Per namespace: the IRSA ServiceAccounts named there, shown, and the first one's rule span.
    shown: HashMap<&'a str, Option<(RolesShown, Option<Span>)>>,
}

impl<'a> TokenAccess<'a> {
    fn of(role: &ResolvedRole<'a>) -> TokenAccess<'a> {
        let unrestricted = role
            .find("create", "", "serviceaccounts/token", None)
            .map(|(_, span)| span);
        let mut named = Vec::new();
        let mut position = HashMap::new();
        if unrestricted.is_none() {
            let granting = role
                .rules
                .iter()
                .filter(|r| grants_some_names(r, "create", "", "serviceaccounts/token"));
            for r in granting {
                for name in &r.resource_names {
                    if !position.contains_key(name.as_str()) {
                        position.insert(name.as_str(), named.len());
                        named.push((name.as_str(), role.object.map(|_| r.span)));
                    }
                }
            }
        }
        TokenAccess {
            unrestricted,
            named,
            position,
            shown: HashMap::new(),
        }
    }

    /// The IRSA ServiceAccounts of `ns` (`sas`) that the role names, as findings show them, and
    /// the span of the rule naming the first; `None` when it names none of them.
    fn named_in(
        &mut self,
        inv: &'a Inventory,
        ns: &'a str,
        sas: &[&'a ServiceAccount],
    ) -> Option<&(RolesShown, Option<Span>)> {
        if !self.shown.contains_key(ns) {
            let exposed = self.exposed(inv, ns, sas);
            let shown = exposed
                .first()
                .map(|&(_, span)| (RolesShown::of(exposed.iter().map(|(sa, _)| *sa), &[]), span));
            self.shown.insert(ns, shown);
        }
        self.shown.get(ns)?.as_ref()
    }

    /// The named ServiceAccounts of `ns` that hold an IAM role, in the order of `named`. The
    /// shorter side is walked: the names, looked up in the inventory (the last definition
    /// wins), or the namespace's IRSA ServiceAccounts, looked up among the names.
    fn exposed(
        &self,
        inv: &'a Inventory,
        ns: &str,
        sas: &[&'a ServiceAccount],
    ) -> Vec<(&'a ServiceAccount, Option<Span>)> {
        if self.named.len() <= sas.len() {
            return self
                .named
                .iter()
                .filter_map(|&(name, span)| {
                    let sa = inv
                        .service_account(ns, name)
                        .filter(|sa| sa.role_arn().is_some())?;
                    Some((sa, span))
                })
                .collect();
        }
        let mut found: Vec<(usize, &'a ServiceAccount)> = sas
            .iter()
            .filter_map(|&sa| {
                let &at = self.position.get(sa.meta.name.as_str())?;
                // Only the definition the inventory keeps, as on the other path.
                let kept = inv.service_account(ns, &sa.meta.name)?;
                std::ptr::eq(kept, sa).then_some((at, sa))
            })
            .collect();
        found.sort_unstable_by_key(|&(at, _)| at);
        found
            .into_iter()
            .filter_map(|(at, sa)| Some((sa, self.named.get(at)?.1)))
            .collect()
    }
}
