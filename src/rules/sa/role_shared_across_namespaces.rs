//! SA004 role-shared-across-namespaces: one IAM role annotated in several namespaces.

use super::identity;
use crate::finding::{listed, Finding, Severity, MAX_LISTED};
use crate::model::ServiceAccount;
use crate::rules::{Context, Rule};
use std::collections::BTreeMap;

pub struct RoleSharedAcrossNamespaces;

impl Rule for RoleSharedAcrossNamespaces {
    fn id(&self) -> &'static str {
        "SA004"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        // Grouped by ARN (case-insensitive) without key copies: sorted by a hash of the
        // lower-cased ARN, the text compared only when hashes tie. The sort is stable, so each
        // group keeps the input order.
        let mut annotated: Vec<(u64, &str, &ServiceAccount)> = cx
            .inventory
            .kube
            .service_accounts
            .iter()
            .filter_map(|sa| {
                let arn = sa.role_arn()?.text.trim();
                Some((lowercase_hash(arn), arn, &**sa))
            })
            .collect();
        annotated.sort_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let (x, y) = (a.1.bytes(), b.1.bytes());
                x.map(|c| c.to_ascii_lowercase())
                    .cmp(y.map(|c| c.to_ascii_lowercase()))
            })
        });
        for group in annotated.chunk_by(|a, b| a.0 == b.0 && a.1.eq_ignore_ascii_case(b.1)) {
            // One ServiceAccount cannot span namespaces: no lists to build for it.
            if group.len() < 2 {
                continue;
            }
            let mut by_namespace: BTreeMap<&str, Vec<&ServiceAccount>> = BTreeMap::new();
            for (_, _, sa) in group {
                by_namespace
                    .entry(sa.meta.namespace.as_str())
                    .or_default()
                    .push(*sa);
            }
            if by_namespace.len() < 2 {
                continue;
            }
            // Built once per role, and each finding marks at most MAX_LISTED of the others:
            // a role on thousands of ServiceAccounts keeps the report linear in the input.
            let namespaces = listed(by_namespace.keys(), by_namespace.len());
            for (&namespace, own) in &by_namespace {
                for sa in own {
                    let Some(arn) = sa.role_arn() else { continue };
                    let mut f = Finding::new(
                        self.id(),
                        Severity::Medium,
                        arn.span,
                        format!("IAM role `{}` is annotated on ServiceAccounts in namespaces {namespaces}: a compromise of either namespace reaches the other's AWS access", arn.text),
                    )
                    .label("shared role")
                    .help("give each namespace its own role with a trust policy for its own ServiceAccount")
                    .identity(identity(sa, "shared"));
                    let others = by_namespace
                        .iter()
                        .filter(|(other_namespace, _)| **other_namespace != namespace)
                        .flat_map(|(_, sas)| sas.iter())
                        .take(MAX_LISTED);
                    for other in others {
                        if let Some(a) = other.role_arn() {
                            f = f.with_label(
                                a.span,
                                format!(
                                    "also used by {}/{}",
                                    other.meta.namespace, other.meta.name
                                ),
                            );
                        }
                    }
                    out.push(f);
                }
            }
        }
    }
}

/// FNV-1a of the ASCII-lower-cased text: only orders the ARNs for grouping, so collisions cost
/// a comparison, never a wrong group.
fn lowercase_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}
