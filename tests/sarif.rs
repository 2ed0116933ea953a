//! SARIF for a corpus that fires every rule: structurally complete, and accepted with no errors
//! by the Microsoft SARIF Multitool with the GitHub rules when `SARIF_MULTITOOL` names it
//! (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn ekstrust(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// One SARIF file per group of fail cases: inventory cases need --complete and are kept apart so
/// that objects of one case do not satisfy another.
fn sarif_files(dir: &Path) -> Vec<PathBuf> {
    let mut plain = Vec::new();
    let mut complete = Vec::new();
    for rule in ekstrust::rules::all() {
        for entry in std::fs::read_dir(format!("testdata/{}/fail", rule.id())).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("complete-") {
                complete.push(path);
            } else {
                plain.push(path);
            }
        }
    }
    let mut out = Vec::new();
    let all = dir.join("all.sarif");
    let mut args = vec![
        "lint".to_string(),
        "--format".into(),
        "sarif".into(),
        "--output".into(),
        all.display().to_string(),
    ];
    args.extend(plain.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(ekstrust(&refs).status.code(), Some(1));
    out.push(all);
    for (i, case) in complete.iter().enumerate() {
        let file = dir.join(format!("complete-{i}.sarif"));
        let o = ekstrust(&[
            "lint",
            "--complete",
            "--format",
            "sarif",
            "--output",
            file.to_str().unwrap(),
            case.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", case.display());
        out.push(file);
    }
    out
}

#[test]
fn sarif_covers_every_rule_and_validates() {
    let dir = std::env::temp_dir().join(format!("ekstrust-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = sarif_files(&dir);
    let mut hit = std::collections::BTreeSet::new();
    for file in &files {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), ekstrust::rules::all().len());
        for r in rules {
            for key in [
                "shortDescription",
                "fullDescription",
                "help",
                "helpUri",
                "properties",
            ] {
                assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
            }
            assert!(r["help"]["markdown"].is_string());
            assert!(r["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse::<f64>()
                .is_ok());
        }
        for res in run["results"].as_array().unwrap() {
            let id = res["ruleId"].as_str().unwrap();
            hit.insert(id.to_string());
            assert_eq!(rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
            let loc = &res["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(!loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/'));
            let region = &loc["region"];
            assert!(
                region["startLine"].as_u64().unwrap() >= 1
                    && region["startColumn"].as_u64().unwrap() >= 1
            );
            assert!(region["endLine"].as_u64().unwrap() >= region["startLine"].as_u64().unwrap());
            assert!(res["partialFingerprints"]["ekstrustIdentity/v1"].is_string());
        }
    }
    let all: std::collections::BTreeSet<String> = ekstrust::rules::all()
        .iter()
        .map(|r| r.id().to_string())
        .collect();
    let missing: Vec<_> = all.difference(&hit).collect();
    assert!(
        missing.is_empty(),
        "rules with no SARIF result: {missing:?}"
    );

    let Some(tool) = std::env::var_os("SARIF_MULTITOOL") else {
        eprintln!("SARIF_MULTITOOL not set: structural checks only (.ci/run runs the validator)");
        return;
    };
    // One log with every run: the validator starts once.
    let mut merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    for file in &files[1..] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let run = doc["runs"][0].clone();
        merged["runs"].as_array_mut().unwrap().push(run);
    }
    let merged_path = dir.join("merged.sarif");
    std::fs::write(&merged_path, serde_json::to_string_pretty(&merged).unwrap()).unwrap();
    let report = dir.join("validation.sarif");
    let status = Command::new(&tool)
        .args([
            "validate",
            merged_path.to_str().unwrap(),
            "-o",
            report.to_str().unwrap(),
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
        ])
        .status()
        .unwrap();
    assert!(status.success(), "validator failed to run");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let errors: Vec<String> = v["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["level"].as_str().unwrap_or("warning") == "error")
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
