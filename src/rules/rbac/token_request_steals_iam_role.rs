//! RBAC007 token-request-steals-iam-role: `create serviceaccounts/token` mints STS-usable tokens
//! for ServiceAccounts that hold IAM roles.

use super::workload_create_steals_iam_role::{
    irsa_by_namespace, namespaces_in_scope, role_descriptions, with_role_labels,
};
use super::{identity, subject_names, user_bindings};
use crate::finding::{Finding, Severity};
use crate::model::ServiceAccount;
use crate::rules::{Context, Rule};
use crate::source::Span;

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
        for (b, role) in user_bindings(cx.inventory) {
            let subjects = subject_names(b);
            if subjects.is_empty() {
                continue;
            }
            for ns in namespaces_in_scope(b, &irsa) {
                // resourceNames narrow token requests to named ServiceAccounts.
                let Some(in_namespace) = irsa.get(ns) else {
                    continue;
                };
                // Each exposed ServiceAccount with the span of the rule that grants its tokens.
                let exposed: Vec<(&ServiceAccount, Option<Span>)> = in_namespace
                    .iter()
                    .filter_map(|sa| {
                        role.find("create", "", "serviceaccounts/token", Some(&sa.meta.name))
                            .map(|(_, span)| (*sa, span))
                    })
                    .collect();
                let Some(&(_, rule_span)) = exposed.first() else {
                    continue;
                };
                let exposed_sas = || exposed.iter().map(|(sa, _)| *sa);
                let roles = role_descriptions(exposed_sas());
                let mut f = Finding::new(
                    self.id(),
                    Severity::High,
                    b.role_span,
                    format!(
                        "{} can `create serviceaccounts/token` in namespace `{ns}` through {} `{}`: a token with audience sts.amazonaws.com assumes {}",
                        subjects.join(", "),
                        b.meta.kind,
                        b.meta.name,
                        roles.join(", ")
                    ),
                )
                .label("grants token requests")
                .help("remove serviceaccounts/token creation, or limit it with resourceNames to ServiceAccounts without IAM roles")
                .identity(identity(b, &format!("token:{ns}")));
                if let Some(span) = rule_span {
                    f = f.with_label(span, "allows create serviceaccounts/token");
                }
                out.push(with_role_labels(f, exposed_sas()));
            }
        }
    }
}
