//! PODID004 ⧉ association-without-sa: a Pod Identity association for a ServiceAccount that does
//! not exist.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AssociationWithoutSa;

impl Rule for AssociationWithoutSa {
    fn id(&self) -> &'static str {
        "PODID004"
    }

    fn needs_complete_inventory(&self) -> bool {
        true
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for a in &cx.inventory.eks.pod_identity {
            if a.namespace.templated
                || a.service_account.templated
                || cx
                    .inventory
                    .service_account(&a.namespace.text, &a.service_account.text)
                    .is_some()
            {
                continue;
            }
            out.push(
                Finding::new(
                    self.id(),
                    Severity::Medium,
                    a.service_account.span,
                    format!("Pod Identity association for {}/{} (role `{}`) names a ServiceAccount that does not exist: whoever creates it gets the role", a.namespace.text, a.service_account.text, a.role_arn.text),
                )
                .label("no such ServiceAccount")
                .help("delete the association or deploy the ServiceAccount")
                .identity(format!("podid:{}/{}#missing-sa", a.namespace.text, a.service_account.text)),
            );
        }
    }
}
