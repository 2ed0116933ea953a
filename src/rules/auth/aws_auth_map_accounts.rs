//! AUTH005 aws-auth-map-accounts: every principal of the listed accounts authenticates.

use crate::finding::{Finding, Severity};
use crate::model::MapField;
use crate::rules::{Context, Rule};

pub struct AwsAuthMapAccounts;

impl Rule for AwsAuthMapAccounts {
    fn id(&self) -> &'static str {
        "AUTH005"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for cm in &cx.inventory.kube.aws_auth {
            let MapField::Accounts(accounts) = &cm.map_accounts else {
                continue;
            };
            for a in accounts {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        a.span,
                        format!("aws-auth mapAccounts lists `{}`: every IAM principal of that account can authenticate to the cluster", a.text),
                    )
                    .label("whole account mapped")
                    .help("map the specific roles instead (mapRoles or access entries)")
                    .identity(format!("{}#mapAccounts[{}]", cm.meta.reference(), a.text)),
                );
            }
        }
    }
}
