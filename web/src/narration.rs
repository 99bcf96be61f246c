//! The screen-reader narration: the text of the page's `aria-live="polite"` region, made from
//! the key events of the trace (a leader elected, a node crashed, restarted, paused or resumed,
//! partitions and heals, members joining or leaving, entries committed).
//!
//! Like [`crate::trace_cache::TraceCache`], [`Narrator::sync`] only looks at the events added
//! since its last call. Commits come often (every client request, at up to 100× speed), so
//! they are summarised ("Committed up to index 12.") and announced at most once per
//! [`COMMIT_EVERY_WALL_MS`] of wall time while the run plays; after a user action (a step, a
//! crash) they are announced at once.

use raft_core::NodeEvent;
use raft_core::sim::{Simulation, TraceKind};
use yew::AttrValue;

/// Least wall time (ms) between two commit announcements while the run plays.
pub const COMMIT_EVERY_WALL_MS: f64 = 1000.0;
/// Sentences one announcement holds at most (the rest are counted).
pub const MAX_SENTENCES: usize = 3;

/// The live region's text and what it has read of the trace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Narrator {
    /// Trace events looked at.
    seen: usize,
    /// The highest commit index any node reached that was announced or is pending.
    committed: u64,
    /// A commit index not announced yet (held back by the throttle).
    pending_commit: Option<u64>,
    /// Wall time of the last commit announcement.
    last_commit_wall_ms: Option<f64>,
    /// Flipped on every announcement, so that the same words twice still change the text.
    flip: bool,
    /// The current announcement.
    pub text: AttrValue,
}

/// Whether `kind` is worth announcing (in the event log's own words, [`raft_core::sim::TraceEvent::message`]).
fn announce(kind: &TraceKind) -> bool {
    match kind {
        TraceKind::Node { event, .. } => matches!(
            event,
            NodeEvent::BecameLeader { .. }
                | NodeEvent::QuorumLost { .. }
                | NodeEvent::MemberJoined { .. }
                | NodeEvent::MemberRemoved { .. }
        ),
        TraceKind::Crashed { .. }
        | TraceKind::Restarted { .. }
        | TraceKind::Paused { .. }
        | TraceKind::Resumed { .. }
        | TraceKind::Partitioned { .. }
        | TraceKind::Isolated { .. }
        | TraceKind::Healed
        | TraceKind::NodeAdded { .. }
        | TraceKind::NodeDismissed { .. } => true,
        _ => false,
    }
}

impl Narrator {
    /// Takes in the events added to `sim`'s trace since the last call and updates
    /// [`Narrator::text`]. `wall_ms` is the frame's wall time while the run plays (commits are
    /// then throttled), `None` after a user action (everything is announced at once). A trace
    /// shorter than before (a new run, or time travel to an earlier moment) starts over from
    /// its end without announcing the past.
    pub fn sync(&mut self, sim: &Simulation, wall_ms: Option<f64>) {
        let events = sim.trace().events();
        if events.len() < self.seen {
            self.seen = events.len();
            self.committed = sim
                .nodes()
                .filter_map(|n| n.raft())
                .map(|r| r.commit_index().0)
                .max()
                .unwrap_or(0);
            self.pending_commit = None;
            return;
        }
        let mut sentences: Vec<String> = Vec::new();
        let mut more = 0usize;
        for e in &events[self.seen..] {
            if let TraceKind::Node {
                event: NodeEvent::CommitAdvanced { commit_index },
                ..
            } = &e.kind
            {
                if commit_index.0 > self.committed {
                    self.committed = commit_index.0;
                    self.pending_commit = Some(commit_index.0);
                }
            } else if announce(&e.kind) {
                if sentences.len() < MAX_SENTENCES {
                    sentences.push(e.message());
                } else {
                    more += 1;
                }
            }
        }
        self.seen = events.len();
        let commit_due = match (wall_ms, self.last_commit_wall_ms) {
            (Some(now), Some(last)) => now - last >= COMMIT_EVERY_WALL_MS || now < last,
            _ => true,
        };
        let commit = match self.pending_commit {
            Some(index) if commit_due => {
                self.pending_commit = None;
                self.last_commit_wall_ms = wall_ms;
                Some(index)
            }
            _ => None,
        };
        if sentences.is_empty() && commit.is_none() {
            return;
        }
        let mut text = String::new();
        for s in &sentences {
            text.push_str(s);
            text.push_str(". ");
        }
        if more > 0 {
            text.push_str(&format!("And {more} more events. "));
        }
        if let Some(index) = commit {
            text.push_str(&format!("Committed up to index {index}."));
        }
        text.truncate(text.trim_end().len());
        self.flip = !self.flip;
        if self.flip {
            text.push('\u{a0}');
        }
        self.text = AttrValue::from(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::NodeId;
    use raft_core::sim::{Action, SimConfig};

    #[test]
    fn announces_the_leader_crashes_and_throttled_commits() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut n = Narrator::default();
        n.sync(&sim, Some(0.0));
        assert_eq!(n.text.as_str(), "");
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        n.sync(&sim, Some(1.0));
        let leader = sim.leader().expect("leader");
        assert!(
            n.text.contains(&format!("Node {leader} won election")),
            "{}",
            n.text
        );
        // The no-op commits; a commit announcement 100 ms (wall) after the previous one
        // waits, then comes once a second has passed.
        sim.run_for(10_000);
        n.sync(&sim, Some(50.0));
        assert!(n.text.contains("Committed up to index 1"), "{}", n.text);
        sim.apply(Action::Submit(raft_core::Command::Add { a: 1, b: 2 }))
            .expect("submit");
        sim.run_for(20_000);
        let before = n.text.clone();
        n.sync(&sim, Some(150.0));
        assert_eq!(n.text, before, "throttled");
        n.sync(&sim, Some(1_100.0));
        assert!(n.text.contains("Committed up to index 2"), "{}", n.text);
        // A user action is announced at once, commits included.
        let f = sim
            .nodes()
            .map(|x| x.id())
            .find(|&i| i != leader)
            .expect("a follower");
        sim.apply(Action::Crash(f)).expect("crash");
        n.sync(&sim, None);
        assert!(
            n.text.starts_with(&format!("Node {f} crashed")),
            "{}",
            n.text
        );
        // The same words twice still change the region's text.
        sim.apply(Action::HealAll).expect("heal");
        n.sync(&sim, None);
        let first = n.text.clone();
        sim.apply(Action::HealAll).expect("heal");
        n.sync(&sim, None);
        assert_ne!(n.text, first);
        assert_eq!(
            n.text.trim_end_matches('\u{a0}'),
            first.trim_end_matches('\u{a0}')
        );
        assert!(first.trim_end_matches('\u{a0}').ends_with('.'), "{first}");
    }

    #[test]
    fn partitions_are_told_and_a_flood_is_summarised() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut n = Narrator::default();
        n.sync(&sim, None);
        sim.apply(Action::Partition(vec![vec![NodeId(1), NodeId(2)]]))
            .expect("partition");
        n.sync(&sim, None);
        assert!(n.text.starts_with("Network partitioned"), "{}", n.text);
        for id in 1..=5 {
            sim.apply(Action::Crash(NodeId(id))).expect("crash");
        }
        n.sync(&sim, None);
        assert!(
            n.text
                .trim_end_matches('\u{a0}')
                .ends_with("And 2 more events."),
            "{}",
            n.text
        );
    }

    #[test]
    fn a_shorter_trace_starts_over_silently() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut n = Narrator::default();
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        sim.run_for(10_000);
        n.sync(&sim, None);
        let said = n.text.clone();
        let fresh = Simulation::new(SimConfig::default()).expect("valid");
        n.sync(&fresh, None);
        assert_eq!(n.text, said, "nothing new is announced");
        assert_eq!(n.seen, fresh.trace().events().len());
    }
}
