//! NODE003 imds-reachable-from-pods: IMDSv1 allowed, a hop limit above 1, or eksctl node groups
//! without `disablePodIMDS`.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct ImdsReachableFromPods;

impl Rule for ImdsReachableFromPods {
    fn id(&self) -> &'static str {
        "NODE003"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let eks = &cx.inventory.eks;
        // A node whose launcher the inputs define is judged through its template or class.
        let defined = crate::model::DefinedLaunchers::new(&eks.launchers);
        let judged_elsewhere = |s: &&crate::model::ImdsSettings| {
            s.launched_by.as_ref().is_some_and(|l| defined.holds(l))
        };
        for s in eks.imds.iter().filter(|s| !judged_elsewhere(s)) {
            let mut report = |span, why: String, part: &str| {
                out.push(
                    Finding::new(self.id(), Severity::Medium, span, format!("{}: {why}: pods can reach IMDS and the node role's credentials", s.name))
                        .label("IMDS reachable from pods")
                        .help("require IMDSv2 (HttpTokens: required) with HttpPutResponseHopLimit: 1; with eksctl set disablePodIMDS: true")
                        .identity(format!("imds:{}#{part}", s.name)),
                );
            };
            if let Some(t) = s
                .http_tokens
                .as_ref()
                .filter(|t| t.text.eq_ignore_ascii_case("optional"))
            {
                report(
                    t.span,
                    "IMDSv1 is allowed (HttpTokens optional)".into(),
                    "tokens",
                );
            }
            if let Some((limit, span)) = s.hop_limit.filter(|(l, _)| *l > 1) {
                let default = s
                    .hop_limit_default
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default();
                report(
                    span,
                    format!(
                        "the hop limit is {limit}{default}, so containers one hop away get IMDS answers"
                    ),
                    "hops",
                );
            }
            if s.eksctl_pod_imds_open {
                report(
                    s.span,
                    "disablePodIMDS is not set (eksctl's default hop limit is 2)".into(),
                    "eksctl",
                );
            }
        }
    }
}
