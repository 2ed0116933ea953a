//! The command line: `lint`, `rules`, `explain`, `init`, `completions`. Exit codes: 0 nothing at or
//! above `--fail-on`, 1 findings, 2 usage, config or input errors.

use crate::config::{self, Config};
use crate::engine::{self, Outcome};
use crate::finding::Severity;
use crate::loader::Limits;
use crate::report;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
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
    Lint(Box<LintArgs>),
    /// Audit a running cluster and its AWS account (read-only) through a snapshot folder.
    Audit(Box<AuditArgs>),
    /// List every rule.
    Rules,
    /// Show a rule's documentation.
    Explain {
        /// Rule ID, e.g. TRUST001.
        id: String,
    },
    /// Write a commented `.ekstrust.toml` template.
    Init {
        /// Where to write it.
        #[arg(default_value = config::FILE_NAME)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
enum Format {
    Human,
    Json,
    Sarif,
    Table,
    Github,
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
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(clap::Args)]
struct AuditArgs {
    /// kubeconfig context (default: the current context; in a pod, the in-cluster config).
    #[arg(long)]
    context: Option<String>,
    /// kubeconfig file (default: $KUBECONFIG or ~/.kube/config).
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// EKS cluster name (for the OIDC issuer, node groups, access entries, Pod Identity).
    #[arg(long)]
    cluster: Option<String>,
    #[arg(long)]
    region: Option<String>,
    /// AWS profile (SSO and credential_process profiles work).
    #[arg(long)]
    profile: Option<String>,
    /// Folder to write the snapshot to (default: a new temporary folder, printed).
    #[arg(long)]
    snapshot: Option<PathBuf>,
    /// Seconds to wait for any one API call.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Objects per Kubernetes list page.
    #[arg(long, default_value_t = 500)]
    page_size: u32,
    /// Kubernetes kinds listed at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Read only the Kubernetes side.
    #[arg(long)]
    skip_aws: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(clap::Args)]
struct CommonArgs {
    /// Report format; repeat with --output to write several reports in one run.
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Write the report of the matching --format (by position) to this file.
    #[arg(long)]
    output: Vec<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (default: config `fail_on`, else low).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Declare the loaded inventory complete (enables inventory rules).
    #[arg(long)]
    complete: bool,
    /// Config file (default: .ekstrust.toml in this folder or a parent).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Ignore any config file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// Only these rules (IDs or family prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these rules (IDs or family prefixes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Accounts trusted for cross-account trust (TRUST011), comma-separated.
    #[arg(long, value_delimiter = ',')]
    trusted_accounts: Vec<String>,
    /// Hide the findings recorded in this baseline file.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file.
    #[arg(long)]
    write_baseline: Option<PathBuf>,
    /// With --format table: one row per rule.
    #[arg(long)]
    summary: bool,
    /// Largest input file read, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    max_file_size: u64,
    /// Deepest nesting accepted in a document.
    #[arg(long, default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Most nodes YAML alias expansion may create in one file.
    #[arg(long, default_value_t = Limits::default().max_alias_nodes)]
    max_alias_nodes: usize,
    /// Print only findings (no notes or summary).
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
        Command::Lint(args) => lint(&args.paths, &args.common, Vec::new()),
        Command::Audit(args) => audit(*args),
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
        Command::Init { path, force } => {
            if path.exists() && !force {
                eprintln!(
                    "error: {} exists (use --force to overwrite)",
                    path.display()
                );
                return 2;
            }
            match std::fs::write(&path, config::TEMPLATE) {
                Ok(()) => {
                    println!("wrote {}", path.display());
                    0
                }
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", path.display());
                    2
                }
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "ekstrust",
                &mut std::io::stdout(),
            );
            0
        }
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

fn load_config(args: &CommonArgs) -> Result<Config, String> {
    let path = if args.no_config {
        None
    } else {
        args.config.clone().or_else(|| {
            std::env::current_dir()
                .ok()
                .and_then(|d| config::discover(&d))
        })
    };
    let mut config = match &path {
        Some(p) => Config::load(p).map_err(|e| format!("config error: {e}"))?,
        None => Config {
            unused_days: 90,
            ..Config::default()
        },
    };
    config.complete |= args.complete;
    config.select.extend(args.select.iter().cloned());
    config.ignore.extend(args.ignore.iter().cloned());
    config
        .trusted_accounts
        .extend(args.trusted_accounts.iter().cloned());
    Ok(config)
}

fn render(
    format: Format,
    outcome: &Outcome,
    args: &CommonArgs,
    color: bool,
    warnings: &[String],
) -> String {
    match format {
        Format::Json => report::json::render(&outcome.findings, &outcome.errors, &outcome.sources),
        Format::Sarif => report::sarif::render(&outcome.findings, &outcome.sources),
        Format::Table => report::table::render(&outcome.findings, &outcome.sources, args.summary),
        Format::Github => report::github::render(&outcome.findings, &outcome.sources),
        Format::Human => {
            let human = report::human::Human::new(color).with_secrets(&outcome.secrets);
            let mut out = String::new();
            for e in &outcome.errors {
                human.error(e, &outcome.sources, &mut out);
            }
            for f in &outcome.findings {
                human.finding(f, &outcome.sources, &mut out);
            }
            if !args.quiet {
                for w in warnings {
                    out.push_str(&format!("warning: {w}\n"));
                }
                for n in &outcome.suppression_notes {
                    out.push_str(&format!("warning: {}\n", n.message));
                }
                for s in &outcome.skipped {
                    out.push_str(&format!("note: skipped {}: {}\n", s.path, s.reason));
                }
                if !outcome.skipped_inventory_rules.is_empty() {
                    out.push_str(&format!(
                        "note: inventory rules skipped (pass --complete when the inputs are the whole cluster): {}\n",
                        outcome.skipped_inventory_rules.join(", ")
                    ));
                }
                let mut line =
                    report::summary_line(&outcome.findings, outcome.files, outcome.errors.len());
                if outcome.suppressed > 0 {
                    line.push_str(&format!("; {} suppressed", outcome.suppressed));
                }
                out.push_str(&line);
                out.push('\n');
            }
            out
        }
    }
}

#[cfg(not(feature = "audit"))]
fn audit(_args: AuditArgs) -> i32 {
    eprintln!("error: this ekstrust was built without the `audit` feature (live audit); rebuild with default features");
    2
}

#[cfg(feature = "audit")]
fn audit(args: AuditArgs) -> i32 {
    let snapshot = match &args.snapshot {
        Some(p) => p.clone(),
        None => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let dir =
                std::env::temp_dir().join(format!("ekstrust-audit-{stamp}-{}", std::process::id()));
            eprintln!("snapshot: {}", dir.display());
            dir
        }
    };
    let opts = crate::live::AuditOptions {
        context: args.context.clone(),
        kubeconfig: args.kubeconfig.clone(),
        cluster: args.cluster.clone(),
        region: args.region.clone(),
        profile: args.profile.clone(),
        snapshot: snapshot.clone(),
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        page_size: args.page_size.max(1),
        concurrency: args.concurrency.max(1),
        progress: !args.common.quiet && std::io::stderr().is_terminal(),
        skip_aws: args.skip_aws,
    };
    let warnings = match crate::live::snapshot(&opts) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut common = args.common;
    common.complete = true;
    lint(&[snapshot], &common, warnings)
}

fn lint(paths: &[PathBuf], args: &CommonArgs, warnings: Vec<String>) -> i32 {
    let config = match load_config(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if args.output.len() > args.format.len().max(1) {
        eprintln!("error: each --output needs a --format before it");
        return 2;
    }
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        max_depth: args.max_depth,
        max_alias_nodes: args.max_alias_nodes,
    };
    // Never freed: the process exits right after the report, and releasing a model of 100,000
    // objects piece by piece costs more than the OS reclaiming it at once.
    let mut outcome = std::mem::ManuallyDrop::new(engine::lint(paths, &config, &limits));

    if let Some(path) = &args.write_baseline {
        if let Err(e) = crate::baseline::write(path, &outcome.findings, &outcome.sources) {
            eprintln!("error: {e}");
            return 2;
        }
    }
    if let Some(path) = &args.baseline {
        match crate::baseline::read(path) {
            Ok(known) => {
                let findings = std::mem::take(&mut outcome.findings);
                let (kept, hidden) = crate::baseline::filter(findings, &known, &outcome.sources);
                outcome.findings = kept;
                outcome.suppressed += hidden;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }

    let formats = if args.format.is_empty() {
        vec![Format::Human]
    } else {
        args.format.clone()
    };
    for (i, format) in formats.iter().enumerate() {
        let target = args.output.get(i);
        let text = render(
            *format,
            &outcome,
            args,
            target.is_none() && use_color(),
            &warnings,
        );
        let written = match target {
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
    }
    if !outcome.errors.is_empty() {
        return 2;
    }
    let fail_on = args.fail_on.map(|f| match f {
        FailOn::Never => None,
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
    });
    let threshold = match fail_on {
        Some(t) => t,
        None => match config.fail_on.as_deref() {
            Some("never") => None,
            Some(s) => Severity::parse(s),
            None => Some(Severity::Low),
        },
    };
    match threshold {
        Some(t) if outcome.findings.iter().any(|f| f.severity >= t) => 1,
        _ => 0,
    }
}
