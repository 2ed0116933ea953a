//! RBAC002 wildcard-rule: `*` in verbs, resources or apiGroups (full-admin roles are RBAC001's).

use super::{is_full_admin, is_vendor};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct WildcardRule;

impl Rule for WildcardRule {
    fn id(&self) -> &'static str {
        "RBAC002"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for role in cx
            .inventory
            .kube
            .roles
            .iter()
            .filter(|r| !is_vendor(&r.meta) && !r.aggregated && !is_full_admin(&r.rules))
        {
            for (i, rule) in role.rules.iter().enumerate() {
                let mut fields = Vec::new();
                for (name, list) in [
                    ("verbs", &rule.verbs),
                    ("resources", &rule.resources),
                    ("apiGroups", &rule.api_groups),
                ] {
                    if list.iter().any(|v| v == "*") {
                        fields.push(name);
                    }
                }
                if fields.is_empty() {
                    continue;
                }
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        rule.span,
                        format!("{} `{}` uses `*` in {}: it grants everything that exists now and every resource added later", role.meta.kind, role.meta.name, fields.join(", ")),
                    )
                    .label("wildcard rule")
                    .help("list the verbs, resources and API groups explicitly")
                    .identity(format!("{}#rules[{i}]", role.meta.reference())),
                );
            }
        }
    }
}
