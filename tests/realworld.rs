//! The real-world corpus in `../shared/realworld`: every file is linted alone and compared with
//! its labels. For the rules ekstrust implements, every `fire` rule must fire and no `quiet`
//! rule may fire.

use ekstrust::config::Config;
use ekstrust::engine::lint;
use ekstrust::loader::Limits;
use std::path::Path;

#[test]
fn realworld_corpus_matches_labels() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld");
    let text = std::fs::read_to_string(base.join("expectations.json")).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the corpus must sit beside the repository)",
            base.display()
        )
    });
    let labels: serde_json::Value = serde_json::from_str(&text).unwrap();
    let implemented: Vec<&str> = ekstrust::rules::all().iter().map(|r| r.id()).collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, label) in labels.as_object().unwrap() {
        let complete = label
            .get("complete")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let config = Config {
            complete,
            ..Config::default()
        };
        let outcome = lint(&[base.join(file)], &config, &Limits::default());
        let fired: Vec<&str> = outcome.findings.iter().map(|f| f.rule).collect();
        // One problem, one finding: no two may share a fingerprint (a provider given in both
        // branches of a CloudFormation `!If` is one finding with two places).
        let mut fingerprints = std::collections::HashSet::new();
        for f in &outcome.findings {
            let path = outcome
                .sources
                .files
                .get(f.span.file as usize)
                .map_or("", |s| s.display.as_str());
            if !fingerprints.insert((f.rule, f.fingerprint(path))) {
                problems.push(format!(
                    "{file}: two {} findings share a fingerprint",
                    f.rule
                ));
            }
        }
        let list = |k: &str| -> Vec<String> {
            label
                .get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        for rule in list("fire")
            .iter()
            .filter(|r| implemented.contains(&r.as_str()))
        {
            checked += 1;
            if !fired.contains(&rule.as_str()) {
                problems.push(format!(
                    "{file}: expected {rule} to fire (fired: {fired:?})"
                ));
            }
        }
        for rule in list("quiet")
            .iter()
            .filter(|r| implemented.contains(&r.as_str()))
        {
            checked += 1;
            if fired.contains(&rule.as_str()) {
                problems.push(format!("{file}: {rule} fired but must stay quiet"));
            }
        }
        let note = label.get("note").and_then(|v| v.as_str()).unwrap_or("");
        let expected_error =
            list("fire").iter().any(|r| r == "AUTH001") || note.contains("loader error");
        if !outcome.errors.is_empty() && !expected_error {
            problems.push(format!(
                "{file}: load errors {:?}",
                outcome
                    .errors
                    .iter()
                    .map(|e| &e.message)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        checked > 40,
        "too few labels checked ({checked}): is the corpus complete?"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
