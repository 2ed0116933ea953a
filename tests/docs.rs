//! Generated documentation stays in sync with `rules/<ID>.toml` (`UPDATE_DOCS=1 cargo test`
//! regenerates it).

use ekstrust::rules::meta;
use std::path::Path;

fn check(path: &Path, expected: &str, problems: &mut Vec<String>) {
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, expected).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(actual) if actual == expected => {}
        _ => problems.push(format!(
            "{} is out of date: run UPDATE_DOCS=1 cargo test --test docs",
            path.display()
        )),
    }
}

#[test]
fn rule_pages_index_and_readme_table_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for m in meta::all() {
        check(
            &root.join(format!("rules/{}.md", m.id)),
            &meta::doc_page(m),
            &mut problems,
        );
    }
    check(
        &root.join("rules/README.md"),
        &meta::rules_index(),
        &mut problems,
    );

    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (begin, end) = ("<!-- rules-table:begin -->\n", "<!-- rules-table:end -->");
    let start = readme
        .find(begin)
        .expect("README has the rules-table markers")
        + begin.len();
    let stop = readme
        .find(end)
        .expect("README has the rules-table end marker");
    let expected = format!(
        "{}{}{}",
        &readme[..start],
        meta::rules_table(),
        &readme[stop..]
    );
    check(&readme_path, &expected, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rule_ids_and_slugs_match_the_catalog() {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/catalog.md");
    let Ok(text) = std::fs::read_to_string(&catalog) else {
        panic!(
            "{} not found: the catalog is the specification and must sit beside the repository",
            catalog.display()
        );
    };
    for m in meta::all() {
        let row = text
            .lines()
            .find(|l| {
                l.starts_with(&format!("| {} ", m.id)) || l.starts_with(&format!("| {} ⧉", m.id))
            })
            .unwrap_or_else(|| panic!("{} is not in the catalog", m.id));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], m.name, "{}: slug differs from the catalog", m.id);
        // Graded rules ("by reach") name their levels in the cell; the default must be one of them.
        assert!(
            cells[3].contains(m.severity.as_str()),
            "{}: severity {} vs catalog {}",
            m.id,
            m.severity.as_str(),
            cells[3]
        );
        assert_eq!(
            cells[1].contains('⧉'),
            m.inventory,
            "{}: inventory flag differs from the catalog",
            m.id
        );
    }
}
