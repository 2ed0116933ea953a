//! Bytes as the embedded `mapRoles`/`mapUsers` YAML of aws-auth (a literal block), exercising the
//! nested parser and the mapping of inner spans to the outer file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(inner) = std::str::from_utf8(data) else {
        return;
    };
    let mut doc = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n");
    for line in inner.lines() {
        doc.push_str("    ");
        doc.push_str(line);
        doc.push('\n');
    }
    doc.push_str("  mapUsers: ");
    doc.push_str(&serde_json::to_string(inner).unwrap_or_default());
    doc.push('\n');
    let config = ekstrust::config::Config {
        complete: true,
        ..Default::default()
    };
    let outcome = ekstrust::engine::lint_in_memory(&[("aws-auth.yaml", doc.as_bytes())], &config);
    let mut out = String::new();
    let human = ekstrust::report::human::Human::new(false);
    for f in &outcome.findings {
        human.finding(f, &outcome.sources, &mut out);
    }
});
