//! Every rule: its fail cases fire it, its pass cases (near misses) do not, its metadata and doc
//! page exist, and the rendered findings of each fail case match the stored snapshot
//! (`UPDATE_SNAPSHOTS=1 cargo test` rewrites them).

use ekstrust::config::Config;
use ekstrust::engine::{lint, Outcome};
use ekstrust::loader::Limits;
use ekstrust::report::human::Human;
use std::path::{Path, PathBuf};

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn run(case: &Path) -> Outcome {
    let config = Config {
        complete: case.to_string_lossy().contains("complete"),
        ..Config::default()
    };
    lint(&[case.to_path_buf()], &config, &Limits::default())
}

fn render(outcome: &Outcome, rule: &str) -> String {
    let human = Human::new(false).with_secrets(&outcome.secrets);
    let mut out = String::new();
    for f in outcome.findings.iter().filter(|f| f.rule == rule) {
        human.finding(f, &outcome.sources, &mut out);
    }
    out
}

/// Findings of one run that share a rule and fingerprint: a baseline or code scanning could not
/// tell them apart, so the engine must have made them one.
fn shared_fingerprints(case: &Path, outcome: &Outcome) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    outcome
        .findings
        .iter()
        .filter_map(|f| {
            let path = outcome
                .sources
                .files
                .get(f.span.file as usize)?
                .display
                .as_str();
            let fingerprint = f.fingerprint(path);
            (!seen.insert((f.rule, fingerprint.clone()))).then(|| {
                format!(
                    "{}: two {} findings share fingerprint {fingerprint} ({})",
                    case.display(),
                    f.rule,
                    f.identity
                )
            })
        })
        .collect()
}

#[test]
fn every_rule_has_metadata_docs_and_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let metas = ekstrust::rules::meta::all();
    assert_eq!(
        metas.len(),
        ekstrust::rules::all().len(),
        "a rules/<ID>.toml failed to parse"
    );
    for rule in ekstrust::rules::all() {
        let id = rule.id();
        let meta = ekstrust::rules::meta::get(id).unwrap_or_else(|| panic!("{id}: no metadata"));
        assert_eq!(meta.id, id);
        assert_eq!(
            meta.inventory,
            rule.needs_complete_inventory(),
            "{id}: inventory flag differs from the code"
        );
        assert!(
            root.join(format!("rules/{id}.md")).is_file(),
            "{id}: no doc page"
        );
        assert!(
            !cases(&root.join(format!("testdata/{id}/fail"))).is_empty(),
            "{id}: no fail cases"
        );
        assert!(
            !cases(&root.join(format!("testdata/{id}/pass"))).is_empty(),
            "{id}: no pass cases"
        );
    }
}

#[test]
fn fail_cases_fire_and_pass_cases_stay_quiet() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut problems = Vec::new();
    for rule in ekstrust::rules::all() {
        let id = rule.id();
        let base = PathBuf::from(format!("testdata/{id}"));
        for case in cases(&base.join("fail")) {
            let outcome = run(&case);
            if !outcome.errors.is_empty() {
                problems.push(format!(
                    "{}: load errors {:?}",
                    case.display(),
                    outcome.errors
                ));
            }
            problems.extend(shared_fingerprints(&case, &outcome));
            if !outcome.findings.iter().any(|f| f.rule == id) {
                problems.push(format!("{}: {id} did not fire", case.display()));
                continue;
            }
            let stem = case.file_stem().and_then(|s| s.to_str()).unwrap_or("case");
            let snap_path = base.join("snapshots").join(format!("{stem}.txt"));
            let rendered = render(&outcome, id);
            if update {
                std::fs::create_dir_all(base.join("snapshots")).unwrap();
                std::fs::write(&snap_path, &rendered).unwrap();
            } else {
                match std::fs::read_to_string(&snap_path) {
                    Ok(expected) if expected == rendered => {}
                    Ok(_) => problems.push(format!(
                        "{}: rendered output differs (UPDATE_SNAPSHOTS=1 to accept):\n{rendered}",
                        snap_path.display()
                    )),
                    Err(_) => problems.push(format!("{}: snapshot missing", snap_path.display())),
                }
            }
        }
        for case in cases(&base.join("pass")) {
            let outcome = run(&case);
            problems.extend(shared_fingerprints(&case, &outcome));
            if !outcome.errors.is_empty() {
                problems.push(format!(
                    "{}: load errors {:?}",
                    case.display(),
                    outcome.errors
                ));
            }
            for f in outcome.findings.iter().filter(|f| f.rule == id) {
                problems.push(format!(
                    "{}: {id} fired on a pass case: {}",
                    case.display(),
                    f.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
