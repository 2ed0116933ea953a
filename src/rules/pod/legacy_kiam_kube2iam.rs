//! POD005 legacy-kiam-kube2iam: kiam/kube2iam annotations on pods and namespaces.

use crate::finding::{Finding, Severity};
use crate::rules::{Context, Rule};

pub struct LegacyKiamKube2iam;

impl Rule for LegacyKiamKube2iam {
    fn id(&self) -> &'static str {
        "POD005"
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for w in &cx.inventory.kube.workloads {
            for (k, _) in w
                .pod
                .annotations
                .iter()
                .filter(|(k, _)| k.text == "iam.amazonaws.com/role")
            {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        k.span,
                        format!("{} {}/{} asks kiam/kube2iam for an IAM role: that model intercepts IMDS on the node, which must hold every such role", w.meta.kind, w.meta.namespace, w.meta.name),
                    )
                    .label("kiam/kube2iam annotation")
                    .help("migrate to IRSA (eks.amazonaws.com/role-arn on a ServiceAccount) or EKS Pod Identity")
                    .identity(format!("{}#kiam", w.meta.reference())),
                );
            }
        }
        for ns in &cx.inventory.kube.namespaces {
            for (k, _) in ns.meta.annotations.iter().filter(|(k, _)| {
                k.text == "iam.amazonaws.com/permitted"
                    || k.text == "iam.amazonaws.com/allowed-roles"
            }) {
                out.push(
                    Finding::new(
                        self.id(),
                        Severity::Medium,
                        k.span,
                        format!(
                            "Namespace {} carries kiam/kube2iam role permissions (`{}`)",
                            ns.meta.name, k.text
                        ),
                    )
                    .label("kiam/kube2iam annotation")
                    .help("migrate to IRSA or EKS Pod Identity and remove the annotation")
                    .identity(format!("{}#{}", ns.meta.reference(), k.text)),
                );
            }
        }
    }
}
