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
