//! The rule registry. `declare_rules!` is the only list of rules: metadata, docs, SARIF and the
//! CLI are derived from it and from `rules/<ID>.toml`.

/// The `Rule` side of a rule that judges one trust policy at a time: its ID, every loaded trust
/// policy in turn when it runs on its own, and the trust-rule view through which the engine runs
/// all such rules on a role before the next.
macro_rules! trust_rule {
    ($rule:ty, $id:literal) => {
        impl $crate::rules::Rule for $rule {
            fn id(&self) -> &'static str {
                $id
            }

            fn check(&self, cx: &$crate::rules::Context, out: &mut Vec<$crate::finding::Finding>) {
                $crate::rules::check_each_trust_policy(self, cx, out);
            }

            fn as_trust_rule(&self) -> Option<&dyn $crate::rules::TrustRule> {
                Some(self)
            }
        }
    };
}

pub mod auth;
pub mod meta;
pub mod node;
pub mod pod;
pub mod podid;
pub mod rbac;
pub mod sa;
pub mod trust;

use crate::config::Config;
use crate::finding::Finding;
use crate::model::{Inventory, Policy, Role};
use crate::source::SourceMap;
pub use meta::RuleMeta;

/// What a rule sees: the model and the options. Rules do no I/O.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub sources: &'a SourceMap,
    pub config: &'a Config,
}

pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn check(&self, cx: &Context, out: &mut Vec<Finding>);
    /// Inventory rules (⧉) report something missing and run only on a complete inventory.
    fn needs_complete_inventory(&self) -> bool {
        false
    }
    /// Rules that judge one role's trust policy at a time. The engine runs all of them on a
    /// role before moving to the next, while its policy is in the cache, instead of each rule
    /// walking every role again.
    fn as_trust_rule(&self) -> Option<&dyn TrustRule> {
        None
    }
}

/// A rule that looks at one trust policy (and its role) at a time.
pub trait TrustRule: Sync {
    fn check_trust(&self, cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>);
}

/// `Rule::check` of a trust rule on its own: every loaded trust policy in turn.
pub fn check_each_trust_policy(rule: &dyn TrustRule, cx: &Context, out: &mut Vec<Finding>) {
    for role in &cx.inventory.roles {
        if let Some(policy) = &role.trust {
            rule.check_trust(cx, role, policy, out);
        }
    }
}

macro_rules! declare_rules {
    ($($id:ident => $rule:path,)*) => {
        /// Every rule, in ID order.
        pub fn all() -> Vec<&'static dyn Rule> {
            vec![$(&$rule as &'static dyn Rule,)*]
        }
        /// The TOML metadata of every rule, embedded at build time.
        pub fn metadata_sources() -> &'static [(&'static str, &'static str)] {
            &[$((stringify!($id), include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($id), ".toml"))),)*]
        }
    };
}

declare_rules! {
    TRUST001 => trust::oidc_missing_sub::OidcMissingSub,
    TRUST002 => trust::oidc_missing_aud::OidcMissingAud,
    TRUST003 => trust::oidc_wildcard_sub::OidcWildcardSub,
    TRUST004 => trust::oidc_issuer_mismatch::OidcIssuerMismatch,
    TRUST005 => trust::oidc_fail_open_operator::OidcFailOpenOperator,
    TRUST006 => trust::oidc_literal_mismatch::OidcLiteralMismatch,
    TRUST007 => trust::public_principal::PublicPrincipal,
    TRUST008 => trust::broad_trust_action::BroadTrustAction,
    TRUST009 => trust::not_principal_allow::NotPrincipalAllow,
    TRUST010 => trust::partition_mismatch::PartitionMismatch,
    TRUST011 => trust::cross_account_no_guard::CrossAccountNoGuard,
    TRUST012 => trust::invalid_trust_policy::InvalidTrustPolicy,
    PODID001 => podid::missing_tag_session::MissingTagSession,
    PODID002 => podid::unscoped_pod_identity_trust::UnscopedPodIdentityTrust,
    AUTH001 => auth::aws_auth_unparseable::AwsAuthUnparseable,
    AUTH002 => auth::aws_auth_invalid_entry::AwsAuthInvalidEntry,
    AUTH003 => auth::aws_auth_role_path::AwsAuthRolePath,
    AUTH004 => auth::aws_auth_system_masters::AwsAuthSystemMasters,
    AUTH005 => auth::aws_auth_map_accounts::AwsAuthMapAccounts,
    AUTH006 => auth::aws_auth_duplicate::AwsAuthDuplicate,
    AUTH007 => auth::aws_auth_node_mapping::AwsAuthNodeMapping,
    AUTH008 => auth::reserved_username::ReservedUsername,
    AUTH009 => auth::aws_auth_unmatchable_arn::AwsAuthUnmatchableArn,
    AUTH010 => auth::aws_auth_template::AwsAuthTemplate,
    AUTH011 => auth::iam_user_mapping::IamUserMapping,
    AUTH012 => auth::unbound_group::UnboundGroup,
    AUTH013 => auth::access_entry_admin::AccessEntryAdmin,
    AUTH014 => auth::access_entry_system_group::AccessEntrySystemGroup,
    AUTH015 => auth::auth_overlap::AuthOverlap,
    SA001 => sa::invalid_role_arn::InvalidRoleArn,
    SA002 => sa::role_does_not_trust_sa::RoleDoesNotTrustSa,
    SA003 => sa::default_sa_has_role::DefaultSaHasRole,
    SA004 => sa::role_shared_across_namespaces::RoleSharedAcrossNamespaces,
    SA005 => sa::audience_mismatch::AudienceMismatch,
    SA006 => sa::ignored_webhook_annotation::IgnoredWebhookAnnotation,
    POD001 => pod::host_network_node_role::HostNetworkNodeRole,
    POD002 => pod::static_aws_credentials::StaticAwsCredentials,
    POD003 => pod::missing_service_account::MissingServiceAccount,
    POD004 => pod::manual_web_identity_env::ManualWebIdentityEnv,
    POD005 => pod::legacy_kiam_kube2iam::LegacyKiamKube2iam,
    POD006 => pod::self_projected_sts_token::SelfProjectedStsToken,
    RBAC001 => rbac::cluster_admin_binding::ClusterAdminBinding,
    RBAC002 => rbac::wildcard_rule::WildcardRule,
    RBAC003 => rbac::broad_group_binding::BroadGroupBinding,
    RBAC004 => rbac::escalation_verbs::EscalationVerbs,
    RBAC005 => rbac::cluster_wide_secrets::ClusterWideSecrets,
    RBAC006 => rbac::workload_create_steals_iam_role::WorkloadCreateStealsIamRole,
    RBAC007 => rbac::token_request_steals_iam_role::TokenRequestStealsIamRole,
    RBAC008 => rbac::aws_auth_write::AwsAuthWrite,
    RBAC009 => rbac::dangling_role_ref::DanglingRoleRef,
    RBAC010 => rbac::unused_rbac_role::UnusedRbacRole,
    TRUST013 => trust::irsa_trust_without_sa::IrsaTrustWithoutSa,
    TRUST014 => trust::unused_role::UnusedRole,
    SA007 => sa::unused_sa_with_role::UnusedSaWithRole,
    NODE001 => node::node_role_overreach::NodeRoleOverreach,
    NODE002 => node::cni_policy_on_node_role::CniPolicyOnNodeRole,
    NODE003 => node::imds_reachable_from_pods::ImdsReachableFromPods,
    NODE004 => node::eksctl_addon_policies::EksctlAddonPolicies,
    PODID003 => podid::irsa_and_pod_identity::IrsaAndPodIdentity,
    PODID004 => podid::association_without_sa::AssociationWithoutSa,
}

/// Run the selected rules and return findings sorted by (file, offset, rule).
pub fn run(cx: &Context, selected: &[&'static dyn Rule]) -> Vec<Finding> {
    use rayon::prelude::*;
    let mut trust_rules: Vec<&dyn TrustRule> = Vec::new();
    let mut others: Vec<&'static dyn Rule> = Vec::new();
    for rule in selected {
        match rule.as_trust_rule() {
            Some(trust) => trust_rules.push(trust),
            None => others.push(*rule),
        }
    }
    // Roles in chunks, every trust rule on each role; the other rules side by side.
    let (mut findings, other_findings): (Vec<Finding>, Vec<Finding>) = rayon::join(
        || {
            cx.inventory
                .roles
                .par_chunks(64)
                .flat_map_iter(|roles| {
                    let mut out = Vec::new();
                    for role in roles {
                        if let Some(policy) = &role.trust {
                            for rule in &trust_rules {
                                rule.check_trust(cx, role, policy, &mut out);
                            }
                        }
                    }
                    out
                })
                .collect()
        },
        || {
            others
                .par_iter()
                .flat_map_iter(|rule| {
                    let mut out = Vec::new();
                    rule.check(cx, &mut out);
                    out
                })
                .collect()
        },
    );
    // Exactly: growing by doubling would copy the findings and leave spare room.
    findings.reserve_exact(other_findings.len());
    findings.extend(other_findings);
    findings.sort_by(|a, b| {
        (a.span.file, a.span.start, a.rule, a.span.end, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.rule,
            b.span.end,
            &b.message,
        ))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    merge_same_identity(findings)
}

/// One finding per rule, file and identity. A fingerprint comes from those three, so findings
/// sharing them are one problem to a baseline or to code scanning: a provider or action listed
/// twice, a CloudFormation `!If` giving the same provider in both branches, one ServiceAccount
/// named under two issuers. The first (in file order) is kept, at the highest severity of them,
/// and each later place becomes one of its labels (at most [`MAX_LISTED`] of them).
fn merge_same_identity(findings: Vec<Finding>) -> Vec<Finding> {
    use crate::finding::MAX_LISTED;
    use std::collections::hash_map::Entry;
    // First pass, borrowing: which earlier finding each one repeats.
    let mut repeats: Vec<Option<usize>> = vec![None; findings.len()];
    {
        let mut first: foldhash::HashMap<(&str, u32, &str), usize> =
            foldhash::HashMap::with_capacity_and_hasher(findings.len(), Default::default());
        for (i, f) in findings.iter().enumerate() {
            if f.identity.is_empty() {
                continue;
            }
            match first.entry((f.rule, f.span.file, f.identity.as_str())) {
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
                Entry::Occupied(slot) => {
                    if let Some(r) = repeats.get_mut(i) {
                        *r = Some(*slot.get());
                    }
                }
            }
        }
    }
    if repeats.iter().all(Option::is_none) {
        return findings;
    }
    // Second pass, moving: position of each kept finding in the output, and how many places
    // have been merged into it.
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut kept_at: Vec<usize> = Vec::with_capacity(findings.len());
    let mut merged_places = vec![0usize; findings.len()];
    for (f, repeat) in findings.into_iter().zip(repeats) {
        kept_at.push(kept.len());
        let Some(original) = repeat else {
            kept.push(f);
            continue;
        };
        let at = kept_at.get(original).copied().unwrap_or(usize::MAX);
        let (Some(into), Some(count)) = (kept.get_mut(at), merged_places.get_mut(original)) else {
            continue;
        };
        into.severity = into.severity.max(f.severity);
        if *count >= MAX_LISTED || into.spans().any(|s| s == f.span) {
            continue;
        }
        *count += 1;
        let text = f
            .label
            .unwrap_or(std::borrow::Cow::Borrowed("the same here"));
        into.labels.push(crate::finding::Label {
            span: f.span,
            message: text,
        });
        for label in f.labels {
            if !into.spans().any(|s| s == label.span) {
                into.labels.push(label);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::merge_same_identity;
    use crate::finding::{Finding, Severity, MAX_LISTED};
    use crate::source::Span;

    fn at(start: usize, identity: &str, severity: Severity) -> Finding {
        Finding::new("TRUST002", severity, Span::new(0, start, start + 1), "m")
            .label("here")
            .identity(identity)
    }

    #[test]
    fn findings_of_one_identity_become_one_with_a_label_per_place() {
        let merged = merge_same_identity(vec![
            at(1, "a", Severity::Medium),
            at(5, "b", Severity::Medium),
            at(9, "a", Severity::Critical),
        ]);
        assert_eq!(merged.len(), 2);
        let a = &merged[0];
        assert_eq!(a.span.start, 1, "the first place stays the finding's own");
        assert_eq!(a.severity, Severity::Critical, "the highest severity wins");
        let places: Vec<u32> = a.labels.iter().map(|l| l.span.start).collect();
        assert_eq!(places, [9]);
        assert_eq!(merged[1].identity, "b");
    }

    #[test]
    fn merged_places_are_capped_and_findings_without_identity_are_kept() {
        let mut findings: Vec<Finding> = (0..MAX_LISTED + 5)
            .map(|i| at(i * 2, "a", Severity::Medium))
            .collect();
        findings.push(at(100, "", Severity::Low));
        findings.push(at(101, "", Severity::Low));
        let merged = merge_same_identity(findings);
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].labels.len(), MAX_LISTED);
    }
}
