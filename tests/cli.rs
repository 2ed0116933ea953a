//! The binary end to end: exit codes, located errors for bad input, other files still linted.

use std::path::PathBuf;
use std::process::{Command, Output};

fn ekstrust(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekstrust-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mixed_folder_reports_every_trust_family_at_narrow_spans() {
    let out = ekstrust(&["lint", "--format", "json", "testdata/cli/mixed"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for id in [
        "TRUST001", "TRUST002", "TRUST003", "TRUST004", "TRUST005", "TRUST007", "PODID001",
        "PODID002",
    ] {
        assert!(rules.contains(&id), "{id} missing from {rules:?}");
    }
    // The documented IRSA policy is clean.
    assert!(!findings.iter().any(|f| f["file"]
        .as_str()
        .unwrap()
        .ends_with("aws-documented-irsa.json")));
    // Spans are narrow: a condition key or value or principal, never the whole file.
    for f in findings {
        let len = f["end"]["offset"].as_u64().unwrap() - f["start"]["offset"].as_u64().unwrap();
        assert!(len > 0 && len < 200, "span too wide: {f}");
    }
}

#[test]
fn github_without_sub_is_critical_and_org_wildcard_medium() {
    let out = ekstrust(&[
        "lint",
        "--format",
        "json",
        "testdata/TRUST001/fail/github-no-condition-get-role.json",
        "testdata/TRUST003/fail/github-org-wildcard.json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sev = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(sev("TRUST001").as_deref(), Some("critical"));
    assert_eq!(sev("TRUST003").as_deref(), Some("medium"));
}

#[test]
fn malformed_json_exits_2_with_location_and_other_files_still_linted() {
    let dir = temp_dir("malformed");
    std::fs::write(
        dir.join("broken.json"),
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}\n",
    )
    .unwrap();
    std::fs::copy(
        "testdata/TRUST007/fail/aws-star.json",
        dir.join("public.json"),
    )
    .unwrap();
    let out = ekstrust(&["lint", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(text.contains("broken.json:4:1"), "{text}");
    assert!(
        text.contains("TRUST007"),
        "other file's finding missing: {text}"
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let clean = ekstrust(&["lint", "testdata/TRUST001/pass/eks-aws-documented.json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let medium = "testdata/TRUST002/fail/eks-no-aud.json";
    assert_eq!(ekstrust(&["lint", medium]).status.code(), Some(1));
    assert_eq!(
        ekstrust(&["lint", "--fail-on", "high", medium])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        ekstrust(&[
            "lint",
            "--fail-on",
            "never",
            "testdata/TRUST007/fail/aws-star.json"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(ekstrust(&["lint", "--bogus"]).status.code(), Some(2));
    assert_eq!(
        ekstrust(&["lint", "no/such/file.json"]).status.code(),
        Some(2)
    );
}

#[test]
fn stdin_is_read() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(["lint", "--format", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read("testdata/TRUST007/fail/aws-star.json").unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["rule"], "TRUST007");
    assert_eq!(report["findings"][0]["file"], "-");
}

#[test]
fn select_and_ignore() {
    let f = "testdata/TRUST001/fail/eks-no-sub.json";
    let only = ekstrust(&["lint", "--format", "json", "--select", "TRUST002", f]);
    let report: serde_json::Value = serde_json::from_slice(&only.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["rule"] == "TRUST002"));
    let none = ekstrust(&["lint", "--ignore", "TRUST", f]);
    assert_eq!(none.status.code(), Some(0));
}

#[test]
fn rules_and_explain() {
    let rules = stdout(&ekstrust(&["rules"]));
    assert!(rules.contains("TRUST001") && rules.contains("oidc-missing-sub"));
    let explain = ekstrust(&["explain", "trust003"]);
    assert_eq!(explain.status.code(), Some(0));
    assert!(stdout(&explain).contains("oidc-wildcard-sub"));
    assert_eq!(ekstrust(&["explain", "NOPE999"]).status.code(), Some(2));
}

#[test]
fn human_output_has_rule_span_help_and_summary() {
    let out = stdout(&ekstrust(&[
        "lint",
        "testdata/TRUST003/fail/github-org-wildcard.json",
    ]));
    assert!(out.contains("TRUST003 oidc-wildcard-sub (medium)"), "{out}");
    assert!(out.contains("\"repo:myorg/*\""), "{out}");
    assert!(out.contains("help:"), "{out}");
    assert!(out.contains("1 finding (1 medium) in 1 file"), "{out}");
    assert!(!out.contains('\u{1b}'), "colour with NO_COLOR set");
}

#[test]
fn literal_secrets_are_never_printed() {
    let cases = [
        "testdata/POD002/fail/literal-keys.yaml",
        // The keys are ConfigMap values read through envFrom.
        "testdata/POD002/fail/env-from-config-map-prefix.yaml",
    ];
    for (format, case) in ["human", "json"]
        .into_iter()
        .flat_map(|f| cases.map(|c| (f, c)))
    {
        let out = ekstrust(&["lint", "--format", format, case]);
        let text = stdout(&out);
        assert!(text.contains("POD002"), "{text}");
        assert!(
            !text.contains("wJalrXUtnFEMI"),
            "secret printed in {format} for {case}: {text}"
        );
        assert!(
            !text.contains("AKIAIOSFODNN7EXAMPLE"),
            "access key printed in {format} for {case}: {text}"
        );
    }
}

/// The JSON report's schema (README): the keys of a finding, of a location and of the report, and
/// line/column values that agree with the byte offsets in the linted files.
#[test]
fn json_report_schema_and_positions_agree_with_offsets() {
    let out = ekstrust(&["lint", "--format", "json", "testdata/cli/mixed"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&report), ["errors", "findings", "tool", "version"]);
    assert_eq!(report["version"], 1);
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let mut related_seen = 0;
    for f in findings {
        assert_eq!(
            keys(f),
            [
                "end",
                "file",
                "fingerprint",
                "help",
                "message",
                "name",
                "related",
                "rule",
                "severity",
                "start"
            ]
        );
        let mut locations = vec![f.clone()];
        for r in f["related"].as_array().unwrap() {
            assert_eq!(keys(r), ["end", "file", "message", "start"]);
            locations.push(r.clone());
            related_seen += 1;
        }
        for loc in locations {
            let text = std::fs::read_to_string(loc["file"].as_str().unwrap()).unwrap();
            for end in ["start", "end"] {
                let p = &loc[end];
                let offset = p["offset"].as_u64().unwrap() as usize;
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
                assert_eq!(p["line"].as_u64().unwrap() as usize, line, "{loc}");
                assert_eq!(p["column"].as_u64().unwrap() as usize, column, "{loc}");
            }
        }
    }
    assert!(related_seen > 0, "no related locations to check");
}

/// Files are loaded in batches on both cores while the folder walk goes on; every finding must
/// still land in its own file, at its own line, in walk order (folders depth first, names in
/// byte order, so `a/` comes before `a-z/` although `a-z/x` sorts before `a/x` as a path).
#[test]
fn walked_folders_keep_every_finding_in_its_own_file_in_walk_order() {
    let policy = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/TRUST001/fail/eks-no-sub.json"),
    )
    .unwrap();
    let dir = temp_dir("walk-order");
    // Enough files for several batches, spread over nested folders.
    let folders = ["a", "a/deep/er", "a-z", "b"];
    let mut expected_order = Vec::new();
    for (f, folder) in folders.iter().enumerate() {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
        for n in 0..(11 + 7 * f) {
            let stem = format!("r{f}x{n}");
            // A different number of blank lines before each policy moves its finding's line.
            let padding = (f * 31 + n) % 23;
            let path = dir.join(folder).join(format!("{stem}.json"));
            std::fs::write(&path, format!("{}{policy}", "\n".repeat(padding))).unwrap();
            expected_order.push((folder.to_string(), stem, padding));
        }
    }
    // The walk order, worked out here by hand: names in byte order within a folder, a
    // subfolder walked where its name sorts among the files (`deep` before the `r…` files).
    let rank = |folder: &str, stem: &str| {
        let folder_rank = match folder {
            "a/deep/er" => 0,
            "a" => 1,
            "a-z" => 2,
            _ => 3,
        };
        (folder_rank, stem.to_string())
    };
    expected_order.sort_by_key(|(folder, stem, _)| rank(folder, stem));

    let out = ekstrust(&[
        "lint",
        "--format",
        "json",
        "--select",
        "TRUST001",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), expected_order.len());
    let mut offset_from_padding = None;
    for (finding, (folder, stem, padding)) in findings.iter().zip(&expected_order) {
        let file = finding["file"].as_str().unwrap();
        assert!(
            file.ends_with(&format!("/{folder}/{stem}.json")),
            "{file} found where {folder}/{stem}.json was expected"
        );
        let message = finding["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("role `{stem}`")),
            "{message} (in {file})"
        );
        let line = finding["start"]["line"].as_u64().unwrap() as usize;
        let base = line - padding;
        assert_eq!(*offset_from_padding.get_or_insert(base), base, "{file}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every line of a report is shorter than 400 characters (the failure shows each line's start).
fn assert_no_long_line(text: &str, what: &str) {
    assert!(
        text.lines().all(|l| l.chars().count() < 400),
        "{what}:\n{}",
        text.lines()
            .map(|l| l.chars().take(200).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `terraform show -json` writes the whole plan on one line. The human report shows a window of
/// it around each label (a label hundreds of kilobytes along the line once made the renderer
/// panic), and a label far along the line from the others is listed under "see also".
#[test]
fn one_line_plan_gets_short_excerpts_in_human_output() {
    let dir = temp_dir("one-line-plan");
    let trust = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"#;
    let mut resources = vec![format!(
        r#"{{"address":"aws_iam_role.nodes","mode":"managed","type":"aws_iam_role","name":"nodes","values":{{"name":"prod-nodes","assume_role_policy":"{trust}"}}}}"#
    )];
    // About 200 KB of other resources between the role and its policy.
    for i in 0..2000 {
        resources.push(format!(
            r#"{{"address":"aws_s3_bucket.b{i}","mode":"managed","type":"aws_s3_bucket","name":"b{i}","values":{{"bucket":"bucket-{i}-{}"}}}}"#,
            "x".repeat(40)
        ));
    }
    resources.push(r#"{"address":"aws_iam_role_policy.extra","mode":"managed","type":"aws_iam_role_policy","name":"extra","values":{"role":"prod-nodes","name":"extra","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"}}"#.to_string());
    resources.push(r#"{"address":"aws_eks_node_group.default","mode":"managed","type":"aws_eks_node_group","name":"default","values":{"cluster_name":"prod","node_group_name":"default","ami_type":"AL2023_x86_64_STANDARD","node_role_arn":"arn:aws:iam::111122223333:role/prod-nodes"}}"#.to_string());
    let plan = format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{}]}}}}}}"#,
        resources.join(",")
    );
    assert!(!plan.contains('\n') && plan.len() > 200_000);
    let path = dir.join("plan.json");
    std::fs::write(&path, &plan).unwrap();
    let out = ekstrust(&["lint", path.to_str().unwrap()]);
    let text = stdout(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}{stderr}");
    assert!(text.contains("NODE001 node-role-overreach"), "{text}");
    // The policy's action is listed with its position (1-based, at the escaped string's opening
    // quote), not drawn across the line.
    let action = plan.find(r#"\"s3:*\""#).unwrap() + 1;
    assert!(
        text.contains(&format!("plan.json:1:{}: beyond baseline: s3:*", action)),
        "{text}"
    );
    assert_no_long_line(&text, "an excerpt line is as long as the plan");
    // A long line next to the finding's line is left out of the excerpt rather than shown whole.
    let manifest = dir.join("sa.yaml");
    std::fs::write(
        &manifest,
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: team-a\n  annotations:\n    note: \"{}\"\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/team-a-default\n    other: \"{}\"\n",
            "n".repeat(100_000),
            "o".repeat(100_000)
        ),
    )
    .unwrap();
    let out = ekstrust(&["lint", manifest.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(text.contains("SA003 default-sa-has-role"), "{text}");
    assert!(text.contains("role/team-a-default"), "{text}");
    assert_no_long_line(&text, "a neighbouring line is shown whole");
    std::fs::remove_dir_all(&dir).unwrap();
}
