//! Near-duplicate categories, OpenRefine's "fingerprint" key collision:
//! "Acme Inc.", "ACME inc" and " acme, inc" share the key "acme inc".

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A group of spellings that share a fingerprint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub key: String,
    /// The spellings and how often each occurs, most frequent first.
    pub values: Vec<(String, u64)>,
    /// The suggested spelling to keep: the most frequent one.
    pub into: String,
}

/// Letters with accents to their plain ASCII letter (Latin-1 and the
/// common Latin Extended-A ones); other characters stay.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ł' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// The fingerprint of a value: lower case, accents folded, punctuation
/// removed, its words sorted and each kept once.
pub fn fingerprint(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold)
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() {
                c
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// The clusters among `values` (distinct values with their counts): groups
/// of two or more spellings with one fingerprint, biggest first.
///
/// Bound: one fingerprint per distinct value (its words sorted: L log L
/// for L characters) and one hash look-up, so linear in the text; no
/// value is compared with another (key collision, not pairwise distance).
pub fn clusters(values: &[(String, u64)]) -> Vec<Cluster> {
    let mut groups: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    for (v, n) in values {
        let key = fingerprint(v);
        if key.is_empty() {
            continue;
        }
        groups.entry(key).or_default().push((v.clone(), *n));
    }
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .filter(|(_, vs)| vs.len() > 1)
        .map(|(key, mut vs)| {
            vs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let into = vs.first().map(|v| v.0.clone()).unwrap_or_default();
            Cluster {
                key,
                values: vs,
                into,
            }
        })
        .collect();
    let total = |c: &Cluster| c.values.iter().map(|v| v.1).sum::<u64>();
    out.sort_by(|a, b| total(b).cmp(&total(a)).then_with(|| a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_collide() {
        assert_eq!(fingerprint("Acme Inc."), "acme inc");
        assert_eq!(fingerprint("ACME inc"), "acme inc");
        assert_eq!(fingerprint(" acme, inc"), "acme inc");
        assert_eq!(fingerprint("Inc Acme"), "acme inc");
        assert_eq!(fingerprint("Café  Crème"), "cafe creme");
        let values: Vec<(String, u64)> = [
            ("Acme Inc.", 5),
            ("ACME inc", 2),
            (" acme, inc", 1),
            ("Other", 9),
        ]
        .iter()
        .map(|(v, n)| (v.to_string(), *n))
        .collect();
        let c = clusters(&values);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].into, "Acme Inc.");
        assert_eq!(c[0].values.len(), 3);
    }
}
