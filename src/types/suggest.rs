//! "did you mean `review_bonus`?": the nearest known name to a typo.

/// The candidate closest to `name`, if it is close enough to be a typo.
///
/// Closeness is the Damerau–Levenshtein distance (a swapped pair of letters
/// counts as one edit); a candidate qualifies within a third of the name's
/// length (at least one edit). Ties go to the first candidate, so callers
/// pass candidates in a stable order.
pub fn nearest<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let budget = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = strsim::damerau_levenshtein(name, candidate);
        let close_case = candidate.eq_ignore_ascii_case(name);
        if (distance <= budget || close_case) && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn finds_a_swapped_letter() {
        let names = ["review_bonus", "answers"];
        assert_eq!(
            nearest("reveiw_bonus", names),
            Some("review_bonus".to_string())
        );
    }

    #[test]
    fn ignores_far_names() {
        assert_eq!(nearest("zzz", ["bonus", "time_off"]), None);
    }
}
