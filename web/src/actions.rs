//! The node actions table: one list drives the click menu, the keyboard shortcuts and the
//! help text, so the three can never disagree.

use raft_core::sim::{Action, NodeStatus};
use raft_core::{NodeId, RoleKind};

/// Something the user can do to one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeActionKind {
    /// Crash the node (it keeps only its persistent state).
    Crash,
    /// Restart a crashed node from its persistent state.
    Restart,
    /// Make the node's election timer fire now.
    Timeout,
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
pub const NODE_ACTIONS: [NodeActionSpec; 3] = [
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
];

impl NodeActionKind {
    /// Its row of [`NODE_ACTIONS`].
    pub fn spec(self) -> &'static NodeActionSpec {
        match self {
            NodeActionKind::Crash => &NODE_ACTIONS[0],
            NodeActionKind::Restart => &NODE_ACTIONS[1],
            NodeActionKind::Timeout => &NODE_ACTIONS[2],
        }
    }

    /// The simulator action for node `id`.
    pub fn to_action(self, id: NodeId) -> Action {
        match self {
            NodeActionKind::Crash => Action::Crash(id),
            NodeActionKind::Restart => Action::Restart(id),
            NodeActionKind::Timeout => Action::Timeout(id),
        }
    }

    /// Why it cannot be applied to a node with this status and role (`role` is ignored while
    /// crashed), or `None` if it can.
    pub fn unavailable_because(self, status: NodeStatus, role: RoleKind) -> Option<&'static str> {
        match (self, status) {
            (NodeActionKind::Crash, NodeStatus::Crashed) => Some("the node is already crashed"),
            (NodeActionKind::Restart, NodeStatus::Up) => {
                Some("the node is running; only a crashed node can be restarted")
            }
            (NodeActionKind::Timeout, NodeStatus::Crashed) => {
                Some("a crashed node has no timers; restart it first")
            }
            (NodeActionKind::Timeout, NodeStatus::Up) if role == RoleKind::Leader => {
                Some("a leader has no election timer; it sends heartbeats instead")
            }
            _ => None,
        }
    }

    /// Whether it can be applied to a node with this status and role.
    pub fn applies_to(self, status: NodeStatus, role: RoleKind) -> bool {
        self.unavailable_because(status, role).is_none()
    }

    /// The tooltip of its button: what it does, and why it is disabled when it is.
    pub fn title(self, status: NodeStatus, role: RoleKind) -> String {
        let help = self.spec().help;
        match self.unavailable_because(status, role) {
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
        assert_eq!(NodeActionKind::from_key("x"), None);
        assert_eq!(NodeActionKind::from_key("Escape"), None);
        assert_eq!(NodeActionKind::from_key(""), None);
        assert_eq!(
            NodeActionKind::Restart.to_action(NodeId(3)),
            Action::Restart(NodeId(3))
        );
    }

    #[test]
    fn applicability_follows_status_and_role() {
        use NodeActionKind::{Crash, Restart, Timeout};
        use NodeStatus::{Crashed, Up};
        use RoleKind::{Candidate, Follower, Leader};
        assert!(Crash.applies_to(Up, Leader));
        assert!(!Crash.applies_to(Crashed, Follower));
        assert!(Restart.applies_to(Crashed, Follower));
        assert!(!Restart.applies_to(Up, Follower));
        assert!(Timeout.applies_to(Up, Follower) && Timeout.applies_to(Up, Candidate));
        assert!(!Timeout.applies_to(Up, Leader));
        assert!(!Timeout.applies_to(Crashed, Follower));
        // Every disabled action says why in its tooltip; enabled ones do not.
        for spec in &NODE_ACTIONS {
            for status in [Up, Crashed] {
                for role in [Follower, Candidate, Leader] {
                    let title = spec.kind.title(status, role);
                    assert!(title.starts_with(spec.help));
                    assert_eq!(
                        title.contains("Not available: "),
                        !spec.kind.applies_to(status, role)
                    );
                }
            }
        }
        assert!(
            Timeout
                .title(Up, Leader)
                .ends_with("a leader has no election timer; it sends heartbeats instead.")
        );
        assert_eq!(
            shortcut_help(),
            "c crash · r restart · t force election timeout"
        );
    }
}
