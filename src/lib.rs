//! ekstrust: lints and audits the identity wiring of Amazon EKS clusters.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod baseline;
pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod iam_eval;
#[cfg(feature = "audit")]
pub mod live;
pub mod loader;
pub mod model;
pub mod node;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
