//! The command line: `lint`, `rules`, `explain`. Exit codes: 0 nothing at or above `--fail-on`,
//! 1 findings, 2 usage, config or input errors.

use crate::config::Config;
use crate::engine;
use crate::finding::Severity;
use crate::loader::Limits;
use crate::report;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "ekstrust",
    version,
    about = "Lint the identity wiring of Amazon EKS clusters: IRSA, Pod Identity, aws-auth, access entries, RBAC, node roles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files and folders (recursively); `-` reads standard input.
    Lint(LintArgs),
    /// List every rule.
    Rules,
    /// Show a rule's documentation.
    Explain {
        /// Rule ID, e.g. TRUST001.
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Never,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Files, folders or `-` for standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "low")]
    fail_on: FailOn,
    /// Declare the loaded inventory complete (enables inventory rules).
    #[arg(long)]
    complete: bool,
    /// Only these rules (IDs or family prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (IDs or family prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Accounts trusted for cross-account trust (TRUST011), comma-separated.
    #[arg(long, value_delimiter = ',')]
    trusted_accounts: Vec<String>,
    /// Largest input file read, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    max_file_size: u64,
    /// Deepest nesting accepted in a document.
    #[arg(long, default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Most nodes YAML alias expansion may create in one file.
    #[arg(long, default_value_t = Limits::default().max_alias_nodes)]
    max_alias_nodes: usize,
    /// Print only findings (no summary).
    #[arg(long, short)]
    quiet: bool,
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rules => {
            print!("{}", rules_table());
            0
        }
        Command::Explain { id } => match crate::rules::meta::get(&id) {
            Some(m) => {
                print!("{}", crate::rules::meta::doc_page(m));
                0
            }
            None => {
                eprintln!("error: unknown rule `{id}` (see `ekstrust rules`)");
                2
            }
        },
    }
}

fn rules_table() -> String {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(vec!["ID", "Slug", "Severity", "Summary"]);
    for m in crate::rules::meta::all() {
        let id = if m.inventory {
            format!("{} ⧉", m.id)
        } else {
            m.id.clone()
        };
        table.add_row(vec![
            id,
            m.name.clone(),
            m.severity.as_str().to_string(),
            m.summary.clone(),
        ]);
    }
    format!("{table}\n")
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn lint(args: LintArgs) -> i32 {
    let config = Config {
        complete: args.complete,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        trusted_accounts: args.trusted_accounts.clone(),
        ..Config::default()
    };
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        max_depth: args.max_depth,
        max_alias_nodes: args.max_alias_nodes,
    };
    let outcome = engine::lint(&args.paths, &config, &limits);

    let text = match args.format {
        Format::Json => report::json::render(&outcome.findings, &outcome.errors, &outcome.sources),
        Format::Human => {
            let human = report::human::Human::new(args.output.is_none() && use_color())
                .with_secrets(&outcome.secrets);
            let mut out = String::new();
            for e in &outcome.errors {
                human.error(e, &outcome.sources, &mut out);
            }
            for f in &outcome.findings {
                human.finding(f, &outcome.sources, &mut out);
            }
            if !args.quiet {
                for s in &outcome.skipped {
                    out.push_str(&format!("note: skipped {}: {}\n", s.path, s.reason));
                }
                if !outcome.skipped_inventory_rules.is_empty() {
                    out.push_str(&format!(
                        "note: inventory rules skipped (pass --complete when the inputs are the whole cluster): {}\n",
                        outcome.skipped_inventory_rules.join(", ")
                    ));
                }
                out.push_str(&report::summary_line(
                    &outcome.findings,
                    outcome.files,
                    outcome.errors.len(),
                ));
                out.push('\n');
            }
            out
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return 2;
    }
    if !outcome.errors.is_empty() {
        return 2;
    }
    let threshold = match args.fail_on {
        FailOn::Never => return 0,
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
        FailOn::Info => Severity::Info,
    };
    if outcome.findings.iter().any(|f| f.severity >= threshold) {
        1
    } else {
        0
    }
}
