//! NODE001 node-role-overreach: permissions on a node role beyond the baseline.

use super::{node_roles, policy_name, BASELINE};
use crate::finding::{Finding, Severity};
use crate::model::Effect;
use crate::rules::{Context, Rule};

pub struct NodeRoleOverreach;

const CRITICAL: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

impl Rule for NodeRoleOverreach {
    fn id(&self) -> &'static str {
        "NODE001"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (role, why) in node_roles(cx.inventory) {
            let mut extras: Vec<(String, crate::source::Span)> = Vec::new();
            let mut critical = false;
            for p in &role.permissions {
                match &p.arn {
                    Some(arn) => {
                        let name = policy_name(arn);
                        if BASELINE.contains(&name)
                            || cx
                                .config
                                .node_role_allowlist
                                .iter()
                                .any(|a| a == name || a == arn)
                        {
                            continue;
                        }
                        critical |= CRITICAL.contains(&name);
                        extras.push((name.to_string(), p.span));
                    }
                    None => {
                        let Some(doc) = &p.document else { continue };
                        for st in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
                            for a in &st.actions {
                                critical |= a.text == "*" || a.text.eq_ignore_ascii_case("iam:*");
                                let kind = if p.inline { "inline" } else { "policy" };
                                extras.push((format!("{} ({kind} {})", a.text, p.name), a.span));
                            }
                        }
                    }
                }
            }
            if extras.is_empty() {
                continue;
            }
            let names: Vec<&str> = extras.iter().map(|(n, _)| n.as_str()).collect();
            let mut f = Finding::new(
                self.id(),
                if critical { Severity::Critical } else { Severity::High },
                role.span,
                format!("node role `{}` ({why}) has permissions beyond the node baseline: {}; every pod that reaches IMDS inherits them", role.name, names.join(", ")),
            )
            .label("node role")
            .help("move workload permissions to IRSA or Pod Identity roles and keep the node role to the EKS worker baseline")
            .identity(format!("role:{}#node-overreach", role.arn.as_deref().unwrap_or(&role.name)));
            for (n, span) in &extras {
                f = f.with_label(*span, format!("beyond baseline: {n}"));
            }
            out.push(f);
        }
    }
}
