//! One lint run: load, run the enabled rules, and collect what the reports need.

use crate::config::Config;
use crate::finding::Finding;
use crate::loader::{self, Limits, LoadError, Skipped};
use crate::model::Role;
use crate::rules::{self, Context, Rule, TrustRule};
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
    let selection = Selection::new(config);
    let check_role = |role: &Role, out: &mut Vec<Finding>| selection.check_role(config, role, out);
    check(
        loader::load_with(paths, limits, &check_role),
        config,
        selection,
    )
}

/// Lint documents held in memory (name, bytes).
pub fn lint_in_memory(inputs: &[(&str, &[u8])], config: &Config) -> Outcome {
    let selection = Selection::new(config);
    let check_role = |role: &Role, out: &mut Vec<Finding>| selection.check_role(config, role, out);
    let loaded = loader::load_in_memory(inputs, &Limits::default(), &check_role);
    check(loaded, config, selection)
}

/// The rules a run uses. Trust-policy rules need nothing but the role, so they run while each
/// file is loaded; the others once everything is loaded and indexed.
struct Selection {
    trust: Vec<&'static dyn TrustRule>,
    others: Vec<&'static dyn Rule>,
    skipped_inventory_rules: Vec<&'static str>,
}

impl Selection {
    fn new(config: &Config) -> Selection {
        let mut selection = Selection {
            trust: Vec::new(),
            others: Vec::new(),
            skipped_inventory_rules: Vec::new(),
        };
        for rule in rules::all() {
            if !config.rule_enabled(rule.id()) {
                continue;
            }
            if rule.needs_complete_inventory() && !config.complete {
                selection.skipped_inventory_rules.push(rule.id());
                continue;
            }
            match rule.as_trust_rule() {
                Some(trust) => selection.trust.push(trust),
                None => selection.others.push(rule),
            }
        }
        selection
    }

    fn check_role(&self, config: &Config, role: &Role, out: &mut Vec<Finding>) {
        if let Some(policy) = &role.trust {
            for rule in &self.trust {
                rule.check_trust(config, role, policy, out);
            }
        }
    }
}

fn check(mut loaded: loader::Loaded, config: &Config, selection: Selection) -> Outcome {
    let skipped_inventory_rules = selection.skipped_inventory_rules;
    let cx = Context {
        inventory: &loaded.inventory,
        sources: &loaded.sources,
        config,
    };
    let mut findings = std::mem::take(&mut loaded.findings);
    findings.extend(rules::run(&cx, &selection.others));
    let mut findings = rules::in_report_order(findings);
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
