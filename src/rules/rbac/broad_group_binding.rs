//! RBAC003 broad-group-binding: grants to everyone (anonymous, authenticated, all ServiceAccounts).

use super::{identity, is_vendor};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct BroadGroupBinding;

impl Rule for BroadGroupBinding {
    fn id(&self) -> &'static str {
        "RBAC003"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for b in cx
            .inventory
            .kube
            .bindings
            .iter()
            .filter(|b| !is_vendor(&b.meta))
        {
            for s in &b.subjects {
                let (severity, who) = match (s.kind.as_str(), s.name.as_str()) {
                    ("Group", "system:unauthenticated") | ("User", "system:anonymous") => (Severity::Critical, "anyone who can reach the API server, without credentials"),
                    ("Group", "system:authenticated") => (Severity::High, "every authenticated identity (with aws-auth mapAccounts or access entries, every mapped AWS principal)"),
                    ("Group", "system:serviceaccounts") => (Severity::High, "every ServiceAccount of every namespace"),
                    ("Group", n) if n.starts_with("system:serviceaccounts:") => (Severity::High, "every ServiceAccount of the namespace"),
                    _ => continue,
                };
                out.push(
                    Finding::new(
                        self.id(),
                        severity,
                        s.span,
                        format!("{} `{}` grants `{}` to {} `{}`: {who}", b.meta.kind, b.meta.name, b.role_name, s.kind, s.name),
                    )
                    .label("broad subject")
                    .help("bind the role to the specific users, groups or ServiceAccounts that need it")
                    .identity(identity(b, &format!("subject:{}", s.name))),
                );
            }
        }
    }
}
