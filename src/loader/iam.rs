//! The IAM policy grammar: `Version`, `Statement` (one or a list), `Effect`, `Principal` forms,
//! string-or-list values and condition blocks. Every deviation becomes a [`PolicyProblem`] at its
//! span (TRUST012) instead of an error, so the rest of the document is still checked.

use super::k8s::pstr;
use crate::model::{
    Condition, Effect, Operator, PStr, Policy, PolicyProblem, PrincipalBlock, PrincipalKind,
    SmallList, Statement,
};
use crate::node::{DuplicateKey, Node, NodeKind};

/// Turns a policy value node into strings. CloudFormation substitutes `!Sub`/`!Ref`; plain
/// documents take scalars as they are.
pub trait Resolver {
    /// The strings a value stands for; `None` when the node is not a string-like value.
    fn strings(&self, node: &Node) -> Option<Vec<PStr>>;
    /// The last of the strings a value stands for (the only one, for a scalar). Single values are
    /// read through this, so a resolver can skip the one-item vector.
    fn last_string(&self, node: &Node) -> Option<PStr> {
        self.strings(node).and_then(|mut v| v.pop())
    }
    /// The first of the strings a value stands for (the first branch of an `Fn::If`), where one
    /// value is needed: an `Fn::Join` part, an `Fn::Sub` variable.
    fn first_string(&self, node: &Node) -> Option<PStr> {
        self.strings(node)?.into_iter().next()
    }
    /// Append the strings a value stands for to `out`; false when it is not a string-like value.
    /// Lists are read through this, so a resolver can skip the one-item vector per value.
    fn append_strings(&self, node: &Node, out: &mut Vec<PStr>) -> bool {
        match self.strings(node) {
            Some(values) => {
                out.extend(values);
                true
            }
            None => false,
        }
    }
    /// `append_strings` with long texts shared ([`PStr::share`]), for values that repeat.
    fn append_shared(&self, node: &Node, out: &mut Vec<PStr>) -> bool {
        let first = out.len();
        let found = self.append_strings(node, out);
        out.iter_mut().skip(first).for_each(PStr::share);
        found
    }
    /// `last_string` with a long text shared.
    fn last_shared(&self, node: &Node) -> Option<PStr> {
        let mut value = self.last_string(node)?;
        value.share();
        Some(value)
    }
}

/// Scalars as written.
pub struct Literal;

impl Resolver for Literal {
    fn strings(&self, node: &Node) -> Option<Vec<PStr>> {
        pstr(node).map(|v| vec![v])
    }
    fn last_string(&self, node: &Node) -> Option<PStr> {
        pstr(node)
    }
    fn append_strings(&self, node: &Node, out: &mut Vec<PStr>) -> bool {
        pstr(node).map(|v| out.push(v)).is_some()
    }
    // Shared straight from the node's text: no heap copy made only to be dropped for the pool's.
    fn append_shared(&self, node: &Node, out: &mut Vec<PStr>) -> bool {
        self.last_shared(node).map(|v| out.push(v)).is_some()
    }
    fn last_shared(&self, node: &Node) -> Option<PStr> {
        Some(PStr::new_shared(node.scalar_str()?, node.span))
    }
}

struct Ctx<'a> {
    resolver: &'a dyn Resolver,
    problems: Vec<PolicyProblem>,
    /// Reused for each list the model keeps in a [`SmallList`].
    scratch: Vec<PStr>,
}

impl Ctx<'_> {
    fn problem(&mut self, span: crate::source::Span, message: impl Into<String>) {
        self.problems.push(PolicyProblem {
            span,
            message: message.into(),
        });
    }

    /// A string or a list of strings.
    fn string_list(&mut self, node: &Node, what: &str) -> Vec<PStr> {
        let mut out = Vec::new();
        self.append_list(node, what, false, &mut out);
        out
    }

    /// [`Ctx::string_list`] as a [`SmallList`], read through the scratch buffer.
    fn small_list(&mut self, node: &Node, what: &str, shared: bool) -> SmallList<PStr> {
        let mut scratch = std::mem::take(&mut self.scratch);
        self.append_list(node, what, shared, &mut scratch);
        let list = SmallList::take_from(&mut scratch);
        self.scratch = scratch;
        list
    }

    /// [`Ctx::string_list`] appended to `out`, with long texts shared when `shared` is set.
    fn append_list(&mut self, node: &Node, what: &str, shared: bool, out: &mut Vec<PStr>) {
        // A tagged node or a map is an intrinsic function (CloudFormation): resolve it whole.
        let items = if node.tag.is_some() || node.as_map().is_some() {
            std::slice::from_ref(node)
        } else {
            node.one_or_many()
        };
        out.reserve_exact(items.len());
        for item in items {
            let found = if shared {
                self.resolver.append_shared(item, out)
            } else {
                self.resolver.append_strings(item, out)
            };
            if !found {
                self.problem(
                    item.span,
                    format!(
                        "{what} must be a string or a list of strings, not a {}",
                        item.type_name()
                    ),
                );
            }
        }
    }
}

/// Parse a policy document node. `trust` enables the checks that apply to trust policies
/// (a Principal is required).
pub fn parse_policy(
    root: &Node,
    resolver: &dyn Resolver,
    trust: bool,
    duplicates: &[DuplicateKey],
) -> Policy {
    let mut cx = Ctx {
        resolver,
        problems: Vec::new(),
        scratch: Vec::new(),
    };
    for d in duplicates {
        cx.problem(
            d.second,
            format!(
                "duplicate key \"{}\": JSON parsers disagree on which value wins, IAM rejects it",
                d.key
            ),
        );
    }
    let mut statements: Vec<Statement> = Vec::new();
    let Some(entries) = root.as_map() else {
        cx.problem(
            root.span,
            format!(
                "a policy document must be a JSON object, not a {}",
                root.type_name()
            ),
        );
        return Policy {
            span: root.span,
            statements: Box::default(),
            problems: cx.problems.into_boxed_slice(),
            oidc: Box::default(),
        };
    };
    for (key, value) in entries {
        match key.as_str().unwrap_or("") {
            "Version" => {
                let v = cx.resolver.last_string(value);
                match &v {
                    Some(s)
                        if s.text == "2012-10-17"
                            || s.text == "2008-10-17"
                            || s.is_unknown_part() => {}
                    Some(s) => cx.problem(
                        s.span,
                        format!("unknown policy Version \"{}\" (use \"2012-10-17\")", s.text),
                    ),
                    None => cx.problem(value.span, "Version must be a string"),
                }
            }
            "Statement" => {
                let items: &[Node] = match &value.kind {
                    NodeKind::Seq(items) => items,
                    NodeKind::Map(_) => std::slice::from_ref(value),
                    _ => {
                        cx.problem(
                            value.span,
                            format!(
                                "Statement must be an object or a list of objects, not a {}",
                                value.type_name()
                            ),
                        );
                        &[]
                    }
                };
                statements.reserve_exact(items.len());
                for (index, item) in items.iter().enumerate() {
                    if let Some(st) = parse_statement(&mut cx, item, index, trust) {
                        statements.push(st);
                    }
                }
            }
            "Id" => {}
            other => cx.problem(
                key.span,
                format!("unknown top-level policy element \"{other}\""),
            ),
        }
    }
    if root.get("Statement").is_none() {
        cx.problem(root.span, "the policy has no Statement");
    }
    let oidc = crate::iam_eval::issuer::oidc_refs(&statements);
    Policy {
        span: root.span,
        statements: statements.into_boxed_slice(),
        problems: cx.problems.into_boxed_slice(),
        oidc: oidc.into_boxed_slice(),
    }
}

fn parse_statement(cx: &mut Ctx, node: &Node, index: usize, trust: bool) -> Option<Statement> {
    let Some(entries) = node.as_map() else {
        cx.problem(
            node.span,
            format!("a statement must be an object, not a {}", node.type_name()),
        );
        return None;
    };
    let mut st = Statement {
        index: index as u32,
        span: node.span,
        effect: Effect::Invalid,
        has_action: false,
        principal: None,
        actions: SmallList::default(),
        negated: None,
        conditions: Box::default(),
        condition_span: None,
    };
    let mut negated = crate::model::Negated::default();
    let mut has_effect = false;
    for (key, value) in entries {
        match key.as_str().unwrap_or("") {
            // Any value is allowed, and no rule reads it.
            "Sid" => {}
            "Effect" => {
                has_effect = true;
                st.effect = match value.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => {
                        cx.problem(value.span, "Effect must be \"Allow\" or \"Deny\"");
                        Effect::Invalid
                    }
                }
            }
            "Principal" => st.principal = parse_principal(cx, value),
            "NotPrincipal" => negated.not_principal = parse_principal(cx, value),
            "Action" => {
                st.has_action = true;
                st.actions = cx.small_list(value, "Action", true);
            }
            "NotAction" => {
                negated.not_action = Some(crate::model::NotAction {
                    key: key.span,
                    actions: cx.string_list(value, "NotAction").into_boxed_slice(),
                });
            }
            "Resource" | "NotResource" => {
                if trust {
                    cx.problem(
                        key.span,
                        format!(
                            "{} is not allowed in a trust policy",
                            key.as_str().unwrap_or("")
                        ),
                    );
                }
            }
            "Condition" => {
                st.condition_span = Some(value.span);
                let mut conditions = Vec::new();
                parse_conditions(cx, value, &mut conditions);
                st.conditions = conditions.into_boxed_slice();
            }
            other => cx.problem(key.span, format!("unknown statement element \"{other}\"")),
        }
    }
    if negated.not_principal.is_some() || negated.not_action.is_some() {
        st.negated = Some(Box::new(negated));
    }
    if !has_effect {
        cx.problem(node.span, "the statement has no Effect");
    }
    if !st.has_action && st.not_action().is_none() {
        cx.problem(node.span, "the statement has no Action");
    }
    if trust && st.principal.is_none() && st.not_principal().is_none() {
        cx.problem(node.span, "a trust policy statement needs a Principal");
    }
    for a in st.actions.iter().chain(st.not_actions()) {
        if a.text != "*" && !a.text.contains(':') && !a.is_unknown_part() {
            cx.problem(
                a.span,
                format!("action \"{}\" is not of the form service:Action", a.text),
            );
        }
    }
    Some(st)
}

fn parse_principal(cx: &mut Ctx, node: &Node) -> Option<PrincipalBlock> {
    let mut block = PrincipalBlock {
        span: node.span,
        star: None,
        entries: Box::default(),
    };
    let mut found = Vec::new();
    // One buffer for every principal type's values.
    let mut values = Vec::new();
    match &node.kind {
        NodeKind::Str(s) if s == "*" => block.star = Some(node.span),
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                let kind = match key.as_str().unwrap_or("") {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        cx.problem(key.span, format!("unknown principal type \"{other}\" (AWS, Service, Federated or CanonicalUser)"));
                        PrincipalKind::Other(other.to_string())
                    }
                };
                values.clear();
                cx.append_list(value, "a principal", true, &mut values);
                found.reserve_exact(values.len());
                for v in values.drain(..) {
                    check_principal_value(cx, &kind, &v);
                    found.push((kind.clone(), v));
                }
            }
        }
        _ => {
            cx.problem(
                node.span,
                "Principal must be \"*\" or an object such as {\"AWS\": ...}",
            );
            return None;
        }
    }
    block.entries = found.into_boxed_slice();
    Some(block)
}

/// ARN shape checks. Placeholders of templated values are not judged.
fn check_principal_value(cx: &mut Ctx, kind: &PrincipalKind, v: &PStr) {
    if v.is_unknown_part() {
        return;
    }
    match kind {
        PrincipalKind::Aws => {
            if v.text == "*" || is_account_id(&v.text) {
                return;
            }
            if let Err(why) = check_arn(&v.text, &["iam", "sts"]) {
                cx.problem(
                    v.span,
                    format!("malformed AWS principal \"{}\": {why}", v.text),
                );
            }
        }
        PrincipalKind::Federated => {
            if crate::iam_eval::issuer::provider_issuer(&v.text).is_some()
                && !v.text.starts_with("arn:")
            {
                return;
            }
            match check_arn(&v.text, &["iam"]) {
                Err(why) => cx.problem(
                    v.span,
                    format!("malformed Federated principal \"{}\": {why}", v.text),
                ),
                Ok(resource) => {
                    if !(resource.starts_with("oidc-provider/")
                        || resource.starts_with("saml-provider/"))
                    {
                        cx.problem(
                            v.span,
                            "a Federated ARN must name an oidc-provider/ or saml-provider/",
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Check `arn:partition:service:region:account:resource`; returns the resource part.
pub fn check_arn<'a>(arn: &'a str, services: &[&str]) -> Result<&'a str, String> {
    // Split without a vector: rules check every ServiceAccount's annotation.
    let Some(["arn", partition, service, _region, account, resource]) =
        crate::iam_eval::arn_parts(arn)
    else {
        return Err("expected arn:<partition>:<service>:<region>:<account>:<resource>".into());
    };
    if !matches!(
        partition,
        "aws"
            | "aws-cn"
            | "aws-us-gov"
            | "aws-iso"
            | "aws-iso-b"
            | "aws-iso-e"
            | "aws-iso-f"
            | "aws-eusc"
    ) {
        return Err(format!("unknown partition \"{partition}\""));
    }
    if !services.contains(&service) {
        return Err(format!("service must be {}", services.join(" or ")));
    }
    if !is_account_id(account) {
        return Err(format!(
            "account \"{account}\" is not a 12-digit account ID"
        ));
    }
    if resource.is_empty() {
        return Err("empty resource".into());
    }
    Ok(resource)
}

fn parse_conditions(cx: &mut Ctx, node: &Node, out: &mut Vec<Condition>) {
    let Some(ops) = node.as_map() else {
        cx.problem(
            node.span,
            format!("Condition must be an object, not a {}", node.type_name()),
        );
        return;
    };
    // Sized once: the model keeps these vectors, so growth would be shrunk again later.
    out.reserve_exact(
        ops.iter()
            .filter_map(|(_, b)| b.as_map())
            .map(<[_]>::len)
            .sum(),
    );
    for (op_key, block) in ops {
        let Some(op_text) = cx.resolver.last_string(op_key) else {
            continue;
        };
        let op = Operator::parse(&op_text.text);
        if op.is_none() {
            cx.problem(
                op_key.span,
                format!("unknown condition operator \"{}\"", op_text.text),
            );
        }
        let Some(keys) = block.as_map() else {
            if op.is_some() {
                cx.problem(
                    block.span,
                    format!(
                        "the {} block must map condition keys to values",
                        op_text.text
                    ),
                );
            }
            continue;
        };
        for (key_node, values) in keys {
            let Some(key) = cx.resolver.last_shared(key_node) else {
                continue;
            };
            out.push(Condition {
                operator: op_text.clone(),
                op: op.clone(),
                key,
                values: cx.small_list(values, "a condition value", false),
                values_span: values.span,
            });
        }
    }
}
