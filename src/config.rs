//! Options rules read, from `.ekstrust.toml` (found from the working directory upwards, or
//! `--config`) and the command line. Config errors point at the line and column in the file.

use crate::finding::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Accounts whose principals may assume roles without an ExternalId/org guard (TRUST011).
    pub trusted_accounts: Vec<String>,
    /// The cluster's OIDC issuer (host + path), when known.
    pub cluster_issuer: Option<String>,
    /// The loaded inventory is the whole cluster/account: enables inventory rules.
    pub complete: bool,
    /// Rule IDs or family prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Rule IDs or family prefixes to skip.
    pub ignore: Vec<String>,
    /// DaemonSets (name or `DaemonSet/namespace/name`) allowed on the host network (POD001).
    pub host_network_exempt: Vec<String>,
    /// Extra managed policies (name or ARN) allowed on node roles (NODE001).
    pub node_role_allowlist: Vec<String>,
    /// Days after which a role counts as unused in a live audit (TRUST014); 0 means 90.
    pub unused_days: u32,
    /// Severity overrides by rule ID.
    pub severity: BTreeMap<String, Severity>,
    pub fail_on: Option<String>,
    pub suppress: Vec<SuppressEntry>,
    /// The config file, when one was read.
    pub path: Option<PathBuf>,
}

/// One `[[suppress]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressEntry {
    pub rule: String,
    /// Path glob, `Kind/namespace/name`, or role ARN glob.
    pub target: Option<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: after this day the suppression no longer applies.
    pub expires: Option<String>,
    /// Line of the entry in the config file.
    #[serde(skip)]
    pub line: usize,
}

/// The file format.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    select: Vec<String>,
    ignore: Vec<String>,
    complete: bool,
    fail_on: Option<String>,
    severity: BTreeMap<String, String>,
    options: Options,
    suppress: Vec<SuppressEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    trusted_accounts: Vec<String>,
    cluster_issuer: Option<String>,
    unused_days: Option<u32>,
    host_network_exempt: Vec<String>,
    node_role_allowlist: Vec<String>,
}

/// A config problem, located in the file.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

pub const FILE_NAME: &str = ".ekstrust.toml";

/// `.ekstrust.toml` in `start` or the nearest parent folder.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.into(),
            line: 1,
            column: 1,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let source = crate::source::SourceFile::new(
            path.into(),
            path.display().to_string(),
            text.to_string(),
        );
        let at = |offset: usize, message: String| {
            let (line, column) = source.line_col(offset);
            ConfigError {
                path: path.into(),
                line,
                column,
                message,
            }
        };
        let find = |needle: &str| text.find(needle).unwrap_or(0);
        let file: FileConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            at(offset, e.message().trim().to_string())
        })?;
        let mut config = Config {
            select: file.select,
            ignore: file.ignore,
            complete: file.complete,
            fail_on: file.fail_on,
            trusted_accounts: file.options.trusted_accounts,
            cluster_issuer: file.options.cluster_issuer,
            unused_days: file.options.unused_days.unwrap_or(90),
            host_network_exempt: file.options.host_network_exempt,
            node_role_allowlist: file.options.node_role_allowlist,
            path: Some(path.into()),
            ..Config::default()
        };
        let known = |id: &str| {
            crate::rules::meta::all()
                .iter()
                .any(|m| Config::selector_matches(id, &m.id))
        };
        for id in config.select.iter().chain(&config.ignore) {
            if !known(id) {
                return Err(at(
                    find(&format!("\"{id}\"")),
                    format!("unknown rule or family `{id}`"),
                ));
            }
        }
        for (id, sev) in file.severity {
            let Some(s) = Severity::parse(&sev) else {
                return Err(at(
                    find(&format!("\"{sev}\"")),
                    format!("unknown severity `{sev}` (critical, high, medium, low, info)"),
                ));
            };
            if crate::rules::meta::get(&id).is_none() {
                return Err(at(find(&id), format!("unknown rule `{id}` in [severity]")));
            }
            config.severity.insert(id.to_ascii_uppercase(), s);
        }
        if let Some(f) = &config.fail_on {
            if Severity::parse(f).is_none() && f != "never" {
                return Err(at(find("fail_on"), format!("unknown fail_on `{f}`")));
            }
        }
        // Locate each [[suppress]] table for messages about it.
        let mut starts = text.match_indices("[[suppress]]").map(|(i, _)| i);
        for entry in file.suppress {
            let offset = starts.next().unwrap_or(0);
            let line = source.line_col(offset).0;
            if entry.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(at(
                    offset,
                    format!(
                        "suppression of `{}` has no `reason`: every suppression must say why",
                        entry.rule
                    ),
                ));
            }
            if !known(&entry.rule) {
                return Err(at(
                    offset,
                    format!("suppression names unknown rule `{}`", entry.rule),
                ));
            }
            if let Some(exp) = &entry.expires {
                if parse_date(exp).is_none() {
                    return Err(at(
                        offset,
                        format!("`expires = \"{exp}\"` is not a YYYY-MM-DD date"),
                    ));
                }
            }
            config.suppress.push(SuppressEntry { line, ..entry });
        }
        Ok(config)
    }

    /// Does a selector (`TRUST001`, `TRUST`, `ALL`) pick this rule ID?
    pub fn selector_matches(selector: &str, id: &str) -> bool {
        let s = selector.trim();
        s.eq_ignore_ascii_case("ALL")
            || id.eq_ignore_ascii_case(s)
            || (id.len() > s.len()
                && id.get(..s.len()).is_some_and(|p| p.eq_ignore_ascii_case(s))
                && id[s.len()..].bytes().all(|b| b.is_ascii_digit()))
    }

    pub fn rule_enabled(&self, id: &str) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| Config::selector_matches(s, id));
        selected && !self.ignore.iter().any(|s| Config::selector_matches(s, id))
    }
}

/// `YYYY-MM-DD` → days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil date (proleptic Gregorian).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Today as days since 1970-01-01 (UTC).
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs / 86_400) as i64
}

/// The commented template `ekstrust init` writes.
pub const TEMPLATE: &str = r#"# ekstrust configuration. Found in the working directory or any parent folder;
# `--config FILE` names another. Every key is optional.

# Rules to run and to skip: rule IDs (TRUST001) or families (TRUST, AUTH, RBAC, SA, POD, NODE, PODID).
# select = ["TRUST", "AUTH"]
# ignore = ["AUTH011"]

# The inputs are the whole cluster and account: enables inventory rules (unused roles, missing
# ServiceAccounts ...). Same as --complete.
# complete = false

# Exit 1 when a finding is at or above this severity: critical, high, medium, low, info or never.
# fail_on = "low"

# Severity overrides by rule ID.
[severity]
# AUTH011 = "info"

[options]
# Accounts whose principals may assume roles without ExternalId or organisation guards (TRUST011).
# trusted_accounts = ["111122223333"]
# The cluster's OIDC issuer, without https:// (narrows SA002/SA005 to this issuer).
# cluster_issuer = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
# Days without use after which a role counts as unused in live audits (TRUST014).
# unused_days = 90
# DaemonSets allowed on the host network besides the EKS ones (POD001): name or DaemonSet/ns/name.
# host_network_exempt = ["node-exporter"]
# Managed policies accepted on node roles besides the EKS worker baseline (NODE001).
# node_role_allowlist = ["CloudWatchAgentServerPolicy"]

# Suppressions: each needs a reason; `expires` (YYYY-MM-DD) makes it lapse. `target` is a path
# glob, Kind/namespace/name, or a role ARN glob. Expired and unmatched entries are reported.
# [[suppress]]
# rule = "TRUST003"
# target = "arn:aws:iam::*:role/legacy-ci-*"
# reason = "legacy CI role, replaced in Q3"
# expires = "2027-06-30"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2026-13-01"), None);
        assert!(today() > parse_date("2025-01-01").unwrap());
    }

    #[test]
    fn errors_are_located() {
        let e = Config::parse(
            "select = [\"TRUST\"]\n[options]\ntrusted_acounts = []\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = Config::parse(
            "\n\n[[suppress]]\nrule = \"TRUST001\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("reason"));
        let e = Config::parse("ignore = [\"NOPE\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(e.message.contains("NOPE"));
    }

    #[test]
    fn template_parses() {
        let c = Config::parse(TEMPLATE, Path::new(".ekstrust.toml")).unwrap();
        assert!(c.select.is_empty() && c.suppress.is_empty());
    }

    #[test]
    fn selectors() {
        assert!(Config::selector_matches("TRUST", "TRUST001"));
        assert!(!Config::selector_matches("TRUST", "TRUSTY1"));
        assert!(Config::selector_matches("pod", "POD001"));
        assert!(!Config::selector_matches("POD", "PODID001"));
    }
}
