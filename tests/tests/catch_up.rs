//! Seed test case 3: follower catch-up after downtime (§5.3, §5.5).

use raft_core::sim::{Action, TraceKind};
use raft_core::{Command, LogIndex, NodeId};
use raftlab_tests::{check_logs, leaders_by_term, run_until_stable_leader, sim};

/// A follower that was down while the cluster committed entries gets the whole log once it
/// restarts, applies every entry in order without gaps, and ends with the leader's state.
#[test]
fn restarted_follower_catches_up_and_applies_in_order() {
    for seed in 1..=15 {
        let mut s = sim(seed, 5);
        let leader = run_until_stable_leader(&mut s, 120_000).expect("leader");
        let follower = (1..=5).map(NodeId).find(|&n| n != leader).unwrap();
        s.apply(Action::Crash(follower)).unwrap();
        for i in 0..10 {
            s.apply(Action::Submit(Command::Add { a: i, b: 100 }))
                .unwrap();
            s.run_for(1_000);
        }
        let done = s.run_until(600_000, |s| s.client().requests().all(|r| r.is_finished()));
        assert!(done, "seed {seed}: requests finish with one follower down");
        let crashed_log_len = s.node(follower).unwrap().storage().log.last_index();
        let restart_at = s.now_ms();
        s.apply(Action::Restart(follower)).unwrap();
        assert_eq!(
            s.node(follower).unwrap().raft().unwrap().commit_index(),
            LogIndex(0),
            "commit index is volatile"
        );
        let caught_up = s.run_until(200_000, |s| {
            let l = s.leader().and_then(|l| s.node(l)).and_then(|n| n.raft());
            let f = s.node(follower).and_then(|n| n.raft());
            match (l, f) {
                (Some(l), Some(f)) => {
                    f.log() == l.log()
                        && f.commit_index() == l.commit_index()
                        && f.last_applied() == l.last_applied()
                }
                _ => false,
            }
        });
        assert!(caught_up, "seed {seed}: follower caught up");
        let leader = s.leader().unwrap();
        assert!(s.node(follower).unwrap().raft().unwrap().log().last_index() > crashed_log_len);
        assert_eq!(
            s.node(follower).unwrap().state_machine(),
            s.node(leader).unwrap().state_machine(),
            "seed {seed}: same state machine"
        );
        // Entries applied after the restart: 1, 2, 3, ... with no gap and no repeat.
        let applied: Vec<u64> = s
            .trace()
            .events()
            .iter()
            .filter(|e| e.time_ms >= restart_at)
            .filter_map(|e| match &e.kind {
                TraceKind::Applied { node, index, .. } if *node == follower => Some(index.0),
                _ => None,
            })
            .collect();
        let expected: Vec<u64> = (1..=applied.len() as u64).collect();
        assert_eq!(applied, expected, "seed {seed}");
        check_logs(&s);
        leaders_by_term(&s);
    }
}

/// A node that crashed as leader with uncommitted entries of its term comes back, and those
/// entries are replaced by the new leader's log (Figure 7's (d)/(e) followers).
#[test]
fn deposed_leader_discards_uncommitted_entries() {
    let mut found = false;
    for seed in 1..=30 {
        let mut s = sim(seed, 3);
        let old = run_until_stable_leader(&mut s, 120_000).expect("leader");
        // Isolate the leader's new entry by crashing both followers before it replicates.
        s.run_for(7_000);
        let others: Vec<NodeId> = (1..=3).map(NodeId).filter(|&n| n != old).collect();
        for &o in &others {
            s.apply(Action::Crash(o)).unwrap();
        }
        // Only requests that happen to land on the leader get appended; send a few.
        for i in 0..6 {
            s.apply(Action::Submit(Command::Add { a: i, b: i }))
                .unwrap();
        }
        s.run_for(10_000);
        let old_len = s.node(old).unwrap().raft().unwrap().log().last_index();
        let committed = s.node(old).unwrap().raft().unwrap().commit_index();
        if old_len <= committed {
            continue;
        }
        s.apply(Action::Crash(old)).unwrap();
        for &o in &others {
            s.apply(Action::Restart(o)).unwrap();
        }
        let new = run_until_stable_leader(&mut s, 300_000).expect("new leader");
        s.apply(Action::Submit(Command::Add { a: 40, b: 2 }))
            .unwrap();
        s.apply(Action::Restart(old)).unwrap();
        let converged = s.run_until(600_000, |s| {
            let l = s.node(new).and_then(|n| n.raft());
            let o = s.node(old).and_then(|n| n.raft());
            matches!((l, o), (Some(l), Some(o)) if l.log() == o.log() && o.commit_index() == l.commit_index() && l.commit_index() > committed)
        });
        assert!(converged, "seed {seed}");
        let truncated = s.trace().events().iter().any(|e| {
            matches!(&e.kind, TraceKind::Node { node, event: raft_core::NodeEvent::Truncated { .. } } if *node == old)
        });
        assert!(
            truncated,
            "seed {seed}: the old leader deleted its uncommitted entries"
        );
        check_logs(&s);
        leaders_by_term(&s);
        found = true;
    }
    assert!(
        found,
        "some seed produced an uncommitted suffix on the old leader"
    );
}
