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

/// Classic wildcard matching with one backtrack point, linear in practice.
fn run(toks: &[Tok], text: &[char], ci: bool) -> bool {
    let (mut t, mut s) = (0usize, 0usize);
    let mut back: Option<(usize, usize)> = None;
    let eq = |a: char, b: char| {
        if ci {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    while s < text.len() {
        match toks.get(t) {
            Some(Tok::Star | Tok::Unknown) => {
                back = Some((t, s));
                t += 1;
                continue;
            }
            Some(Tok::One) => {
                t += 1;
                s += 1;
                continue;
            }
            Some(Tok::Lit(c)) if text.get(s).is_some_and(|&ch| eq(*c, ch)) => {
                t += 1;
                s += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((bt, bs)) => {
                t = bt + 1;
                s = bs + 1;
                back = Some((bt, bs + 1));
            }
            None => return false,
        }
    }
    toks.get(t..)
        .unwrap_or_default()
        .iter()
        .all(|k| matches!(k, Tok::Star | Tok::Unknown))
}

/// Match `text` against a policy value. `wildcards` enables `*`/`?` (StringLike); `templated`
/// makes `${...}` an unknown part, so a match that relies on it is [`Tri::Unknown`].
pub fn match_value(pattern: &str, text: &str, wildcards: bool, templated: bool, ci: bool) -> Tri {
    // Most policy values are plain text: compare without tokenising (rules call this per value).
    let special =
        (wildcards && pattern.contains(['*', '?'])) || (templated && pattern.contains("${"));
    if !special && (!ci || (pattern.is_ascii() && text.is_ascii())) {
        let equal = if ci {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
        return if equal { Tri::True } else { Tri::False };
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

/// Case-insensitive wildcard match (IAM action names).
pub fn matches_ci(pattern: &str, text: &str) -> bool {
    match_value(pattern, text, true, false, true) == Tri::True
}

/// Does the pattern contain an IAM wildcard?
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
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
