//! Log compaction and InstallSnapshot (§7 of the paper, Figure 13): a far-behind follower
//! catches up from the leader's snapshot, every node restarts from its snapshot without losing
//! anything committed, a divergent follower drops its stale suffix without looping, membership
//! survives in snapshots, and persistent state stays bounded.

use raft_core::sim::{
    Action, MemberKind, SafetyChecker, SimConfig, SimError, Simulation, TraceKind,
};
use raft_core::{
    Command, EntryId, LogIndex, MessageKind, NodeEvent, NodeId, RoleKind, SnapshotError,
};
use raftlab_tests::{check_logs, run_until_stable_leader};
use std::collections::BTreeSet;

fn id(i: u64) -> NodeId {
    NodeId(i)
}

fn add(a: i64) -> Action {
    Action::Submit(Command::Add { a, b: 1 })
}

fn sim(seed: u64, nodes: u64, threshold: Option<u64>) -> Simulation {
    Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        snapshot_threshold_entries: threshold,
        ..SimConfig::default()
    })
    .unwrap()
}

/// Submits `n` operations, a few at a time, and runs until the leader committed them all.
fn load(s: &mut Simulation, checker: &mut SafetyChecker, n: i64) {
    let leader = s.leader().expect("a leader");
    let target = s.node(leader).unwrap().raft().unwrap().commit_index().0 + n as u64;
    for i in 0..n {
        s.apply(add(i)).unwrap();
        if i % 4 == 3 {
            step_checked(s, checker, 2_000);
        }
    }
    let mut waited = 0;
    while s
        .leader()
        .and_then(|l| s.node(l)?.raft())
        .is_none_or(|r| r.commit_index().0 < target)
    {
        step_checked(s, checker, 5_000);
        waited += 5_000;
        assert!(waited < 2_000_000, "the load was committed");
    }
}

/// Runs `ms` of virtual time, checking every safety property after each event.
fn step_checked(s: &mut Simulation, checker: &mut SafetyChecker, ms: u64) {
    let end = s.now_ms() + ms;
    while s.next_event_ms().is_some_and(|t| t <= end) {
        s.step();
        if let Err(v) = checker.observe(s) {
            panic!("{v}");
        }
    }
    s.advance_to(end);
}

/// Every running node has the same last entry, commit index and state machine.
fn converged(s: &Simulation) -> bool {
    let Some(l) = s.leader().and_then(|l| s.node(l)) else {
        return false;
    };
    let lr = l.raft().unwrap();
    s.nodes().all(|n| {
        n.raft().is_some_and(|r| {
            r.commit_index() == lr.commit_index()
                && r.log().last_id() == lr.log().last_id()
                && r.commit_index() == r.log().last_index()
                && n.state_machine() == l.state_machine()
        })
    })
}

fn installs_to(s: &Simulation, to: NodeId) -> usize {
    s.trace()
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TraceKind::Sent {
                    kind: MessageKind::InstallSnapshot,
                    to: raft_core::sim::Endpoint::Node(t),
                    ..
                } if t == to
            )
        })
        .count()
}

/// A follower down while the leader compacted past its log catches up with InstallSnapshot,
/// then with AppendEntries, and ends with the leader's state machine.
#[test]
fn a_far_behind_follower_catches_up_through_install_snapshot() {
    let mut s = sim(1, 3, Some(20));
    let mut checker = SafetyChecker::new();
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let follower = (1..=3).map(id).find(|&n| n != leader).unwrap();
    s.apply(Action::Crash(follower)).unwrap();
    load(&mut s, &mut checker, 60);
    let leader_log = s.node(leader).unwrap().raft().unwrap().log();
    let compacted = leader_log.snapshot_id().index;
    assert!(compacted.0 > 20, "the leader compacted ({compacted})");
    assert!(
        s.node(follower).unwrap().storage().log.last_index() < leader_log.first_index(),
        "the follower needs entries the leader no longer has"
    );
    s.apply(Action::Restart(follower)).unwrap();
    load(&mut s, &mut checker, 5);
    assert!(s.run_until(300_000, converged));
    assert!(installs_to(&s, follower) >= 1, "a snapshot was sent");
    let events: Vec<&NodeEvent> = s
        .trace()
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Node { node, event } if *node == follower => Some(event),
            _ => None,
        })
        .collect();
    let installed = events
        .iter()
        .position(|e| matches!(e, NodeEvent::SnapshotInstalled { .. }))
        .expect("installed");
    // After the snapshot, entries came the ordinary way (the follower committed past it).
    let NodeEvent::SnapshotInstalled { last_included, .. } = events[installed] else {
        unreachable!()
    };
    let f = s.node(follower).unwrap();
    assert!(f.raft().unwrap().commit_index() > last_included.index);
    assert_eq!(f.state_machine(), s.node(leader).unwrap().state_machine());
    assert_eq!(
        f.state_machine().adds_applied,
        65,
        "every operation counted once, sessions included"
    );
    checker.observe_all(&s).unwrap();
    check_logs(&s);
}

/// The lab's "all crash" and "snapshot init" cases: after snapshots, every node crashes and
/// restarts; nothing committed is lost and the next committed index is beyond the old one.
#[test]
fn every_node_restarts_from_its_snapshot_and_nothing_committed_is_lost() {
    let mut s = sim(2, 5, Some(10));
    let mut checker = SafetyChecker::new();
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    load(&mut s, &mut checker, 40);
    assert!(s.run_until(300_000, converged));
    let leader = s.leader().unwrap();
    let before_commit = s.node(leader).unwrap().raft().unwrap().commit_index();
    let before_state = s.node(leader).unwrap().state_machine().clone();
    for n in 1..=5 {
        assert!(
            s.node(id(n)).unwrap().storage().snapshot.is_some(),
            "Node {n} has a snapshot"
        );
        s.apply(Action::Crash(id(n))).unwrap();
    }
    s.run_for(10_000);
    for n in 1..=5 {
        s.apply(Action::Restart(id(n))).unwrap();
        let node = s.node(id(n)).unwrap();
        let r = node.raft().unwrap();
        let snap = node.storage().snapshot.as_ref().unwrap();
        assert_eq!(r.commit_index(), snap.last_included.index);
        assert_eq!(
            node.state_machine(),
            &snap.state,
            "restored from the snapshot"
        );
    }
    run_until_stable_leader(&mut s, 600_000).expect("a leader again");
    load(&mut s, &mut checker, 3);
    assert!(s.run_until(300_000, converged));
    let leader = s.leader().unwrap();
    let after = s.node(leader).unwrap();
    assert!(after.raft().unwrap().commit_index() > before_commit);
    assert_eq!(
        after.state_machine().adds_applied,
        before_state.adds_applied + 3
    );
    checker.observe_all(&s).unwrap();
}

/// A follower holding a divergent, uncommitted suffix receives a snapshot that covers it: it
/// discards the stale entries (Figure 13, rule 7) and does not receive snapshot after snapshot.
#[test]
fn a_snapshot_over_a_divergent_suffix_discards_it_without_looping() {
    let mut s = sim(3, 3, None);
    let mut checker = SafetyChecker::new();
    let old = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_for(20_000);
    // The leader, cut off, appends entries nobody else gets.
    s.apply(Action::Isolate(old)).unwrap();
    for i in 0..5 {
        s.apply(Action::Submit(Command::Add { a: 1000 + i, b: 0 }))
            .unwrap();
    }
    let new = {
        let ok = s.run_until(600_000, |s| s.leader().is_some_and(|l| l != old));
        assert!(ok);
        s.leader().unwrap()
    };
    // Make the client's requests go to the new leader, which commits and compacts past the
    // old leader's stale entries.
    let stale_last = s.node(old).unwrap().raft().unwrap().log().last_id();
    load(&mut s, &mut checker, 20);
    s.apply(Action::Snapshot(new)).unwrap();
    let snap = s.node(new).unwrap().raft().unwrap().log().snapshot_id();
    assert!(
        snap.index >= stale_last.index,
        "the snapshot covers the stale suffix"
    );
    s.apply(Action::HealAll).unwrap();
    assert!(s.run_until(600_000, |s| converged(s) && s.leader() == Some(new)));
    let r = s.node(old).unwrap().raft().unwrap();
    assert_eq!(r.role(), RoleKind::Follower);
    assert_ne!(
        r.log().term_at(stale_last.index),
        Some(stale_last.term),
        "the stale entry {stale_last:?} is gone"
    );
    assert!(
        s.trace().events().iter().any(|e| matches!(
            &e.kind,
            TraceKind::Node {
                node,
                event: NodeEvent::SnapshotInstalled {
                    kept_suffix: false,
                    ..
                },
            } if *node == old
        )),
        "it discarded its whole log (rule 7)"
    );
    let installs = installs_to(&s, old);
    assert!(installs >= 1);
    s.run_for(600_000);
    assert_eq!(
        installs_to(&s, old),
        installs,
        "no snapshot after catching up"
    );
    assert!(installs <= 3, "no snapshot loop ({installs} sent)");
    checker.observe_all(&s).unwrap();
}

/// The configuration recorded in a snapshot (dissertation §5.1) survives an install and a
/// restart: a node that joined later and was compacted away still counts as a voter.
#[test]
fn membership_in_a_snapshot_survives_install_and_restart() {
    let mut s = sim(4, 3, Some(8));
    let mut checker = SafetyChecker::new();
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_for(20_000);
    s.apply(Action::AddNode(id(4))).unwrap();
    assert!(s.run_until(900_000, |s| s.member_kind(id(4)) == Some(MemberKind::Voter)));
    let four: BTreeSet<NodeId> = (1..=4).map(id).collect();
    // Enough entries that the configuration entries are compacted everywhere.
    let follower = (1..=4).map(id).find(|&n| Some(n) != s.leader()).unwrap();
    s.apply(Action::Crash(follower)).unwrap();
    load(&mut s, &mut checker, 40);
    for n in s.nodes().filter(|n| n.raft().is_some()) {
        let st = n.storage();
        let snap = st.snapshot.as_ref().expect("a snapshot");
        assert_eq!(snap.membership.voters, four, "Node {} snapshot", n.id());
        assert!(
            st.log
                .entries()
                .iter()
                .all(|e| !matches!(e.command, Command::Config(_))),
            "no configuration entry left in the log"
        );
    }
    s.apply(Action::Restart(follower)).unwrap();
    assert!(s.run_until(600_000, converged));
    assert!(
        installs_to(&s, follower) >= 1,
        "the follower installed a snapshot"
    );
    assert_eq!(s.node(follower).unwrap().raft().unwrap().voters(), &four);
    for n in 1..=4 {
        s.apply(Action::Crash(id(n))).unwrap();
    }
    for n in 1..=4 {
        s.apply(Action::Restart(id(n))).unwrap();
        assert_eq!(s.node(id(n)).unwrap().raft().unwrap().voters(), &four);
    }
    run_until_stable_leader(&mut s, 600_000).expect("a leader");
    checker.observe_all(&s).unwrap();
}

/// Approximate bytes of a node's persistent state: its log entries plus its snapshot.
fn persistent_bytes(s: &Simulation, n: NodeId) -> u64 {
    let st = s.node(n).unwrap().storage();
    let entry = std::mem::size_of::<raft_core::Entry>() as u64;
    st.log.entries().len() as u64 * entry
        + st.snapshot.as_ref().map_or(0, |s| s.approx_size_bytes())
}

fn run_10k(threshold: Option<u64>) -> (u64, usize) {
    let mut s = sim(5, 3, threshold);
    let mut checker = SafetyChecker::new().log_matching_every(64);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    for _ in 0..100 {
        load(&mut s, &mut checker, 100);
    }
    assert!(s.run_until(300_000, converged));
    let leader = s.leader().unwrap();
    let bytes = persistent_bytes(&s, leader);
    let entries = s.node(leader).unwrap().storage().log.entries().len();
    (bytes, entries)
}

/// Persistent state stays bounded with a threshold; prints the figures with and without
/// compaction after 10 000 operations.
#[test]
fn persistent_state_stays_bounded_with_compaction() {
    let (with_bytes, with_entries) = run_10k(Some(100));
    let (without_bytes, without_entries) = run_10k(None);
    println!(
        "after 10 000 operations: {without_entries} log entries, about {} KB of persistent state without compaction; {with_entries} entries and about {} KB with a threshold of 100 entries",
        without_bytes / 1024,
        with_bytes.div_ceil(1024)
    );
    assert!(with_entries <= 101, "the log stays under the threshold");
    assert!(without_entries > 10_000);
    assert!(with_bytes * 20 < without_bytes);
}

#[test]
fn snapshot_action_errors_change_nothing() {
    let mut s = sim(6, 3, None);
    // Nothing applied yet.
    let digest = s.trace().digest();
    assert_eq!(
        s.apply(Action::Snapshot(id(1))),
        Err(SimError::Snapshot(id(1), SnapshotError::NothingToCompact))
    );
    assert_eq!(
        s.apply(Action::Snapshot(id(9))),
        Err(SimError::UnknownNode(id(9)))
    );
    assert_eq!(s.trace().digest(), digest);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_for(20_000);
    let l = s.leader().unwrap();
    s.apply(Action::Snapshot(l)).unwrap();
    let snap = s.node(l).unwrap().raft().unwrap().log().snapshot_id();
    assert!(snap.index >= LogIndex(1));
    assert_ne!(snap, EntryId::default());
    assert_eq!(
        s.apply(Action::Snapshot(l)),
        Err(SimError::Snapshot(l, SnapshotError::NothingToCompact))
    );
    s.apply(Action::Crash(l)).unwrap();
    assert_eq!(s.apply(Action::Snapshot(l)), Err(SimError::NodeDown(l)));
}

#[test]
fn the_threshold_can_be_set_while_running() {
    let mut s = sim(7, 3, None);
    let mut checker = SafetyChecker::new();
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    load(&mut s, &mut checker, 12);
    let l = s.leader().unwrap();
    let snap = |s: &Simulation| s.node(l).unwrap().raft().unwrap().log().snapshot_id().index;
    assert_eq!(snap(&s), LogIndex(0), "no compaction while off");
    s.apply(Action::SetSnapshotThreshold(Some(5))).unwrap();
    assert_eq!(s.config().snapshot_threshold_entries, Some(5));
    assert!(s.trace().events().iter().any(|e| matches!(
        e.kind,
        TraceKind::SnapshotThresholdChanged { entries: Some(5) }
    )));
    load(&mut s, &mut checker, 4);
    assert!(snap(&s) > LogIndex(0), "compacts once on");
    s.apply(Action::SetSnapshotThreshold(None)).unwrap();
    let before = snap(&s);
    load(&mut s, &mut checker, 12);
    assert_eq!(snap(&s), before, "off again");
}

/// Installing a snapshot whose configuration is the one already in use changes no
/// configuration: no "now uses cluster configuration" line.
#[test]
fn installing_a_snapshot_with_the_same_configuration_announces_no_change() {
    let mut s = sim(7, 3, Some(10));
    let mut checker = SafetyChecker::new();
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let follower = (1..=3).map(id).find(|&n| n != leader).unwrap();
    s.apply(Action::Crash(follower)).unwrap();
    load(&mut s, &mut checker, 30);
    let since = s.trace().events().len();
    s.apply(Action::Restart(follower)).unwrap();
    assert!(s.run_until(300_000, converged));
    assert!(installs_to(&s, follower) >= 1);
    let changes = s.trace().events()[since..]
        .iter()
        .filter(|e| {
            matches!(&e.kind, TraceKind::Node { node, event: NodeEvent::ConfigChanged { .. } } if *node == follower)
        })
        .count();
    assert_eq!(changes, 0, "the configuration did not change");
}
