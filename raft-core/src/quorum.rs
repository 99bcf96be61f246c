//! Majority arithmetic: vote counting and the commit index from match indexes (§5.2, §5.3).

use crate::types::{LogIndex, NodeId};
use std::collections::BTreeSet;

/// Size of a majority of `voters` voting members: ⌊n/2⌋ + 1.
pub fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// Outcome of an election from the votes seen so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult {
    /// A majority granted.
    Won,
    /// A majority denied: this election cannot be won.
    Lost,
    /// Neither yet.
    Pending,
}

/// The set of just `id` (a candidate's own vote). Built by `insert`: `BTreeSet::from([id])`
/// links a bulk-building and sorting copy of the B-tree code into the web app for one element.
pub(crate) fn just(id: NodeId) -> BTreeSet<NodeId> {
    let mut set = BTreeSet::new();
    set.insert(id);
    set
}

/// Counts votes among `voters`; votes from non-voters are ignored.
pub fn vote_result(
    voters: &BTreeSet<NodeId>,
    granted: &BTreeSet<NodeId>,
    denied: &BTreeSet<NodeId>,
) -> VoteResult {
    let need = majority(voters.len());
    let yes = granted.iter().filter(|id| voters.contains(id)).count();
    let no = denied.iter().filter(|id| voters.contains(id)).count();
    if yes >= need {
        VoteResult::Won
    } else if no >= need {
        VoteResult::Lost
    } else {
        VoteResult::Pending
    }
}

/// The `k`-th highest value (from 1) of `values`, which must hold at least `k` of them. An
/// insertion sort, highest first: there is one value per voter (a handful), and it keeps a std
/// sort routine out of the web app's download.
fn kth_highest<T: Copy + Ord>(mut values: Vec<T>, k: usize) -> T {
    for i in 1..values.len() {
        let mut j = i;
        while j > 0 && values[j - 1] < values[j] {
            values.swap(j - 1, j);
            j -= 1;
        }
    }
    values[k - 1]
}

/// The highest index stored on a majority, given every voter's match index: the median-like
/// order statistic that Figure 2's leader rule ("a majority of matchIndex\[i\] ≥ N") describes.
/// Returns `LogIndex(0)` for an empty input.
pub fn committed_index(match_indexes: Vec<LogIndex>) -> LogIndex {
    if match_indexes.is_empty() {
        return LogIndex(0);
    }
    let k = majority(match_indexes.len());
    kth_highest(match_indexes, k)
}

/// CheckQuorum's order statistic (dissertation §6.2): given, for every voter, the last time
/// (virtual ms) the leader heard from it (its own entry being the current time), the latest
/// time by which a majority had all been heard from. Returns 0 for an empty input.
pub fn quorum_contact_ms(heard_ms: Vec<u64>) -> u64 {
    if heard_ms.is_empty() {
        return 0;
    }
    let k = majority(heard_ms.len());
    kth_highest(heard_ms, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u64]) -> BTreeSet<NodeId> {
        v.iter().map(|&i| NodeId(i)).collect()
    }

    #[test]
    fn majority_sizes() {
        assert_eq!(majority(1), 1);
        assert_eq!(majority(2), 2);
        assert_eq!(majority(3), 2);
        assert_eq!(majority(4), 3);
        assert_eq!(majority(5), 3);
        assert_eq!(majority(9), 5);
    }

    #[test]
    fn votes() {
        let voters = ids(&[1, 2, 3, 4, 5]);
        assert_eq!(
            vote_result(&voters, &ids(&[1, 2]), &ids(&[])),
            VoteResult::Pending
        );
        assert_eq!(
            vote_result(&voters, &ids(&[1, 2, 3]), &ids(&[])),
            VoteResult::Won
        );
        assert_eq!(
            vote_result(&voters, &ids(&[1]), &ids(&[2, 3, 4])),
            VoteResult::Lost
        );
        // Votes from outside the configuration do not count.
        assert_eq!(
            vote_result(&voters, &ids(&[1, 2, 9]), &ids(&[])),
            VoteResult::Pending
        );
    }

    #[test]
    fn committed_index_is_the_majority_order_statistic() {
        let l = |v: &[u64]| v.iter().map(|&i| LogIndex(i)).collect::<Vec<_>>();
        assert_eq!(committed_index(l(&[5, 5, 5])), LogIndex(5));
        assert_eq!(committed_index(l(&[7, 3, 5])), LogIndex(5));
        assert_eq!(committed_index(l(&[7, 1, 2, 3, 9])), LogIndex(3));
        assert_eq!(committed_index(l(&[4, 2])), LogIndex(2));
        assert_eq!(committed_index(l(&[4])), LogIndex(4));
        assert_eq!(committed_index(vec![]), LogIndex(0));
        // Same as sorting with std, on many small inputs with repeats.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 1..=12 {
            for _ in 0..200 {
                let v: Vec<LogIndex> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        LogIndex(x % 8)
                    })
                    .collect();
                let mut sorted = v.clone();
                sorted.sort_unstable_by(|a, b| b.cmp(a));
                assert_eq!(committed_index(v), sorted[majority(len) - 1]);
            }
        }
    }

    #[test]
    fn quorum_contact_is_the_majority_th_latest() {
        // Leader (now = 100) heard from 2 at 90, 3 at 40, 4 and 5 at 10: a majority of 5
        // (itself, 2, 3) was last all heard from at 40.
        assert_eq!(quorum_contact_ms(vec![100, 90, 40, 10, 10]), 40);
        // Three voters: itself plus the most recent follower.
        assert_eq!(quorum_contact_ms(vec![100, 5, 70]), 70);
        // Alone, it is its own majority.
        assert_eq!(quorum_contact_ms(vec![100]), 100);
        assert_eq!(quorum_contact_ms(vec![]), 0);
    }
}
