//! IAM wildcard matching: `*` matches any run of characters (including `:` and `/`), `?` exactly
//! one. A `${...}` placeholder of a templated value stands for an unknown string.

use super::Tri;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Lit(char),
    Star,
    One,
    Unknown,
}

fn tokens(pattern: &str, wildcards: bool, templated: bool) -> Vec<Tok> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if templated && c == '$' && pattern[i..].starts_with("${") {
            if let Some(close) = pattern[i..].find('}') {
                out.push(Tok::Unknown);
                let end = i + close;
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
                continue;
            }
        }
        out.push(match c {
            '*' if wildcards => Tok::Star,
            '?' if wildcards => Tok::One,
            _ => Tok::Lit(c),
        });
    }
    out
}

/// What the matcher needs to know of one pattern element: a [`Tok`] over the characters of a
/// text, or a byte of an ASCII pattern (`*` and `?` are wildcards) over the bytes of an ASCII text.
trait PatternItem<T> {
    /// Matches any run (`*`, or an unknown placeholder).
    fn is_star(&self) -> bool;
    /// Matches exactly one element (`?`).
    fn is_one(&self) -> bool;
    fn matches(&self, item: &T, ci: bool) -> bool;
}

impl PatternItem<char> for Tok {
    fn is_star(&self) -> bool {
        matches!(self, Tok::Star | Tok::Unknown)
    }
    fn is_one(&self) -> bool {
        *self == Tok::One
    }
    fn matches(&self, item: &char, ci: bool) -> bool {
        match self {
            Tok::Lit(c) if ci => c.to_lowercase().eq(item.to_lowercase()),
            Tok::Lit(c) => c == item,
            _ => false,
        }
    }
}

impl PatternItem<u8> for u8 {
    fn is_star(&self) -> bool {
        *self == b'*'
    }
    fn is_one(&self) -> bool {
        *self == b'?'
    }
    fn matches(&self, item: &u8, ci: bool) -> bool {
        if ci {
            self.eq_ignore_ascii_case(item)
        } else {
            self == item
        }
    }
}

/// Classic wildcard matching with one backtrack point, linear in practice.
fn run<P: PatternItem<T>, T>(pattern: &[P], text: &[T], ci: bool) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    while s < text.len() {
        match pattern.get(p) {
            Some(item) if item.is_star() => {
                back = Some((p, s));
                p += 1;
                continue;
            }
            Some(item) if item.is_one() => {
                p += 1;
                s += 1;
                continue;
            }
            Some(item) if text.get(s).is_some_and(|t| item.matches(t, ci)) => {
                p += 1;
                s += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bp, bs)) => {
                p = bp + 1;
                s = bs + 1;
                back = Some((bp, bs + 1));
            }
            None => return false,
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(PatternItem::is_star)
}

/// Match `text` against a policy value. `wildcards` enables `*`/`?` (StringLike); `templated`
/// makes `${...}` an unknown part, so a match that relies on it is [`Tri::Unknown`].
pub fn match_value(pattern: &str, text: &str, wildcards: bool, templated: bool, ci: bool) -> Tri {
    // Most policy values are plain text: compare without tokenising (rules call this per value).
    // Byte searches: a `char` set or a substring searcher costs more than these short values.
    let has_wildcard = wildcards && memchr::memchr2(b'*', b'?', pattern.as_bytes()).is_some();
    let placeholders = templated && has_placeholder(pattern);
    let special = has_wildcard || placeholders;
    if !special && (!ci || (pattern.is_ascii() && text.is_ascii())) {
        let equal = if ci {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
        return if equal { Tri::True } else { Tri::False };
    }
    if !placeholders && pattern.is_ascii() && text.is_ascii() {
        // Wildcards over ASCII (action patterns, most subjects): bytes, no token list.
        return if run(pattern.as_bytes(), text.as_bytes(), ci) {
            Tri::True
        } else {
            Tri::False
        };
    }
    let toks = tokens(pattern, wildcards, templated);
    let chars: Vec<char> = text.chars().collect();
    if !run(&toks, &chars, ci) {
        return Tri::False;
    }
    if toks.contains(&Tok::Unknown) {
        // The literal parts fit; whether the placeholder does is unknown.
        return Tri::Unknown;
    }
    Tri::True
}

/// Does the value hold a `${` placeholder?
fn has_placeholder(value: &str) -> bool {
    let bytes = value.as_bytes();
    memchr::memchr_iter(b'$', bytes).any(|i| bytes.get(i + 1) == Some(&b'{'))
}

/// Case-insensitive wildcard match (IAM action names).
pub fn matches_ci(pattern: &str, text: &str) -> bool {
    match_value(pattern, text, true, false, true) == Tri::True
}

/// Does the pattern contain an IAM wildcard?
pub fn has_wildcard(pattern: &str) -> bool {
    memchr::memchr2(b'*', b'?', pattern.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_colons() {
        assert_eq!(
            match_value(
                "system:serviceaccount:*",
                "system:serviceaccount:kube-system:x",
                true,
                false,
                false
            ),
            Tri::True
        );
        assert_eq!(match_value("a?c", "abc", true, false, false), Tri::True);
        assert_eq!(match_value("a?c", "ac", true, false, false), Tri::False);
        assert_eq!(match_value("*", "", true, false, false), Tri::True);
        assert_eq!(
            match_value("a*b*c", "aXbYbZc", true, false, false),
            Tri::True
        );
        assert_eq!(
            match_value("a*b*c", "aXbYbZ", true, false, false),
            Tri::False
        );
    }

    /// The byte matcher for ASCII agrees with the token matcher on every pattern and text built
    /// from a small alphabet (wildcards, case, separators), up to four characters each.
    #[test]
    fn ascii_matcher_agrees_with_the_token_matcher() {
        let alphabet = ['a', 'A', 'b', ':', '*', '?'];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, String::len))
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        let texts: Vec<&String> = words.iter().filter(|w| !w.contains(['*', '?'])).collect();
        for pattern in &words {
            let toks = tokens(pattern, true, false);
            for text in &texts {
                let chars: Vec<char> = text.chars().collect();
                for ci in [false, true] {
                    assert_eq!(
                        run(pattern.as_bytes(), text.as_bytes(), ci),
                        run(&toks, &chars, ci),
                        "{pattern:?} {text:?} ci={ci}"
                    );
                }
            }
        }
    }

    #[test]
    fn equals_treats_star_literally() {
        assert_eq!(
            match_value("*", "anything", false, false, false),
            Tri::False
        );
        assert_eq!(match_value("*", "*", false, false, false), Tri::True);
    }

    #[test]
    fn case_rules() {
        assert_eq!(match_value("ABC", "abc", false, false, false), Tri::False);
        assert_eq!(match_value("ABC", "abc", false, false, true), Tri::True);
        assert!(matches_ci("sts:Assume*", "sts:AssumeRoleWithWebIdentity"));
        assert!(!matches_ci(
            "sts:AssumeRole",
            "sts:AssumeRoleWithWebIdentity"
        ));
    }

    #[test]
    fn placeholders_are_unknown_not_wildcards() {
        let p = "arn:aws:iam::${AWS::AccountId}:oidc-provider/x";
        assert_eq!(
            match_value(
                p,
                "arn:aws:iam::111122223333:oidc-provider/x",
                false,
                true,
                false
            ),
            Tri::Unknown
        );
        assert_eq!(
            match_value(
                p,
                "arn:aws:iam::111122223333:oidc-provider/y",
                false,
                true,
                false
            ),
            Tri::False
        );
        // Not templated: the placeholder is literal text.
        assert_eq!(
            match_value(
                p,
                "arn:aws:iam::111122223333:oidc-provider/x",
                false,
                false,
                false
            ),
            Tri::False
        );
    }
}
