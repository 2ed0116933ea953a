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
fn indexed_provider(k: usize) -> String {
    format!("arn:aws:iam::111122223333:oidc-provider/{ISSUER}{k}")
}

/// A policy past the index's threshold, with every kind of statement the index sorts: one per
/// provider (some sharing one), each listing twenty subjects; a Deny; a `NotPrincipal`; a `*`;
/// an AWS principal; and a principal and subject with placeholders. `extra` statements (JSON)
/// are appended.
fn large_policy(extra: &[&str]) -> Policy {
    let provider = indexed_provider;
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
    statements.extend(extra.iter().map(|s| s.to_string()));
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
    p
}

#[test]
fn the_web_identity_index_judges_as_the_full_evaluation_does() {
    let p = large_policy(&[]);
    let provider = indexed_provider;
    let index = WebIdentityIndex::of(&p).expect("a policy this large is indexed");
    let mut kinds = std::collections::HashSet::new();
    let mut left_out = 0;
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
                let case = format!("provider {k}, ns{ns}/sa{j}");
                let full = evaluate(&p, &req);
                kinds.insert(std::mem::discriminant(&full));
                match (index.evaluate(&p, &req), full) {
                    // The index lists the misses of the statements it judges, as the full
                    // evaluation does; it leaves out only statements that cannot match this
                    // caller: the principal does not match, or a condition fails because the
                    // request lacks its key.
                    (Verdict::NotAllowed(indexed), Verdict::NotAllowed(full)) => {
                        for miss in &indexed {
                            assert!(full.contains(miss), "{case}: {miss:?} not in {full:?}");
                        }
                        for (i, miss) in full.iter().filter(|m| !indexed.contains(m)) {
                            let st = &p.statements[*i];
                            let missing_key = st.conditions.iter().any(|c| {
                                condition_holds(c, &req) == Tri::False
                                    && req.values(&c.key.text).is_none()
                            });
                            assert!(
                                *miss == Miss::Principal || missing_key,
                                "{case}: statement {i} ({miss:?}) left out"
                            );
                            left_out += 1;
                        }
                    }
                    (indexed, full) => assert_eq!(indexed, full, "{case}"),
                }
            }
        }
    }
    assert!(left_out > 0, "some statements are left out");
    assert_eq!(
        kinds.len(),
        4,
        "allowed, denied, unknown and not allowed all seen"
    );
}

/// A policy made large enough to be indexed by statements that admit nobody the tests ask
/// about (subjects of `ns9`), followed by `statements` (JSON).
fn padded_policy(statements: &[String]) -> Policy {
    let mut all: Vec<String> = (0..17)
        .map(|i| {
            let k = i % 3;
            format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}{k}:sub":"system:serviceaccount:ns9:sa{i}"}}}}}}"#,
                indexed_provider(k)
            )
        })
        .collect();
    all.extend_from_slice(statements);
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        all.join(",")
    );
    let doc = json::parse(&text, 0, &Default::default()).unwrap();
    let mut p = iam::parse_policy(&doc.root, &iam::Literal, true, &doc.duplicates);
    // What a CloudFormation `!Sub` would have marked: condition keys with placeholders.
    for c in p
        .statements
        .iter_mut()
        .flat_map(|st| st.conditions.iter_mut())
    {
        c.key.templated = c.key.text.contains("${");
    }
    p
}

/// Whether some provider admits a ServiceAccount, asked through the index as SA002 asks (the
/// first provider, then [`WebIdentityIndex::providers_to_try`], each judged by the index) and
/// by judging every provider in full: the same
/// answer for every subject and audience, with providers the policy does not name in the list
/// too.
#[test]
fn the_providers_to_try_admit_whoever_some_provider_admits() {
    // A condition on a tag the request lacks, negated: it fails open, so these statements
    // admit any subject through the providers their principals leave in.
    let fail_open = r#""Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"x"}}"#;
    let listed = |ks: std::ops::Range<usize>| {
        let arns: Vec<String> = ks
            .map(|k| format!(r#""{}""#, indexed_provider(k)))
            .collect();
        arns.join(",")
    };
    let cases = [
        ("large", large_policy(&[])),
        // Only provider 11 is left in; providers 0 to 10 are one class, named alike.
        (
            "not-principal",
            padded_policy(&[format!(
                r#"{{"Effect":"Allow","NotPrincipal":{{"Federated":[{}]}},{fail_open}}}"#,
                listed(0..11)
            )]),
        ),
        // Every provider is let in, but 0 and 1 are always denied: another must be tried.
        (
            "deny",
            padded_policy(&[
                format!(
                    r#"{{"Effect":"Deny","Principal":{{"Federated":[{}]}},"Action":"sts:AssumeRoleWithWebIdentity"}}"#,
                    listed(0..2)
                ),
                format!(r#"{{"Effect":"Allow","Principal":"*",{fail_open}}}"#),
            ]),
        ),
        // A `Null` condition on a key the request lacks holds: every provider is let in.
        (
            "null",
            padded_policy(&[
                r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"Null":{"aws:PrincipalTag/team":"true"}}}"#.to_string(),
            ]),
        ),
        // A condition on a key with a placeholder is unknown: every provider might be let in.
        (
            "placeholder-key",
            padded_policy(&[
                r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"${OidcIssuer}:sub":"system:serviceaccount:ns9:none"}}}"#.to_string(),
            ]),
        ),
        // Every provider is let in and denied for one namespace's ServiceAccounts (provider k
        // for those of `ns{k % 8}`): none answers for the others.
        (
            "deny-each",
            padded_policy(
                &(0..12)
                    .map(|k| {
                        format!(
                            r#"{{"Effect":"Deny","Principal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringLike":{{"{ISSUER}{k}:sub":"system:serviceaccount:ns{}:*"}}}}}}"#,
                            indexed_provider(k),
                            k % 8
                        )
                    })
                    .chain([format!(r#"{{"Effect":"Allow","Principal":"*",{fail_open}}}"#)])
                    .collect::<Vec<_>>(),
            ),
        ),
        // Every provider is let in and denied for every ServiceAccount, by Denies alike but
        // for their issuer, except providers 5 and 9, which spare `ns3:sa1`.
        ("deny-alike", alike_denies_policy()),
        // Every provider is let in and denied for every ServiceAccount but one or two.
        ("deny-spares", sparing_denies_policy()),
        // Every provider is let in; six are denied whatever the request.
        ("deny-always", always_denies_policy()),
    ];
    let owned = twelve_providers();
    let providers = as_pairs(&owned);
    let mut answers = std::collections::HashSet::new();
    for (case, p) in &cases {
        let index = WebIdentityIndex::of(p).expect("a policy this large is indexed");
        let plan = index.plan(p, &providers);
        // With another audience, only the statements without an `aud` condition admit.
        for (ns, j, audience) in (0..8).flat_map(|ns| {
            [0, 1, 9, 19, 25]
                .into_iter()
                .flat_map(move |j| ["sts.amazonaws.com", "other"].map(|a| (ns, j, a)))
        }) {
            let (ns, sa) = (format!("ns{ns}"), format!("sa{j}"));
            let request = |position: usize| {
                let (provider, issuer) = providers[position];
                Request::irsa(provider, issuer, &ns, &sa, audience)
            };
            let by_every_provider =
                (0..providers.len()).any(|i| evaluate(p, &request(i)).may_allow());
            let subject = format!("system:serviceaccount:{ns}:{sa}");
            let admits = |position: usize| index.evaluate(p, &request(position)).may_allow();
            let by_index = admits(0) || index.providers_to_try(&plan, p, &subject).any(admits);
            assert_eq!(by_index, by_every_provider, "{case}: {subject}, {audience}");
            answers.insert((*case, by_every_provider));
        }
    }
    let expected = [
        ("large", true),
        ("large", false),
        ("not-principal", true),
        ("null", true),
        ("placeholder-key", true),
        ("deny", true),
        ("deny-each", true),
        ("deny-alike", true),
        ("deny-alike", false),
        ("deny-spares", true),
        ("deny-spares", false),
        ("deny-always", true),
    ];
    assert_eq!(answers, expected.into_iter().collect());
}

/// Providers 0 to 11 of [`indexed_provider`], each with its issuer.
fn twelve_providers() -> Vec<(String, String)> {
    (0..12)
        .map(|k| (indexed_provider(k), format!("{ISSUER}{k}")))
        .collect()
}

fn as_pairs(providers: &[(String, String)]) -> Vec<(&str, &str)> {
    providers
        .iter()
        .map(|(p, i)| (p.as_str(), i.as_str()))
        .collect()
}

/// [`padded_policy`] with a Deny of web identity for each of [`twelve_providers`], on the
/// conditions `condition(k)` (the JSON inside `Condition`), and a `*` Allow of web identity.
fn denies_with_star_allow(condition: impl Fn(usize) -> String) -> Policy {
    let denies = (0..12).map(|k| {
        format!(
            r#"{{"Effect":"Deny","Principal":{{"Federated":"{}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{{}}}}}"#,
            indexed_provider(k),
            condition(k)
        )
    });
    let star = r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}"#;
    padded_policy(&denies.chain([star.to_string()]).collect::<Vec<_>>())
}

/// Positions (in [`twelve_providers`]) that the index tries for a ServiceAccount with this
/// `sub`, besides the first provider.
fn providers_tried(p: &Policy, subject: &str) -> std::collections::BTreeSet<usize> {
    let owned = twelve_providers();
    let providers = as_pairs(&owned);
    let index = WebIdentityIndex::of(p).expect("a policy this large is indexed");
    let plan = index.plan(p, &providers);
    index.providers_to_try(&plan, p, subject).collect()
}

/// The policy of the `deny-alike` case above: a Deny per provider (written with the issuer's
/// own case for provider 3), and a `*` Allow.
fn alike_denies_policy() -> Policy {
    denies_with_star_allow(|k| {
        let issuer = format!("{ISSUER}{k}");
        let issuer = if k == 3 {
            issuer.to_lowercase()
        } else {
            issuer
        };
        if k == 5 || k == 9 {
            format!(r#""StringNotEquals":{{"{issuer}:sub":"system:serviceaccount:ns3:sa1"}}"#)
        } else {
            format!(r#""StringLike":{{"{issuer}:sub":"system:serviceaccount:*"}}"#)
        }
    })
}

/// Providers whose Denies read alike but for their own issuer are tried once for all of them:
/// a ServiceAccount that no statement names tries one of the ten, not each. (Providers 5 and 9
/// spare one subject, and are tried for it alone.)
#[test]
fn providers_denied_alike_are_tried_once() {
    let p = alike_denies_policy();
    let tried = |subject: &str| providers_tried(&p, subject);
    let unnamed = tried("system:serviceaccount:ns0:sa0");
    assert_eq!(unnamed.len(), 1, "{unnamed:?}");
    assert!(
        !unnamed.contains(&5) && !unnamed.contains(&9),
        "{unnamed:?}"
    );
    let spared = tried("system:serviceaccount:ns3:sa1");
    assert_eq!(spared.len(), 3, "{spared:?}");
    assert!(spared.contains(&5) && spared.contains(&9), "{spared:?}");
}

/// The policy of the `deny-spares` case: provider k is denied every subject but
/// `ns{k % 8}:sa1` (provider 7 also `ns7:sa9`) by a `StringNotEquals` on its own `sub`. Three
/// are not read as sparing subjects: provider 9's Deny also needs the audience `other`, provider
/// 10's is on its `aud` (it spares every subject whose token has the default audience), and
/// provider 11's is `StringNotEqualsIfExists`. A `*` Allow lets every provider in.
fn sparing_denies_policy() -> Policy {
    denies_with_star_allow(|k| {
        let spared = match k {
            7 => r#"["system:serviceaccount:ns7:sa1","system:serviceaccount:ns7:sa9"]"#.to_string(),
            _ => format!(r#""system:serviceaccount:ns{}:sa1""#, k % 8),
        };
        let operator = if k == 11 {
            "StringNotEqualsIfExists"
        } else {
            "StringNotEquals"
        };
        let (claim, spared) = match k {
            10 => ("aud", r#""sts.amazonaws.com""#.to_string()),
            _ => ("sub", spared),
        };
        let also = match k {
            9 => format!(r#","StringEquals":{{"{ISSUER}9:aud":"other"}}"#),
            _ => String::new(),
        };
        format!(r#""{operator}":{{"{ISSUER}{k}:{claim}":{spared}}}{also}"#)
    })
}

/// A provider whose Deny rejects every subject but those it lists is tried for those subjects
/// only; one whose Deny is not read that way is tried for every subject.
#[test]
fn providers_denied_all_but_listed_subjects_are_tried_for_those() {
    let p = sparing_denies_policy();
    let tried = |subject: &str| providers_tried(&p, subject);
    assert_eq!(tried("system:serviceaccount:ns0:sa0"), [9, 10, 11].into());
    assert_eq!(
        tried("system:serviceaccount:ns3:sa1"),
        [3, 9, 10, 11].into()
    );
    assert_eq!(
        tried("system:serviceaccount:ns7:sa9"),
        [7, 9, 10, 11].into()
    );
    assert_eq!(
        tried("system:serviceaccount:ns0:sa1"),
        [0, 8, 9, 10, 11].into()
    );
}

/// The policy of the `deny-always` case: a Deny per provider, on conditions that hold for every
/// request of providers 0, 1, 2, 6, 8 and 10 (a negated operator, `IfExists`, `ForAllValues` or
/// `Null` of `true`, each on a key their requests lack: another issuer's claim or a tag), and do
/// not for the others (3 and 5 fail on a missing key, 7 and 11 are on their own claims, 9 adds
/// its own `sub`); provider 4 spares one subject. A `*` Allow lets every provider in.
fn always_denies_policy() -> Policy {
    denies_with_star_allow(|k| {
        let other = format!("{ISSUER}{}", (k + 1) % 12);
        let own = format!("{ISSUER}{k}");
        match k {
            0 | 1 => {
                format!(r#""StringNotEquals":{{"{other}:sub":"system:serviceaccount:ns0:sa0"}}"#)
            }
            2 => r#""Null":{"aws:PrincipalTag/team":"true"}"#.to_string(),
            3 => format!(r#""StringEquals":{{"{other}:sub":"system:serviceaccount:ns0:sa0"}}"#),
            4 => format!(r#""StringNotEquals":{{"{own}:sub":"system:serviceaccount:ns4:sa1"}}"#),
            5 => r#""Null":{"aws:PrincipalTag/team":"false"}"#.to_string(),
            6 => r#""ForAllValues:StringEquals":{"aws:PrincipalTag/team":"x"}"#.to_string(),
            7 => format!(r#""StringNotEquals":{{"{own}:aud":"sts.amazonaws.com"}}"#),
            8 => format!(r#""StringNotEqualsIfExists":{{"{other}:aud":"x"}}"#),
            9 => format!(
                r#""StringNotEquals":{{"{other}:sub":"x"}},"StringLike":{{"{own}:sub":"system:serviceaccount:ns1:*"}}"#
            ),
            10 => r#""StringNotLike":{"aws:SourceIdentity":"x*"}"#.to_string(),
            _ => format!(r#""StringLike":{{"{own}:sub":"system:serviceaccount:*"}}"#),
        }
    })
}

/// A provider whose Deny holds for every one of its requests (its conditions all hold on keys
/// those requests lack) is never tried.
#[test]
fn providers_denied_whatever_the_request_are_never_tried() {
    let p = always_denies_policy();
    let tried = |subject: &str| providers_tried(&p, subject);
    assert_eq!(
        tried("system:serviceaccount:ns0:sa0"),
        [3, 5, 7, 9, 11].into()
    );
    assert_eq!(
        tried("system:serviceaccount:ns4:sa1"),
        [3, 4, 5, 7, 9, 11].into()
    );
}
