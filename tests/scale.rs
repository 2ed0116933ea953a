//! Many objects pointing at each other: a finding about a shared role names a bounded number of
//! the others, so the report stays linear in the input. Before this was bounded, 20,000
//! ServiceAccounts sharing one role made 20,000 findings that each listed all the others
//! (hundreds of gigabytes of output).

use ekstrust::config::Config;
use ekstrust::engine::lint_in_memory;
use ekstrust::finding::MAX_LISTED;

const N: usize = 600;

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
    let of = |rule: &'static str| outcome.findings.iter().filter(move |f| f.rule == rule);

    // SA004: one finding per ServiceAccount on the shared role, each short.
    assert_eq!(of("SA004").count(), N);
    for f in of("SA004") {
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
        let found: Vec<_> = of(rule).collect();
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
