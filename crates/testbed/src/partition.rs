//! A deterministic share of the tests, so N machines given `K/N` (K = 1..=N) run every test
//! exactly once between them: the K-th of every N tests in name order.

use std::fmt;
use std::str::FromStr;

/// `K/N`: this machine runs share K of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub index: usize,
    pub count: usize,
}

impl Partition {
    /// Whether the test at `position` in the name-sorted list falls in this share.
    pub fn holds(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The names in this share, from any order.
    pub fn select<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .enumerate()
            .filter(|(position, _)| self.holds(*position))
            .map(|(_, name)| name)
            .collect()
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("a partition is K/N with 1 <= K <= N, like 2/3; not {text:?}");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_k_of_n() {
        assert_eq!("2/3".parse(), Ok(Partition { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "", "1/2/3"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_shares_cover_every_test_exactly_once() {
        let names = ["e", "a", "d", "b", "c", "f", "g"];
        let mut all: Vec<&str> = (1..=3)
            .flat_map(|k| Partition { index: k, count: 3 }.select(names))
            .collect();
        all.sort_unstable();
        assert_eq!(all, ["a", "b", "c", "d", "e", "f", "g"]);
    }

    #[test]
    fn a_share_does_not_depend_on_the_order_given() {
        let p = Partition { index: 1, count: 2 };
        assert_eq!(p.select(["c", "b", "a"]), p.select(["a", "b", "c"]));
        assert_eq!(p.select(["c", "b", "a"]), ["a", "c"]);
    }
}
