//! One trust policy, indexed for judging many web-identity requests against it (SA002 asks once
//! per ServiceAccount and trusted provider). Evaluating every statement each time costs the
//! policy's size per request: a policy with a statement per provider, one statement naming
//! thousands of providers, or a condition listing thousands of subjects made that quadratic.
//! The index answers the same as [`evaluate`](super::evaluate), looking only at the statements
//! that can match the caller.

use super::{applies, condition_holds_with, glob::match_value, verdict_of, Caller, Request};
use super::{Tri, Verdict};
use crate::model::{BaseOp, Condition, Effect, PStr, Policy, PrincipalKind, Statement};
use foldhash::{HashMap, HashSet};

/// Policies with more statements than this, or a statement with more principals, or a
/// condition with more values, are indexed; smaller ones are quicker to evaluate whole.
const INDEX_FROM: usize = 16;

pub struct WebIdentityIndex<'a> {
    /// Statements that name a provider literally, by provider ARN, in statement order: for a
    /// caller from that provider their principal matches.
    by_provider: HashMap<&'a str, Vec<usize>>,
    /// Statements a web identity may match otherwise (`*`, `NotPrincipal`, a Federated
    /// value with a placeholder), in order: their principal is judged as usual.
    others: Vec<usize>,
    /// Those of `others` without a condition that fails on a missing key, in order.
    others_free: Vec<usize>,
    /// The rest of `others`, by the (lower-cased) key of their first condition that fails when
    /// the key is missing: a web identity request holds only its issuer's `sub` and `aud`, so
    /// each can match only requests that have that key.
    others_requiring: HashMap<String, Vec<usize>>,
    /// Case-sensitive equality conditions with many values: (statement, condition) to their
    /// values in a set.
    literals: HashMap<(usize, usize), LiteralValues<'a>>,
    /// Allow statements of `by_provider` that admit only the subjects their `sub` condition
    /// lists (a plain `StringEquals` of literal values), by subject.
    by_subject: HashMap<&'a str, Vec<usize>>,
    /// The other Allow statements of `by_provider`.
    ungated: Vec<usize>,
}

/// A condition's values: the literal ones in a set, those with placeholders apart.
pub struct LiteralValues<'a> {
    literal: HashSet<&'a str>,
    templated: Vec<&'a PStr>,
}

impl LiteralValues<'_> {
    /// Whether some value equals `v` (case-sensitive), as the fold over every value answers.
    pub fn any_equal(&self, v: &str) -> Tri {
        if self.literal.contains(v) {
            return Tri::True;
        }
        self.templated.iter().fold(Tri::False, |acc, p| {
            acc.or(match_value(&p.text, v, false, p.templated, false))
        })
    }
}

impl<'a> WebIdentityIndex<'a> {
    /// The index of a large policy; `None` for a small one.
    pub fn of(policy: &'a Policy) -> Option<WebIdentityIndex<'a>> {
        let large = policy.statements.len() > INDEX_FROM
            || policy.statements.iter().any(|st| {
                st.principal
                    .as_ref()
                    .is_some_and(|p| p.entries.len() > INDEX_FROM)
                    || st.conditions.iter().any(|c| c.values.len() > INDEX_FROM)
            });
        if !large {
            return None;
        }
        let mut index = WebIdentityIndex {
            by_provider: HashMap::default(),
            others: Vec::new(),
            others_free: Vec::new(),
            others_requiring: HashMap::default(),
            literals: HashMap::default(),
            by_subject: HashMap::default(),
            ungated: Vec::new(),
        };
        for (i, st) in policy.statements.iter().enumerate() {
            // A statement with an invalid effect neither allows nor denies.
            if st.effect == Effect::Invalid {
                continue;
            }
            match (&st.principal, st.not_principal()) {
                (_, Some(_)) => index.others.push(i),
                (Some(p), None) if p.star.is_some() => index.others.push(i),
                (Some(p), None) => {
                    let mut named = false;
                    for provider in literal_providers(st) {
                        named = true;
                        push_once(index.by_provider.entry(provider).or_default(), i);
                    }
                    let placeholder = p
                        .entries
                        .iter()
                        .any(|(kind, v)| *kind == PrincipalKind::Federated && v.templated);
                    if placeholder {
                        index.others.push(i);
                    }
                    if st.effect == Effect::Allow && named {
                        match subject_gate(st) {
                            Some(subjects) => {
                                for subject in subjects {
                                    push_once(index.by_subject.entry(subject).or_default(), i);
                                }
                            }
                            None => index.ungated.push(i),
                        }
                    }
                }
                // No principal: it matches no caller.
                (None, None) => {}
            }
            if index.others.last() == Some(&i) {
                match required_key(st) {
                    Some(key) => push_once(index.others_requiring.entry(key).or_default(), i),
                    None => index.others_free.push(i),
                }
            }
            for (c, cond) in st.conditions.iter().enumerate() {
                let equality = cond.op.as_ref().is_some_and(|o| {
                    matches!(
                        o.base,
                        BaseOp::StringEquals
                            | BaseOp::StringNotEquals
                            | BaseOp::ArnEquals
                            | BaseOp::ArnNotEquals
                    )
                });
                if !equality || cond.values.len() <= INDEX_FROM {
                    continue;
                }
                let (templated, literal): (Vec<&PStr>, Vec<&PStr>) =
                    cond.values.iter().partition(|v| v.templated);
                index.literals.insert(
                    (i, c),
                    LiteralValues {
                        literal: literal.into_iter().map(|v| v.text.as_str()).collect(),
                        templated,
                    },
                );
            }
        }
        Some(index)
    }

    /// What [`providers_to_try`](Self::providers_to_try) needs of a policy's list of trusted
    /// providers (ARN and issuer each), worked out once for every subject.
    pub fn plan<'p>(&self, policy: &Policy, providers: &[(&'p str, &'p str)]) -> ProviderPlan<'p> {
        let position = providers
            .iter()
            .enumerate()
            .map(|(i, &(provider, _))| (provider, i))
            .collect();
        let (for_others, spared) = self.others_representatives(policy, providers);
        ProviderPlan {
            position,
            for_others,
            spared,
        }
    }

    /// Positions in the plan's provider list of the providers through which a web identity
    /// with this `sub` could be admitted, if any provider admits it: those of the Allow
    /// statements that could admit this subject, and those [`ProviderPlan`] keeps for the
    /// statements that may match any provider. A position may come more than once.
    pub fn providers_to_try<'s>(
        &'s self,
        plan: &'s ProviderPlan<'_>,
        policy: &'s Policy,
        subject: &str,
    ) -> impl Iterator<Item = usize> + 's {
        let gated = self.by_subject.get(subject).map_or(&[][..], Vec::as_slice);
        self.ungated
            .iter()
            .chain(gated)
            .filter_map(|&i| policy.statements.get(i))
            .flat_map(literal_providers)
            .filter_map(|provider| plan.position.get(provider).copied())
            .chain(plan.for_others.iter().copied())
            .chain(plan.spared.get(subject).into_iter().flatten().copied())
    }

    /// For the statements of `others`: one provider of each class they cannot tell apart, and
    /// every provider they can.
    ///
    /// Why one of a class is enough: a provider that no candidate statement names is named only
    /// by Allow statements whose `sub` list leaves the subject out, which are false for it, and
    /// by Deny statements. Without a Deny, its verdict is that of `others` alone. Those
    /// statements see a provider only through their principals (named literally, or matched by
    /// a placeholder) and through condition keys of its issuer. Two providers that they name
    /// alike, that match their placeholders alike, and whose issuers no key of theirs names,
    /// get the same verdict from them; a Deny can only take that away. So one provider of a
    /// class that no Deny names answers for the class. In a class whose every provider a Deny
    /// names, one provider is tried for each set of Denies that read alike (their own issuer
    /// aside, [`deny_signature`](Self::deny_signature)), leaving out those denied whatever the
    /// request (a Deny of web identity whose conditions, if any, each
    /// [hold for every request](holds_for_every_request) of the provider). A provider whose
    /// issuer a key names is tried on its own. The others meet only the statements without a
    /// condition on a missing key: when none of those allows, no class needs trying.
    ///
    /// Also returned, by subject: providers of such a class that a Deny rejects for every
    /// subject but those it lists ([`spared_subjects`](Self::spared_subjects)). Each is tried
    /// only for those subjects.
    fn others_representatives(
        &self,
        policy: &Policy,
        providers: &[(&str, &str)],
    ) -> (Vec<usize>, HashMap<String, Vec<usize>>) {
        let mut spared: HashMap<String, Vec<usize>> = HashMap::default();
        if self.others.is_empty() {
            return (Vec::new(), spared);
        }
        let mut keyed_issuers: HashSet<String> = HashSet::default();
        let mut named: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut templated: Vec<&PStr> = Vec::new();
        for &i in &self.others {
            let Some(st) = policy.statements.get(i) else {
                continue;
            };
            for cond in st.conditions.iter() {
                // A request holds only `<issuer>:sub` and `<issuer>:aud`.
                let key = cond.key.text.to_ascii_lowercase();
                if let Some(issuer) = key
                    .strip_suffix(":sub")
                    .or_else(|| key.strip_suffix(":aud"))
                {
                    keyed_issuers.insert(issuer.to_string());
                }
            }
            let blocks = st.principal.iter().chain(st.not_principal());
            let federated = blocks
                .flat_map(|b| b.entries.iter())
                .filter(|(kind, _)| *kind == PrincipalKind::Federated);
            for (_, value) in federated {
                if value.templated {
                    templated.push(value);
                } else {
                    push_once(named.entry(value.text.as_str()).or_default(), i);
                }
            }
        }
        // The Deny statements naming a provider: none, some, or one that always applies.
        let denial = |provider: &str, issuer: &str| {
            let mut denied = Denial::None;
            for st in self.denies_naming(policy, provider) {
                let always = super::action_matches(st, super::WEB_IDENTITY_ACTION) == Tri::True
                    && st
                        .conditions
                        .iter()
                        .all(|c| holds_for_every_request(c, issuer));
                if always {
                    return Denial::Always;
                }
                denied = Denial::Sometimes;
            }
            denied
        };
        #[derive(Default)]
        struct Class<'s> {
            undenied: Option<usize>,
            denied: Vec<usize>,
            /// The [`deny_signature`](Self::deny_signature)s of `denied`.
            signatures: HashSet<String>,
            /// Denied providers with the only subjects their Deny spares.
            spared: Vec<(usize, Vec<&'s str>)>,
        }
        let free_allow = self.others_free.iter().any(|&i| {
            policy
                .statements
                .get(i)
                .is_some_and(|st| st.effect == Effect::Allow)
        });
        let mut class_of: HashMap<(&[usize], Vec<Tri>), usize> = HashMap::default();
        let mut classes: Vec<Class> = Vec::new();
        let mut representatives = Vec::new();
        for (position, &(provider, issuer)) in providers.iter().enumerate() {
            let denial = denial(provider, issuer);
            if denial == Denial::Always {
                continue;
            }
            if keyed_issuers.contains(&issuer.to_ascii_lowercase()) {
                representatives.push(position);
                continue;
            }
            if !free_allow {
                continue;
            }
            let names = named.get(provider).map_or(&[][..], Vec::as_slice);
            let placeholders = templated
                .iter()
                .map(|v| match_value(&v.text, provider, false, v.templated, false))
                .collect();
            let next = classes.len();
            let c = *class_of.entry((names, placeholders)).or_insert(next);
            if c == next {
                classes.push(Class::default());
            }
            let Some(class) = classes.get_mut(c) else {
                continue;
            };
            match denial {
                Denial::None => {
                    class.undenied.get_or_insert(position);
                }
                // The class's undenied provider answers for it.
                _ if class.undenied.is_some() => {}
                _ => {
                    if let Some(subjects) = self.spared_subjects(policy, provider, issuer) {
                        class.spared.push((position, subjects));
                        continue;
                    }
                    // Providers whose Denies read alike (their own issuer aside) are denied
                    // alike: one of them is tried.
                    let signature = self.deny_signature(policy, provider, issuer);
                    if signature.is_none_or(|s| class.signatures.insert(s)) {
                        class.denied.push(position);
                    }
                }
            }
        }
        for class in classes {
            match class.undenied {
                Some(position) => representatives.push(position),
                None => {
                    representatives.extend(class.denied);
                    for (position, subjects) in class.spared {
                        for subject in subjects {
                            push_once(spared.entry(subject.to_string()).or_default(), position);
                        }
                    }
                }
            }
        }
        (representatives, spared)
    }

    /// The subjects a Deny naming `provider` (with issuer `issuer`) leaves out, when it rejects
    /// every other web identity of that provider: a Deny of `sts:AssumeRoleWithWebIdentity`
    /// whose one condition is a plain `StringNotEquals` of literal subjects on the provider's
    /// own `sub`. The provider can then admit only those subjects. `None` when no Deny of the
    /// provider has that form.
    fn spared_subjects<'p>(
        &'p self,
        policy: &'p Policy,
        provider: &str,
        issuer: &str,
    ) -> Option<Vec<&'p str>> {
        self.denies_naming(policy, provider).find_map(|st| {
            let [cond] = &*st.conditions else {
                return None;
            };
            let subjects = literal_subjects(cond, BaseOp::StringNotEquals)?;
            let own = own_claim(&cond.key.text, issuer) == Some("sub");
            let always_matches = super::action_matches(st, super::WEB_IDENTITY_ACTION) == Tri::True;
            (own && always_matches).then(|| subjects.iter().map(|v| v.text.as_str()).collect())
        })
    }

    /// The Deny statements that name `provider` literally, in order.
    fn denies_naming<'p>(
        &'p self,
        policy: &'p Policy,
        provider: &str,
    ) -> impl Iterator<Item = &'p Statement> + 'p {
        self.by_provider
            .get(provider)
            .into_iter()
            .flatten()
            .filter_map(|&i| policy.statements.get(i))
            .filter(|st| st.effect == Effect::Deny)
    }

    /// The Deny statements that name `provider` (with issuer `issuer`), written out so that two
    /// providers get the same text exactly when those statements deny the same requests: every
    /// part the evaluation of a web identity request reads (actions, operators, values), in
    /// order, each text prefixed by its length, with a condition key on the provider's own
    /// `sub` or `aud` written as such. Such a request holds no other key, so any other key is
    /// missing for both. `None` when a Deny has a `NotAction` or a placeholder: those are not
    /// compared, and the provider is tried on its own.
    fn deny_signature(&self, policy: &Policy, provider: &str, issuer: &str) -> Option<String> {
        use std::fmt::Write;
        let mut signature = String::new();
        let mut text = |part: &str, templated: bool| {
            let _ = write!(signature, "{}{}:{part}", u8::from(templated), part.len());
        };
        for st in self.denies_naming(policy, provider) {
            if st.not_action().is_some() || st.actions.iter().any(PStr::is_unknown_part) {
                return None;
            }
            text(if st.has_action { "Action" } else { "" }, false);
            for action in st.actions.iter() {
                text(&action.text, action.templated);
            }
            for cond in st.conditions.iter() {
                if cond.key.is_unknown_part() || cond.values.iter().any(PStr::is_unknown_part) {
                    return None;
                }
                text(&cond.operator.text, false);
                match own_claim(&cond.key.text, issuer) {
                    Some(claim) => text(&format!("own:{claim}"), true),
                    None => text(&cond.key.text.to_ascii_lowercase(), false),
                }
                text("values", false);
                for value in cond.values.iter() {
                    text(&value.text, value.templated);
                }
            }
        }
        Some(signature)
    }

    /// [`evaluate`](super::evaluate) for a web identity caller. Statements that cannot match
    /// the caller are not looked at, so a `NotAllowed` verdict lists no misses for them: those
    /// naming other providers only, and those with a condition on a key the request lacks
    /// (another issuer's claim, or a key no web identity request has). Other callers are
    /// evaluated in full.
    pub fn evaluate(&self, policy: &Policy, req: &Request) -> Verdict {
        let Caller::Federated(provider) = &req.caller else {
            return super::evaluate(policy, req);
        };
        let named: &[usize] = self
            .by_provider
            .get(provider.as_str())
            .map_or(&[], Vec::as_slice);
        // The statements that name the caller (their principal is known to match) and the
        // others, in statement order; a statement in both counts as naming it.
        let mut order: Vec<(usize, Option<Tri>)> = named
            .iter()
            .map(|&i| (i, Some(Tri::True)))
            .chain(self.others_free.iter().map(|&i| (i, None)))
            .chain(
                req.context
                    .iter()
                    .filter_map(|(key, _)| self.others_requiring.get(&key.to_ascii_lowercase()))
                    .flatten()
                    .map(|&i| (i, None)),
            )
            .collect();
        order.sort_unstable_by_key(|&(i, principal)| (i, principal.is_none()));
        order.dedup_by_key(|&mut (i, _)| i);
        verdict_of(order.into_iter().filter_map(|(i, principal)| {
            let st = policy.statements.get(i)?;
            let condition = |c: usize, cond: &crate::model::Condition| {
                condition_holds_with(cond, req, self.literals.get(&(i, c)))
            };
            Some((i, st.effect, applies(st, req, principal, &condition)))
        }))
    }
}

/// How Deny statements name a provider.
#[derive(Clone, Copy, PartialEq)]
enum Denial {
    None,
    /// Under conditions.
    Sometimes,
    /// Whatever the request.
    Always,
}

/// A policy's trusted providers as [`WebIdentityIndex::providers_to_try`] reads them.
pub struct ProviderPlan<'p> {
    /// Provider ARN → position in the list.
    position: HashMap<&'p str, usize>,
    /// Positions to try whatever the subject, for the statements that may match any provider.
    for_others: Vec<usize>,
    /// Positions to try for one subject only: providers whose Deny spares no other subject.
    spared: HashMap<String, Vec<usize>>,
}

/// The providers a statement names literally as `Federated` principals.
pub fn literal_providers(st: &Statement) -> impl Iterator<Item = &str> {
    st.principal
        .iter()
        .flat_map(|p| p.entries.iter())
        .filter(|(kind, v)| *kind == PrincipalKind::Federated && !v.templated)
        .map(|(_, v)| v.text.as_str())
}

/// The subjects a statement admits, when a condition limits them to a list: a plain
/// `StringEquals` (no set operator, no `IfExists`) on an issuer's `sub` claim, of literal
/// values. With the key absent (another issuer's) or the subject not listed, such a condition
/// is false.
fn subject_gate(st: &Statement) -> Option<impl Iterator<Item = &str>> {
    let subjects = st
        .conditions
        .iter()
        .find_map(|c| literal_subjects(c, BaseOp::StringEquals))?;
    Some(subjects.iter().map(|v| v.text.as_str()))
}

/// The values of a condition that compares an issuer's `sub` claim with `base`, plainly (no set
/// operator, no `IfExists`), against literal subjects; `None` for any other condition.
fn literal_subjects(c: &Condition, base: BaseOp) -> Option<&[PStr]> {
    let plain =
        c.op.as_ref()
            .is_some_and(|o| o.base == base && o.set.is_none() && !o.if_exists);
    let on_sub = !c.key.is_unknown_part()
        && super::issuer::split_claim_key(&c.key.text)
            .is_some_and(|(_, claim)| claim.eq_ignore_ascii_case("sub"));
    (plain && on_sub && c.values.iter().all(|v| !v.templated)).then_some(&*c.values)
}

/// The lower-cased key of a statement's first condition that is false when the request lacks
/// the key (`None` when no condition is): a plain operator on a known key. An unknown operator
/// is false whatever the request, so it requires a key no request has (the empty one).
fn required_key(st: &Statement) -> Option<String> {
    st.conditions.iter().find_map(|c| {
        let Some(op) = &c.op else {
            return Some(String::new());
        };
        let fails_closed = op.base != BaseOp::Null && !op.fails_open() && !c.key.is_unknown_part();
        fails_closed.then(|| c.key.text.as_str().to_ascii_lowercase())
    })
}

/// Whether a condition holds for every web identity request of a provider with issuer
/// `issuer`. Such a request holds only that issuer's `sub` and `aud`, so a condition on any
/// other key sees it missing: it holds when it fails open (a negated operator, `IfExists`,
/// `ForAllValues`, or `Null` of `true`), as the evaluation reads a missing key.
fn holds_for_every_request(c: &Condition, issuer: &str) -> bool {
    let no_keys = Request {
        caller: Caller::Federated(String::new()),
        action: String::new(),
        context: Vec::new(),
    };
    own_claim(&c.key.text, issuer).is_none() && condition_holds_with(c, &no_keys, None) == Tri::True
}

/// `"sub"` or `"aud"` when `key` is that claim of `issuer`: one of the two keys a web identity
/// request of the issuer's provider holds. Compared as the evaluation compares keys: whole, in
/// any case.
fn own_claim(key: &str, issuer: &str) -> Option<&'static str> {
    let key = key.as_bytes();
    let claim = key
        .get(..issuer.len())
        .filter(|k| k.eq_ignore_ascii_case(issuer.as_bytes()))
        .and_then(|_| key.get(issuer.len()..))?;
    if claim.eq_ignore_ascii_case(b":sub") {
        Some("sub")
    } else if claim.eq_ignore_ascii_case(b":aud") {
        Some("aud")
    } else {
        None
    }
}

/// Append a statement to a list of statements in order, once.
fn push_once(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}
