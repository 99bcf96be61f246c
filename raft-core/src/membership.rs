//! Cluster membership: who votes and who only receives the log (dissertation §4.1, §4.2.1).
//!
//! A configuration is kept in the log as a [`crate::Command::Config`] entry and takes effect
//! on a server as soon as the entry is in its log, committed or not (§4.1: "a server always
//! uses the latest configuration in its log"). If the entry is later removed by a conflicting
//! AppendEntries, the server falls back to the previous configuration in its log, or to the
//! one its persistent state started from ([`crate::PersistentState::membership`]).
//!
//! Changes are single-server (§4.1): each configuration entry differs from the one before it by
//! one server, which makes any majority of the old configuration overlap any majority of the
//! new one, so no joint consensus is needed. A new server first joins as a learner, a
//! non-voting member that receives the log but counts toward no majority (§4.2.1), and
//! becomes a voter in a second change once it has caught up.

use crate::quorum::majority;
use crate::types::NodeId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// One cluster configuration: voters count toward elections and commitment; learners only
/// receive the log. A server is never both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// Voting members.
    pub voters: BTreeSet<NodeId>,
    /// Non-voting members catching up before they become voters (dissertation §4.2.1).
    #[serde(default)]
    pub learners: BTreeSet<NodeId>,
}

/// What a single-server change does (dissertation §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipChange {
    /// Add a new server as a learner.
    AddLearner(NodeId),
    /// Make a learner a voter.
    Promote(NodeId),
    /// Remove a voter or a learner.
    Remove(NodeId),
}

impl Membership {
    /// A configuration of `voters` and no learners.
    pub fn new(voters: impl IntoIterator<Item = NodeId>) -> Self {
        Membership {
            voters: voters.into_iter().collect(),
            learners: BTreeSet::new(),
        }
    }

    /// Whether `id` is a voter.
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id)
    }

    /// Whether `id` is a learner.
    pub fn is_learner(&self, id: NodeId) -> bool {
        self.learners.contains(&id)
    }

    /// Whether `id` is a voter or a learner.
    pub fn contains(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.is_learner(id)
    }

    /// Every member, voters and learners, in id order.
    pub fn members(&self) -> impl Iterator<Item = NodeId> + '_ {
        let mut v = self.voters.iter().peekable();
        let mut l = self.learners.iter().peekable();
        std::iter::from_fn(move || match (v.peek(), l.peek()) {
            (Some(a), Some(b)) if a < b => v.next().copied(),
            (Some(_), Some(_)) | (None, Some(_)) => l.next().copied(),
            (Some(_), None) => v.next().copied(),
            (None, None) => None,
        })
    }

    /// Size of a majority of the voters: ⌊n/2⌋ + 1.
    pub fn majority(&self) -> usize {
        majority(self.voters.len())
    }

    /// The configuration after `change`.
    ///
    /// # Errors
    /// [`MembershipError`] if the change is not possible from this configuration: adding a
    /// member, promoting a non-learner, removing a non-member or the last voter.
    pub fn apply(&self, change: MembershipChange) -> Result<Membership, MembershipError> {
        let mut next = self.clone();
        match change {
            MembershipChange::AddLearner(id) => {
                if self.contains(id) {
                    return Err(MembershipError::AlreadyMember(id));
                }
                next.learners.insert(id);
            }
            MembershipChange::Promote(id) => {
                if !next.learners.remove(&id) {
                    return Err(MembershipError::NotALearner(id));
                }
                next.voters.insert(id);
            }
            MembershipChange::Remove(id) => {
                if next.learners.remove(&id) {
                    return Ok(next);
                }
                if !self.is_voter(id) {
                    return Err(MembershipError::NotAMember(id));
                }
                if self.voters.len() == 1 {
                    return Err(MembershipError::LastVoter(id));
                }
                next.voters.remove(&id);
            }
        }
        Ok(next)
    }
}

impl fmt::Display for Membership {
    /// `{1,2,3}`, followed by ` + learner {4}` when there are learners.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn set(f: &mut fmt::Formatter<'_>, ids: &BTreeSet<NodeId>) -> fmt::Result {
            f.write_str("{")?;
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{id}")?;
            }
            f.write_str("}")
        }
        set(f, &self.voters)?;
        if !self.learners.is_empty() {
            f.write_str(if self.learners.len() == 1 {
                " + learner "
            } else {
                " + learners "
            })?;
            set(f, &self.learners)?;
        }
        Ok(())
    }
}

/// Why a membership change is impossible from the current configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MembershipError {
    /// The server is already a voter or a learner.
    AlreadyMember(NodeId),
    /// Only a learner can be promoted to voter.
    NotALearner(NodeId),
    /// The server is not in the configuration.
    NotAMember(NodeId),
    /// Removing the only voter would leave a cluster that can never elect a leader.
    LastVoter(NodeId),
}

impl fmt::Display for MembershipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MembershipError::AlreadyMember(id) => write!(f, "Node {id} is already a member"),
            MembershipError::NotALearner(id) => write!(f, "Node {id} is not a learner"),
            MembershipError::NotAMember(id) => {
                write!(f, "Node {id} is not a member of the cluster")
            }
            MembershipError::LastVoter(id) => {
                write!(f, "Node {id} is the last voter and cannot be removed")
            }
        }
    }
}

impl std::error::Error for MembershipError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u64]) -> BTreeSet<NodeId> {
        v.iter().map(|&i| NodeId(i)).collect()
    }

    #[test]
    fn a_new_server_joins_as_learner_then_votes() {
        let c = Membership::new([NodeId(1), NodeId(2), NodeId(3)]);
        let l = c.apply(MembershipChange::AddLearner(NodeId(4))).unwrap();
        assert_eq!(l.voters, ids(&[1, 2, 3]));
        assert_eq!(l.learners, ids(&[4]));
        assert_eq!(l.majority(), 2, "a learner counts toward no majority");
        assert_eq!(l.to_string(), "{1,2,3} + learner {4}");
        let v = l.apply(MembershipChange::Promote(NodeId(4))).unwrap();
        assert_eq!(v.voters, ids(&[1, 2, 3, 4]));
        assert!(v.learners.is_empty());
        assert_eq!(v.majority(), 3);
        assert_eq!(v.to_string(), "{1,2,3,4}");
    }

    #[test]
    fn impossible_changes_are_refused() {
        let c = Membership::new([NodeId(1), NodeId(2)]);
        assert_eq!(
            c.apply(MembershipChange::AddLearner(NodeId(2))),
            Err(MembershipError::AlreadyMember(NodeId(2)))
        );
        assert_eq!(
            c.apply(MembershipChange::Promote(NodeId(2))),
            Err(MembershipError::NotALearner(NodeId(2)))
        );
        assert_eq!(
            c.apply(MembershipChange::Remove(NodeId(5))),
            Err(MembershipError::NotAMember(NodeId(5)))
        );
        let one = c.apply(MembershipChange::Remove(NodeId(1))).unwrap();
        assert_eq!(
            one.apply(MembershipChange::Remove(NodeId(2))),
            Err(MembershipError::LastVoter(NodeId(2)))
        );
    }

    #[test]
    fn members_interleaves_voters_and_learners_in_id_order() {
        let c = Membership {
            voters: ids(&[1, 3, 6]),
            learners: ids(&[2, 7]),
        };
        let all: Vec<u64> = c.members().map(|n| n.0).collect();
        assert_eq!(all, [1, 2, 3, 6, 7]);
        let l = c.apply(MembershipChange::Remove(NodeId(2))).unwrap();
        assert_eq!(l.learners, ids(&[7]));
    }
}
