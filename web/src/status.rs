//! The sentences that sum up the cluster: the status line above the drawing and the caption
//! of the log grid. Pure functions of the simulation, tested natively.

use crate::log_grid::LogGrid;
use raft_core::RoleKind;
use raft_core::sim::{NodeStatus, Simulation};

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One sentence on the state of the cluster, above the drawing: who leads, or why nobody
/// does; the configuration's voters, majority and learners; stale leaders that still believe
/// they lead; crashed and paused nodes; cut links; messages in flight.
pub fn status_line(sim: &Simulation) -> String {
    // Majorities count the voters of the cluster's configuration (§4.1), not every node drawn.
    let config = sim.cluster_membership();
    let total = config.voters.len();
    let up = config
        .voters
        .iter()
        .filter(|&&id| sim.node(id).is_some_and(|n| n.status() == NodeStatus::Up))
        .count();
    let majority = config.majority();
    let too_few = format!("only {up} of {total} voters are up (a majority is {majority})");
    let candidates: Vec<String> = sim
        .nodes()
        .filter(|n| n.role() == Some(RoleKind::Candidate))
        .map(|n| format!("Node {}", n.id()))
        .collect();
    // Before the first leader it is "yet"; after a leader was lost, "right now". (Every new
    // leader writes a no-op to its log at once, so empty logs mean no leader ever.)
    let no_leader = if sim.nodes().all(|n| n.storage().log.last_index().0 == 0) {
        "No leader yet"
    } else {
        "No leader right now"
    };
    let mut parts = vec![match sim.leader() {
        Some(id) => {
            let term = sim.node(id).map_or(0, |n| n.current_term().0);
            if up < majority {
                format!("Leader: Node {id} (term {term}), but it cannot commit: {too_few}")
            } else {
                format!("Leader: Node {id} (term {term})")
            }
        }
        None if up < majority => format!("No leader can be elected: {too_few}"),
        None if !candidates.is_empty() => {
            format!("{no_leader}: {} asking for votes", candidates.join(", "))
        }
        None => format!("{no_leader}: waiting for an election timeout"),
    }];
    let mut members = format!("{}, majority {majority}", plural(total, "voter"));
    if !config.learners.is_empty() {
        members.push_str(" + ");
        members.push_str(&plural(config.learners.len(), "learner"));
    }
    parts.push(members);
    // Older leaders cut off from the newer one (§5.1: a server with a stale term does not
    // know it has been replaced until it hears a higher term).
    let stale: Vec<String> = sim
        .nodes()
        .filter(|n| n.role() == Some(RoleKind::Leader) && Some(n.id()) != sim.leader())
        .map(|n| format!("Node {} (term {})", n.id(), n.current_term()))
        .collect();
    if !stale.is_empty() {
        parts.push(format!("{} still believes it leads", stale.join(" and ")));
    }
    let crashed = sim
        .nodes()
        .filter(|n| n.status() == NodeStatus::Crashed)
        .count();
    if crashed > 0 {
        parts.push(format!("{} crashed", plural(crashed, "node")));
    }
    let paused = sim.nodes().filter(|n| n.is_paused()).count();
    if paused > 0 {
        parts.push(format!("{} paused", plural(paused, "node")));
    }
    let cut = sim.network().cut_links().count();
    if cut > 0 {
        parts.push(format!("{} cut", plural(cut, "link direction")));
    }
    parts.push(format!(
        "{} in flight",
        plural(sim.network().len(), "message")
    ));
    parts.join(" \u{00b7} ")
}

/// The caption of the log grid: the leader's commit index, and whether the gold line that
/// marks it is on screen.
pub fn log_caption(grid: &LogGrid) -> String {
    match grid.leader {
        Some((id, 0)) => format!("Leader Node {id} has not committed an entry of its term yet"),
        Some((id, commit)) if commit >= grid.first && commit <= grid.last => {
            format!("Leader Node {id} has committed up to index {commit} (gold line)")
        }
        Some((id, commit)) => format!("Leader Node {id} has committed up to index {commit}"),
        None => "No leader right now: nothing new can be committed.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log_grid::log_grid;
    use raft_core::NodeId;
    use raft_core::sim::{Action, SimConfig};

    fn sim(nodes: u64) -> Simulation {
        Simulation::new(SimConfig {
            node_count: nodes,
            ..SimConfig::default()
        })
        .expect("valid")
    }

    #[test]
    fn no_leader_without_a_majority() {
        let mut s = sim(5);
        assert!(status_line(&s).starts_with("No leader yet: waiting for an election timeout"));
        for id in 1..=3 {
            s.apply(Action::Crash(NodeId(id))).expect("crash");
        }
        let line = status_line(&s);
        assert!(
            line.starts_with(
                "No leader can be elected: only 2 of 5 voters are up (a majority is 3)"
            ),
            "{line}"
        );
        assert!(line.contains("3 nodes crashed"));
        assert!(line.contains(" · 5 voters, majority 3 · "), "{line}");
        for id in 4..=5 {
            s.apply(Action::Crash(NodeId(id))).expect("crash");
        }
        assert!(status_line(&s).starts_with("No leader can be elected: only 0 of 5"));
        s.apply(Action::Restart(NodeId(1))).expect("restart");
        s.apply(Action::Restart(NodeId(2))).expect("restart");
        s.apply(Action::Restart(NodeId(3))).expect("restart");
        assert!(status_line(&s).starts_with("No leader yet: waiting"));
    }

    #[test]
    fn leader_and_candidates() {
        let mut s = sim(3);
        s.apply(Action::Timeout(NodeId(2))).expect("timeout");
        assert!(status_line(&s).starts_with("No leader yet: Node 2 asking for votes"));
        assert!(s.run_until(120_000, |x| x.leader().is_some()));
        let leader = s.leader().expect("leader");
        let line = status_line(&s);
        assert!(
            line.starts_with(&format!("Leader: Node {leader} (term ")),
            "{line}"
        );
        // Just elected: the no-op of its term is not committed yet.
        let grid = log_grid(&s, 20);
        assert_eq!(
            log_caption(&grid),
            format!("Leader Node {leader} has not committed an entry of its term yet")
        );
        s.run_for(15_000);
        let grid = log_grid(&s, 20);
        assert!(log_caption(&grid).ends_with("has committed up to index 1 (gold line)"));
        // A leader left without a majority says it cannot commit.
        for n in s.nodes().map(|n| n.id()).collect::<Vec<_>>() {
            if n != leader {
                s.apply(Action::Crash(n)).expect("crash");
            }
        }
        assert!(status_line(&s).contains("but it cannot commit: only 1 of 3 voters are up"));
    }

    #[test]
    fn stale_leader_paused_nodes_and_cuts_are_named() {
        let mut s = crate::views::tests::sim_with_leader();
        let old = s.leader().expect("leader");
        s.apply(Action::Isolate(old)).expect("isolate");
        let other = s
            .nodes()
            .map(|n| n.id())
            .find(|&n| n != old)
            .expect("other");
        assert!(s.run_until(300_000, |x| x.leader().is_some_and(|l| l != old)));
        let line = status_line(&s);
        assert!(
            line.contains(&format!("Node {old} (term 1) still believes it leads")),
            "{line}"
        );
        assert!(line.contains("8 link directions cut"), "{line}");
        s.apply(Action::HealAll).expect("heal");
        s.apply(Action::Pause(other)).expect("pause");
        let line = status_line(&s);
        assert!(
            line.contains("1 node paused") && !line.contains("crashed"),
            "{line}"
        );
        assert!(!line.contains("cut"), "{line}");
    }

    #[test]
    fn the_configuration_in_the_status_line_follows_membership_changes() {
        let mut s = crate::views::tests::sim_with_leader();
        s.run_for(10_000);
        s.apply(Action::AddNode(NodeId(6))).expect("add");
        assert!(s.run_until(60_000, |x| !x.cluster_membership().learners.is_empty()));
        let line = status_line(&s);
        assert!(line.contains("5 voters, majority 3 + 1 learner"), "{line}");
        assert!(s.run_until(120_000, |x| x.cluster_membership().voters.len() == 6));
        assert!(status_line(&s).contains("6 voters, majority 4 · "));
    }

    #[test]
    fn caption_without_a_leader_or_with_the_line_off_screen() {
        let s = sim(3);
        assert_eq!(
            log_caption(&log_grid(&s, 20)),
            "No leader right now: nothing new can be committed."
        );
        let mut grid = log_grid(&s, 20);
        grid.first = 5;
        grid.last = 9;
        grid.leader = Some((1, 3));
        assert_eq!(
            log_caption(&grid),
            "Leader Node 1 has committed up to index 3"
        );
    }
}
