use super::*;
use crate::loader::{iam, json};

const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF";
const PROVIDER: &str =
    "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF";

fn policy(conditions: &str) -> Policy {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{conditions}}}]}}"#
    );
    let doc = json::parse(&text, 0, &Default::default()).unwrap();
    iam::parse_policy(&doc.root, &iam::Literal, true, &doc.duplicates)
}

fn sa(p: &Policy, ns: &str, name: &str) -> Verdict {
    evaluate(
        p,
        &Request::irsa(PROVIDER, ISSUER, ns, name, "sts.amazonaws.com"),
    )
}

#[test]
fn exact_sub_and_aud_admit_only_that_service_account() {
    let p = policy(&format!(
        r#"{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:prod:app","{ISSUER}:aud":"sts.amazonaws.com"}}}}"#
    ));
    assert_eq!(sa(&p, "prod", "app"), Verdict::Allowed(0));
    assert_eq!(
        sa(&p, "prod", "other"),
        Verdict::NotAllowed(vec![(0, Miss::Condition(0))])
    );
    let wrong_aud = evaluate(&p, &Request::irsa(PROVIDER, ISSUER, "prod", "app", "other"));
    assert!(!wrong_aud.may_allow());
}

#[test]
fn values_of_one_key_or_together_and_keys_and_together() {
    let p = policy(&format!(
        r#"{{"StringEquals":{{"{ISSUER}:sub":["system:serviceaccount:a:x","system:serviceaccount:b:y"]}}}}"#
    ));
    assert!(sa(&p, "a", "x").may_allow());
    assert!(sa(&p, "b", "y").may_allow());
    assert!(!sa(&p, "a", "y").may_allow());
}

#[test]
fn condition_key_names_are_case_insensitive_values_are_not() {
    let upper = ISSUER.to_uppercase();
    let p = policy(&format!(
        r#"{{"StringEquals":{{"{upper}:SUB":"system:serviceaccount:prod:app"}}}}"#
    ));
    assert!(sa(&p, "prod", "app").may_allow());
    let p = policy(&format!(
        r#"{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:Prod:app"}}}}"#
    ));
    assert!(!sa(&p, "prod", "app").may_allow());
}

#[test]
fn string_like_star_spans_colons() {
    let p = policy(&format!(
        r#"{{"StringLike":{{"{ISSUER}:sub":"system:serviceaccount:*"}}}}"#
    ));
    assert!(sa(&p, "kube-system", "anything").may_allow());
    let p = policy(&format!(
        r#"{{"StringLike":{{"{ISSUER}:sub":"system:serviceaccount:prod:app-?"}}}}"#
    ));
    assert!(sa(&p, "prod", "app-1").may_allow());
    assert!(!sa(&p, "prod", "app-12").may_allow());
}

#[test]
fn missing_keys_fail_closed_for_normal_and_open_for_if_exists_negated_forall() {
    let key = "other.example.com:sub";
    for (cond, allowed) in [
        (format!(r#"{{"StringEquals":{{"{key}":"x"}}}}"#), false),
        (
            format!(r#"{{"StringEqualsIfExists":{{"{key}":"x"}}}}"#),
            true,
        ),
        (format!(r#"{{"StringNotEquals":{{"{key}":"x"}}}}"#), true),
        (
            format!(r#"{{"ForAllValues:StringEquals":{{"{key}":"x"}}}}"#),
            true,
        ),
        (
            format!(r#"{{"ForAnyValue:StringEquals":{{"{key}":"x"}}}}"#),
            false,
        ),
        (format!(r#"{{"ArnNotLike":{{"{key}":"x"}}}}"#), true),
        (format!(r#"{{"Null":{{"{key}":"true"}}}}"#), true),
        (format!(r#"{{"Null":{{"{key}":"false"}}}}"#), false),
    ] {
        assert_eq!(
            sa(&policy(&cond), "prod", "app").may_allow(),
            allowed,
            "{cond}"
        );
    }
}

#[test]
fn negated_operator_admits_every_other_value() {
    let p = policy(&format!(
        r#"{{"StringNotEquals":{{"{ISSUER}:sub":"system:serviceaccount:prod:app"}}}}"#
    ));
    assert!(!sa(&p, "prod", "app").may_allow());
    assert!(sa(&p, "dev", "anything").may_allow());
}

#[test]
fn explicit_deny_wins() {
    let text = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithWebIdentity"}},{{"Effect":"Deny","Principal":"*","Action":"*","Condition":{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:prod:bad"}}}}}}]}}"#
    );
    let doc = json::parse(&text, 0, &Default::default()).unwrap();
    let p = iam::parse_policy(&doc.root, &iam::Literal, true, &[]);
    assert_eq!(sa(&p, "prod", "bad"), Verdict::Denied(1));
    assert_eq!(sa(&p, "prod", "good"), Verdict::Allowed(0));
}

#[test]
fn principal_and_action_must_match() {
    let p = policy("{}");
    let other = evaluate(
        &p,
        &Request::irsa(
            "arn:aws:iam::111122223333:oidc-provider/x",
            "x",
            "a",
            "b",
            "sts.amazonaws.com",
        ),
    );
    assert_eq!(other, Verdict::NotAllowed(vec![(0, Miss::Principal)]));
    let mut req = Request::irsa(PROVIDER, ISSUER, "a", "b", "sts.amazonaws.com");
    req.action = "sts:AssumeRole".into();
    assert_eq!(
        evaluate(&p, &req),
        Verdict::NotAllowed(vec![(0, Miss::Action)])
    );
}

#[test]
fn aws_principals_match_by_account_root() {
    let text = r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}"#;
    let doc = json::parse(text, 0, &Default::default()).unwrap();
    let p = iam::parse_policy(&doc.root, &iam::Literal, true, &[]);
    let req = |who: &str| Request {
        caller: Caller::Aws(who.into()),
        action: "sts:AssumeRole".into(),
        context: vec![],
    };
    assert!(evaluate(&p, &req("arn:aws:iam::111122223333:role/x")).may_allow());
    assert!(!evaluate(&p, &req("arn:aws:iam::999999999999:role/x")).may_allow());
}

#[test]
fn templated_values_are_unknown_not_wildcards() {
    let p = policy(&format!(
        r#"{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:prod:app"}}}}"#
    ));
    let mut templated = p.clone();
    templated.statements[0].conditions[0].values[0].text =
        "system:serviceaccount:${Namespace}:app".into();
    templated.statements[0].conditions[0].values[0].templated = true;
    assert_eq!(sa(&templated, "prod", "app"), Verdict::Unknown(0));
    assert!(!sa(&templated, "prod", "other").may_allow());
}

#[test]
fn arn_fields_split_like_the_string_splitter() {
    let samples = [
        "arn:aws:iam::123456789012:role/app",
        "arn:aws:iam::123456789012:role/path/with:colon",
        "arn:aws:iam::123456789012",
        "arn:aws",
        "",
        ":::::",
        "no colons at all",
        "arn:aws-cn:eks:cn-north-1:123456789012:cluster/prod:extra:fields",
        "arn:aws:iam::ünïcode:role/é",
    ];
    for arn in samples {
        for n in 0..8 {
            assert_eq!(
                super::arn_field(arn, n),
                arn.split(':').nth(n),
                "field {n} of {arn:?}"
            );
        }
        let expected: Vec<&str> = arn.splitn(6, ':').collect();
        let parts = super::arn_parts(arn);
        match parts {
            Some(parts) => assert_eq!(parts.to_vec(), expected, "{arn:?}"),
            None => assert!(expected.len() < 6, "{arn:?} has six fields"),
        }
    }
}

/// A large policy (more statements, principals and condition values than the index's threshold)
/// judged through [`WebIdentityIndex`] and in full: the same verdict for every provider and
/// ServiceAccount, apart from the principal misses of statements the index skips.
#[test]
fn the_web_identity_index_judges_as_the_full_evaluation_does() {
    let provider = |k: usize| format!("arn:aws:iam::111122223333:oidc-provider/{ISSUER}{k}");
    let subjects = |k: usize| -> String {
        let list: Vec<String> = (0..20)
            .map(|j| format!(r#""system:serviceaccount:ns{}:sa{j}""#, (k + j) % 7))
            .collect();
        list.join(",")
    };
    let mut statements = Vec::new();
    for i in 0..18 {
        let k = i % 5;
        statements.push(format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}{k}:sub":[{}],"{ISSUER}{k}:aud":"sts.amazonaws.com"}}}}}}"#,
            provider(k),
            subjects(i)
        ));
    }
    statements.push(format!(
        r#"{{"Effect":"Deny","Principal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}2:sub":"system:serviceaccount:ns3:sa1"}}}}}}"#,
        provider(2)
    ));
    statements.push(format!(
        r#"{{"Effect":"Allow","NotPrincipal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"{ISSUER}6:sub":"system:serviceaccount:ns6:*"}}}}}}"#,
        provider(0)
    ));
    statements.push(format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringNotEquals":{{"{ISSUER}5:sub":[{}]}},"StringEquals":{{"{ISSUER}5:aud":"sts.amazonaws.com"}}}}}}"#,
        subjects(3)
    ));
    statements.push(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}"#
            .to_string(),
    );
    statements.push(format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":["{}","arn:aws:iam::${{AWS::AccountId}}:oidc-provider/{ISSUER}4"]}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}4:sub":[{},"system:serviceaccount:${{Team}}:sa9"]}}}}}}"#,
        provider(3),
        subjects(5)
    ));
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let doc = json::parse(&text, 0, &Default::default()).unwrap();
    let mut p = iam::parse_policy(&doc.root, &iam::Literal, true, &doc.duplicates);
    // What a CloudFormation `!Sub` would have marked: the values with placeholders.
    for st in p.statements.iter_mut() {
        let principals = st.principal.iter_mut().flat_map(|b| b.entries.iter_mut());
        for (_, v) in principals {
            v.templated = v.text.contains("${");
        }
        for c in st.conditions.iter_mut() {
            for v in c.values.iter_mut() {
                v.templated = v.text.contains("${");
            }
        }
    }
    let index = WebIdentityIndex::of(&p).expect("a policy this large is indexed");
    let without_principal_misses = |v: Verdict| match v {
        Verdict::NotAllowed(misses) => Verdict::NotAllowed(
            misses
                .into_iter()
                .filter(|(_, m)| *m != Miss::Principal)
                .collect(),
        ),
        other => other,
    };
    let mut kinds = std::collections::HashSet::new();
    for k in 0..7 {
        for ns in 0..7 {
            for j in [0, 1, 9, 19, 25] {
                let issuer = format!("{ISSUER}{k}");
                let req = Request::irsa(
                    &provider(k),
                    &issuer,
                    &format!("ns{ns}"),
                    &format!("sa{j}"),
                    "sts.amazonaws.com",
                );
                let full = without_principal_misses(evaluate(&p, &req));
                let indexed = without_principal_misses(index.evaluate(&p, &req));
                assert_eq!(indexed, full, "provider {k}, ns{ns}/sa{j}");
                kinds.insert(std::mem::discriminant(&full));
            }
        }
    }
    assert_eq!(
        kinds.len(),
        4,
        "allowed, denied, unknown and not allowed all seen"
    );
}
