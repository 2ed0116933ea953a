//! The CI gate: suppressions (annotation, comment, config with expiry), baselines, config files,
//! output formats, init and completions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ekstrust_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn ekstrust(args: &[&str]) -> Output {
    ekstrust_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ekstrust-gate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn annotation_and_comment_suppress_with_reason() {
    for (file, rule) in [
        ("testdata/suppress/annotated.yaml", "SA003"),
        ("testdata/suppress/commented.yaml", "POD001"),
    ] {
        let out = ekstrust(&["lint", "--no-config", file]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(!text(&out).contains(rule), "{}", text(&out));
        assert!(text(&out).contains("1 suppressed"), "{}", text(&out));
    }
}

/// JSON has no comments: the comment's text inside a JSON string suppresses nothing.
#[test]
fn comment_text_in_a_json_string_is_not_a_suppression() {
    let out = ekstrust(&[
        "lint",
        "--no-config",
        "testdata/suppress/json-string-not-a-comment.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("TRUST001"), "{}", text(&out));
    assert!(!text(&out).contains("suppressed"), "{}", text(&out));
}

#[test]
fn suppression_without_reason_is_an_error() {
    let dir = temp_dir("noreason");
    let f = dir.join("sa.yaml");
    std::fs::write(&f, "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/x\n    ekstrust.io/ignore: \"SA003\"\n").unwrap();
    let out = ekstrust(&["lint", "--no-config", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("needs a reason"), "{}", text(&out));
}

#[test]
fn config_suppression_applies_until_it_expires() {
    let file = "testdata/suppress/config-suppressed.json";
    let current = ekstrust(&[
        "lint",
        "--config",
        "testdata/suppress/config-current.toml",
        file,
    ]);
    assert_eq!(current.status.code(), Some(0), "{}", text(&current));
    assert!(
        !text(&current).contains("TRUST003 oidc"),
        "{}",
        text(&current)
    );

    let expired = ekstrust(&[
        "lint",
        "--config",
        "testdata/suppress/config-expired.toml",
        file,
    ]);
    assert_eq!(expired.status.code(), Some(1), "{}", text(&expired));
    let t = text(&expired);
    assert!(t.contains("TRUST003 oidc-wildcard-sub"), "{t}");
    assert!(t.contains("expired on 2001-01-31"), "{t}");
    assert!(t.contains("matched no finding"), "{t}");
}

#[test]
fn config_errors_point_at_the_line() {
    let dir = temp_dir("config");
    std::fs::write(
        dir.join(".ekstrust.toml"),
        "select = [\"TRUST\"]\n\n[[suppress]]\nrule = \"TRUST001\"\ntarget = \"*.json\"\n",
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/TRUST007/fail/aws-star.json"),
        dir.join("p.json"),
    )
    .unwrap();
    let out = ekstrust_in(&dir, &["lint", "p.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains(".ekstrust.toml:3:1"), "{}", text(&out));
    assert!(text(&out).contains("reason"), "{}", text(&out));
}

#[test]
fn config_is_discovered_and_applied() {
    let dir = temp_dir("discover");
    std::fs::write(
        dir.join(".ekstrust.toml"),
        "ignore = [\"TRUST007\"]\n[severity]\nTRUST008 = \"info\"\n",
    )
    .unwrap();
    let sub = dir.join("deploy");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/TRUST007/fail/aws-star.json"),
        sub.join("p.json"),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/TRUST008/fail/sts-star.json"),
        sub.join("q.json"),
    )
    .unwrap();
    let out = ekstrust_in(&sub, &["lint", "--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["rule"] != "TRUST007"));
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "TRUST008" && f["severity"] == "info"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "info is below the default fail-on"
    );
}

#[test]
fn baseline_survives_unrelated_edits_and_catches_new_findings() {
    let dir = temp_dir("baseline");
    let manifest = dir.join("sa.yaml");
    let original = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: team-a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/team-a\n";
    std::fs::write(&manifest, original).unwrap();
    let baseline = dir.join("baseline.json");
    let first = ekstrust_in(
        &dir,
        &[
            "lint",
            "--no-config",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "sa.yaml",
        ],
    );
    assert_eq!(first.status.code(), Some(1));

    // Unrelated lines above the finding.
    std::fs::write(
        &manifest,
        format!("# owned by team-a\n# reviewed 2026-11\n{original}"),
    )
    .unwrap();
    let same = ekstrust_in(
        &dir,
        &[
            "lint",
            "--no-config",
            "--baseline",
            baseline.to_str().unwrap(),
            "sa.yaml",
        ],
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));

    // A new finding in another file is not absorbed.
    std::fs::write(dir.join("sa2.yaml"), original.replace("team-a", "team-b")).unwrap();
    let new = ekstrust_in(
        &dir,
        &[
            "lint",
            "--no-config",
            "--baseline",
            baseline.to_str().unwrap(),
            "sa.yaml",
            "sa2.yaml",
        ],
    );
    assert_eq!(new.status.code(), Some(1), "{}", text(&new));
    assert!(text(&new).contains("team-b"));
}

#[test]
fn formats_and_several_outputs_in_one_run() {
    let dir = temp_dir("formats");
    let (sarif, json) = (dir.join("r.sarif"), dir.join("r.json"));
    let out = ekstrust(&[
        "lint",
        "--no-config",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        json.to_str().unwrap(),
        "--format",
        "github",
        "testdata/TRUST003/fail/github-org-wildcard.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::fs::read_to_string(&sarif)
        .unwrap()
        .contains("\"2.1.0\""));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["version"], 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(
            "::warning file=testdata/TRUST003/fail/github-org-wildcard.json,line=15,col="
        ),
        "{stdout}"
    );
    let table = text(&ekstrust(&[
        "lint",
        "--no-config",
        "--format",
        "table",
        "--summary",
        "testdata/TRUST001/fail",
    ]));
    assert!(
        table.contains("TRUST001") && table.contains("oidc-missing-sub"),
        "{table}"
    );
}

#[test]
fn init_writes_a_template_that_loads() {
    let dir = temp_dir("init");
    assert_eq!(ekstrust_in(&dir, &["init"]).status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.join(".ekstrust.toml"))
        .unwrap()
        .contains("[[suppress]]"));
    assert_eq!(
        ekstrust_in(&dir, &["init"]).status.code(),
        Some(2),
        "refuses to overwrite"
    );
    std::fs::write(dir.join("ok.json"), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}").unwrap();
    assert_eq!(
        ekstrust_in(&dir, &["lint", "ok.json"]).status.code(),
        Some(0)
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = ekstrust(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("ekstrust"));
    }
}
