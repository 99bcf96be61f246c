//! The simulator's network and process fault model, through the public API: cut links (one
//! way or both), partitions and healing, loss and duplication at their exact extremes,
//! reordering, pause/resume, acting on single messages, error handling and determinism.

use raft_core::sim::{
    Action, DropReason, Endpoint, LinkSettings, LinkState, MessageId, NodeStatus, Ratio, SimConfig,
    SimError, Simulation, TraceKind,
};
use raft_core::{Command, LogIndex, MessageKind, NodeEvent, NodeId, RoleKind};
use raftlab_tests::{check_logs, leaders_by_term, role, run_until_stable_leader, sim};
use std::collections::{BTreeMap, BTreeSet};

fn n(id: u64) -> NodeId {
    NodeId(id)
}

fn node(id: NodeId) -> Endpoint {
    Endpoint::Node(id)
}

fn add(a: i64) -> Action {
    Action::Submit(Command::Add { a, b: 1 })
}

/// Position in the trace where the next event will go: later checks look only past it.
fn mark(s: &Simulation) -> usize {
    s.trace().events().len()
}

fn is_node_to_node(from: Endpoint, to: Endpoint) -> bool {
    matches!((from, to), (Endpoint::Node(_), Endpoint::Node(_)))
}

/// `(time, id)` of every message from `from` to `to` delivered at or after trace position
/// `since`, in delivery order.
fn deliveries(s: &Simulation, since: usize, from: NodeId, to: NodeId) -> Vec<(u64, MessageId)> {
    s.trace().events()[since..]
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Delivered {
                id, from: f, to: t, ..
            } if f == node(from) && t == node(to) => Some((e.time_ms, id)),
            _ => None,
        })
        .collect()
}

/// `(time, id, reason)` of every message from `from` to `to` dropped at or after `since`.
fn drops(
    s: &Simulation,
    since: usize,
    from: NodeId,
    to: NodeId,
) -> Vec<(u64, MessageId, DropReason)> {
    s.trace().events()[since..]
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Dropped {
                id,
                from: f,
                to: t,
                reason,
                ..
            } if f == node(from) && t == node(to) => Some((e.time_ms, id, reason)),
            _ => None,
        })
        .collect()
}

/// Ids of the node-to-node messages in flight from `from` to `to`.
fn on_link(s: &Simulation, from: NodeId, to: NodeId) -> Vec<MessageId> {
    s.in_flight()
        .filter(|e| e.from == node(from) && e.to == node(to))
        .map(|e| e.id)
        .collect()
}

fn ids(s: &Simulation) -> Vec<NodeId> {
    s.nodes().map(|x| x.id()).collect()
}

fn follower_of(s: &Simulation, leader: NodeId) -> NodeId {
    ids(s)
        .into_iter()
        .find(|&id| id != leader)
        .expect("more than one node")
}

fn config(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        ..SimConfig::default()
    }
}

/// Everything an action that fails must leave as it was.
#[derive(Debug, PartialEq)]
struct Fingerprint {
    digest: u64,
    trace_len: usize,
    events: u64,
    now: u64,
    in_flight: Vec<MessageId>,
    cuts: Vec<(NodeId, NodeId)>,
    defaults: LinkSettings,
    overrides: Vec<Option<LinkSettings>>,
    statuses: Vec<NodeStatus>,
    held: Vec<Vec<MessageId>>,
    drops: usize,
}

fn fingerprint(s: &Simulation) -> Fingerprint {
    let all = ids(s);
    Fingerprint {
        digest: s.trace().digest(),
        trace_len: s.trace().events().len(),
        events: s.events_processed(),
        now: s.now_ms(),
        in_flight: s.in_flight().map(|e| e.id).collect(),
        cuts: s.network().cut_links().collect(),
        defaults: *s.network().defaults(),
        overrides: all
            .iter()
            .flat_map(|&a| all.iter().map(move |&b| (a, b)))
            .map(|(a, b)| s.network().link_override(a, b).copied())
            .collect(),
        statuses: s.nodes().map(|x| x.status()).collect(),
        held: all
            .iter()
            .map(|&id| s.held_messages(id).iter().map(|e| e.id).collect())
            .collect(),
        drops: s.recent_drops().count(),
    }
}

// ----- cut links -----

#[test]
fn a_cut_link_drops_what_is_in_flight_and_everything_sent_later() {
    let mut s = sim(3, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let follower = follower_of(&s, leader);
    assert!(
        s.run_until(60_000, |s| !on_link(s, leader, follower).is_empty()),
        "the leader's heartbeats travel to the follower"
    );
    let in_flight = on_link(&s, leader, follower);
    let cut_at = s.now_ms();
    let since = mark(&s);
    s.apply(Action::CutLink {
        from: leader,
        to: follower,
    })
    .unwrap();
    assert_eq!(
        s.trace().events()[since].kind,
        TraceKind::LinkChanged {
            from: leader,
            to: follower,
            cut: true
        }
    );
    assert!(on_link(&s, leader, follower).is_empty());
    for id in &in_flight {
        let d = s
            .recent_drops()
            .find(|d| d.id == *id)
            .unwrap_or_else(|| panic!("message {id:?} is listed as dropped"));
        assert_eq!(d.reason, DropReason::LinkCut);
        assert_eq!(d.dropped_at_ms, cut_at);
        assert!(d.sent_at_ms <= cut_at && d.deliver_at_ms > cut_at);
        assert_eq!((d.from, d.to), (node(leader), node(follower)));
    }
    let at_cut: Vec<MessageId> = drops(&s, since, leader, follower)
        .into_iter()
        .map(|(t, id, reason)| {
            assert_eq!((t, reason), (cut_at, DropReason::LinkCut));
            id
        })
        .collect();
    assert_eq!(at_cut, in_flight, "one Dropped event per message in flight");

    s.run_for(120_000);
    assert_eq!(
        deliveries(&s, since, leader, follower),
        vec![],
        "nothing crosses a cut link"
    );
    let later: Vec<_> = drops(&s, since, leader, follower)
        .into_iter()
        .filter(|(t, _, _)| *t > cut_at)
        .collect();
    assert!(!later.is_empty(), "later sends are dropped too");
    assert!(later.iter().all(|d| d.2 == DropReason::LinkCut));
    assert!(
        !deliveries(&s, since, follower, leader).is_empty(),
        "the other direction still delivers"
    );
    leaders_by_term(&s);
    check_logs(&s);
}

#[test]
fn link_state_names_the_cut_direction_whatever_the_argument_order() {
    let mut s = sim(4, 5);
    let state = |s: &Simulation, a: u64, b: u64| {
        let st = s.network().link_state(n(a), n(b));
        assert_eq!(st, s.network().link_state(n(b), n(a)), "order of {a}, {b}");
        st
    };
    assert_eq!(state(&s, 1, 2), LinkState::Up);
    s.apply(Action::CutLink {
        from: n(2),
        to: n(1),
    })
    .unwrap();
    assert_eq!(state(&s, 1, 2), LinkState::CutBToA);
    assert_eq!(state(&s, 1, 2).as_str(), "cut-b-a");
    s.apply(Action::CutLink {
        from: n(1),
        to: n(3),
    })
    .unwrap();
    assert_eq!(state(&s, 3, 1), LinkState::CutAToB);
    assert_eq!(state(&s, 3, 1).as_str(), "cut-a-b");
    s.apply(Action::CutLink {
        from: n(3),
        to: n(1),
    })
    .unwrap();
    assert_eq!(state(&s, 1, 3), LinkState::Cut);
    s.apply(Action::RestoreLink {
        from: n(1),
        to: n(3),
    })
    .unwrap();
    assert_eq!(state(&s, 1, 3), LinkState::CutBToA);
    assert_eq!(state(&s, 2, 3), LinkState::Up);
    let lossy = LinkSettings {
        duplicate: Ratio { num: 1, den: 5 },
        ..LinkSettings::default()
    };
    s.apply(Action::SetLink {
        from: n(5),
        to: n(4),
        settings: Some(lossy),
    })
    .unwrap();
    assert_eq!(state(&s, 4, 5), LinkState::Lossy);
    assert_eq!(
        s.network().cut_links().collect::<Vec<_>>(),
        vec![(n(2), n(1)), (n(3), n(1))]
    );
}

#[test]
fn a_one_way_cut_delivers_in_the_other_direction_only() {
    let mut s = sim(4, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let follower = follower_of(&s, leader);
    let term = s.node(follower).unwrap().current_term();
    let since = mark(&s);
    s.apply(Action::CutLink {
        from: follower,
        to: leader,
    })
    .unwrap();
    s.run_for(90_000);
    // The follower keeps hearing heartbeats, so it never campaigns; its answers never arrive.
    assert!(deliveries(&s, since, leader, follower).len() >= 10);
    assert_eq!(deliveries(&s, since, follower, leader), vec![]);
    let dropped = drops(&s, since, follower, leader);
    assert!(dropped.len() >= 10, "its replies were sent and dropped");
    assert!(dropped.iter().all(|d| d.2 == DropReason::LinkCut));
    assert_eq!(s.node(follower).unwrap().current_term(), term);
    assert_eq!(role(&s, follower), Some(RoleKind::Follower));
    assert_eq!(s.leader(), Some(leader));
    // Other links are unaffected.
    let other = ids(&s)
        .into_iter()
        .find(|&x| x != leader && x != follower)
        .unwrap();
    assert!(!deliveries(&s, since, other, leader).is_empty());
}

// ----- partitions and healing -----

/// Every directed link between nodes of different groups.
fn cuts_between(groups: &[Vec<u64>]) -> Vec<(NodeId, NodeId)> {
    let mut cuts = BTreeSet::new();
    for (i, g) in groups.iter().enumerate() {
        for (j, h) in groups.iter().enumerate() {
            if i != j {
                for &a in g {
                    for &b in h {
                        cuts.insert((n(a), n(b)));
                    }
                }
            }
        }
    }
    cuts.into_iter().collect()
}

fn last_partition(s: &Simulation) -> Option<Vec<Vec<NodeId>>> {
    s.trace().events().iter().rev().find_map(|e| match &e.kind {
        TraceKind::Partitioned { groups } => Some(groups.clone()),
        _ => None,
    })
}

#[test]
fn partition_puts_unlisted_nodes_together_and_replaces_earlier_cuts_but_not_link_settings() {
    let mut s = sim(5, 5);
    s.apply(Action::Partition(vec![vec![n(2)], vec![n(1)]]))
        .unwrap();
    let groups = [vec![1], vec![2], vec![3, 4, 5]];
    assert_eq!(
        last_partition(&s),
        Some(
            groups
                .iter()
                .map(|g| g.iter().map(|&x| n(x)).collect())
                .collect()
        )
    );
    assert_eq!(
        s.network().cut_links().collect::<Vec<_>>(),
        cuts_between(&groups)
    );
    assert_eq!(s.network().link_state(n(3), n(5)), LinkState::Up);
    assert_eq!(s.network().link_state(n(1), n(2)), LinkState::Cut);

    // A per-link override and a hand-made cut inside the unlisted group.
    let lossy = LinkSettings {
        loss: Ratio { num: 1, den: 3 },
        ..LinkSettings::default()
    };
    s.apply(Action::SetLink {
        from: n(4),
        to: n(5),
        settings: Some(lossy),
    })
    .unwrap();
    s.apply(Action::CutLink {
        from: n(3),
        to: n(4),
    })
    .unwrap();
    assert_eq!(s.network().link_state(n(4), n(5)), LinkState::Lossy);

    s.apply(Action::Partition(vec![vec![n(1), n(2)]])).unwrap();
    let groups = [vec![1, 2], vec![3, 4, 5]];
    assert_eq!(
        s.network().cut_links().collect::<Vec<_>>(),
        cuts_between(&groups),
        "the new partition replaces every earlier cut"
    );
    assert_eq!(s.network().link_state(n(1), n(2)), LinkState::Up);
    assert_eq!(s.network().link_state(n(3), n(4)), LinkState::Up);
    assert_eq!(s.network().link_override(n(4), n(5)), Some(&lossy));
    assert_eq!(s.network().link_state(n(4), n(5)), LinkState::Lossy);

    s.apply(Action::HealAll).unwrap();
    assert!(!s.network().has_cuts());
    assert_eq!(s.network().link_override(n(4), n(5)), None);
    for a in 1..=5 {
        for b in a + 1..=5 {
            assert_eq!(s.network().link_state(n(a), n(b)), LinkState::Up);
        }
    }
    assert_eq!(
        s.trace().events().last().map(|e| &e.kind),
        Some(&TraceKind::Healed)
    );
}

#[test]
fn heal_all_restores_delivery_across_a_partition() {
    let mut s = sim(6, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let others: Vec<NodeId> = ids(&s).into_iter().filter(|&x| x != leader).collect();
    let since = mark(&s);
    s.apply(Action::Partition(vec![vec![leader]])).unwrap();
    s.run_for(90_000);
    for &o in &others {
        assert_eq!(deliveries(&s, since, leader, o), vec![]);
        assert_eq!(deliveries(&s, since, o, leader), vec![]);
    }
    // The majority side talks among itself.
    assert!(others.iter().any(|&a| {
        others
            .iter()
            .any(|&b| !deliveries(&s, since, a, b).is_empty())
    }));
    let healed = mark(&s);
    s.apply(Action::HealAll).unwrap();
    s.run_for(60_000);
    assert!(
        others
            .iter()
            .any(|&o| !deliveries(&s, healed, o, leader).is_empty()),
        "messages reach the old leader again"
    );
    assert!(
        others
            .iter()
            .any(|&o| !deliveries(&s, healed, leader, o).is_empty()),
        "the old leader's messages arrive again"
    );
    let new_leader = run_until_stable_leader(&mut s, 300_000).expect("one leader again");
    assert!(
        s.nodes()
            .all(|x| x.raft().unwrap().leader_id() == Some(new_leader) || x.id() == new_leader)
    );
    leaders_by_term(&s);
    check_logs(&s);
}

// ----- loss and duplication -----

fn with_faults(seed: u64, loss: Ratio, duplicate: Ratio) -> Simulation {
    Simulation::new(SimConfig {
        loss,
        duplicate,
        ..config(seed)
    })
    .expect("valid settings")
}

#[test]
fn loss_of_one_delivers_nothing_between_nodes_and_no_leader_is_ever_elected() {
    let mut s = with_faults(7, Ratio::ALWAYS, Ratio::NEVER);
    assert_eq!(s.network().link_state(n(1), n(2)), LinkState::Lossy);
    for i in 0..5 {
        s.apply(add(i)).unwrap();
        s.run_for(20_000);
    }
    s.run_for(300_000);
    let mut sent = BTreeSet::new();
    let mut lost = BTreeSet::new();
    let mut client_deliveries = 0;
    for e in s.trace().events() {
        match e.kind {
            TraceKind::Sent { id, from, to, .. } if is_node_to_node(from, to) => {
                sent.insert(id);
            }
            TraceKind::Delivered { from, to, .. } => {
                assert!(!is_node_to_node(from, to), "delivered between nodes: {e:?}");
                client_deliveries += 1;
            }
            TraceKind::Dropped { id, reason, .. } => {
                assert_eq!(reason, DropReason::Lost);
                lost.insert(id);
            }
            TraceKind::Node {
                event: NodeEvent::BecameLeader { .. },
                ..
            } => panic!("a leader was elected without any message: {e:?}"),
            _ => {}
        }
    }
    assert!(sent.len() > 20, "elections kept being tried");
    let pending: BTreeSet<MessageId> = s
        .in_flight()
        .filter(|e| is_node_to_node(e.from, e.to))
        .map(|e| {
            assert!(e.lost);
            e.id
        })
        .collect();
    assert_eq!(&lost | &pending, sent, "every message sent was lost");
    assert!(client_deliveries > 0, "the client's links are not lossy");
    assert_eq!(s.leader(), None);
}

#[test]
fn loss_of_zero_never_loses_a_message() {
    let mut s = with_faults(8, Ratio::NEVER, Ratio { num: 1, den: 4 });
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.apply(Action::SetNetwork(LinkSettings {
        latency_ms_min: 200,
        latency_ms_max: 4_000,
        loss: Ratio { num: 0, den: 7 },
        duplicate: Ratio { num: 1, den: 3 },
    }))
    .unwrap();
    for i in 0..10 {
        s.apply(add(i)).unwrap();
        s.run_for(10_000);
    }
    let leader = s.leader().unwrap();
    s.apply(Action::Crash(leader)).unwrap();
    s.run_for(100_000);
    assert!(s.in_flight().all(|e| !e.lost));
    let mut duplicated = 0;
    for e in s.trace().events() {
        match e.kind {
            TraceKind::Dropped { reason, .. } => assert_ne!(reason, DropReason::Lost),
            TraceKind::Duplicated { .. } => duplicated += 1,
            _ => {}
        }
    }
    assert!(duplicated > 0, "the run did have network faults");
    leaders_by_term(&s);
    check_logs(&s);
}

#[test]
fn duplication_of_one_copies_every_message_between_nodes_exactly_once() {
    let mut s = with_faults(9, Ratio::NEVER, Ratio::ALWAYS);
    run_until_stable_leader(&mut s, 300_000).expect("a leader despite duplicates");
    for i in 0..5 {
        s.apply(add(i)).unwrap();
        s.run_for(8_000);
    }
    s.run_for(60_000);
    let mut sent = Vec::new();
    let mut copies = BTreeMap::new();
    let mut delivered = BTreeSet::new();
    let mut client_sent = 0;
    for e in s.trace().events() {
        match e.kind {
            TraceKind::Sent { id, from, to, .. } if is_node_to_node(from, to) => sent.push(id),
            TraceKind::Sent { .. } => client_sent += 1,
            TraceKind::Duplicated {
                id, copy, by_user, ..
            } => {
                assert!(!by_user);
                assert!(copies.insert(id, copy).is_none(), "{id:?} copied twice");
            }
            TraceKind::Delivered { id, .. } => {
                delivered.insert(id);
            }
            TraceKind::Dropped { .. } => panic!("nothing is dropped here: {e:?}"),
            _ => {}
        }
    }
    assert!(client_sent > 0);
    assert_eq!(copies.len(), sent.len(), "one copy per node-to-node send");
    assert_eq!(
        copies.keys().copied().collect::<Vec<_>>(),
        sent,
        "exactly the node-to-node sends are copied (never the client's, never a copy)"
    );
    let in_flight: BTreeSet<MessageId> = s.in_flight().map(|e| e.id).collect();
    for (orig, copy) in &copies {
        assert!(delivered.contains(orig) || in_flight.contains(orig));
        assert!(
            delivered.contains(copy) || in_flight.contains(copy),
            "copy {copy:?} of {orig:?} is delivered"
        );
    }
    assert!(s.in_flight().filter(|e| e.duplicate).count() <= in_flight.len());
    assert!(copies.values().filter(|c| delivered.contains(c)).count() > 20);
    leaders_by_term(&s);
    check_logs(&s);
    let done = s.client().requests().filter(|r| r.is_finished()).count();
    assert_eq!(
        done, 5,
        "every request completes over a duplicating network"
    );
}

/// Certain outcomes (0/d and d/d) draw no random number, so writing a probability another way
/// changes nothing, and the last [`raft_core::sim::RECENT_DROPS`] drops are remembered in
/// order.
#[test]
fn certain_ratios_draw_nothing_and_recent_drops_keep_the_latest() {
    let run = |loss: Ratio, duplicate: Ratio| {
        let mut s = with_faults(20, loss, duplicate);
        for i in 0..4 {
            s.apply(add(i)).unwrap();
            s.run_for(30_000);
        }
        s
    };
    let plain = run(Ratio::NEVER, Ratio::NEVER);
    let zero = run(Ratio { num: 0, den: 7 }, Ratio { num: 0, den: 3 });
    assert_eq!(plain.trace().digest(), zero.trace().digest());
    let all_lost = run(Ratio::ALWAYS, Ratio::NEVER);
    let all_lost_too = run(Ratio { num: 9, den: 9 }, Ratio { num: 0, den: 2 });
    assert_eq!(all_lost.trace().digest(), all_lost_too.trace().digest());
    assert_ne!(plain.trace().digest(), all_lost.trace().digest());

    let dropped: Vec<MessageId> = all_lost
        .trace()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Dropped { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert!(dropped.len() > raft_core::sim::RECENT_DROPS);
    let recent: Vec<MessageId> = all_lost.recent_drops().map(|d| d.id).collect();
    assert_eq!(
        recent,
        dropped[dropped.len() - raft_core::sim::RECENT_DROPS..],
        "the most recent drops, oldest first"
    );
}

// ----- reordering -----

/// Directed links on which a message sent later (higher id) was delivered before one sent
/// earlier.
fn overtakes(s: &Simulation) -> usize {
    let mut last: BTreeMap<(Endpoint, Endpoint), MessageId> = BTreeMap::new();
    let mut count = 0;
    for e in s.trace().events() {
        if let TraceKind::Delivered { id, from, to, .. } = e.kind
            && is_node_to_node(from, to)
        {
            let prev = last.entry((from, to)).or_default();
            if id < *prev {
                count += 1;
            } else {
                *prev = id;
            }
        }
    }
    count
}

fn busy_with_latency(seed: u64, min: u64, max: u64) -> Simulation {
    let mut s = sim(seed, 3);
    s.apply(Action::SetNetwork(LinkSettings {
        latency_ms_min: min,
        latency_ms_max: max,
        ..LinkSettings::default()
    }))
    .unwrap();
    for i in 0..30 {
        s.apply(add(i)).unwrap();
        s.run_for(1_500);
    }
    s.run_for(60_000);
    s
}

#[test]
fn a_wide_latency_range_reorders_messages_on_a_link_and_a_fixed_one_never_does() {
    let wide = busy_with_latency(10, 100, 5_000);
    assert!(overtakes(&wide) > 0, "some message overtook an earlier one");
    check_logs(&wide);
    let fixed = busy_with_latency(10, 2_000, 2_000);
    assert_eq!(
        overtakes(&fixed),
        0,
        "a fixed latency keeps every link FIFO"
    );
    assert!(
        fixed
            .trace()
            .events()
            .iter()
            .filter(|e| matches!(e.kind, TraceKind::Delivered { .. }))
            .count()
            > 100
    );
}

// ----- determinism with faults -----

fn faulty_run(seed: u64) -> Simulation {
    let mut s = Simulation::new(SimConfig {
        seed,
        loss: Ratio { num: 1, den: 10 },
        duplicate: Ratio { num: 1, den: 10 },
        latency_ms_min: 500,
        latency_ms_max: 3_000,
        ..SimConfig::default()
    })
    .unwrap();
    s.advance_to(40_000);
    for i in 0..3 {
        s.apply(add(i)).unwrap();
    }
    s.advance_to(50_000);
    s.apply(Action::Partition(vec![vec![n(1), n(2)]])).unwrap();
    s.advance_to(60_000);
    s.apply(Action::Pause(n(3))).unwrap();
    s.apply(add(10)).unwrap();
    s.advance_to(70_000);
    s.apply(Action::CutLink {
        from: n(4),
        to: n(5),
    })
    .unwrap();
    let first = s.in_flight().next().map(|e| e.id);
    if let Some(id) = first {
        s.apply(Action::DropMessage(id)).unwrap();
    }
    s.advance_to(100_000);
    s.apply(Action::Resume(n(3))).unwrap();
    s.apply(Action::SetLink {
        from: n(1),
        to: n(2),
        settings: Some(LinkSettings {
            loss: Ratio { num: 1, den: 2 },
            ..LinkSettings::default()
        }),
    })
    .unwrap();
    let between_nodes = s
        .in_flight()
        .find(|e| is_node_to_node(e.from, e.to))
        .map(|e| e.id);
    if let Some(id) = between_nodes {
        s.apply(Action::DuplicateMessage(id)).unwrap();
    }
    s.advance_to(130_000);
    s.apply(Action::HealAll).unwrap();
    s.advance_to(140_000);
    s.apply(Action::Crash(n(2))).unwrap();
    s.apply(add(20)).unwrap();
    s.advance_to(170_000);
    s.apply(Action::Restart(n(2))).unwrap();
    s.advance_to(400_000);
    s
}

#[test]
fn same_seed_same_faults_same_run() {
    for seed in [1, 17, 12345] {
        let a = faulty_run(seed);
        let b = faulty_run(seed);
        assert_eq!(a.trace().digest(), b.trace().digest(), "seed {seed}");
        assert_eq!(a.events_processed(), b.events_processed());
        assert_eq!(a.trace().events(), b.trace().events());
        let faults = a
            .trace()
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    TraceKind::Dropped {
                        reason: DropReason::Lost,
                        ..
                    } | TraceKind::Duplicated { by_user: false, .. }
                )
            })
            .count();
        assert!(faults > 0, "seed {seed}: the random faults happened");
    }
}

#[test]
fn different_seeds_give_different_faulty_runs() {
    let digests: BTreeSet<u64> = (1..=10).map(|s| faulty_run(s).trace().digest()).collect();
    assert_eq!(digests.len(), 10);
}

// ----- pause and resume -----

#[derive(Debug, PartialEq)]
struct NodeView {
    term: raft_core::Term,
    log: raft_core::Log,
    role: RoleKind,
    commit: LogIndex,
    voted_for: Option<NodeId>,
    election_deadline: u64,
}

fn view(s: &Simulation, id: NodeId) -> NodeView {
    let r = s.node(id).and_then(|x| x.raft()).expect("running");
    NodeView {
        term: r.current_term(),
        log: r.log().clone(),
        role: r.role(),
        commit: r.commit_index(),
        voted_for: r.voted_for(),
        election_deadline: r.election_deadline_ms(),
    }
}

#[test]
fn a_paused_node_freezes_and_its_messages_wait_for_it_in_arrival_order() {
    let mut s = sim(11, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.apply(add(1)).unwrap();
    s.run_until(60_000, |s| {
        s.nodes()
            .all(|x| x.raft().is_some_and(|r| r.commit_index() >= LogIndex(2)))
    });
    let f = follower_of(&s, leader);
    let frozen = view(&s, f);
    let since = mark(&s);
    s.apply(Action::Pause(f)).unwrap();
    let status = s.node(f).unwrap().status();
    assert_eq!(status, NodeStatus::Paused);
    assert_eq!(status.as_str(), "paused");
    assert!(s.node(f).unwrap().is_paused());
    assert_eq!(s.apply(Action::Pause(f)), Err(SimError::NodePaused(f)));
    assert_eq!(s.apply(Action::Timeout(f)), Err(SimError::NodePaused(f)));
    let paused_at = s.now_ms();
    let mut submitted = 0;
    while s.now_ms() < paused_at + 120_000 {
        if s.now_ms() >= paused_at + submitted * 10_000 && submitted < 5 {
            s.apply(add(100 + submitted as i64)).unwrap();
            submitted += 1;
        }
        s.step();
        assert_eq!(view(&s, f), frozen, "Node {f} changed while paused");
    }
    assert!(
        frozen.election_deadline < s.now_ms(),
        "its election timeout passed, yet it never fired"
    );
    for e in &s.trace().events()[since..] {
        match &e.kind {
            TraceKind::Node { node, .. } => assert_ne!(*node, f, "{e:?}"),
            TraceKind::Delivered { to, .. } | TraceKind::Dropped { to, .. } => {
                assert_ne!(*to, node(f), "{e:?}")
            }
            _ => {}
        }
    }
    let leader_commit = s.node(leader).unwrap().raft().unwrap().commit_index();
    assert!(
        leader_commit > frozen.commit,
        "the cluster went on without it"
    );
    let held: Vec<(u64, MessageId)> = s
        .held_messages(f)
        .iter()
        .map(|e| (e.deliver_at_ms, e.id))
        .collect();
    assert!(held.len() >= 10, "heartbeats and entries waited: {held:?}");
    assert!(held.is_sorted(), "kept in arrival order");
    assert!(s.held_messages(f).iter().all(|e| e.to == node(f)));
    assert!(
        s.held_messages(f)
            .iter()
            .any(|e| e.kind() == MessageKind::AppendEntries)
    );
    assert!(s.in_flight().all(|e| !held.iter().any(|h| h.1 == e.id)));

    let resumed = mark(&s);
    s.apply(Action::Resume(f)).unwrap();
    assert_eq!(
        s.trace().events()[resumed].kind,
        TraceKind::Resumed {
            node: f,
            waiting: held.len() as u64
        }
    );
    assert_eq!(s.node(f).unwrap().status(), NodeStatus::Up);
    assert!(s.held_messages(f).is_empty());
    let handed: Vec<MessageId> = s.trace().events()[resumed..]
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Delivered { id, to, .. } if to == node(f) => {
                assert_eq!(e.time_ms, s.now_ms(), "handed over at once");
                Some(id)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        handed,
        held.iter().map(|h| h.1).collect::<Vec<_>>(),
        "handed over in arrival order"
    );
    assert!(
        s.run_until(60_000, |s| s
            .node(f)
            .and_then(|x| x.raft())
            .is_some_and(|r| r.commit_index() >= leader_commit)),
        "it catches up after resuming"
    );
    assert_eq!(s.apply(Action::Resume(f)), Err(SimError::NodeNotPaused(f)));
    check_logs(&s);
    leaders_by_term(&s);
}

/// The classic GC pause: a leader stops for longer than an election timeout, the others elect
/// a new leader, and when the old one wakes up it still believes it leads until the first
/// message of the newer term reaches it.
#[test]
fn a_leader_paused_past_an_election_timeout_steps_down_when_resumed() {
    let mut s = sim(12, 5);
    let old = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let term = s.node(old).unwrap().current_term();
    s.apply(Action::Pause(old)).unwrap();
    s.run_for(2 * s.config().raft.election_timeout_ms_max + 30_000);
    assert_eq!(role(&s, old), Some(RoleKind::Leader), "frozen as leader");
    assert_eq!(s.node(old).unwrap().current_term(), term);
    let new = s.leader().expect("the others elected a leader");
    assert_ne!(new, old);
    let new_term = s.node(new).unwrap().current_term();
    assert!(new_term > term);
    assert!(!s.held_messages(old).is_empty());
    let resumed = mark(&s);
    s.apply(Action::Resume(old)).unwrap();
    // The messages that waited for it carry the new term: it steps down at once.
    assert_eq!(role(&s, old), Some(RoleKind::Follower));
    assert!(s.node(old).unwrap().current_term() >= new_term);
    assert!(s.trace().events()[resumed..].iter().any(|e| matches!(
        &e.kind,
        TraceKind::Node {
            node,
            event: NodeEvent::BecameFollower {
                from_role: RoleKind::Leader,
                ..
            },
        } if *node == old
    )));
    let l = run_until_stable_leader(&mut s, 300_000).expect("one leader again");
    assert!(s.node(l).unwrap().current_term() >= new_term);
    leaders_by_term(&s);
    check_logs(&s);
}

#[test]
fn crashing_a_paused_node_drops_the_messages_waiting_for_it() {
    let mut s = sim(13, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    let f = follower_of(&s, leader);
    s.apply(Action::Pause(f)).unwrap();
    s.run_for(30_000);
    let held: Vec<MessageId> = s.held_messages(f).iter().map(|e| e.id).collect();
    assert!(!held.is_empty());
    let since = mark(&s);
    s.apply(Action::Crash(f)).unwrap();
    assert_eq!(s.node(f).unwrap().status(), NodeStatus::Crashed);
    assert!(!s.node(f).unwrap().is_paused());
    assert!(s.held_messages(f).is_empty());
    let dropped: Vec<MessageId> = s.trace().events()[since..]
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Dropped {
                id,
                to,
                reason: DropReason::RecipientCrashed,
                ..
            } if to == node(f) => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(&dropped[..held.len()], &held[..]);
    for id in &held {
        let d = s.recent_drops().find(|d| d.id == *id).expect("listed");
        assert_eq!(d.reason, DropReason::RecipientCrashed);
        assert_eq!(d.dropped_at_ms, s.now_ms());
    }
    assert_eq!(s.apply(Action::Resume(f)), Err(SimError::NodeNotPaused(f)));
    assert_eq!(s.apply(Action::Pause(f)), Err(SimError::NodeDown(f)));
    s.apply(Action::Restart(f)).unwrap();
    assert_eq!(s.node(f).unwrap().status(), NodeStatus::Up);
    s.run_for(30_000);
    assert!(
        s.trace().events()[since..]
            .iter()
            .any(|e| matches!(e.kind, TraceKind::Delivered { to, .. } if to == node(f))),
        "the restarted node receives messages again, not held"
    );
}

// ----- acting on single messages -----

#[test]
fn drop_message_removes_exactly_that_message() {
    let mut s = sim(14, 5);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    assert!(s.run_until(60_000, |s| s.in_flight().count() >= 3));
    let victim = s
        .in_flight()
        .find(|e| is_node_to_node(e.from, e.to))
        .unwrap()
        .clone();
    let rest: Vec<MessageId> = s
        .in_flight()
        .map(|e| e.id)
        .filter(|&id| id != victim.id)
        .collect();
    s.apply(Action::DropMessage(victim.id)).unwrap();
    assert_eq!(s.in_flight().map(|e| e.id).collect::<Vec<_>>(), rest);
    assert_eq!(
        s.trace().events().last().unwrap().kind,
        TraceKind::Dropped {
            id: victim.id,
            from: victim.from,
            to: victim.to,
            kind: victim.kind(),
            reason: DropReason::ByUser
        }
    );
    let d = s.recent_drops().next_back().unwrap();
    assert_eq!(
        (
            d.id,
            d.reason,
            d.dropped_at_ms,
            d.sent_at_ms,
            d.deliver_at_ms
        ),
        (
            victim.id,
            DropReason::ByUser,
            s.now_ms(),
            victim.sent_at_ms,
            victim.deliver_at_ms
        )
    );
    assert_eq!(
        s.apply(Action::DropMessage(victim.id)),
        Err(SimError::UnknownMessage(victim.id))
    );
    s.run_for(10_000);
    let delivered: BTreeSet<MessageId> = s
        .trace()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Delivered { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert!(!delivered.contains(&victim.id));
    assert!(
        rest.iter().all(|id| delivered.contains(id)),
        "the others arrive"
    );
}

#[test]
fn duplicate_message_sends_a_copy_that_is_delivered_too() {
    let mut s = sim(15, 5);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    assert!(s.run_until(60_000, |s| {
        s.in_flight().any(|e| is_node_to_node(e.from, e.to))
    }));
    let orig = s
        .in_flight()
        .find(|e| is_node_to_node(e.from, e.to))
        .unwrap()
        .clone();
    let before = s.in_flight().count();
    let now = s.now_ms();
    s.apply(Action::DuplicateMessage(orig.id)).unwrap();
    assert_eq!(s.in_flight().count(), before + 1);
    let TraceKind::Duplicated {
        id,
        copy,
        from,
        to,
        by_user,
        ..
    } = s.trace().events().last().unwrap().kind
    else {
        panic!("a Duplicated event");
    };
    assert_eq!((id, from, to, by_user), (orig.id, orig.from, orig.to, true));
    let c = s
        .network()
        .get(copy)
        .expect("the copy is in flight")
        .clone();
    assert!(c.duplicate && !c.lost);
    assert_eq!(c.payload, orig.payload);
    assert_eq!(c.sent_at_ms, now);
    assert!((now + 1_800..=now + 2_400).contains(&c.deliver_at_ms));
    s.run_for(5_000);
    let delivered: BTreeMap<MessageId, u64> = s
        .trace()
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            TraceKind::Delivered { id, .. } => Some((id, e.time_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(delivered.get(&orig.id), Some(&orig.deliver_at_ms));
    assert_eq!(delivered.get(&copy), Some(&c.deliver_at_ms));
    check_logs(&s);
}

#[test]
fn client_messages_can_be_dropped_but_not_duplicated() {
    let mut s = sim(16, 5);
    run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.apply(add(5)).unwrap();
    let req = s
        .in_flight()
        .find(|e| e.from == Endpoint::Client)
        .expect("the request is in flight")
        .id;
    let before = fingerprint(&s);
    assert_eq!(
        s.apply(Action::DuplicateMessage(req)),
        Err(SimError::NotANodeMessage(req))
    );
    assert_eq!(fingerprint(&s), before);
    s.apply(Action::DropMessage(req)).unwrap();
    assert_eq!(
        s.recent_drops().next_back().unwrap().reason,
        DropReason::ByUser
    );
    assert!(s.in_flight().all(|e| e.from != Endpoint::Client));
    // The client times out and retries: the request still completes.
    assert!(s.run_until(200_000, |s| s.client().requests().all(|r| r.is_finished())));
    let r = s.client().requests().next().unwrap();
    assert!(r.retries >= 1);
    assert!(matches!(
        r.state,
        raft_core::sim::RequestState::Completed(_)
    ));
}

// ----- bad input -----

#[test]
fn bad_input_is_refused_with_a_typed_error_and_changes_nothing() {
    let mut s = sim(17, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    s.run_until(60_000, |s| s.in_flight().count() >= 2);
    let others: Vec<NodeId> = ids(&s).into_iter().filter(|&x| x != leader).collect();
    let (crashed, paused, up) = (others[0], others[1], others[2]);
    s.apply(Action::Crash(crashed)).unwrap();
    s.apply(Action::Pause(paused)).unwrap();
    s.apply(Action::CutLink {
        from: n(1),
        to: n(2),
    })
    .unwrap();
    s.run_for(7_000);
    assert!(s.in_flight().count() > 0);
    let bad_ratio = |num, den| LinkSettings {
        loss: Ratio { num, den },
        ..LinkSettings::default()
    };
    let bad_dup = LinkSettings {
        duplicate: Ratio { num: 3, den: 2 },
        ..LinkSettings::default()
    };
    let bad_latency = LinkSettings {
        latency_ms_min: 500,
        latency_ms_max: 499,
        ..LinkSettings::default()
    };
    let link = |settings| Action::SetLink {
        from: n(3),
        to: n(4),
        settings: Some(settings),
    };
    let missing = MessageId(1_000_000);
    let cases: Vec<(Action, SimError)> = vec![
        (
            Action::Partition(vec![vec![n(1)], vec![n(2), n(9)]]),
            SimError::UnknownNode(n(9)),
        ),
        (
            Action::Partition(vec![vec![n(1), n(2)], vec![n(3), n(2)]]),
            SimError::NodeInTwoGroups(n(2)),
        ),
        (
            Action::Partition(vec![vec![n(4), n(4)]]),
            SimError::NodeInTwoGroups(n(4)),
        ),
        (
            Action::Partition(vec![(1..=5).map(n).collect()]),
            SimError::PartitionNeedsTwoGroups,
        ),
        (Action::Partition(vec![]), SimError::PartitionNeedsTwoGroups),
        (Action::Isolate(n(0)), SimError::UnknownNode(n(0))),
        (
            Action::CutLink {
                from: n(3),
                to: n(3),
            },
            SimError::SelfLink(n(3)),
        ),
        (
            Action::RestoreLink {
                from: n(1),
                to: n(6),
            },
            SimError::UnknownNode(n(6)),
        ),
        (
            Action::SetLink {
                from: n(2),
                to: n(2),
                settings: None,
            },
            SimError::SelfLink(n(2)),
        ),
        (
            Action::SetNetwork(bad_ratio(2, 1)),
            SimError::InvalidRatio { num: 2, den: 1 },
        ),
        (
            Action::SetNetwork(bad_ratio(0, 0)),
            SimError::InvalidRatio { num: 0, den: 0 },
        ),
        (
            link(bad_ratio(1, 0)),
            SimError::InvalidRatio { num: 1, den: 0 },
        ),
        (
            link(bad_ratio(2, 1)),
            SimError::InvalidRatio { num: 2, den: 1 },
        ),
        (link(bad_dup), SimError::InvalidRatio { num: 3, den: 2 }),
        (
            link(bad_latency),
            SimError::LatencyRange {
                min_ms: 500,
                max_ms: 499,
            },
        ),
        (
            Action::SetNetwork(bad_latency),
            SimError::LatencyRange {
                min_ms: 500,
                max_ms: 499,
            },
        ),
        (
            Action::DropMessage(missing),
            SimError::UnknownMessage(missing),
        ),
        (
            Action::DuplicateMessage(missing),
            SimError::UnknownMessage(missing),
        ),
        (Action::Pause(crashed), SimError::NodeDown(crashed)),
        (Action::Pause(paused), SimError::NodePaused(paused)),
        (Action::Pause(n(10)), SimError::UnknownNode(n(10))),
        (Action::Resume(up), SimError::NodeNotPaused(up)),
        (Action::Resume(crashed), SimError::NodeNotPaused(crashed)),
        (Action::Timeout(paused), SimError::NodePaused(paused)),
        (Action::Timeout(crashed), SimError::NodeDown(crashed)),
        (
            Action::Timeout(leader),
            SimError::LeaderHasNoElectionTimer(leader),
        ),
        (Action::Restart(up), SimError::NodeUp(up)),
        (Action::Crash(crashed), SimError::NodeDown(crashed)),
    ];
    let before = fingerprint(&s);
    assert!(!before.cuts.is_empty() && !before.held.iter().all(Vec::is_empty));
    for (action, err) in cases {
        let shown = format!("{action:?}");
        assert_eq!(s.apply(action), Err(err.clone()), "{shown}");
        assert!(!err.to_string().is_empty());
        assert_eq!(fingerprint(&s), before, "{shown} changed the simulation");
    }
    // The run goes on as if nothing had been tried.
    let mut twin = s.clone();
    s.run_for(60_000);
    twin.run_for(60_000);
    assert_eq!(s.trace().digest(), twin.trace().digest());
}

#[test]
fn invalid_fault_settings_are_refused_when_building_a_simulation() {
    let bad = |c: SimConfig| Simulation::new(c).err();
    assert_eq!(
        bad(SimConfig {
            loss: Ratio { num: 2, den: 1 },
            ..SimConfig::default()
        }),
        Some(SimError::InvalidRatio { num: 2, den: 1 })
    );
    assert_eq!(
        bad(SimConfig {
            duplicate: Ratio { num: 1, den: 0 },
            ..SimConfig::default()
        }),
        Some(SimError::InvalidRatio { num: 1, den: 0 })
    );
    assert_eq!(
        bad(SimConfig {
            latency_ms_min: 10,
            latency_ms_max: 9,
            ..SimConfig::default()
        }),
        Some(SimError::LatencyRange {
            min_ms: 10,
            max_ms: 9
        })
    );
    assert!(
        Simulation::new(SimConfig {
            loss: Ratio { num: 1, den: 1 },
            duplicate: Ratio { num: 0, den: 5 },
            ..SimConfig::default()
        })
        .is_ok()
    );
}

// ----- restart -----

#[test]
fn a_restarted_node_is_a_follower_with_commit_index_zero_and_its_persisted_state() {
    let mut s = sim(18, 5);
    let leader = run_until_stable_leader(&mut s, 300_000).expect("a leader");
    for i in 0..3 {
        s.apply(add(i)).unwrap();
    }
    assert!(s.run_until(60_000, |s| {
        s.nodes()
            .all(|x| x.raft().is_some_and(|r| r.commit_index() >= LogIndex(4)))
    }));
    let before = view(&s, leader);
    assert!(before.commit > LogIndex(0));
    s.apply(Action::Crash(leader)).unwrap();
    let stored = s.node(leader).unwrap().storage().clone();
    assert_eq!(stored.log, before.log);
    assert_eq!(stored.current_term, before.term);
    assert_eq!(s.node(leader).unwrap().role(), None);
    s.apply(Action::Restart(leader)).unwrap();
    let x = s.node(leader).unwrap();
    assert_eq!(x.restarts(), 1);
    assert_eq!(x.state_machine(), &raft_core::StateMachine::default());
    let r = x.raft().unwrap();
    assert_eq!(r.role(), RoleKind::Follower);
    assert_eq!(r.commit_index(), LogIndex(0));
    assert_eq!(r.last_applied(), LogIndex(0));
    assert_eq!(r.leader_id(), None);
    assert_eq!(r.current_term(), before.term);
    assert_eq!(r.voted_for(), stored.voted_for);
    assert_eq!(r.log(), &before.log);
    assert_eq!(
        s.trace().events().last().unwrap().kind,
        TraceKind::Restarted {
            node: leader,
            term: before.term,
            log_len: before.log.last_index().0,
            snapshot_index: 0,
        }
    );
    assert!(
        s.run_until(120_000, |s| s
            .node(leader)
            .and_then(|x| x.raft())
            .is_some_and(|r| r.commit_index() >= before.commit)),
        "it learns the commit index again from the next leader"
    );
    assert!(s.node(leader).unwrap().state_machine().last_applied >= before.commit);
    check_logs(&s);
}

// ----- serialization of the fault state -----

/// A simulation in the middle of every kind of fault (a cut link, a partition, per-link
/// settings, a paused node with messages waiting, lossy and duplicating defaults, unsynced
/// writes) round-trips through JSON and continues exactly as the original.
#[test]
fn fault_state_round_trips_through_json_and_continues_identically() {
    let mut a = Simulation::new(SimConfig {
        seed: 19,
        loss: Ratio { num: 1, den: 20 },
        duplicate: Ratio { num: 1, den: 20 },
        storage_faults: true,
        ..SimConfig::default()
    })
    .unwrap();
    let leader = run_until_stable_leader(&mut a, 300_000).expect("a leader");
    let f = follower_of(&a, leader);
    a.apply(Action::SetLink {
        from: n(1),
        to: n(2),
        settings: Some(LinkSettings {
            latency_ms_min: 100,
            latency_ms_max: 200,
            loss: Ratio { num: 1, den: 2 },
            duplicate: Ratio::NEVER,
        }),
    })
    .unwrap();
    a.apply(Action::CutLink {
        from: n(3),
        to: n(4),
    })
    .unwrap();
    a.apply(Action::Pause(f)).unwrap();
    a.apply(add(1)).unwrap();
    a.run_for(15_000);
    assert!(!a.held_messages(f).is_empty());
    assert!(a.network().link_override(n(1), n(2)).is_some());
    let json = serde_json::to_string(&a).expect("serialize");
    let mut b: Simulation = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(fingerprint(&a), fingerprint(&b));
    for x in [&mut a, &mut b] {
        x.apply(Action::Resume(f)).unwrap();
        x.apply(Action::Partition(vec![vec![leader]])).unwrap();
        x.run_for(100_000);
        x.apply(Action::HealAll).unwrap();
        x.run_for(100_000);
    }
    assert_eq!(a.trace().digest(), b.trace().digest());
    assert_eq!(a.events_processed(), b.events_processed());
}

// ----- every fault at random -----

/// One seed of random faults of every kind (crash, restart, pause, resume, cuts, partitions,
/// isolation, heal, per-link and default settings, dropped and duplicated messages, forced
/// timeouts) with client load, over 10 virtual minutes; then everything is repaired and the
/// cluster must elect a leader and converge. Safety is checked throughout.
fn random_faults(seed: u64) {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xFA17);
    let nodes = rng.random_range(3..=7u64);
    let mut s = Simulation::new(SimConfig {
        seed,
        node_count: nodes,
        storage_faults: rng.random_bool(0.5),
        ..SimConfig::default()
    })
    .unwrap();
    let pick = |rng: &mut Xoshiro256PlusPlus| n(rng.random_range(1..=nodes));
    let ratio = |rng: &mut Xoshiro256PlusPlus| Ratio {
        num: rng.random_range(0..=3),
        den: 10,
    };
    while s.now_ms() < 600_000 {
        let next = s.now_ms() + rng.random_range(100..15_000u64);
        s.advance_to(next);
        let id = pick(&mut rng);
        let status = s.node(id).unwrap().status();
        let leads = s.node(id).unwrap().role() == Some(RoleKind::Leader);
        let other = pick(&mut rng);
        let action = match rng.random_range(0..16u32) {
            0 if status != NodeStatus::Crashed => Action::Crash(id),
            1 if status == NodeStatus::Crashed => Action::Restart(id),
            2 if status == NodeStatus::Up => Action::Pause(id),
            3 if status == NodeStatus::Paused => Action::Resume(id),
            4 if other != id => Action::CutLink {
                from: id,
                to: other,
            },
            5 if other != id => Action::RestoreLink {
                from: id,
                to: other,
            },
            6 if other != id => Action::Partition(vec![vec![id, other]]),
            7 => Action::Isolate(id),
            8 => Action::HealAll,
            9 if other != id => Action::SetLink {
                from: id,
                to: other,
                settings: Some(LinkSettings {
                    latency_ms_min: 100,
                    latency_ms_max: rng.random_range(100..6_000),
                    loss: ratio(&mut rng),
                    duplicate: ratio(&mut rng),
                }),
            },
            10 => Action::SetNetwork(LinkSettings {
                latency_ms_min: 500,
                latency_ms_max: rng.random_range(500..5_000),
                loss: ratio(&mut rng),
                duplicate: ratio(&mut rng),
            }),
            11 => match s.in_flight().map(|e| e.id).last() {
                Some(m) => Action::DropMessage(m),
                None => continue,
            },
            12 => match s
                .in_flight()
                .filter(|e| is_node_to_node(e.from, e.to))
                .map(|e| e.id)
                .next()
            {
                Some(m) => Action::DuplicateMessage(m),
                None => continue,
            },
            13 if status == NodeStatus::Up && !leads => Action::Timeout(id),
            _ => Action::Submit(Command::Add {
                a: rng.random_range(-100..100),
                b: rng.random_range(-100..100),
            }),
        };
        let shown = format!("{action:?}");
        s.apply(action)
            .unwrap_or_else(|e| panic!("seed {seed}: {shown} refused: {e}"));
        check_logs(&s);
    }
    conservation(&s);
    // Repair everything.
    s.apply(Action::HealAll).unwrap();
    s.apply(Action::SetNetwork(LinkSettings::default()))
        .unwrap();
    for id in ids(&s) {
        match s.node(id).unwrap().status() {
            NodeStatus::Paused => s.apply(Action::Resume(id)).unwrap(),
            NodeStatus::Crashed => s.apply(Action::Restart(id)).unwrap(),
            NodeStatus::Up => raft_core::sim::ActionOutcome::Done,
        };
    }
    assert!(
        run_until_stable_leader(&mut s, 900_000).is_some(),
        "seed {seed}: no leader after repair"
    );
    s.apply(add(0)).unwrap();
    let converged = s.run_until(600_000, |s| {
        let logs: Vec<_> = s.nodes().filter_map(|x| x.raft()).collect();
        logs.iter()
            .all(|r| r.log() == logs[0].log() && r.commit_index() == logs[0].log().last_index())
    });
    assert!(converged, "seed {seed}: no convergence after repair");
    leaders_by_term(&s);
    check_logs(&s);
    assert_eq!(
        raftlab_tests::double_votes(&s),
        vec![],
        "seed {seed}: double vote"
    );
    conservation(&s);
}

/// Every message (and every copy) that entered the network has exactly one fate: delivered,
/// dropped, waiting for a paused node, or still in flight.
fn conservation(s: &Simulation) {
    let seed = s.config().seed;
    let mut fates: BTreeMap<MessageId, u32> = BTreeMap::new();
    for e in s.trace().events() {
        match e.kind {
            TraceKind::Sent { id, .. } | TraceKind::Duplicated { copy: id, .. } => {
                assert!(
                    fates.insert(id, 0).is_none(),
                    "seed {seed}: {id:?} sent twice"
                );
            }
            TraceKind::Delivered { id, .. } | TraceKind::Dropped { id, .. } => {
                *fates
                    .get_mut(&id)
                    .unwrap_or_else(|| panic!("seed {seed}: {id:?} never sent")) += 1;
            }
            _ => {}
        }
    }
    let waiting: BTreeSet<MessageId> = s
        .in_flight()
        .map(|e| e.id)
        .chain(
            ids(s)
                .into_iter()
                .flat_map(|id| s.held_messages(id).iter().map(|e| e.id).collect::<Vec<_>>()),
        )
        .collect();
    for (id, count) in fates {
        let expected = u32::from(!waiting.contains(&id));
        assert_eq!(count, expected, "seed {seed}: fate of {id:?}");
    }
}

#[test]
fn random_faults_of_every_kind_keep_raft_safe_and_a_repaired_cluster_recovers() {
    let seeds: Vec<u64> = match std::env::var("FAULT_SEED") {
        Ok(one) => vec![one.parse().expect("FAULT_SEED is a number")],
        Err(_) => (0..std::env::var("FAULT_SEEDS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(40u64))
            .collect(),
    };
    for seed in seeds {
        random_faults(seed);
    }
}
