//! AUTH007 aws-auth-node-mapping: node usernames without exactly the node groups, or node groups
//! given to something that is not a node.

use super::{entries, identity, is_node_username, NODE_GROUPS};
use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct AwsAuthNodeMapping;

/// Extra groups EKS itself uses for Windows and Fargate nodes.
const NODE_EXTRA_GROUPS: [&str; 2] = ["eks:kube-proxy-windows", "system:node-proxier"];

impl Rule for AwsAuthNodeMapping {
    fn id(&self) -> &'static str {
        "AUTH007"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (cm, kind, e) in entries(cx.inventory) {
            let Some(user) = &e.username else { continue };
            let has = |g: &str| e.groups.iter().any(|x| x.text == g);
            if is_node_username(&user.text) {
                let missing: Vec<&str> = NODE_GROUPS.iter().copied().filter(|g| !has(g)).collect();
                if !missing.is_empty() {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::High,
                            e.groups_key.unwrap_or(user.span),
                            format!("node mapping `{}` lacks {}: nodes with this role cannot register", user.text, missing.join(" and ")),
                        )
                        .label("node groups incomplete")
                        .with_label(user.span, "node username")
                        .help("a node entry needs exactly the groups system:bootstrappers and system:nodes")
                        .identity(identity(cm, kind, e, "node-groups")),
                    );
                }
                for g in e.groups.iter().filter(|g| {
                    !NODE_GROUPS.contains(&g.text.as_str())
                        && !NODE_EXTRA_GROUPS.contains(&g.text.as_str())
                        && !g.text.contains(" - ")
                }) {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::High,
                            g.span,
                            format!("node mapping `{}` also grants `{}`: every node (and every pod that reaches the node role) gets it", user.text, g.text),
                        )
                        .label("extra group on a node mapping")
                        .help("remove the extra group from the node entry")
                        .identity(identity(cm, kind, e, &format!("extra:{}", g.text))),
                    );
                }
            } else {
                for g in e
                    .groups
                    .iter()
                    .filter(|g| NODE_GROUPS.contains(&g.text.as_str()))
                {
                    out.push(
                        Finding::new(
                            self.id(),
                            Severity::High,
                            g.span,
                            format!("`{}` is given to the non-node username `{}`: it grants node-level API access", g.text, user.text),
                        )
                        .label("node group on a non-node identity")
                        .with_label(user.span, "not a system:node: username")
                        .help("node groups belong only to node roles with username system:node:{{EC2PrivateDNSName}}")
                        .identity(identity(cm, kind, e, &format!("node-group:{}", g.text))),
                    );
                }
            }
        }
    }
}
