//! AUTH001 aws-auth-unparseable: mapRoles/mapUsers/mapAccounts that EKS cannot read.

use crate::finding::{Finding, Severity};
use crate::model::MapField;
use crate::rules::{Context, Rule};

pub struct AwsAuthUnparseable;

impl Rule for AwsAuthUnparseable {
    fn id(&self) -> &'static str {
        "AUTH001"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for cm in &cx.inventory.kube.aws_auth {
            for (key, field) in [
                ("mapRoles", &cm.map_roles),
                ("mapUsers", &cm.map_users),
                ("mapAccounts", &cm.map_accounts),
            ] {
                let MapField::Broken { span, message } = field else {
                    continue;
                };
                let consequence = if key == "mapRoles" {
                    "every role mapping is dropped, node roles included: nodes cannot join and role-based access is lost (cluster lockout)"
                } else {
                    "every mapping of this key is dropped"
                };
                out.push(
                    Finding::new(self.id(), Severity::Critical, *span, format!("aws-auth {message}; {consequence}"))
                        .label("aws-auth cannot parse this")
                        .help(format!("make `{key}` a block string (`{key}: |`) holding a YAML list of mappings, each key indented under its `-`"))
                        .identity(format!("{}#{key}", cm.meta.reference())),
                );
            }
        }
    }
}
