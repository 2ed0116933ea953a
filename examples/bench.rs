//! Benchmark: `cargo run --release --example bench -- DIR [--iterations N]` on a corpus made by
//! `gen_corpus`. Reports, for the same files: the parse-only floor (read + parse with the same
//! parser, in parallel like the linter), the full lint time, objects/s, MB/s, the peak RSS of a
//! fresh process linting the corpus once and rendering the JSON report, recall against the
//! planted misconfigurations, the wall time of the `ekstrust` binary on one small manifest (the
//! pre-commit case), and the lint/floor ratio again in fresh processes, one part per process.
//! `--per-rule` prints the walk, the load and each rule's time instead;
//! `--once PART` runs one part once, for counting instructions (`scripts/bench-instructions.sh`).

// The same allocator as the binary, so the numbers are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ekstrust::config::Config;
use ekstrust::engine;
use ekstrust::loader::{self, Limits};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The middle value (the upper one of an even count); the default for none.
fn median<T: PartialOrd + Copy + Default>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn parse_only(paths: &[PathBuf], limits: &Limits) -> usize {
    paths
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            loader::parse_text(&text, i as u32, limits, p)
                .map(|d| d.len())
                .unwrap_or(0)
        })
        .sum()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut iterations = 5;
    let mut rss_only = false;
    let mut per_rule = false;
    let mut once: Option<String> = None;
    // Rounds of the fresh-process comparison; the iterations unless given (0 skips it, which
    // saves about half a minute at 100k objects).
    let mut fresh_rounds: Option<usize> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--iterations" => {
                iterations = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(iterations)
            }
            "--fresh-rounds" => fresh_rounds = args.next().and_then(|v| v.parse().ok()),
            "--rss-only" => rss_only = true,
            "--per-rule" => per_rule = true,
            "--once" => once = args.next(),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: bench DIR [--iterations N] [--fresh-rounds N]");
        std::process::exit(2);
    };
    let limits = Limits::default();
    let config = Config::default();
    if per_rule {
        print_rule_times(&dir, &config, &limits);
        return;
    }
    if let Some(part) = once {
        run_once(&part, &dir, &config, &limits);
        return;
    }
    if rss_only {
        // The whole run, report included: rendering reads back the texts of files with findings.
        let outcome = engine::lint(std::slice::from_ref(&dir), &config, &limits);
        let report =
            ekstrust::report::json::render(&outcome.findings, &outcome.errors, &outcome.sources);
        std::hint::black_box(report);
        println!("{} {}", peak_rss_kib(), outcome.findings.len());
        return;
    }

    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    let paths = loader::collect_paths(std::slice::from_ref(&dir), &mut skipped, &mut errors);
    let bytes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let objects: u64 = std::fs::read_to_string(dir.join(".corpus/meta.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["objects"].as_u64())
        .unwrap_or(0);

    // Warm the page cache, then alternate the two measurements.
    parse_only(&paths, &limits);
    let mut parse_times = Vec::new();
    let mut load_times = Vec::new();
    let mut lint_times = Vec::new();
    let mut outcome = None;
    for _ in 0..iterations {
        // Free the previous lint's model first: the binary lints once, so no other model is
        // alive while it runs, and the floor and the lint should both run in that state.
        drop(outcome.take());
        let t = Instant::now();
        std::hint::black_box(parse_only(&paths, &limits));
        parse_times.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(loader::load(std::slice::from_ref(&dir), &limits));
        load_times.push(t.elapsed());
        let t = Instant::now();
        let o = engine::lint(std::slice::from_ref(&dir), &config, &limits);
        lint_times.push(t.elapsed());
        outcome = Some(o);
    }
    // Each iteration times the floor and the lint back to back; the median of those paired
    // ratios is steadier on a shared machine than the ratio of two medians, as a slow spell
    // then slows both sides of a pair.
    let paired_ratio = median_paired_ratio(
        parse_times.iter().map(Duration::as_secs_f64),
        lint_times.iter().map(Duration::as_secs_f64),
    );
    let parse = median(parse_times);
    let lint = median(lint_times);
    let load = median(load_times);
    let Some(outcome) = outcome else { return };

    // Recall on the planted misconfigurations.
    let expected: serde_json::Value = std::fs::read_to_string(dir.join(".corpus/expected.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut planted = 0;
    let mut found = 0;
    for (file, rules) in expected.as_object().into_iter().flatten() {
        let path = dir.join(file);
        for rule in rules
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
        {
            planted += 1;
            if outcome
                .findings
                .iter()
                .any(|f| f.rule == rule && outcome.sources.path(f.span.file) == path)
            {
                found += 1;
            }
        }
    }

    // Peak RSS of a fresh process that lints the corpus once.
    let me = std::env::current_exe().unwrap_or_default();
    let rss = std::process::Command::new(&me)
        .arg(&dir)
        .arg("--rss-only")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
        })
        .unwrap_or(0);

    // The same comparison in fresh processes, as the binary runs: each part once per process
    // (`--once`), the floor without the folder walk and the lint without process start.
    let fresh = fresh_process_ratios(&me, &dir, fresh_rounds.unwrap_or(iterations));

    // The pre-commit case: the release binary on one small manifest, process start included.
    let binary = me
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("ekstrust"))
        .unwrap_or_default();
    let small = paths
        .iter()
        .find(|p| p.to_string_lossy().contains("trust-"))
        .cloned();
    let mut small_times = Vec::new();
    if let (true, Some(small)) = (binary.is_file(), small) {
        for _ in 0..20 {
            let t = Instant::now();
            let _ = std::process::Command::new(&binary)
                .args(["lint", "--fail-on", "never"])
                .arg(&small)
                .output();
            small_times.push(t.elapsed());
        }
    }

    let secs = lint.as_secs_f64();
    println!(
        "corpus            {} ({} files, {:.1} MB, {objects} objects)",
        dir.display(),
        paths.len(),
        bytes as f64 / 1e6
    );
    println!("threads           {}", rayon::current_num_threads());
    println!("parse-only floor  {:.1} ms", parse.as_secs_f64() * 1e3);
    println!("load (parse+model) {:.1} ms", load.as_secs_f64() * 1e3);
    println!(
        "lint              {:.1} ms ({:.2}x the floor; median of paired ratios {paired_ratio:.2}x)",
        secs * 1e3,
        secs / parse.as_secs_f64()
    );
    if let Some(fresh) = fresh {
        println!(
            "fresh processes   {:.2}x the floor (median of paired ratios {:.2}x)",
            fresh.of_medians, fresh.paired
        );
        println!(
            "  page faults     {:+} in the lint beyond the floor (median per process)",
            fresh.extra_faults
        );
    }
    println!(
        "throughput        {:.0} objects/s, {:.1} MB/s",
        objects as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    println!(
        "peak RSS          {:.1} MB ({:.2}x the corpus bytes)",
        rss as f64 / 1024.0,
        rss as f64 * 1024.0 / bytes.max(1) as f64
    );
    println!(
        "findings          {} ({} input errors)",
        outcome.findings.len(),
        outcome.errors.len()
    );
    println!("recall            {found}/{planted}");
    if !small_times.is_empty() {
        println!(
            "one small file    {:.1} ms wall, process start included (median of 20)",
            median(small_times).as_secs_f64() * 1e3
        );
    }
}

/// Minor page faults (first touches of fresh memory) of the children reaped so far. The
/// kernel's split of their CPU time into user and system time is sampled at clock ticks, too
/// coarse for processes of a few tens of milliseconds, so only the faults are read.
fn children_page_faults() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0;
    }
    usage.ru_minflt
}

/// The fresh-process comparison: ratio of the medians, median of the per-round ratios, and
/// the lint's page faults beyond the floor's (medians per process).
struct Fresh {
    of_medians: f64,
    paired: f64,
    extra_faults: i64,
}

/// Lint/floor in fresh processes: `--once start`, `paths`, `floor` and `lint`, interleaved,
/// `runs` times each. The floor is `floor - paths` (parsing only), the lint `lint - start`.
fn fresh_process_ratios(me: &Path, dir: &Path, runs: usize) -> Option<Fresh> {
    if runs == 0 {
        return None;
    }
    // Wall seconds and page faults of one part in a fresh process.
    let run = |part: &str| -> Option<(f64, i64)> {
        let faults = children_page_faults();
        let t = Instant::now();
        let status = std::process::Command::new(me)
            .arg(dir)
            .args(["--once", part])
            .status()
            .ok()?;
        let wall = t.elapsed().as_secs_f64();
        status
            .success()
            .then(|| (wall, children_page_faults() - faults))
    };
    let mut rounds = Vec::new();
    for _ in 0..runs {
        rounds.push((run("start")?, run("paths")?, run("floor")?, run("lint")?));
    }
    let floors: Vec<f64> = rounds.iter().map(|r| r.2 .0 - r.1 .0).collect();
    let lints: Vec<f64> = rounds.iter().map(|r| r.3 .0 - r.0 .0).collect();
    let floor_faults = median(rounds.iter().map(|r| r.2 .1 - r.1 .1).collect());
    let lint_faults = median(rounds.iter().map(|r| r.3 .1 - r.0 .1).collect());
    Some(Fresh {
        paired: median_paired_ratio(floors.iter().copied(), lints.iter().copied()),
        of_medians: median(lints) / median(floors).max(1e-9),
        extra_faults: lint_faults - floor_faults,
    })
}

/// The median of lint/floor over pairs timed back to back (seconds).
fn median_paired_ratio(floors: impl Iterator<Item = f64>, lints: impl Iterator<Item = f64>) -> f64 {
    median(floors.zip(lints).map(|(f, l)| l / f.max(1e-9)).collect())
}

/// Where the time above the parse floor goes: the load, then each rule alone (single thread).
fn print_rule_times(dir: &Path, config: &Config, limits: &Limits) {
    let t = Instant::now();
    let paths = loader::collect_paths(&[dir.to_path_buf()], &mut Vec::new(), &mut Vec::new());
    println!(
        "walk              {:.1} ms ({} files)",
        t.elapsed().as_secs_f64() * 1e3,
        paths.len()
    );
    let t = Instant::now();
    let loaded = loader::load(&[dir.to_path_buf()], limits);
    println!(
        "load              {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let cx = ekstrust::rules::Context {
        inventory: &loaded.inventory,
        sources: &loaded.sources,
        config,
    };
    let mut times: Vec<(Duration, &str, usize)> = ekstrust::rules::all()
        .into_iter()
        .map(|rule| {
            let t = Instant::now();
            let mut out = Vec::new();
            rule.check(&cx, &mut out);
            (t.elapsed(), rule.id(), out.len())
        })
        .collect();
    let total: Duration = times.iter().map(|t| t.0).sum();
    println!("all rules         {:.1} ms", total.as_secs_f64() * 1e3);
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    for (time, id, n) in times.iter().take(10) {
        println!(
            "  {id:<9} {:>7.2} ms  {n} findings",
            time.as_secs_f64() * 1e3
        );
    }
}

/// One part of the work, once, for counting instructions (`scripts/bench-instructions.sh` runs
/// each under callgrind and subtracts): `start` (process start only), `paths` (start and the
/// folder walk), `floor` (start, walk, then read and parse every file) and `lint` (start and the
/// whole lint, walk included). The floor is then `floor - paths`, the lint `lint - start`.
fn run_once(part: &str, dir: &Path, config: &Config, limits: &Limits) {
    match part {
        "start" => {}
        "paths" | "floor" => {
            // Start the thread pool here, so that `floor - paths` is parsing only (the walk
            // no longer uses the pool; the lint starts it as part of its own work).
            rayon::join(|| (), || ());
            let paths =
                loader::collect_paths(&[dir.to_path_buf()], &mut Vec::new(), &mut Vec::new());
            if part == "floor" {
                std::hint::black_box(parse_only(&paths, limits));
            }
        }
        "lint" => {
            let outcome = engine::lint(&[dir.to_path_buf()], config, limits);
            // Like the binary, exit without freeing the model.
            std::mem::forget(outcome);
        }
        other => {
            eprintln!("--once takes start, paths, floor or lint, not {other}");
            std::process::exit(2);
        }
    }
}
