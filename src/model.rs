//! The typed model rules read: IAM roles with their policies (and, later, Kubernetes and EKS objects),
//! all carrying spans into the loaded files.

use crate::source::Span;

/// A string from an input document with its span. `templated` marks a value that still holds
/// unresolved `${...}` placeholders (CloudFormation `!Sub`): such a part is unknown, never a wildcard.
#[derive(Clone, Debug, PartialEq)]
pub struct PStr {
    pub text: compact_str::CompactString,
    pub span: Span,
    pub templated: bool,
}

impl PStr {
    pub fn new(text: impl Into<compact_str::CompactString>, span: Span) -> PStr {
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

    /// Point a long text at a shared copy (see [`shared_text`]): for values that repeat across
    /// an estate's policies, such as condition keys, actions and OIDC provider ARNs.
    pub fn share(&mut self) {
        if !self.text.is_heap_allocated() {
            return;
        }
        if let Some(text) = shared_text(&self.text) {
            self.text = compact_str::CompactString::const_new(text);
        }
    }

    /// A shared text as [`PStr::share`] makes it, without first copying a long text to the heap.
    pub fn new_shared(text: &str, span: Span) -> PStr {
        let shared = (text.len() > INLINE_TEXT_LEN)
            .then(|| shared_text(text))
            .flatten();
        PStr::new(
            shared.map_or_else(
                || compact_str::CompactString::new(text),
                compact_str::CompactString::const_new,
            ),
            span,
        )
    }
}

/// Texts longer than a `CompactString` holds inline, kept once per thread for the rest of the
/// process and shared by every string that repeats them. At 10,000 objects, six values (the OIDC
/// provider ARN, its `:aud` and `:sub` keys, `sts:AssumeRoleWithWebIdentity`, the two
/// `aws:RequestTag/kubernetes-*` keys) made 10,591 heap strings of the model. Bounded, so input
/// that never repeats (or is hostile) costs at most [`SHARED_TEXT_BYTES`] per thread; beyond
/// that, texts are copied as before.
pub fn shared_text(text: &str) -> Option<&'static str> {
    use std::cell::RefCell;
    use std::collections::HashSet;
    type Pool = (HashSet<&'static str, foldhash::fast::RandomState>, usize);
    thread_local! {
        static POOL: RefCell<Pool> = RefCell::new((HashSet::default(), 0));
    }
    if text.len() > SHARED_TEXT_MAX_LEN {
        return None;
    }
    POOL.with(|pool| {
        let mut pool = pool.try_borrow_mut().ok()?;
        let (set, bytes) = &mut *pool;
        if let Some(found) = set.get(text) {
            return Some(*found);
        }
        if *bytes + text.len() > SHARED_TEXT_BYTES {
            return None;
        }
        // Kept for the rest of the process (the model may outlive the thread), and listed in
        // `KEPT` so that they stay reachable after the thread's pool is dropped: a leak checker
        // (the fuzz targets' LeakSanitizer) then sees them as held, not lost.
        let kept: &'static str = Box::leak(Box::<str>::from(text));
        KEPT.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(kept);
        *bytes += kept.len();
        set.insert(kept);
        Some(kept)
    })
}

/// Every text the per-thread pools keep (one lock per new text, none per lookup).
static KEPT: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

/// The longest text a `CompactString` holds inline: as many bytes as the string itself takes.
const INLINE_TEXT_LEN: usize = std::mem::size_of::<compact_str::CompactString>();

/// The longest text [`shared_text`] keeps (ARNs and condition keys are far shorter).
pub const SHARED_TEXT_MAX_LEN: usize = 256;
/// The text [`shared_text`] keeps per thread, at most.
pub const SHARED_TEXT_BYTES: usize = 256 * 1024;

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
    pub entries: Box<[(PrincipalKind, PStr)]>,
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
    pub values: SmallList<PStr>,
    /// Span of the value (string or list) of the key.
    pub values_span: Span,
}

/// A write-once list that nearly always holds one item (a statement's actions, a condition's
/// values): one item is kept inline, without an allocation of its own (at 10,000 objects, 13,000
/// fewer); any other length is a boxed slice. Reads as a slice.
#[derive(Clone, Debug, PartialEq)]
pub enum SmallList<T> {
    One(T),
    Boxed(Box<[T]>),
}

impl<T> SmallList<T> {
    /// The items of `buffer`, which is left empty for reuse.
    pub fn take_from(buffer: &mut Vec<T>) -> SmallList<T> {
        if buffer.len() == 1 {
            if let Some(item) = buffer.pop() {
                return SmallList::One(item);
            }
        }
        SmallList::Boxed(buffer.drain(..).collect())
    }
}

impl<T> Default for SmallList<T> {
    fn default() -> Self {
        SmallList::Boxed(Box::default())
    }
}

impl<T> std::ops::Deref for SmallList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            SmallList::One(item) => std::slice::from_ref(item),
            SmallList::Boxed(items) => items,
        }
    }
}

impl<T> std::ops::DerefMut for SmallList<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            SmallList::One(item) => std::slice::from_mut(item),
            SmallList::Boxed(items) => items,
        }
    }
}

impl<'a, T> IntoIterator for &'a SmallList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[derive(Clone, Debug)]
pub struct Statement {
    /// Position in the policy's Statement list (u32: the statements of every role stay in memory).
    pub index: u32,
    pub span: Span,
    pub effect: Effect,
    /// The statement has an `Action` key (possibly empty): without one, `NotAction` rules.
    pub has_action: bool,
    pub principal: Option<PrincipalBlock>,
    // Lists without a capacity field (one action inline), the rare negated forms in one box,
    // and no parts the rules do not read (the `Sid`, the spans of the `Effect` value and the
    // `Action` key).
    pub actions: SmallList<PStr>,
    pub negated: Option<Box<Negated>>,
    pub conditions: Box<[Condition]>,
    pub condition_span: Option<Span>,
}

/// A statement's `NotPrincipal` and `NotAction`, rare enough to live apart.
#[derive(Clone, Debug, Default)]
pub struct Negated {
    pub not_principal: Option<PrincipalBlock>,
    pub not_action: Option<NotAction>,
}

/// A statement's `NotAction` key and its values.
#[derive(Clone, Debug)]
pub struct NotAction {
    pub key: Span,
    pub actions: Box<[PStr]>,
}

impl Statement {
    pub fn is_allow(&self) -> bool {
        self.effect == Effect::Allow
    }
    pub fn not_principal(&self) -> Option<&PrincipalBlock> {
        self.negated.as_ref()?.not_principal.as_ref()
    }
    pub fn not_action(&self) -> Option<&NotAction> {
        self.negated.as_ref()?.not_action.as_ref()
    }
    /// The `NotAction` values (empty without the key).
    pub fn not_actions(&self) -> &[PStr] {
        self.not_action().map(|n| &*n.actions).unwrap_or_default()
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

/// A policy as read. Its parts are boxed slices, complete once read: a policy then fits 64
/// bytes inline in its role. (The `Version` is checked while reading and not kept.)
#[derive(Clone, Debug)]
pub struct Policy {
    pub span: Span,
    pub statements: Box<[Statement]>,
    pub problems: Box<[PolicyProblem]>,
    /// The OIDC providers trusted for web identity, found once when the policy is read (most
    /// TRUST rules start from them).
    pub oidc: Box<[OidcRef]>,
}

/// An Allow statement's Federated principal that names an OIDC provider, for
/// `sts:AssumeRoleWithWebIdentity` (or an action list that may include it).
#[derive(Clone, Debug)]
pub struct OidcRef {
    /// Position in `Policy::statements`.
    pub statement: u32,
    /// Position in the statement's principal entries.
    pub entry: u32,
    /// Where the issuer starts in the provider's text (found once, not by every rule).
    pub issuer_start: u32,
    pub kind: crate::iam_eval::issuer::IssuerKind,
}

#[derive(Clone, Debug)]
pub struct PermissionPolicy {
    pub name: String,
    /// Managed policy ARN, for attached policies.
    pub arn: Option<String>,
    pub document: Option<Policy>,
    pub span: Span,
    /// An inline policy (embedded in the role), as opposed to a managed policy or a standalone
    /// document.
    pub inline: bool,
}

impl PermissionPolicy {
    /// A managed policy attached by ARN, named after the ARN's last path segment.
    pub fn managed(arn: &str, span: Span) -> PermissionPolicy {
        PermissionPolicy {
            name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
            arn: Some(arn.to_string()),
            document: None,
            span,
            inline: false,
        }
    }
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
    /// Inline when short (most role names are): one allocation fewer per role.
    pub name: compact_str::CompactString,
    pub arn: Option<String>,
    pub origin: RoleOrigin,
    /// What to point at for role-level findings (the role name, resource or file).
    pub span: Span,
    pub trust: Option<Policy>,
    pub permissions: Vec<PermissionPolicy>,
    /// Boxed text (not String): a role then fits a 192-byte allocation.
    pub last_used: Option<Box<str>>,
    /// Other names the role is referred to by in its own file (CloudFormation logical ID,
    /// Terraform address).
    pub aliases: Vec<String>,
}

impl Role {
    /// The account of the role's ARN, when known.
    pub fn account(&self) -> Option<&str> {
        let arn = self.arn.as_deref()?;
        let account = crate::iam_eval::arn_field(arn, 4)?;
        crate::loader::iam::is_account_id(account).then_some(account)
    }
    pub fn partition(&self) -> Option<&str> {
        let p = crate::iam_eval::arn_field(self.arn.as_deref()?, 1)?;
        (!p.is_empty() && !p.contains('$')).then_some(p)
    }
}

/// An ARN as written, not a template that builds one.
pub fn is_plain_arn(reference: &str) -> bool {
    reference.starts_with("arn:") && !reference.contains("${")
}

/// The name a reference ends in: `${Logical.Arn}` → `Logical`, `aws_iam_role.x.arn` →
/// `aws_iam_role.x`, an ARN → its last path segment.
fn reference_key(reference: &str) -> &str {
    let key = reference.trim_start_matches("${").trim_end_matches('}');
    let key = key
        .strip_suffix(".Arn")
        .or_else(|| key.strip_suffix(".arn"))
        .unwrap_or(key);
    key.rsplit('/').next().unwrap_or(key)
}

/// Everything loaded from the inputs.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Boxed, like the most numerous Kubernetes objects, so that merging the files' results
    /// moves pointers and no second copy is alive at the end of loading (peak memory).
    pub roles: Vec<Box<Role>>,
    pub kube: Kube,
    pub eks: Eks,
    pub index: Index,
    /// Literal credential values in the inputs: reports mask these bytes wherever they show source.
    pub secrets: Vec<Span>,
}

/// Lookups built once after loading, so cross-object rules are lookups, not scans.
#[derive(Debug, Default)]
pub struct Index {
    /// Lower-cased role ARN → roles.
    roles_by_arn: KeyIndex,
    /// Role name → roles whose ARN is unknown (CloudFormation, Terraform).
    roles_by_name: KeyIndex,
    /// Role name or alias → every role of that name (ARN known or not).
    roles_by_any_name: KeyIndex,
    /// (namespace, name) → ServiceAccounts.
    service_accounts: KeyIndex,
    /// (cluster-scoped, namespace, name) → RBAC roles.
    rbac_roles: KeyIndex,
    /// (namespace, ServiceAccount name) → workloads running as it.
    workloads_by_sa: KeyIndex,
    /// Instance profile name or alias → instance profiles.
    instance_profiles: KeyIndex,
}

/// A multimap from a key's 32-bit hash to object positions, sorted for binary search. It holds
/// no copies of the keys (a map of owned strings cost more memory than the objects it indexes
/// at 100,000 objects), so callers confirm each candidate against the object itself; with
/// keyed hashes, a lookup among a million keys meets a stray candidate about once in 4,000.
#[derive(Debug, Default)]
struct KeyIndex(Vec<(KeyHash, u32)>);

/// Half the size of a 64-bit hash: an index entry is then 8 bytes.
type KeyHash = u32;

/// The two halves of a 64-bit hash folded together.
fn fold(hash: u64) -> KeyHash {
    (hash ^ (hash >> 32)) as KeyHash
}

impl KeyIndex {
    fn build(mut entries: Vec<(KeyHash, u32)>) -> KeyIndex {
        entries.sort_unstable();
        KeyIndex(entries)
    }

    /// Positions whose key has this hash, in ascending order.
    fn candidates(&self, hash: KeyHash) -> impl Iterator<Item = usize> + '_ {
        let start = self.0.partition_point(|(h, _)| *h < hash);
        self.0
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(h, _)| *h == hash)
            .map(|(_, i)| *i as usize)
    }
}

/// Keyed per process, so crafted inputs cannot make many keys collide (lookups would turn into
/// scans).
fn index_hasher() -> impl std::hash::Hasher {
    use std::hash::BuildHasher;
    static STATE: std::sync::OnceLock<foldhash::fast::RandomState> = std::sync::OnceLock::new();
    STATE
        .get_or_init(foldhash::fast::RandomState::default)
        .build_hasher()
}

/// Hash of a key made of string parts (each part ends with a byte UTF-8 never holds, so
/// ("ab", "c") ≠ ("a", "bc")).
fn key_hash(parts: &[&str]) -> KeyHash {
    use std::hash::Hasher;
    let mut h = index_hasher();
    for part in parts {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    fold(h.finish())
}

/// Hash of a string compared without regard to ASCII case (ARNs).
fn key_hash_ci(text: &str) -> KeyHash {
    use std::hash::Hasher;
    let mut h = index_hasher();
    let mut buf = [0u8; 64];
    for chunk in text.as_bytes().chunks(buf.len()) {
        let mut n = 0;
        for (slot, byte) in buf.iter_mut().zip(chunk) {
            *slot = byte.to_ascii_lowercase();
            n += 1;
        }
        h.write(buf.get(..n).unwrap_or_default());
    }
    h.write_u8(0xff);
    fold(h.finish())
}

impl Inventory {
    /// Drop the spare capacity the merges' growth left in the object lists (pointers to the
    /// boxed objects), before the indexes are built beside them.
    pub fn shrink_to_fit(&mut self) {
        self.roles.shrink_to_fit();
        self.kube.shrink_to_fit();
    }

    pub fn build_index(&mut self) {
        // An access entry and its policies may come from separate files (describe-access-entry,
        // list-associated-access-policies): merge entries of the same principal.
        let mut merged: Vec<AccessEntry> = Vec::new();
        // Principal ARN -> position in `merged`: a lookup per entry, not a scan of the merged.
        let mut by_principal: std::collections::HashMap<compact_str::CompactString, usize> =
            std::collections::HashMap::new();
        for e in std::mem::take(&mut self.eks.access_entries) {
            let known = by_principal.get(&e.principal_arn.text).copied();
            match known.and_then(|i| merged.get_mut(i)) {
                Some(m) => {
                    m.policies.extend(e.policies);
                    m.groups.extend(e.groups);
                    if m.entry_type.is_none() {
                        m.entry_type = e.entry_type;
                        m.span = e.span;
                    }
                    m.username = m.username.take().or(e.username);
                }
                None => {
                    by_principal.insert(e.principal_arn.text.clone(), merged.len());
                    merged.push(e);
                }
            }
        }
        self.eks.access_entries = merged;
        // Two halves on the two cores: the objects were made on the loader threads and are cold
        // in this one's cache.
        let roles = &self.roles;
        let kube = &self.kube;
        let (role_indexes, (kube_indexes, secrets)) = rayon::join(
            || role_indexes(roles),
            || rayon::join(|| kube_indexes(kube), || secret_spans(kube)),
        );
        let (roles_by_arn, roles_by_name, roles_by_any_name) = role_indexes;
        let (service_accounts, rbac_roles, workloads_by_sa) = kube_indexes;
        self.secrets = secrets;
        let instance_profiles = self
            .eks
            .instance_profiles
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                std::iter::once(p.name.as_str())
                    .chain(p.aliases.iter().map(String::as_str))
                    .map(move |n| (key_hash(&[n]), i as u32))
            })
            .collect();
        self.index = Index {
            roles_by_arn,
            roles_by_name,
            roles_by_any_name,
            service_accounts,
            rbac_roles,
            workloads_by_sa,
            instance_profiles: KeyIndex::build(instance_profiles),
        };
    }

    /// Roles an ARN refers to: by ARN, or by name for roles whose ARN is not known.
    pub fn roles_for_arn(&self, arn: &str) -> Vec<&Role> {
        let roles = |ids: Vec<usize>| -> Vec<&Role> {
            ids.into_iter()
                .filter_map(|i| self.roles.get(i).map(|r| &**r))
                .collect()
        };
        let by_arn: Vec<usize> = self
            .index
            .roles_by_arn
            .candidates(key_hash_ci(arn))
            .filter(|&i| {
                self.roles
                    .get(i)
                    .and_then(|r| r.arn.as_deref())
                    .is_some_and(|a| a.eq_ignore_ascii_case(arn))
            })
            .collect();
        if !by_arn.is_empty() {
            return roles(by_arn);
        }
        let name = arn.rsplit('/').next().unwrap_or(arn);
        roles(
            self.index
                .roles_by_name
                .candidates(key_hash(&[name]))
                .filter(|&i| self.roles.get(i).is_some_and(|r| r.name == name))
                .collect(),
        )
    }

    /// Roles a node-role reference may mean: an ARN, a role name, or a template reference
    /// (`${Logical.Arn}`, `aws_iam_role.x.arn`).
    pub fn roles_for_reference(&self, reference: &str) -> Vec<&Role> {
        if is_plain_arn(reference) {
            return self.roles_for_arn(reference);
        }
        let key = reference_key(reference);
        let mut out: Vec<&Role> = Vec::new();
        for i in self.index.roles_by_any_name.candidates(key_hash(&[key])) {
            if let Some(r) = self.roles.get(i) {
                let named = r.name == key || r.aliases.iter().any(|a| a == key);
                // A role named twice (name and alias) is one role.
                if named && !out.last().is_some_and(|last| std::ptr::eq(*last, &**r)) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// Roles an instance-profile reference leads to: the profile (by ARN, name, CloudFormation
    /// logical id or Terraform address) as loaded, then each role it holds. Empty when no loaded
    /// input defines the profile. A profile loaded twice (under each of its roles in
    /// authorization details, and from `get-instance-profile`) gives its roles twice: callers
    /// that collect roles drop repeats, as `node_roles` does for every source.
    pub fn roles_for_instance_profile(&self, reference: &str) -> Vec<&Role> {
        let key = reference_key(reference);
        let mut positions: Vec<usize> = self
            .index
            .instance_profiles
            .candidates(key_hash(&[key]))
            .collect();
        // A profile whose name and alias are both the key is a candidate twice.
        positions.dedup();
        positions
            .into_iter()
            .filter_map(|i| self.eks.instance_profiles.get(i))
            .filter(|profile| {
                let named = profile.name == key || profile.aliases.iter().any(|a| a == key);
                // The same name in another account is another profile.
                let other_arn = is_plain_arn(reference)
                    && profile
                        .arn
                        .as_deref()
                        .is_some_and(|a| !a.eq_ignore_ascii_case(reference));
                named && !other_arn
            })
            .flat_map(|profile| &profile.roles)
            .flat_map(|role_ref| self.roles_for_reference(role_ref))
            .collect()
    }

    /// A Role (namespace, name) or ClusterRole (empty namespace, name).
    pub fn rbac_role(&self, cluster: bool, namespace: &str, name: &str) -> Option<&RbacRole> {
        // The last definition wins, as when a later file re-applies the object.
        self.index
            .rbac_roles
            .candidates(rbac_key(cluster, namespace, name))
            .filter_map(|i| self.kube.roles.get(i).map(|r| &**r))
            .filter(|r| {
                r.cluster == cluster
                    && r.meta.name == name
                    && (cluster || r.meta.namespace == namespace)
            })
            .last()
    }

    /// The cluster issuer: configured, or the only one loaded.
    pub fn cluster_issuer<'a>(&'a self, configured: Option<&'a str>) -> Option<&'a str> {
        configured.or(match self.eks.cluster_issuers.as_slice() {
            [one] => Some(one.as_str()),
            _ => None,
        })
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccount> {
        self.index
            .service_accounts
            .candidates(key_hash(&[namespace, name]))
            .filter_map(|i| self.kube.service_accounts.get(i).map(|sa| &**sa))
            .filter(|sa| sa.meta.namespace == namespace && sa.meta.name == name)
            .last()
    }

    pub fn workloads_using(&self, namespace: &str, sa: &str) -> Vec<&Workload> {
        self.index
            .workloads_by_sa
            .candidates(key_hash(&[namespace, sa]))
            .filter_map(|i| self.kube.workloads.get(i).map(|w| &**w))
            .filter(|w| w.meta.namespace == namespace && w.pod.service_account_name() == sa)
            .collect()
    }
}

/// Roles by lower-cased ARN, by name when the ARN is unknown, and by any name or alias.
fn role_indexes(roles: &[Box<Role>]) -> (KeyIndex, KeyIndex, KeyIndex) {
    let (mut by_arn, mut by_name, mut by_any_name) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in roles.iter().enumerate() {
        let i = i as u32;
        for n in std::iter::once(r.name.as_str()).chain(r.aliases.iter().map(String::as_str)) {
            by_any_name.push((key_hash(&[n]), i));
        }
        match &r.arn {
            Some(arn) => by_arn.push((key_hash_ci(arn), i)),
            None if r.origin != RoleOrigin::PolicyFile => by_name.push((key_hash(&[&r.name]), i)),
            None => {}
        }
    }
    (
        KeyIndex::build(by_arn),
        KeyIndex::build(by_name),
        KeyIndex::build(by_any_name),
    )
}

/// ServiceAccounts, RBAC roles and workloads by their lookup keys.
fn kube_indexes(k: &Kube) -> (KeyIndex, KeyIndex, KeyIndex) {
    let service_accounts = k
        .service_accounts
        .iter()
        .enumerate()
        .map(|(i, sa)| (key_hash(&[&sa.meta.namespace, &sa.meta.name]), i as u32))
        .collect();
    let rbac_roles = k
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                rbac_key(r.cluster, &r.meta.namespace, &r.meta.name),
                i as u32,
            )
        })
        .collect();
    let workloads_by_sa = k
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let key = [w.meta.namespace.as_str(), w.pod.service_account_name()];
            (key_hash(&key), i as u32)
        })
        .collect();
    (
        KeyIndex::build(service_accounts),
        KeyIndex::build(rbac_roles),
        KeyIndex::build(workloads_by_sa),
    )
}

/// Literal AWS credential values: in container environments, and the values of the credential
/// keys of Secrets and ConfigMaps.
fn secret_spans(k: &Kube) -> Vec<Span> {
    let literal_env = k
        .workloads
        .iter()
        .flat_map(|w| w.pod.containers.iter())
        .flat_map(|c| c.env.iter())
        .filter(|e| AWS_CREDENTIAL_VARS.contains(&e.name.text.as_str()))
        .filter_map(|e| e.value.as_ref().map(|v| v.span));
    let source_values = k
        .env_sources
        .iter()
        .flat_map(|s| s.keys.iter())
        .map(|(_, value)| *value);
    literal_env.chain(source_values).collect()
}

/// Index key of an RBAC role: ClusterRoles have no namespace.
fn rbac_key(cluster: bool, namespace: &str, name: &str) -> KeyHash {
    if cluster {
        key_hash(&["", "", name])
    } else {
        key_hash(&["ns", namespace, name])
    }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects

/// Identity and location of a Kubernetes object.
#[derive(Clone, Debug)]
pub struct ObjectMeta {
    // Inline strings: kinds, namespaces and names are short, and there is one per object.
    pub kind: compact_str::CompactString,
    /// Empty for cluster-scoped kinds.
    pub namespace: compact_str::CompactString,
    pub name: compact_str::CompactString,
    /// The `metadata.name` value (or the object's start when absent).
    pub name_span: Span,
    /// The whole object.
    pub span: Span,
    // Boxed slices (no capacity field): the lists are complete once loaded, and this keeps a
    // ServiceAccount within a 128-byte allocation.
    pub annotations: Box<[(PStr, PStr)]>,
    pub labels: Box<[(compact_str::CompactString, compact_str::CompactString)]>,
}

impl ObjectMeta {
    pub fn annotation(&self, key: &str) -> Option<&PStr> {
        self.annotations
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }
    pub fn annotation_entry(&self, key: &str) -> Option<(&PStr, &PStr)> {
        self.annotations
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(k, v)| (k, v))
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects).
    pub fn reference(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
pub const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
pub const TOKEN_EXPIRATION_ANNOTATION: &str = "eks.amazonaws.com/token-expiration";
pub const REGIONAL_STS_ANNOTATION: &str = "eks.amazonaws.com/sts-regional-endpoints";

#[derive(Clone, Debug)]
pub struct ServiceAccount {
    pub meta: ObjectMeta,
}

impl ServiceAccount {
    pub fn role_arn(&self) -> Option<&PStr> {
        self.meta
            .annotation(ROLE_ARN_ANNOTATION)
            .filter(|v| !v.text.trim().is_empty())
    }
    pub fn audience(&self) -> &str {
        self.meta
            .annotation(AUDIENCE_ANNOTATION)
            .map(|v| v.text.as_str())
            .unwrap_or("sts.amazonaws.com")
    }
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: PStr,
    pub value: Option<PStr>,
    /// `secretKeyRef`, `configMapKeyRef`, `fieldRef` ... with the span of the `valueFrom` value.
    pub value_from: Option<(compact_str::CompactString, Span)>,
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: compact_str::CompactString,
    pub span: Span,
    pub env: Vec<EnvVar>,
    /// `envFrom` sources, in order (a later source wins for a key both give).
    pub env_from: Vec<EnvFrom>,
}

/// One `envFrom` entry of a container.
#[derive(Clone, Debug)]
pub struct EnvFrom {
    /// `secretRef` or `configMapRef`.
    pub kind: compact_str::CompactString,
    /// Name of the Secret or ConfigMap.
    pub name: compact_str::CompactString,
    /// `prefix`, put before each of the object's keys to make the variable name.
    pub prefix: compact_str::CompactString,
    pub span: Span,
}

/// Environment variables through which the AWS SDKs take static credentials.
pub const AWS_CREDENTIAL_VARS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Whether a Secret or ConfigMap key can become an AWS credential variable through `envFrom`:
/// the key itself, or its end after a `prefix` (`prefix: AWS_` with key `ACCESS_KEY_ID`).
pub fn may_name_credential_var(key: &str) -> bool {
    !key.is_empty() && AWS_CREDENTIAL_VARS.iter().any(|var| var.ends_with(key))
}

/// A Secret or ConfigMap with keys that can become AWS credential variables through `envFrom`.
/// Only those keys are kept, each with the span of its value so that reports can mask it; the
/// values themselves are never kept.
#[derive(Clone, Debug)]
pub struct EnvSource {
    /// `Secret` or `ConfigMap`.
    pub kind: compact_str::CompactString,
    pub namespace: compact_str::CompactString,
    pub name: compact_str::CompactString,
    /// (key, span of its value).
    pub keys: Box<[(PStr, Span)]>,
}

#[derive(Clone, Debug)]
pub struct ProjectedToken {
    pub span: Span,
    pub audience: Option<PStr>,
    pub expiration: Option<(i64, Span)>,
}

#[derive(Clone, Debug)]
pub struct PodSpec {
    pub span: Span,
    pub service_account: Option<PStr>,
    /// Span of `hostNetwork: true`.
    pub host_network: Option<Span>,
    // Boxed slices like the object's metadata: a workload fits a 256-byte allocation.
    /// Annotations of the pod (template) metadata.
    pub annotations: Box<[(PStr, PStr)]>,
    pub containers: Box<[Container]>,
    pub projected_tokens: Box<[ProjectedToken]>,
}

impl PodSpec {
    /// The ServiceAccount the pod runs as (`default` when unset).
    pub fn service_account_name(&self) -> &str {
        self.service_account
            .as_ref()
            .map(|s| s.text.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }
}

#[derive(Clone, Debug)]
pub struct Workload {
    pub meta: ObjectMeta,
    pub pod: PodSpec,
}

#[derive(Clone, Debug)]
pub struct PolicyRule {
    pub span: Span,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct RbacRole {
    pub meta: ObjectMeta,
    pub cluster: bool,
    pub rules: Vec<PolicyRule>,
    /// Has an `aggregationRule` (its rules are filled in by the controller).
    pub aggregated: bool,
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub meta: ObjectMeta,
    pub cluster: bool,
    pub role_kind: String,
    pub role_name: String,
    pub role_span: Span,
    pub subjects: Vec<Subject>,
}

/// One `mapRoles`/`mapUsers` entry of aws-auth.
#[derive(Clone, Debug, Default)]
pub struct AuthEntry {
    pub span: Span,
    pub rolearn: Option<PStr>,
    pub userarn: Option<PStr>,
    pub username: Option<PStr>,
    /// `username` given as a YAML map: an unquoted `{{...}}` template.
    pub username_unquoted_template: Option<Span>,
    pub groups: Vec<PStr>,
    pub groups_key: Option<Span>,
    /// `groups` present but not a list.
    pub groups_not_list: Option<Span>,
    pub sso: Option<Span>,
    pub unknown_keys: Vec<PStr>,
}

impl AuthEntry {
    pub fn arn(&self) -> Option<&PStr> {
        self.rolearn.as_ref().or(self.userarn.as_ref())
    }
}

#[derive(Clone, Debug)]
pub enum MapField {
    Absent,
    /// Not valid YAML, or not a list: every mapping of the key is dropped.
    Broken {
        span: Span,
        message: String,
    },
    Entries(Vec<AuthEntry>),
    Accounts(Vec<PStr>),
}

#[derive(Clone, Debug)]
pub struct AwsAuth {
    pub meta: ObjectMeta,
    pub map_roles: MapField,
    pub map_users: MapField,
    pub map_accounts: MapField,
    /// `data` keys that differ from mapRoles/mapUsers/mapAccounts only in case (ignored by EKS).
    pub miscased_keys: Vec<PStr>,
}

#[derive(Clone, Debug)]
pub struct Namespace {
    pub meta: ObjectMeta,
}

/// Kubernetes objects of the inventory. Every kind is boxed: merging the files' results then
/// moves pointers, and the lists grow (and are trimmed) without copying the objects.
#[derive(Debug, Default)]
pub struct Kube {
    pub service_accounts: Vec<Box<ServiceAccount>>,
    pub namespaces: Vec<Box<Namespace>>,
    pub workloads: Vec<Box<Workload>>,
    pub roles: Vec<Box<RbacRole>>,
    pub bindings: Vec<Box<Binding>>,
    pub aws_auth: Vec<Box<AwsAuth>>,
    pub env_sources: Vec<Box<EnvSource>>,
}

impl Kube {
    pub fn shrink_to_fit(&mut self) {
        self.service_accounts.shrink_to_fit();
        self.namespaces.shrink_to_fit();
        self.workloads.shrink_to_fit();
        self.roles.shrink_to_fit();
        self.bindings.shrink_to_fit();
        self.aws_auth.shrink_to_fit();
        self.env_sources.shrink_to_fit();
    }

    /// Move another file's objects in, growing each list once.
    pub fn append(&mut self, mut other: Kube) {
        self.service_accounts.append(&mut other.service_accounts);
        self.namespaces.append(&mut other.namespaces);
        self.workloads.append(&mut other.workloads);
        self.roles.append(&mut other.roles);
        self.bindings.append(&mut other.bindings);
        self.aws_auth.append(&mut other.aws_auth);
        self.env_sources.append(&mut other.env_sources);
    }
}

// ---------------------------------------------------------------------------------------------
// EKS objects

#[derive(Clone, Debug)]
pub struct PodIdentityAssociation {
    pub namespace: PStr,
    pub service_account: PStr,
    pub role_arn: PStr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AccessPolicy {
    pub arn: PStr,
    /// `cluster` or `namespace` (case as written).
    pub scope: Option<String>,
    pub namespaces: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct AccessEntry {
    pub principal_arn: PStr,
    /// STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX ...
    pub entry_type: Option<PStr>,
    pub username: Option<PStr>,
    pub groups: Vec<PStr>,
    pub policies: Vec<AccessPolicy>,
    pub span: Span,
}

/// A reference to a node's IAM role, from wherever nodes are defined.
#[derive(Clone, Debug)]
pub struct NodeRoleRef {
    /// ARN, name, or a CloudFormation/Terraform reference such as `${NodeRole.Arn}`.
    pub role: PStr,
    pub source: String,
}

/// A node's instance profile, where nodes are defined by their profile (Karpenter
/// `instanceProfile`, eksctl `instanceProfileARN`).
#[derive(Clone, Debug)]
pub struct InstanceProfileRef {
    /// ARN or name of the profile.
    pub profile: PStr,
    pub source: String,
}

/// An EC2 instance profile: the container of the role an instance gets credentials for.
#[derive(Clone, Debug)]
pub struct InstanceProfile {
    pub name: String,
    pub arn: Option<String>,
    /// Other names inputs refer to it by: a CloudFormation logical id, a Terraform address.
    pub aliases: Vec<String>,
    /// Its roles (IAM allows one): ARNs, names or template references, as a [`NodeRoleRef`]
    /// gives them.
    pub roles: Vec<String>,
}

/// IMDS settings of a launch template or node group.
#[derive(Clone, Debug)]
pub struct ImdsSettings {
    pub name: String,
    pub span: Span,
    pub http_tokens: Option<PStr>,
    pub hop_limit: Option<(i64, Span)>,
    /// Why the hop limit applies though the input does not set it (a schema default), if so.
    pub hop_limit_default: Option<&'static str>,
    /// eksctl node groups: `disablePodIMDS` is not true.
    pub eksctl_pod_imds_open: bool,
    /// A running node that a managed node group or Karpenter launched: judged only when the
    /// inputs do not define that launcher (then its template or class is judged instead).
    pub launched_by: Option<Launcher>,
}

/// What launches nodes from a template the EC2 API does not show on the instance: a managed
/// node group or a Karpenter EC2NodeClass, by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Launcher {
    ManagedNodeGroup(String),
    /// `None` for a Karpenter node whose class is not tagged: any loaded class may be its own.
    NodeClass(Option<String>),
    /// A node of a Karpenter `Provisioner` (before v0.32), from an `AWSNodeTemplate` its tags
    /// do not name: any loaded template may be its own.
    NodeTemplate,
}

/// The launchers the inputs define, in a set: each running node looks its own up (a scan per
/// node would be quadratic in an estate of thousands of node groups).
pub struct DefinedLaunchers<'a> {
    all: std::collections::HashSet<&'a Launcher>,
    any_node_class: bool,
}

impl<'a> DefinedLaunchers<'a> {
    pub fn new(defined: &'a [Launcher]) -> DefinedLaunchers<'a> {
        DefinedLaunchers {
            all: defined.iter().collect(),
            any_node_class: defined.iter().any(|d| matches!(d, Launcher::NodeClass(_))),
        }
    }

    /// Whether the inputs define this launcher (any class, for a node whose class is not named).
    pub fn holds(&self, launcher: &Launcher) -> bool {
        match launcher {
            Launcher::NodeClass(None) => self.any_node_class,
            own => self.all.contains(own),
        }
    }
}

/// eksctl `withAddonPolicies` entries that are switched on.
#[derive(Clone, Debug)]
pub struct AddonPolicies {
    pub nodegroup: String,
    pub enabled: Vec<PStr>,
}

#[derive(Debug, Default)]
pub struct Eks {
    /// OIDC issuers of loaded clusters (host + path).
    pub cluster_issuers: Vec<String>,
    pub pod_identity: Vec<PodIdentityAssociation>,
    pub access_entries: Vec<AccessEntry>,
    pub node_roles: Vec<NodeRoleRef>,
    /// Instance profiles nodes are launched with, where a node names a profile, not a role.
    pub node_instance_profiles: Vec<InstanceProfileRef>,
    /// Instance profiles defined in the inputs, to resolve those references to roles.
    pub instance_profiles: Vec<InstanceProfile>,
    pub imds: Vec<ImdsSettings>,
    /// Managed node groups and Karpenter EC2NodeClasses the inputs define, by name.
    pub launchers: Vec<Launcher>,
    pub addon_policies: Vec<AddonPolicies>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(n: usize) -> String {
        format!("arn:aws:iam::111122223333:oidc-provider/oidc.example/id/{n:040}")
    }

    #[test]
    fn repeated_long_texts_share_one_copy() {
        let span = Span::new(0, 0, 1);
        let (mut a, mut b) = (PStr::new(long(1), span), PStr::new(long(1), span));
        a.share();
        b.share();
        assert_eq!(a.text, long(1));
        assert!(!a.text.is_heap_allocated());
        assert_eq!(a.text.as_ptr(), b.text.as_ptr());
        // Short text stays inline and is not pooled.
        let mut short = PStr::new("sts.amazonaws.com", span);
        short.share();
        assert_eq!(short.text, "sts.amazonaws.com");
    }

    #[test]
    fn a_text_made_shared_is_the_pooled_copy() {
        let span = Span::new(0, 0, 1);
        let mut shared_later = PStr::new(long(2), span);
        shared_later.share();
        let made_shared = PStr::new_shared(&long(2), span);
        assert_eq!(made_shared, shared_later);
        assert_eq!(made_shared.text.as_ptr(), shared_later.text.as_ptr());
        // Inline-length text is copied inline, never pooled.
        let short = PStr::new_shared("sts:AssumeRole", span);
        assert_eq!(short.text, "sts:AssumeRole");
        assert!(!short.text.is_heap_allocated());
        assert_ne!(short.text.as_ptr(), "sts:AssumeRole".as_ptr());
        // The longest inline text is held inside the string itself (neither on the heap nor
        // pooled): the bound matches the string's own.
        let longest = PStr::new_shared(&"k".repeat(INLINE_TEXT_LEN), span);
        let inside = &longest.text as *const compact_str::CompactString as usize;
        let text_at = longest.text.as_ptr() as usize;
        assert!((inside..inside + INLINE_TEXT_LEN).contains(&text_at));
    }

    #[test]
    fn a_small_list_keeps_one_item_inline() {
        let span = Span::new(0, 0, 1);
        let mut buffer = vec![PStr::new("sts:AssumeRole", span)];
        let one = SmallList::take_from(&mut buffer);
        assert!(matches!(one, SmallList::One(_)));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].text, "sts:AssumeRole");
        assert!(buffer.is_empty());
        buffer.extend([PStr::new("a", span), PStr::new("b", span)]);
        let two = SmallList::take_from(&mut buffer);
        assert!(matches!(two, SmallList::Boxed(_)));
        assert_eq!(
            two.iter().map(|v| v.text.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert!(buffer.is_empty());
        assert!(SmallList::take_from(&mut buffer).is_empty());
    }

    #[test]
    fn the_shared_pool_is_bounded() {
        assert!(shared_text(&"x".repeat(SHARED_TEXT_MAX_LEN + 1)).is_none());
        // Distinct texts until the pool refuses: it stops at its byte budget, and a text it
        // already holds is still found.
        let first = shared_text(&long(0)).map(str::as_ptr);
        let mut kept = long(0).len();
        let mut n = 1;
        while shared_text(&long(n)).is_some() {
            kept += long(n).len();
            n += 1;
            assert!(n < 100_000, "the pool never filled");
        }
        assert!(kept <= SHARED_TEXT_BYTES);
        assert!(kept + long(n).len() > SHARED_TEXT_BYTES);
        assert_eq!(shared_text(&long(0)).map(str::as_ptr), first);
    }
}
