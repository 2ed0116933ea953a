//! TRUST010 partition-mismatch: the Federated ARN's partition, the issuer's DNS suffix and the
//! role's own partition disagree.

use super::{identity, oidc_uses};
use crate::finding::{Finding, Severity};
use crate::iam_eval::issuer::{arn_partition, issuer_partition};
use crate::model::{Policy, Role};
use crate::rules::{Context, Rule, TrustRule};

pub struct PartitionMismatch;

trust_rule!(PartitionMismatch, "TRUST010");

impl TrustRule for PartitionMismatch {
    fn check_trust(&self, _cx: &Context, role: &Role, policy: &Policy, out: &mut Vec<Finding>) {
        for u in oidc_uses(policy) {
            if u.provider.is_unknown_part() && u.provider.text.starts_with("arn:${") {
                continue;
            }
            let arn = arn_partition(&u.provider.text).filter(|p| !p.contains("${"));
            let issuer = issuer_partition(u.issuer, u.kind);
            let own = role.partition();
            let pairs = [
                ("the provider ARN", arn, "the issuer's DNS suffix", issuer),
                ("the provider ARN", arn, "the role", own),
                ("the issuer's DNS suffix", issuer, "the role", own),
            ];
            if let Some((a_name, Some(a), b_name, Some(b))) = pairs
                .into_iter()
                .find(|(_, a, _, b)| matches!((a, b), (Some(x), Some(y)) if x != y))
            {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::High,
                        u.provider.span,
                        format!(
                            "role `{}`: partition mismatch, {a_name} says `{a}` but {b_name} says `{b}`: no token can ever match",
                            role.name
                        ),
                    )
                    .label("partition disagrees")
                    .help("use the provider ARN of the role's own partition (arn:aws-cn for China regions, arn:aws-us-gov for GovCloud)")
                    .identity(identity(role, u.statement, &format!("partition:{}", u.provider.text))),
                );
            }
        }
    }
}
