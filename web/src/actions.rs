//! The node actions table: one list drives the click menu, the keyboard shortcuts and the
//! help text, so the three can never disagree.

use raft_core::sim::{Action, MemberKind, NodeStatus};
use raft_core::{NodeId, RoleKind};
use std::collections::BTreeSet;

/// Something the user can do to one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeActionKind {
    /// Crash the node (it keeps only its persistent state).
    Crash,
    /// Restart a crashed node from its persistent state.
    Restart,
    /// Make the node's election timer fire now.
    Timeout,
    /// Pause the node (it keeps its state but processes nothing).
    Pause,
    /// Resume a paused node.
    Resume,
    /// Cut the node, with the other nodes of the selected group, off from the rest.
    Partition,
    /// Restore every link.
    HealAll,
    /// Ask the leader to hand leadership to this node.
    TransferLeader,
    /// Ask the leader to take the node out of the configuration.
    Remove,
    /// Take a removed node off the drawing.
    Dismiss,
    /// Compact the node's log into a snapshot now (§7).
    Snapshot,
}

/// One row of the actions table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeActionSpec {
    /// The action.
    pub kind: NodeActionKind,
    /// The `data-action` attribute of its menu button (tests rely on it).
    pub data_action: &'static str,
    /// Button label, in ASCII (it is lower-cased with `to_ascii_lowercase`, which spares the
    /// download the Unicode case tables).
    pub label: &'static str,
    /// Keyboard shortcut (lower case).
    pub key: char,
    /// What it does, for the button's tooltip.
    pub help: &'static str,
}

/// Every node action, in menu order.
pub const NODE_ACTIONS: [NodeActionSpec; 11] = [
    NodeActionSpec {
        kind: NodeActionKind::Crash,
        data_action: "crash",
        label: "Crash",
        key: 'c',
        help: "Stop the node: it loses everything but its term, vote and log, and messages to it are lost",
    },
    NodeActionSpec {
        kind: NodeActionKind::Restart,
        data_action: "restart",
        label: "Restart",
        key: 'r',
        help: "Start the node again as a follower, from its saved term, vote and log",
    },
    NodeActionSpec {
        kind: NodeActionKind::Timeout,
        data_action: "timeout",
        label: "Force election timeout",
        key: 't',
        help: "Make the node's election timer fire now: it becomes a candidate and asks for votes",
    },
    NodeActionSpec {
        kind: NodeActionKind::Pause,
        data_action: "pause",
        label: "Pause node",
        key: 'p',
        help: "Freeze the node like a long garbage-collection pause: unlike a crash it keeps all its state, but it handles no message and no timer until resumed; messages wait for it",
    },
    NodeActionSpec {
        kind: NodeActionKind::Resume,
        data_action: "resume",
        label: "Resume node",
        key: 'u',
        help: "Unfreeze a paused node: it handles the messages that waited, and overdue timers fire (a paused leader learns it was replaced)",
    },
    NodeActionSpec {
        kind: NodeActionKind::Partition,
        data_action: "partition",
        label: "Partition away",
        key: 'i',
        help: "Cut every link between this node (plus the nodes shift-clicked into the group) and the rest of the cluster: a network partition",
    },
    NodeActionSpec {
        kind: NodeActionKind::HealAll,
        data_action: "heal-all",
        label: "Heal all links",
        key: 'h',
        help: "Restore every cut link and remove per-link settings: the partition ends",
    },
    NodeActionSpec {
        kind: NodeActionKind::TransferLeader,
        data_action: "transfer-leader",
        label: "Make leader",
        key: 'l',
        help: "Leadership transfer (\u{a7}3.10): the leader stops taking requests, brings this node's log up to date, then tells it to start an election at once (TimeoutNow), which it normally wins (not if it is cut off from the others)",
    },
    NodeActionSpec {
        kind: NodeActionKind::Remove,
        data_action: "remove",
        label: "Remove from cluster",
        key: 'x',
        help: "Membership change (\u{a7}4.1): the leader appends a configuration without this node, which takes effect at once; once it commits, the node no longer votes or gets entries. A removed leader steps down once the change commits, and the others elect a new one",
    },
    NodeActionSpec {
        kind: NodeActionKind::Dismiss,
        data_action: "dismiss",
        label: "Dismiss",
        key: 'd',
        help: "Take the removed node off the drawing: its server is shut down for good",
    },
    NodeActionSpec {
        kind: NodeActionKind::Snapshot,
        data_action: "snapshot",
        label: "Take snapshot now",
        key: 's',
        help: "Log compaction (\u{a7}7): the node replaces the entries it has applied with a snapshot of its state machine (register, sums, client sessions) and the configuration. A follower that later needs those entries gets the snapshot instead (InstallSnapshot)",
    },
];

/// Why "Take snapshot now" is disabled on a running node that applied nothing new.
pub const NOTHING_TO_COMPACT: &str =
    "the node has applied no entry since its last snapshot: there is nothing to compact";

impl NodeActionKind {
    /// Its row of [`NODE_ACTIONS`].
    pub fn spec(self) -> &'static NodeActionSpec {
        match self {
            NodeActionKind::Crash => &NODE_ACTIONS[0],
            NodeActionKind::Restart => &NODE_ACTIONS[1],
            NodeActionKind::Timeout => &NODE_ACTIONS[2],
            NodeActionKind::Pause => &NODE_ACTIONS[3],
            NodeActionKind::Resume => &NODE_ACTIONS[4],
            NodeActionKind::Partition => &NODE_ACTIONS[5],
            NodeActionKind::HealAll => &NODE_ACTIONS[6],
            NodeActionKind::TransferLeader => &NODE_ACTIONS[7],
            NodeActionKind::Remove => &NODE_ACTIONS[8],
            NodeActionKind::Dismiss => &NODE_ACTIONS[9],
            NodeActionKind::Snapshot => &NODE_ACTIONS[10],
        }
    }

    /// The simulator action for node `id`; `group` is the set of nodes the user shift-clicked
    /// (a partition puts `id` and `group` on one side).
    pub fn to_action(self, id: NodeId, group: &BTreeSet<NodeId>) -> Action {
        match self {
            NodeActionKind::Crash => Action::Crash(id),
            NodeActionKind::Restart => Action::Restart(id),
            NodeActionKind::Timeout => Action::Timeout(id),
            NodeActionKind::Pause => Action::Pause(id),
            NodeActionKind::Resume => Action::Resume(id),
            NodeActionKind::Partition => {
                let mut side: BTreeSet<NodeId> = group.clone();
                side.insert(id);
                Action::Partition(vec![side.into_iter().collect()])
            }
            NodeActionKind::HealAll => Action::HealAll,
            NodeActionKind::TransferLeader => Action::TransferLeadership(id),
            NodeActionKind::Remove => Action::RemoveNode(id),
            NodeActionKind::Dismiss => Action::DismissNode(id),
            NodeActionKind::Snapshot => Action::Snapshot(id),
        }
    }

    /// Why it cannot be applied to a node with this status, role (ignored while crashed) and
    /// place in the configuration, or `None` if it can. The leader may still refuse a
    /// membership change (another one pending, the last voter): the notice then says why.
    pub fn unavailable_because(
        self,
        status: NodeStatus,
        role: RoleKind,
        member: MemberKind,
    ) -> Option<&'static str> {
        let voter = member == MemberKind::Voter;
        match (self, member) {
            (NodeActionKind::Remove, MemberKind::Removed) => {
                return Some("the node is not in the configuration any more");
            }
            (NodeActionKind::Remove, MemberKind::Joining) => {
                return Some("the node is not in the configuration yet");
            }
            (NodeActionKind::Dismiss, MemberKind::Removed) => return None,
            (NodeActionKind::Dismiss, _) => {
                return Some("only a node removed from the cluster can be dismissed");
            }
            (NodeActionKind::TransferLeader | NodeActionKind::Timeout, _) if !voter => {
                return Some("only a voter stands for election");
            }
            _ => {}
        }
        match (self, status) {
            (NodeActionKind::Crash, NodeStatus::Crashed) => Some("the node is already crashed"),
            (NodeActionKind::Restart, NodeStatus::Up) => {
                Some("the node is running; only a crashed node can be restarted")
            }
            (NodeActionKind::Restart, NodeStatus::Paused) => {
                Some("the node is paused, not crashed: resume it instead")
            }
            (NodeActionKind::Timeout, NodeStatus::Crashed) => {
                Some("a crashed node has no timers; restart it first")
            }
            (NodeActionKind::Timeout, NodeStatus::Paused) => {
                Some("a paused node processes nothing; resume it first")
            }
            (NodeActionKind::Pause, NodeStatus::Crashed) => {
                Some("a crashed node is already stopped; restart it first")
            }
            (NodeActionKind::Pause, NodeStatus::Paused) => Some("the node is already paused"),
            (NodeActionKind::Snapshot, NodeStatus::Crashed) => {
                Some("a crashed node does nothing; restart it first")
            }
            (NodeActionKind::Snapshot, NodeStatus::Paused) => {
                Some("a paused node processes nothing; resume it first")
            }
            (NodeActionKind::Resume, NodeStatus::Up | NodeStatus::Crashed) => {
                Some("only a paused node can be resumed")
            }
            (NodeActionKind::TransferLeader, NodeStatus::Crashed | NodeStatus::Paused) => {
                Some("only a running node can take over leadership")
            }
            (NodeActionKind::TransferLeader, NodeStatus::Up) if role == RoleKind::Leader => {
                Some("the node is already the leader")
            }
            (NodeActionKind::Timeout, NodeStatus::Up) if role == RoleKind::Leader => {
                Some("a leader has no election timer; it sends heartbeats instead")
            }
            _ => None,
        }
    }

    /// Whether it can be applied to a node with this status, role and membership.
    #[cfg(test)]
    pub fn applies_to(self, status: NodeStatus, role: RoleKind, member: MemberKind) -> bool {
        self.unavailable_because(status, role, member).is_none()
    }

    /// The tooltip of its button: what it does, and why it is disabled when it is.
    #[cfg(test)]
    pub fn title(self, status: NodeStatus, role: RoleKind, member: MemberKind) -> String {
        self.title_because(self.unavailable_because(status, role, member))
    }

    /// The tooltip of its button, disabled for `why` (or enabled for `None`).
    pub fn title_because(self, why: Option<&str>) -> String {
        let help = self.spec().help;
        match why {
            Some(why) => format!("{help}. Not available: {why}."),
            None => format!("{help}."),
        }
    }

    /// The action bound to a key (case-insensitive), if any.
    pub fn from_key(key: &str) -> Option<NodeActionKind> {
        let mut chars = key.chars();
        let c = chars.next()?.to_ascii_lowercase();
        if chars.next().is_some() {
            return None; // "Enter", "Escape", ...
        }
        NODE_ACTIONS.iter().find(|a| a.key == c).map(|a| a.kind)
    }
}

/// The shortcut help line, e.g. `c crash · r restart · t force election timeout`.
pub fn shortcut_help() -> String {
    NODE_ACTIONS
        .iter()
        .map(|a| format!("{} {}", a.key, a.label.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for spec in &NODE_ACTIONS {
            assert_eq!(spec.kind.spec(), spec);
            assert!(spec.label.is_ascii(), "{}", spec.label);
            assert_eq!(
                NodeActionKind::from_key(&spec.key.to_string()),
                Some(spec.kind)
            );
            assert_eq!(
                NodeActionKind::from_key(&spec.key.to_ascii_uppercase().to_string()),
                Some(spec.kind)
            );
        }
        let mut keys: Vec<char> = NODE_ACTIONS.iter().map(|a| a.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), NODE_ACTIONS.len());
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(NodeActionKind::from_key("c"), Some(NodeActionKind::Crash));
        assert_eq!(NodeActionKind::from_key("q"), None);
        assert_eq!(NodeActionKind::from_key("Escape"), None);
        assert_eq!(NodeActionKind::from_key(""), None);
        let none = BTreeSet::new();
        assert_eq!(
            NodeActionKind::Restart.to_action(NodeId(3), &none),
            Action::Restart(NodeId(3))
        );
        let group: BTreeSet<NodeId> = [NodeId(4), NodeId(1)].into_iter().collect();
        assert_eq!(
            NodeActionKind::Partition.to_action(NodeId(3), &group),
            Action::Partition(vec![vec![NodeId(1), NodeId(3), NodeId(4)]])
        );
    }

    #[test]
    fn applicability_follows_status_and_role() {
        use MemberKind::Voter as V;
        use NodeActionKind::{Crash, Pause, Restart, Resume, Timeout};
        use NodeStatus::{Crashed, Paused, Up};
        use RoleKind::{Candidate, Follower, Leader};
        assert!(Crash.applies_to(Up, Leader, V));
        assert!(!Crash.applies_to(Crashed, Follower, V));
        assert!(Restart.applies_to(Crashed, Follower, V));
        assert!(!Restart.applies_to(Up, Follower, V));
        assert!(Timeout.applies_to(Up, Follower, V) && Timeout.applies_to(Up, Candidate, V));
        assert!(!Timeout.applies_to(Up, Leader, V));
        assert!(!Timeout.applies_to(Crashed, Follower, V));
        assert!(!Timeout.applies_to(Paused, Follower, V));
        assert!(Pause.applies_to(Up, Leader, V) && !Pause.applies_to(Paused, Leader, V));
        assert!(Resume.applies_to(Paused, Leader, V) && !Resume.applies_to(Up, Leader, V));
        assert!(Crash.applies_to(Paused, Follower, V) && !Restart.applies_to(Paused, Follower, V));
        // Every disabled action says why in its tooltip; enabled ones do not.
        for spec in &NODE_ACTIONS {
            for status in [Up, Paused, Crashed] {
                for role in [Follower, Candidate, Leader] {
                    let title = spec.kind.title(status, role, V);
                    assert!(title.starts_with(spec.help));
                    assert_eq!(
                        title.contains("Not available: "),
                        !spec.kind.applies_to(status, role, V)
                    );
                }
            }
        }
        assert!(
            Timeout
                .title(Up, Leader, V)
                .ends_with("a leader has no election timer; it sends heartbeats instead.")
        );
        assert_eq!(
            shortcut_help(),
            "c crash · r restart · t force election timeout · p pause node · u resume node · i partition away · h heal all links · l make leader · x remove from cluster · d dismiss · s take snapshot now"
        );
    }

    #[test]
    fn snapshots_need_a_running_node() {
        use NodeActionKind::Snapshot;
        use NodeStatus::{Crashed, Paused, Up};
        let v = MemberKind::Voter;
        assert_eq!(
            Snapshot.to_action(NodeId(2), &BTreeSet::new()),
            Action::Snapshot(NodeId(2))
        );
        assert!(Snapshot.applies_to(Up, RoleKind::Leader, v));
        assert!(Snapshot.applies_to(Up, RoleKind::Follower, MemberKind::Learner));
        assert!(!Snapshot.applies_to(Crashed, RoleKind::Follower, v));
        assert!(!Snapshot.applies_to(Paused, RoleKind::Follower, v));
        assert!(
            Snapshot
                .title_because(Some(NOTHING_TO_COMPACT))
                .ends_with("there is nothing to compact.")
        );
    }

    #[test]
    fn membership_actions_follow_the_configuration() {
        use MemberKind::{Joining, Learner, Removed, Voter};
        use NodeActionKind::{Crash, Dismiss, Remove, Timeout, TransferLeader};
        use NodeStatus::{Crashed, Up};
        use RoleKind::{Follower, Leader};
        let none = BTreeSet::new();
        assert_eq!(
            Remove.to_action(NodeId(2), &none),
            Action::RemoveNode(NodeId(2))
        );
        assert_eq!(
            Dismiss.to_action(NodeId(2), &none),
            Action::DismissNode(NodeId(2))
        );
        // Voters and learners, running or crashed, the leader included, can be removed.
        for member in [Voter, Learner] {
            assert!(Remove.applies_to(Up, Follower, member));
            assert!(Remove.applies_to(Crashed, Follower, member));
        }
        assert!(Remove.applies_to(Up, Leader, Voter));
        assert!(!Remove.applies_to(Up, Follower, Removed));
        assert!(!Remove.applies_to(Up, Follower, Joining));
        // Only removed nodes can be dismissed, crashed or not.
        assert!(Dismiss.applies_to(Up, Follower, Removed));
        assert!(Dismiss.applies_to(Crashed, Follower, Removed));
        for member in [Voter, Learner, Joining] {
            assert!(!Dismiss.applies_to(Up, Follower, member));
        }
        // Non-voters never stand for election; crashing them is fine.
        for member in [Learner, Joining, Removed] {
            assert!(!Timeout.applies_to(Up, Follower, member));
            assert!(!TransferLeader.applies_to(Up, Follower, member));
            assert!(Crash.applies_to(Up, Follower, member));
        }
        assert!(
            Dismiss
                .title(Up, Follower, Voter)
                .ends_with("Not available: only a node removed from the cluster can be dismissed.")
        );
    }
}
