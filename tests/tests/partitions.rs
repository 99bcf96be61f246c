//! Protocol scenarios over partitions with the default configuration (no PreVote, no
//! CheckQuorum): a leader cut off in a minority keeps leading a term nobody else is in, and an
//! isolated follower's ever-growing term disrupts the cluster when it comes back. Both are the
//! behaviours of plain Raft (Figure 2) that the optional guards exist to change.

use raft_core::sim::{Action, Simulation, TraceKind};
use raft_core::{Command, Entry, LogIndex, NodeEvent, NodeId, RoleKind, Term};
use raftlab_tests::{check_logs, leaders_by_term, role, run_until_stable_leader, sim};

fn add(a: i64) -> Action {
    Action::Submit(Command::Add { a, b: 1 })
}

fn term(s: &Simulation, id: NodeId) -> Term {
    s.node(id).expect("a node").current_term()
}

fn log(s: &Simulation, id: NodeId) -> &raft_core::Log {
    s.node(id).and_then(|n| n.raft()).expect("running").log()
}

fn commit(s: &Simulation, id: NodeId) -> LogIndex {
    s.node(id)
        .and_then(|n| n.raft())
        .expect("running")
        .commit_index()
}

/// The committed prefix of a node's log.
fn committed(s: &Simulation, id: NodeId) -> Vec<Entry> {
    log(s, id)
        .entries()
        .slice(..commit(s, id).0 as usize)
        .to_vec()
}

fn others(s: &Simulation, except: &[NodeId]) -> Vec<NodeId> {
    s.nodes()
        .map(|n| n.id())
        .filter(|id| !except.contains(id))
        .collect()
}

/// Whether every node runs with the same log, fully committed.
fn converged(s: &Simulation) -> bool {
    let Some(first) = s.nodes().next().and_then(|n| n.raft()).map(|r| r.log()) else {
        return false;
    };
    s.nodes().all(|n| {
        n.raft()
            .is_some_and(|r| r.log() == first && r.commit_index() == first.last_index())
    })
}

/// Whether `id` went from leader to follower at or after trace position `since`.
fn stepped_down_since(s: &Simulation, id: NodeId, since: usize) -> bool {
    s.trace().events()[since..].iter().any(|e| {
        matches!(
            &e.kind,
            TraceKind::Node {
                node,
                event: NodeEvent::BecameFollower {
                    from_role: RoleKind::Leader,
                    ..
                },
            } if *node == id
        )
    })
}

#[test]
fn a_leader_isolated_in_a_minority_leads_alone_until_healed_and_loses_its_uncommitted_entries() {
    let mut s = sim(21, 5);
    let old = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let old_term = term(&s, old);
    for i in 0..3 {
        s.apply(add(i)).unwrap();
    }
    assert!(s.run_until(120_000, converged));
    let committed_before = committed(&s, old);
    assert!(committed_before.len() >= 4, "no-op and three entries");

    let buddy = others(&s, &[old])[0];
    let majority = others(&s, &[old, buddy]);
    s.apply(Action::Partition(vec![vec![old, buddy]])).unwrap();
    let cut_at = s.now_ms();
    let len_before = log(&s, old).last_index();

    // The client reaches every node; requests that land on the old leader (directly, or
    // redirected there by a node that still believes in it) are appended there and stranded.
    let mut tries = 0;
    while log(&s, old).last_index() < LogIndex(len_before.0 + 2) && tries < 30 {
        s.apply(add(1_000 + tries)).unwrap();
        s.run_for(2_000);
        tries += 1;
    }
    let stranded: Vec<Entry> = log(&s, old)
        .entries()
        .slice(len_before.0 as usize..)
        .to_vec();
    assert!(
        stranded.len() >= 2,
        "entries were appended on the old leader"
    );
    assert!(stranded.iter().all(|e| e.term == old_term));

    // Five minutes of virtual time: it keeps believing it leads, and its partner follows it.
    let mut submitted = 0;
    while s.now_ms() < cut_at + 300_000 {
        if s.now_ms() >= cut_at + 60_000 + submitted * 20_000 && submitted < 5 {
            s.apply(add(2_000 + submitted as i64)).unwrap();
            submitted += 1;
        }
        s.step();
        assert_eq!(role(&s, old), Some(RoleKind::Leader), "at {}", s.now_ms());
        assert_eq!(term(&s, old), old_term);
        assert_eq!(term(&s, buddy), old_term);
        assert!(commit(&s, old) <= len_before, "a minority commits nothing");
    }
    let new = s.leader().expect("the majority elected a leader");
    assert!(majority.contains(&new));
    let new_term = term(&s, new);
    assert!(new_term > old_term);
    assert_eq!(
        role(&s, old),
        Some(RoleKind::Leader),
        "two leaders at once, in different terms"
    );
    let committed_at_heal = committed(&s, new);
    assert!(committed_at_heal.starts_with(&committed_before));
    assert!(
        committed_at_heal
            .iter()
            .any(|e| e.term > old_term && matches!(e.command.operation(), Command::Add { .. })),
        "the majority committed new client entries"
    );

    let healed = s.trace().events().len();
    s.apply(Action::HealAll).unwrap();
    assert!(
        s.run_until(300_000, converged),
        "the cluster converges after healing"
    );
    assert!(stepped_down_since(&s, old, healed));
    assert!(term(&s, old) >= new_term);
    for n in s.nodes() {
        let l = n.raft().unwrap().log();
        assert!(
            l.entries().starts_with(&committed_at_heal),
            "Node {} kept every committed entry at its index",
            n.id()
        );
        for e in &stranded {
            assert_ne!(
                l.get(e.index),
                Some(e),
                "Node {}: the old leader's uncommitted entry {} survived",
                n.id(),
                e.index
            );
        }
    }
    let applied: Vec<(NodeId, LogIndex)> = s
        .trace()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Applied { node, index, .. } => Some((node, index)),
            _ => None,
        })
        .collect();
    for e in &stranded {
        for (node, index) in &applied {
            if *index == e.index {
                let got = s.node(*node).unwrap().raft().unwrap().log().get(e.index);
                assert_ne!(got, Some(e), "a stranded entry was applied");
            }
        }
    }
    leaders_by_term(&s);
    check_logs(&s);
}

#[test]
fn an_isolated_follower_keeps_raising_its_term_and_disrupts_the_leader_when_healed() {
    let mut s = sim(22, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let leader_term = term(&s, leader);
    let f = others(&s, &[leader])[0];
    s.apply(Action::Isolate(f)).unwrap();
    // Entries the isolated node misses: its log falls behind, so it cannot win after healing.
    for i in 0..3 {
        s.apply(add(i)).unwrap();
        s.run_for(5_000);
    }
    let mut terms = vec![term(&s, f)];
    for _ in 0..10 {
        s.run_for(30_000);
        terms.push(term(&s, f));
        assert_eq!(s.leader(), Some(leader), "the majority keeps its leader");
        assert_eq!(term(&s, leader), leader_term);
    }
    assert!(terms.is_sorted());
    let f_term = *terms.last().unwrap();
    assert!(
        f_term.0 >= leader_term.0 + 5,
        "its term climbed while isolated: {terms:?}"
    );
    assert_eq!(role(&s, f), Some(RoleKind::Candidate));
    let committed_before = committed(&s, leader);
    assert!(log(&s, f).last_index() < log(&s, leader).last_index());

    let healed = s.trace().events().len();
    s.apply(Action::HealAll).unwrap();
    let new = run_until_stable_leader(&mut s, 300_000).expect("a leader after healing");
    assert!(
        stepped_down_since(&s, leader, healed),
        "the higher term deposed a healthy leader"
    );
    assert!(
        term(&s, new) >= f_term,
        "a new election in a term above the disruptor's"
    );
    assert_ne!(new, f, "its log is behind, so it cannot win");
    assert!(s.trace().events()[healed..].iter().any(|e| matches!(
        &e.kind,
        TraceKind::Node {
            event: NodeEvent::BecameLeader { term, .. },
            ..
        } if *term >= f_term
    )));
    assert!(s.run_until(120_000, converged));
    assert!(committed(&s, f).starts_with(&committed_before));
    leaders_by_term(&s);
    check_logs(&s);
}
