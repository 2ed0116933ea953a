//! One lint run: load, run the enabled rules, and collect what the reports need.

use crate::config::Config;
use crate::finding::Finding;
use crate::loader::{self, Limits, LoadError, Skipped};
use crate::rules::{self, Context};
use crate::source::SourceMap;
use std::path::PathBuf;

pub struct Outcome {
    pub sources: SourceMap,
    /// The loaded model, for callers that look further than the findings.
    pub inventory: crate::model::Inventory,
    pub findings: Vec<Finding>,
    pub errors: Vec<LoadError>,
    pub skipped: Vec<Skipped>,
    /// Inventory rules skipped because the inventory is not declared complete.
    pub skipped_inventory_rules: Vec<&'static str>,
    pub files: usize,
    /// Spans of literal secrets, masked in any rendered source excerpt.
    pub secrets: Vec<crate::source::Span>,
    /// Findings hidden by suppressions.
    pub suppressed: usize,
    /// Config suppressions that expired or matched nothing.
    pub suppression_notes: Vec<crate::suppress::Note>,
}

pub fn lint(paths: &[PathBuf], config: &Config, limits: &Limits) -> Outcome {
    check(loader::load(paths, limits), config)
}

/// Lint documents held in memory (name, bytes).
pub fn lint_in_memory(inputs: &[(&str, &[u8])], config: &Config) -> Outcome {
    check(loader::load_in_memory(inputs, &Limits::default()), config)
}

fn check(loaded: loader::Loaded, config: &Config) -> Outcome {
    let mut selected = Vec::new();
    let mut skipped_inventory_rules = Vec::new();
    for rule in rules::all() {
        if !config.rule_enabled(rule.id()) {
            continue;
        }
        if rule.needs_complete_inventory() && !config.complete {
            skipped_inventory_rules.push(rule.id());
            continue;
        }
        selected.push(rule);
    }
    let cx = Context {
        inventory: &loaded.inventory,
        sources: &loaded.sources,
        config,
    };
    let mut findings = rules::run(&cx, &selected);
    for f in &mut findings {
        if let Some(s) = config.severity.get(f.rule) {
            f.severity = *s;
        }
    }
    let applied = crate::suppress::apply(
        findings,
        &loaded.inventory,
        &loaded.sources,
        config,
        crate::config::today(),
    );
    let findings = applied.findings;
    let mut errors = loaded.errors;
    errors.extend(applied.errors);
    let files = loaded
        .sources
        .files
        .iter()
        .filter(|f| !f.display.is_empty())
        .count();
    Outcome {
        secrets: loaded.inventory.secrets.clone(),
        inventory: loaded.inventory,
        findings,
        suppressed: applied.suppressed,
        suppression_notes: applied.notes,
        errors,
        skipped: loaded.skipped,
        skipped_inventory_rules,
        files,
        sources: loaded.sources,
    }
}
