//! Any bytes as a YAML or JSON file, through loading, every rule (complete inventory) and the
//! human and SARIF reports.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = ekstrust::config::Config {
        complete: true,
        ..Default::default()
    };
    for name in ["input.yaml", "input.json"] {
        let outcome = ekstrust::engine::lint_in_memory(&[(name, data)], &config);
        let human = ekstrust::report::human::Human::new(false).with_secrets(&outcome.secrets);
        let mut out = String::new();
        for f in &outcome.findings {
            human.finding(f, &outcome.sources, &mut out);
        }
        for e in &outcome.errors {
            human.error(e, &outcome.sources, &mut out);
        }
        // SARIF carries all rule metadata; render it only when there is something to place.
        if !outcome.findings.is_empty() {
            let _ = ekstrust::report::sarif::render(&outcome.findings, &outcome.sources);
        }
    }
});
