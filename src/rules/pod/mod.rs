//! POD rules: workloads (Pod and the pod templates of every controller kind).

pub mod host_network_node_role;
pub mod legacy_kiam_kube2iam;
pub mod manual_web_identity_env;
pub mod missing_service_account;
pub mod self_projected_sts_token;
pub mod static_aws_credentials;

use crate::model::Workload;

pub fn identity(w: &Workload, part: &str) -> String {
    format!("{}#{part}", w.meta.reference())
}
