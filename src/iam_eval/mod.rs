//! Trust-policy evaluation with IAM semantics: "may this caller assume this role, and which
//! statement or condition decided it?". Values that hold unresolved placeholders give
//! [`Tri::Unknown`] rather than a guess.

pub mod glob;
mod index;
pub mod issuer;

use index::LiteralValues;
pub use index::{literal_providers, ProviderPlan, WebIdentityIndex};

use crate::model::{BaseOp, Condition, Effect, Policy, PrincipalKind, SetOp, Statement};
use glob::match_value;

/// The colon-separated fields of an ARN, as `split(':')` yields them, found by a plain byte scan:
/// the string splitter's setup costs more than the scan on strings this short, and rules split
/// the ARN of every role and every web identity principal.
pub struct ArnFields<'a> {
    /// The text after the last colon passed; `None` once the last field is out.
    rest: Option<&'a str>,
}

impl<'a> ArnFields<'a> {
    pub fn new(arn: &'a str) -> ArnFields<'a> {
        ArnFields { rest: Some(arn) }
    }

    /// Everything after the colon that ended the last field returned (`None` after the last).
    pub fn remainder(&self) -> Option<&'a str> {
        self.rest
    }
}

impl<'a> Iterator for ArnFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest?;
        match text.bytes().position(|b| b == b':') {
            Some(colon) => {
                self.rest = text.get(colon + 1..);
                text.get(..colon)
            }
            None => self.rest.take(),
        }
    }
}

/// Field `n` (from 0) of a colon-separated ARN, as `arn.split(':').nth(n)` gives it.
pub fn arn_field(arn: &str, n: usize) -> Option<&str> {
    ArnFields::new(arn).nth(n)
}

/// The six fields of `arn:<partition>:<service>:<region>:<account>:<resource>` (the resource
/// keeps any further colons), as `arn.splitn(6, ':')` gives them; `None` with fewer than six.
pub fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut fields = ArnFields::new(arn);
    let mut parts = [""; 6];
    let (head, resource) = parts.split_at_mut(5);
    for part in head {
        *part = fields.next()?;
    }
    *resource.first_mut()? = fields.remainder()?;
    Some(parts)
}

/// The action an IRSA token is exchanged with.
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// Three-valued logic: a templated value may make the answer unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
    pub fn negate(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// Who is calling STS.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A web identity from an OIDC provider: the provider ARN.
    Federated(String),
    Service(String),
    /// An IAM principal ARN or account ID.
    Aws(String),
}

/// An AssumeRole* request with its condition context.
#[derive(Clone, Debug)]
pub struct Request {
    pub caller: Caller,
    pub action: String,
    /// Context keys (names compared case-insensitively) and their values.
    pub context: Vec<(String, Vec<String>)>,
}

impl Request {
    /// The request a pod using IRSA makes: a token for `system:serviceaccount:<ns>:<sa>`.
    pub fn irsa(
        provider_arn: &str,
        issuer: &str,
        namespace: &str,
        sa: &str,
        audience: &str,
    ) -> Request {
        Request {
            caller: Caller::Federated(provider_arn.to_string()),
            action: WEB_IDENTITY_ACTION.into(),
            context: vec![
                (
                    format!("{issuer}:sub"),
                    vec![format!("system:serviceaccount:{namespace}:{sa}")],
                ),
                (format!("{issuer}:aud"), vec![audience.to_string()]),
            ],
        }
    }

    fn values(&self, key: &str) -> Option<&[String]> {
        self.context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }
}

/// Why a statement did not admit the request.
#[derive(Clone, Debug, PartialEq)]
pub enum Miss {
    Effect,
    Principal,
    Action,
    /// A condition evaluated false: its index in the statement's condition list.
    Condition(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Statement `0` allows it and no Deny applies.
    Allowed(usize),
    /// A Deny statement applies.
    Denied(usize),
    /// An Allow might apply, depending on unresolved values.
    Unknown(usize),
    /// No statement allows it; each Allow statement's first failing part.
    NotAllowed(Vec<(usize, Miss)>),
}

impl Verdict {
    pub fn may_allow(&self) -> bool {
        matches!(self, Verdict::Allowed(_) | Verdict::Unknown(_))
    }
}

pub fn evaluate(policy: &Policy, req: &Request) -> Verdict {
    verdict_of(
        policy
            .statements
            .iter()
            .enumerate()
            .map(|(i, st)| (i, st.effect, statement_applies(st, req))),
    )
}

/// The verdict from each statement's effect and answer, in statement order.
fn verdict_of(results: impl Iterator<Item = (usize, Effect, (Tri, Option<Miss>))>) -> Verdict {
    let mut allowed = None;
    let mut unknown = None;
    let mut misses = Vec::new();
    for (i, effect, (result, miss)) in results {
        match (effect, result) {
            (Effect::Deny, Tri::True) => return Verdict::Denied(i),
            (Effect::Allow, Tri::True) => {
                allowed.get_or_insert(i);
            }
            (Effect::Allow, Tri::Unknown) => {
                unknown.get_or_insert(i);
            }
            (Effect::Allow, Tri::False) => misses.push((i, miss.unwrap_or(Miss::Condition(0)))),
            _ => {}
        }
    }
    match (allowed, unknown) {
        (Some(i), _) => Verdict::Allowed(i),
        (None, Some(i)) => Verdict::Unknown(i),
        (None, None) => Verdict::NotAllowed(misses),
    }
}

/// Does the statement match the request (ignoring its effect)?
pub fn statement_applies(st: &Statement, req: &Request) -> (Tri, Option<Miss>) {
    applies(st, req, None, &|_, cond| condition_holds(cond, req))
}

/// [`statement_applies`] with the principal's answer when already known, and the conditions
/// judged by `condition` (given each one's position in the statement).
fn applies(
    st: &Statement,
    req: &Request,
    principal: Option<Tri>,
    condition: &dyn Fn(usize, &Condition) -> Tri,
) -> (Tri, Option<Miss>) {
    if st.effect == Effect::Invalid {
        return (Tri::False, Some(Miss::Effect));
    }
    let principal = principal.unwrap_or_else(|| principal_matches(st, &req.caller));
    if principal == Tri::False {
        return (Tri::False, Some(Miss::Principal));
    }
    let action = action_matches(st, &req.action);
    if action == Tri::False {
        return (Tri::False, Some(Miss::Action));
    }
    let mut result = principal.and(action);
    for (i, cond) in st.conditions.iter().enumerate() {
        let c = condition(i, cond);
        if c == Tri::False {
            return (Tri::False, Some(Miss::Condition(i)));
        }
        result = result.and(c);
    }
    (result, None)
}

fn principal_matches(st: &Statement, caller: &Caller) -> Tri {
    if let Some(np) = st.not_principal() {
        // NotPrincipal: everyone except the listed principals.
        let listed = block_matches(np.entries.iter(), caller);
        return listed.negate();
    }
    let Some(p) = &st.principal else {
        return Tri::False;
    };
    if p.star.is_some() {
        return Tri::True;
    }
    block_matches(p.entries.iter(), caller)
}

fn block_matches<'a>(
    entries: impl Iterator<Item = &'a (PrincipalKind, crate::model::PStr)>,
    caller: &Caller,
) -> Tri {
    let mut result = Tri::False;
    for (kind, value) in entries {
        let r = match (kind, caller) {
            (PrincipalKind::Federated, Caller::Federated(arn)) => {
                match_value(&value.text, arn, false, value.templated, false)
            }
            (PrincipalKind::Service, Caller::Service(s)) => {
                match_value(&value.text, s, false, value.templated, true)
            }
            (PrincipalKind::Aws, Caller::Aws(who)) => aws_principal_matches(value, who),
            _ => Tri::False,
        };
        result = result.or(r);
    }
    result
}

/// An AWS principal entry matches the caller's ARN: `*`, the exact ARN, or the account (ID or
/// `:root` ARN) that owns it.
fn aws_principal_matches(value: &crate::model::PStr, who: &str) -> Tri {
    if value.text == "*" {
        return Tri::True;
    }
    let direct = match_value(&value.text, who, false, value.templated, false);
    if direct != Tri::False {
        return direct;
    }
    let caller_account = arn_field(who, 4).unwrap_or(who);
    let entry_account = if value.text.ends_with(":root") {
        arn_field(&value.text, 4).unwrap_or("")
    } else if crate::loader::iam::is_account_id(&value.text) {
        value.text.as_str()
    } else {
        return Tri::False;
    };
    if entry_account == caller_account {
        Tri::True
    } else {
        Tri::False
    }
}

fn action_matches(st: &Statement, action: &str) -> Tri {
    if !st.has_action && st.not_action().is_some() {
        let listed = st
            .not_actions()
            .iter()
            .any(|a| glob::matches_ci(&a.text, action));
        return if listed { Tri::False } else { Tri::True };
    }
    let mut result = Tri::False;
    for a in &st.actions {
        result = result.or(match_value(&a.text, action, true, a.templated, true));
    }
    result
}

/// Evaluate one condition (operator, key, values) against the request.
pub fn condition_holds(cond: &Condition, req: &Request) -> Tri {
    condition_holds_with(cond, req, None)
}

/// [`condition_holds`], with the condition's literal values in a set when it has many.
fn condition_holds_with(cond: &Condition, req: &Request, literals: Option<&LiteralValues>) -> Tri {
    let Some(op) = &cond.op else {
        return Tri::False;
    };
    let present = req.values(&cond.key.text);
    if cond.key.is_unknown_part() {
        return Tri::Unknown;
    }
    if op.base == BaseOp::Null {
        let want_absent = cond
            .values
            .iter()
            .any(|v| v.text.eq_ignore_ascii_case("true"));
        return if present.is_none() == want_absent {
            Tri::True
        } else {
            Tri::False
        };
    }
    let Some(values) = present else {
        // Absent key: normal operators fail closed; IfExists, negated and ForAllValues fail open.
        return if op.fails_open() {
            Tri::True
        } else {
            Tri::False
        };
    };
    let one = |v: &str| value_matches(op.base, cond, v, literals);
    match op.set {
        Some(SetOp::ForAllValues) => values.iter().fold(Tri::True, |acc, v| acc.and(one(v))),
        Some(SetOp::ForAnyValue) | None => values.iter().fold(Tri::False, |acc, v| acc.or(one(v))),
    }
}

/// Does a single request value satisfy the operator against the condition's values?
fn value_matches(base: BaseOp, cond: &Condition, v: &str, literals: Option<&LiteralValues>) -> Tri {
    use BaseOp::*;
    let any = |wild: bool, ci: bool| {
        if let (Some(literals), false, false) = (literals, wild, ci) {
            return literals.any_equal(v);
        }
        cond.values.iter().fold(Tri::False, |acc, p| {
            acc.or(match_value(&p.text, v, wild, p.templated, ci))
        })
    };
    match base {
        StringEquals | ArnEquals => any(false, false),
        StringNotEquals | ArnNotEquals => any(false, false).negate(),
        StringEqualsIgnoreCase => any(false, true),
        StringNotEqualsIgnoreCase => any(false, true).negate(),
        StringLike | ArnLike => any(true, false),
        StringNotLike | ArnNotLike => any(true, false).negate(),
        Bool => any(false, true),
        // Trust policies of the kinds ekstrust reads do not turn on these; treat as unknown.
        _ => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests;
