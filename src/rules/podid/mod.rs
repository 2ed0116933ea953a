//! PODID rules: EKS Pod Identity.

pub mod association_without_sa;
pub mod irsa_and_pod_identity;
pub mod missing_tag_session;
pub mod unscoped_pod_identity_trust;

use crate::model::Statement;

pub const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";

/// Allow statements that trust the EKS Pod Identity service.
pub fn trusts_pod_identity(st: &Statement) -> bool {
    st.is_allow()
        && st
            .services()
            .any(|s| s.text.eq_ignore_ascii_case(POD_IDENTITY_SERVICE))
}
