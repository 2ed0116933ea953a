//! The typed model rules read: IAM roles with their policies (and, later, Kubernetes and EKS objects),
//! all carrying spans into the loaded files.

use crate::source::Span;

/// A string from an input document with its span. `templated` marks a value that still holds
/// unresolved `${...}` placeholders (CloudFormation `!Sub`): such a part is unknown, never a wildcard.
#[derive(Clone, Debug, PartialEq)]
pub struct PStr {
    pub text: String,
    pub span: Span,
    pub templated: bool,
}

impl PStr {
    pub fn new(text: impl Into<String>, span: Span) -> PStr {
        PStr {
            text: text.into(),
            span,
            templated: false,
        }
    }
    /// True when the text has a placeholder that stands for an unknown value.
    pub fn is_unknown_part(&self) -> bool {
        self.templated && self.text.contains("${")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    Aws,
    Service,
    Federated,
    CanonicalUser,
    Other(String),
}

#[derive(Clone, Debug)]
pub struct PrincipalBlock {
    pub span: Span,
    /// `"Principal": "*"`.
    pub star: Option<Span>,
    pub entries: Vec<(PrincipalKind, PStr)>,
}

impl PrincipalBlock {
    pub fn of_kind<'a>(&'a self, kind: &'a PrincipalKind) -> impl Iterator<Item = &'a PStr> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| k == kind)
            .map(|(_, v)| v)
    }
}

/// The parsed form of a condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub base: BaseOp,
    pub if_exists: bool,
    pub set: Option<SetOp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    ForAnyValue,
    ForAllValues,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOp {
    pub fn parse(name: &str) -> Option<BaseOp> {
        use BaseOp::*;
        Some(match name {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "DateEquals" => DateEquals,
            "DateNotEquals" => DateNotEquals,
            "DateLessThan" => DateLessThan,
            "DateLessThanEquals" => DateLessThanEquals,
            "DateGreaterThan" => DateGreaterThan,
            "DateGreaterThanEquals" => DateGreaterThanEquals,
            "Bool" => Bool,
            "BinaryEquals" => BinaryEquals,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "ArnEquals" => ArnEquals,
            "ArnLike" => ArnLike,
            "ArnNotEquals" => ArnNotEquals,
            "ArnNotLike" => ArnNotLike,
            "Null" => Null,
            _ => return None,
        })
    }

    /// Negated operators are true when the key is absent (they fail open).
    pub fn is_negated(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    pub fn is_string_like(self) -> bool {
        matches!(self, BaseOp::StringLike | BaseOp::ArnLike)
    }

    pub fn is_string_equals(self) -> bool {
        matches!(
            self,
            BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase | BaseOp::ArnEquals
        )
    }
}

impl Operator {
    pub fn parse(text: &str) -> Option<Operator> {
        let (set, rest) = if let Some(r) = text.strip_prefix("ForAnyValue:") {
            (Some(SetOp::ForAnyValue), r)
        } else if let Some(r) = text.strip_prefix("ForAllValues:") {
            (Some(SetOp::ForAllValues), r)
        } else {
            (None, text)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) if b != "Null" => (true, b),
            _ => (false, rest),
        };
        Some(Operator {
            base: BaseOp::parse(base)?,
            if_exists,
            set,
        })
    }

    /// True for operators that evaluate to true when the key is missing from the request.
    pub fn fails_open(&self) -> bool {
        self.if_exists || self.base.is_negated() || self.set == Some(SetOp::ForAllValues)
    }
}

#[derive(Clone, Debug)]
pub struct Condition {
    /// The operator as written, with the span of the operator key.
    pub operator: PStr,
    /// `None` when the operator is unknown (reported by TRUST012).
    pub op: Option<Operator>,
    pub key: PStr,
    pub values: Vec<PStr>,
    /// Span of the value (string or list) of the key.
    pub values_span: Span,
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub index: usize,
    pub span: Span,
    pub sid: Option<PStr>,
    pub effect: Effect,
    pub effect_span: Option<Span>,
    pub principal: Option<PrincipalBlock>,
    pub not_principal: Option<PrincipalBlock>,
    pub actions: Vec<PStr>,
    pub action_key: Option<Span>,
    pub not_actions: Vec<PStr>,
    pub not_action_key: Option<Span>,
    pub conditions: Vec<Condition>,
    pub condition_span: Option<Span>,
}

impl Statement {
    pub fn is_allow(&self) -> bool {
        self.effect == Effect::Allow
    }
    pub fn principals(&self) -> impl Iterator<Item = &(PrincipalKind, PStr)> {
        self.principal.iter().flat_map(|p| p.entries.iter())
    }
    pub fn federated(&self) -> impl Iterator<Item = &PStr> {
        self.principals()
            .filter(|(k, _)| *k == PrincipalKind::Federated)
            .map(|(_, v)| v)
    }
    pub fn services(&self) -> impl Iterator<Item = &PStr> {
        self.principals()
            .filter(|(k, _)| *k == PrincipalKind::Service)
            .map(|(_, v)| v)
    }
    /// Does the Action list allow `action` (case-insensitive, with `*` wildcards)?
    pub fn allows_action(&self, action: &str) -> bool {
        self.actions
            .iter()
            .any(|a| crate::iam_eval::glob::matches_ci(&a.text, action))
    }
    /// Conditions whose key equals `key` (case-insensitive).
    pub fn conditions_on<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Condition> + 'a {
        self.conditions
            .iter()
            .filter(move |c| c.key.text.eq_ignore_ascii_case(key))
    }
}

/// A problem that makes a document an invalid IAM policy (TRUST012).
#[derive(Clone, Debug)]
pub struct PolicyProblem {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub span: Span,
    pub version: Option<PStr>,
    pub statements: Vec<Statement>,
    pub problems: Vec<PolicyProblem>,
}

#[derive(Clone, Debug)]
pub struct PermissionPolicy {
    pub name: String,
    /// Managed policy ARN, for attached policies.
    pub arn: Option<String>,
    pub document: Option<Policy>,
    pub span: Span,
}

/// Where a role was defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleOrigin {
    PolicyFile,
    AwsCli,
    CloudFormation,
    Terraform,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    pub arn: Option<String>,
    pub origin: RoleOrigin,
    /// What to point at for role-level findings (the role name, resource or file).
    pub span: Span,
    pub trust: Option<Policy>,
    pub permissions: Vec<PermissionPolicy>,
    pub last_used: Option<String>,
}

impl Role {
    /// The account of the role's ARN, when known.
    pub fn account(&self) -> Option<&str> {
        let arn = self.arn.as_deref()?;
        let account = arn.split(':').nth(4)?;
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
    }
    pub fn partition(&self) -> Option<&str> {
        let p = self.arn.as_deref()?.split(':').nth(1)?;
        (!p.is_empty() && !p.contains('$')).then_some(p)
    }
}

/// Everything loaded from the inputs.
#[derive(Debug, Default)]
pub struct Inventory {
    pub roles: Vec<Role>,
}
