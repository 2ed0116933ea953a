//! SA003 default-sa-has-role: the `default` ServiceAccount carries an IRSA role.

use super::identity;
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct DefaultSaHasRole;

impl Rule for DefaultSaHasRole {
    fn id(&self) -> &'static str {
        "SA003"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for sa in cx
            .inventory
            .kube
            .service_accounts
            .iter()
            .filter(|s| s.meta.name == "default")
        {
            let Some(arn) = sa.role_arn() else { continue };
            out.push(
                Finding::new(
                    self.id(),
                    Severity::High,
                    arn.span,
                    format!("the `default` ServiceAccount of namespace `{}` carries IAM role `{}`: every pod in the namespace without its own ServiceAccount gets it", sa.meta.namespace, arn.text),
                )
                .label("IRSA on the default ServiceAccount")
                .help("create a dedicated ServiceAccount for the workload that needs the role and remove the annotation from `default`")
                .identity(identity(sa, "default")),
            );
        }
    }
}
