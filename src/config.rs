//! Options rules read. Loaded from `.ekstrust.toml` (see the README); defaults otherwise.

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
}

impl Config {
    /// Does a selector (`TRUST001`, `TRUST`, `ALL`) pick this rule ID?
    pub fn selector_matches(selector: &str, id: &str) -> bool {
        let s = selector.trim();
        s.eq_ignore_ascii_case("ALL")
            || id.eq_ignore_ascii_case(s)
            || (id.len() > s.len()
                && id[..s.len()].eq_ignore_ascii_case(s)
                && id[s.len()..].bytes().all(|b| b.is_ascii_digit()))
    }

    pub fn rule_enabled(&self, id: &str) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| Config::selector_matches(s, id));
        selected && !self.ignore.iter().any(|s| Config::selector_matches(s, id))
    }
}
