//! Link the `ekstrust` binary as a fixed-address (non-PIE) executable on Linux.
//!
//! Why: the release binary carries about 65,000 relative relocations (mostly the AWS SDK's and
//! kube's tables). A position-independent executable has the dynamic loader apply them at every
//! start, writing about 300 pages of `.data.rel.ro`; that was a third of the wall time of linting
//! one small file (the pre-commit case, BENCHMARKS.md). Linked without PIE, the linker resolves
//! them once and the pages are read from the file only when used.
//!
//! The cost is address-space randomisation of the binary's own image (shared libraries, heap and
//! stack stay randomised). `EKSTRUST_PIE=1` at build time keeps a PIE.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=EKSTRUST_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let keep_pie = std::env::var("EKSTRUST_PIE").is_ok_and(|v| !v.is_empty() && v != "0");
    if linux && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
