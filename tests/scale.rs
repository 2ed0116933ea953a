//! Many objects pointing at each other: a finding about a shared role names a bounded number of
//! the others, so the report stays linear in the input. Before this was bounded, 20,000
//! ServiceAccounts sharing one role made 20,000 findings that each listed all the others
//! (hundreds of gigabytes of output).

use ekstrust::config::Config;
use ekstrust::engine::{lint_in_memory, Outcome};
use ekstrust::finding::Finding;
use ekstrust::finding::MAX_LISTED;

const N: usize = 600;

/// The findings of one rule.
fn of_rule<'a>(outcome: &'a Outcome, rule: &str) -> Vec<&'a Finding> {
    outcome.findings.iter().filter(|f| f.rule == rule).collect()
}

/// `N` ServiceAccounts in `N` namespaces sharing one role, and `N` in one namespace with a role
/// each, which a RoleBinding lets a group create pods and tokens for.
fn manifests() -> String {
    let mut docs = Vec::new();
    for i in 0..N {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: shared-{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shared\n"
        ));
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: own-{i}\n  namespace: team\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/own-{i}\n"
        ));
    }
    docs.push(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: team\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, serviceaccounts/token]\n  verbs: [create]\n"
            .to_string(),
    );
    docs.push(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployers\n  namespace: team\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: deployer\nsubjects:\n- kind: Group\n  name: deployers\n  apiGroup: rbac.authorization.k8s.io\n"
            .to_string(),
    );
    docs.join("---\n")
}

#[test]
fn findings_about_shared_roles_name_a_bounded_number_of_others() {
    let text = manifests();
    let outcome = lint_in_memory(&[("scale.yaml", text.as_bytes())], &Config::default());

    // SA004: one finding per ServiceAccount on the shared role, each short.
    assert_eq!(of_rule(&outcome, "SA004").len(), N);
    for f in of_rule(&outcome, "SA004") {
        assert!(f.labels.len() <= MAX_LISTED, "{} labels", f.labels.len());
        assert!(f.message.len() < 1_000, "{}", f.message);
        assert!(
            f.message.contains(&format!("and {} more", N - MAX_LISTED)),
            "{}",
            f.message
        );
    }
    // RBAC006 and RBAC007: one finding each for the binding, listing some of the N roles.
    for rule in ["RBAC006", "RBAC007"] {
        let found = of_rule(&outcome, rule);
        assert_eq!(found.len(), 1, "{rule}");
        let f = found[0];
        // The rule that grants it, then at most MAX_LISTED roles.
        assert!(
            f.labels.len() <= MAX_LISTED + 1,
            "{rule}: {}",
            f.labels.len()
        );
        assert!(
            f.message.contains(&format!("and {} more", N - MAX_LISTED)),
            "{rule}: {}",
            f.message
        );
        assert!(f.message.len() < 2_000, "{rule}: {}", f.message.len());
    }
    // The whole report in all: linear in the input, not quadratic.
    let related: usize = outcome.findings.iter().map(|f| f.labels.len()).sum();
    assert!(related <= outcome.findings.len() * (MAX_LISTED + 1));
}

/// A role trusting `N` exact subjects, annotated on `N` ServiceAccounts it does not trust: each
/// SA002 finding names at most ten of the subjects the role requires.
#[test]
fn rejected_service_accounts_name_a_bounded_number_of_the_subjects_a_role_trusts() {
    let issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
    let subjects: Vec<String> = (0..N)
        .map(|i| format!("\"system:serviceaccount:ns{i}:app\""))
        .collect();
    let role = format!(
        r#"{{"Role": {{"RoleName": "shared", "Arn": "arn:aws:iam::111122223333:role/shared", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{issuer}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{issuer}:sub": [{}], "{issuer}:aud": "sts.amazonaws.com"}}}}}}]}}}}}}"#,
        subjects.join(", ")
    );
    let service_accounts: Vec<String> = (0..N)
        .map(|i| format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shared\n"))
        .collect();
    let manifests = service_accounts.join("---\n");
    let outcome = lint_in_memory(
        &[
            ("role.json", role.as_bytes()),
            ("sas.yaml", manifests.as_bytes()),
        ],
        &Config::default(),
    );
    let rejected = of_rule(&outcome, "SA002");
    assert_eq!(rejected.len(), N);
    for f in rejected {
        assert!(f.message.len() < 1_500, "{}", f.message);
        assert!(
            f.message.contains(&format!("and {} more", N - MAX_LISTED)),
            "{}",
            f.message
        );
    }
}

/// A ClusterRole naming `N` ServiceAccounts for token requests on one line, bound cluster-wide,
/// with one of them holding an IAM role in each of `N` namespaces: `N` RBAC007 findings each
/// point at the rule, and the human report shows the rule's start rather than all its names
/// (which made the report quadratic: 8,000 namespaces gave half a gigabyte).
#[test]
fn findings_sharing_a_long_rule_show_its_start() {
    let names: Vec<String> = (0..N).map(|i| format!("sa{i}")).collect();
    let mut docs = vec![format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: minter\nrules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts/token]\n  resourceNames: [{}]\n  verbs: [create]\n",
        names.join(", ")
    )];
    docs.push("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: minters\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: minter\nsubjects:\n- kind: Group\n  name: ci\n".to_string());
    for i in 0..N {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r{i}\n"
        ));
    }
    let text = docs.join("---\n");
    let outcome = lint_in_memory(&[("rbac.yaml", text.as_bytes())], &Config::default());
    let minted = of_rule(&outcome, "RBAC007");
    // One per namespace, each naming that namespace's role.
    assert_eq!(minted.len(), N);
    for i in [0, N / 2, N - 1] {
        let role = format!("role/r{i}` (via sa{i})");
        assert!(minted.iter().any(|f| f.message.contains(&role)), "{role}");
    }
    let human = ekstrust::report::human::Human::new(false);
    for f in minted {
        let mut out = String::new();
        human.finding(f, &outcome.sources, &mut out);
        assert!(out.contains("allows create serviceaccounts/token"), "{out}");
        // The names line alone is over 4,000 bytes.
        assert!(out.len() < 3_000, "{} bytes:\n{out}", out.len());
    }
}

/// A ClusterRoleBinding of `N` ServiceAccounts, each in its own namespace with an IAM role, to
/// `cluster-admin`: RBAC006 and RBAC007 report each namespace, and each of those findings names
/// the binding's subjects. Listing all of them made the report grow with N² (14 s and 250 MB of
/// output for 2,000 subjects).
#[test]
fn findings_about_a_binding_of_many_subjects_name_a_bounded_number_of_them() {
    let subjects: String = (0..N)
        .map(|i| format!("- kind: ServiceAccount\n  name: sa{i}\n  namespace: ns{i}\n"))
        .collect();
    let mut text = format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: everyone\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n{subjects}");
    for i in 0..N {
        text.push_str(&format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/r{i}\n"));
    }
    let outcome = lint_in_memory(&[("binding.yaml", text.as_bytes())], &Config::default());
    for rule in ["RBAC001", "RBAC006", "RBAC007"] {
        let found = of_rule(&outcome, rule);
        assert!(!found.is_empty(), "{rule} did not fire");
        for f in found {
            assert!(f.message.len() < 1_500, "{rule}: {}", f.message);
            assert!(
                f.message.contains(&format!("and {} more", N - MAX_LISTED)),
                "{rule}: {}",
                f.message
            );
        }
    }
    assert_eq!(of_rule(&outcome, "RBAC006").len(), N, "one per namespace");
}
