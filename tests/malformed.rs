//! Hostile and broken input: every file gives exit 2 with a located error (or findings, or a
//! skip note), in bounded time, without a panic, and never stops the other inputs from being
//! linted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run with a time limit; a hang fails the test.
fn run(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ekstrust"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("ekstrust {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn all_text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn malformed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/malformed"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    files.sort();
    files
}

#[test]
fn each_malformed_file_is_handled_and_located() {
    // Files that must be input errors (exit 2) with a file:line:col location.
    let errors = [
        "billion-laughs",
        "binary",
        "deep-nesting",
        "invalid-utf8",
        "nul-byte",
        "truncated",
    ];
    for file in malformed_files() {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let rel = format!(
            "testdata/malformed/{}",
            file.file_name().unwrap().to_string_lossy()
        );
        let out = run(&["lint", "--no-config", &rel], Duration::from_secs(20));
        let text = all_text(&out);
        assert!(!text.contains("panicked"), "{rel}: {text}");
        if errors.iter().any(|e| name.starts_with(e)) {
            assert_eq!(out.status.code(), Some(2), "{rel}: {text}");
            let located = text.lines().any(|l| {
                l.contains(&format!("{rel}:"))
                    && l.split(':')
                        .filter(|p| p.trim().parse::<u32>().is_ok())
                        .count()
                        >= 2
            });
            assert!(located, "{rel}: no file:line:col in {text}");
        } else {
            // Wrong types: reported as findings (or ignored), never a crash.
            assert!(matches!(out.status.code(), Some(0 | 1)), "{rel}: {text}");
        }
    }
}

#[test]
fn wrong_types_become_located_findings() {
    let out = run(
        &[
            "lint",
            "--no-config",
            "--format",
            "json",
            "testdata/malformed/statement-number.json",
            "testdata/malformed/wrong-types.yaml",
        ],
        Duration::from_secs(20),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"TRUST012"), "Statement: 5 → {rules:?}");
    assert!(rules.contains(&"AUTH002"), "groups: \"x\" → {rules:?}");
}

#[test]
fn other_inputs_are_still_linted() {
    let mut args = vec![
        "lint".to_string(),
        "--no-config".into(),
        "--format".into(),
        "json".into(),
    ];
    args.extend(malformed_files().iter().map(|p| p.display().to_string()));
    args.push("testdata/TRUST007/fail/aws-star.json".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&refs, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "TRUST007"));
    assert!(report["errors"].as_array().unwrap().len() >= 6);
}

#[test]
fn huge_file_is_refused_quickly() {
    let dir = std::env::temp_dir().join(format!("ekstrust-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("huge.yaml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let line =
            "  - {name: item, value: 0123456789012345678901234567890123456789012345678901234567}\n";
        writeln!(f, "items:").unwrap();
        for _ in 0..(100 * 1024 * 1024 / line.len()) {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    assert!(std::fs::metadata(&big).unwrap().len() >= 100 * 1000 * 1000);
    let start = Instant::now();
    let out = run(
        &[
            "lint",
            "--no-config",
            big.to_str().unwrap(),
            "testdata/TRUST007/fail/aws-star.json",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(2), "{}", all_text(&out));
    assert!(all_text(&out).contains("larger than"), "{}", all_text(&out));
    assert!(all_text(&out).contains("TRUST007"));
    assert!(start.elapsed() < Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn symlink_loops_fifos_and_broken_links_in_walked_folders() {
    let dir = std::env::temp_dir().join(format!("ekstrust-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(dir.join("nowhere.yaml"), dir.join("broken.yaml")).unwrap();
    let fifo = dir.join("pipe.yaml");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/TRUST007/fail/aws-star.json"),
        dir.join("sub/public.json"),
    )
    .unwrap();
    let out = run(
        &["lint", "--no-config", dir.to_str().unwrap()],
        Duration::from_secs(20),
    );
    let text = all_text(&out);
    assert!(text.contains("TRUST007"), "{text}");
    assert!(
        text.contains("broken.yaml") && text.contains("cannot read"),
        "{text}"
    );
    if made_fifo {
        assert!(text.contains("pipe.yaml: not a regular file"), "{text}");
    }
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("ekstrust-perm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("secret.yaml");
    std::fs::write(&f, "a: 1\n").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&f).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to test here.
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let out = run(
        &["lint", "--no-config", f.to_str().unwrap()],
        Duration::from_secs(10),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(all_text(&out).contains("cannot read"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A mapping of 100,000 keys (a trust policy's condition keys), in JSON and in YAML, with one
/// key repeated at its end: duplicate keys were found by comparing every key with all before it,
/// so such a file took minutes. Now the repeat is still reported, at once.
#[test]
fn wide_mappings_are_read_in_bounded_time_and_their_duplicates_found() {
    use std::fmt::Write;
    let dir = std::env::temp_dir().join(format!("ekstrust-wide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = 100_000;
    let mut json = String::from(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:RequestTag/k": "v""#,
    );
    let mut yaml = String::from(
        "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Principal: {Service: ec2.amazonaws.com}\n    Action: sts:AssumeRole\n    Condition:\n      StringEquals:\n        aws:RequestTag/k: v\n",
    );
    for i in 0..keys {
        write!(json, r#", "aws:RequestTag/k{i}": "v""#).unwrap();
        writeln!(yaml, "        aws:RequestTag/k{i}: v").unwrap();
    }
    json.push_str(r#", "aws:RequestTag/k": "w"}}}]}"#);
    yaml.push_str("        aws:RequestTag/k: w\n");
    let (json_path, yaml_path) = (dir.join("wide.json"), dir.join("wide.yaml"));
    std::fs::write(&json_path, json).unwrap();
    std::fs::write(&yaml_path, yaml).unwrap();
    for path in [&json_path, &yaml_path] {
        let out = run(
            &[
                "lint",
                "--no-config",
                "--format",
                "json",
                path.to_str().unwrap(),
            ],
            Duration::from_secs(60),
        );
        let text = all_text(&out);
        assert!(
            text.contains(r#"duplicate key \"aws:RequestTag/k\""#),
            "{}: {}",
            path.display(),
            &text[..text.len().min(2_000)]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
