//! `ekstrust audit`: read a running cluster and its AWS account (read-only), write everything to a
//! snapshot folder as ordinary files `lint` reads, then run the normal engine on it with a complete
//! inventory. Findings point into the snapshot, and `ekstrust lint --complete SNAPSHOT` reproduces
//! the audit offline.

pub mod aws;
pub mod kube;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct AuditOptions {
    pub context: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    pub cluster: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub snapshot: PathBuf,
    pub timeout: Duration,
    pub page_size: u32,
    pub concurrency: usize,
    pub progress: bool,
    pub skip_aws: bool,
}

/// What could not be read, for the report.
#[derive(Debug, Default)]
pub struct Warnings(pub std::sync::Mutex<Vec<String>>);

impl Warnings {
    pub fn push(&self, w: String) {
        if let Ok(mut v) = self.0.lock() {
            v.push(w);
        }
    }
    pub fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// Progress lines on stderr when it is a terminal (and not --quiet).
pub fn progress(enabled: bool, message: &str) {
    if enabled {
        eprint!("\r\x1b[2K{message}");
    }
}

pub fn write_json(dir: &Path, name: &str, value: &Value) -> Result<(), String> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())? + "\n";
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Fetch everything into the snapshot folder; returns the warnings (what could not be read).
pub fn snapshot(opts: &AuditOptions) -> Result<Vec<String>, String> {
    // Two TLS crypto providers are linked (kube: ring, AWS SDK: aws-lc-rs); pick one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        std::fs::create_dir_all(&opts.snapshot)
            .map_err(|e| format!("{}: {e}", opts.snapshot.display()))?;
        let warnings = Warnings::default();
        let kube = kube::fetch(opts, &warnings).await?;
        if !opts.skip_aws {
            aws::fetch(opts, &kube, &warnings).await?;
        }
        progress(opts.progress, "");
        Ok(warnings.take())
    })
}
