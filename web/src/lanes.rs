//! Lanes keep messages apart. Two messages on the same link in the same direction (say an
//! AppendEntries and, a moment later, a heartbeat) would be drawn on top of each other; the
//! second one gets the next lane out instead. A message keeps its lane for its whole flight,
//! so nothing ever jumps sideways.

use crate::geometry::{self, MAX_LANE};
use crate::glyph;
use crate::views::endpoint_anchor;
use raft_core::sim::{Envelope, MessageId, Simulation};
use yew::AttrValue;

/// Space kept between two messages on one lane, on top of their own sizes.
const MIN_SPACING: f64 = 4.0;

/// The lane of every message in flight, and its hover text (made once, when it is sent,
/// rather than on every frame it is drawn).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaneMap {
    /// `(message, lane, hover text)`, sorted by message id: a few dozen entries (a few hundred
    /// under heavy load), and a `BTreeMap` would add its own copy of the B-tree code to the
    /// download.
    lanes: Vec<(MessageId, u8, AttrValue)>,
}

impl LaneMap {
    /// The lane of a message (0 if it has none yet).
    pub fn lane(&self, id: MessageId) -> u8 {
        self.get(id).unwrap_or(0)
    }

    /// The lane of a message that has one.
    fn get(&self, id: MessageId) -> Option<u8> {
        let at = self.lanes.binary_search_by(|l| l.0.cmp(&id)).ok()?;
        Some(self.lanes[at].1)
    }

    /// The hover text of a message, if it has a lane.
    pub fn title(&self, id: MessageId) -> Option<AttrValue> {
        let at = self.lanes.binary_search_by(|l| l.0.cmp(&id)).ok()?;
        Some(self.lanes[at].2.clone())
    }

    /// Whether [`LaneMap::sync`] has anything to do: a message was delivered or sent since.
    pub fn is_stale(&self, sim: &Simulation) -> bool {
        sim.network().len() != self.lanes.len() || sim.in_flight().any(|e| self.get(e.id).is_none())
    }

    /// Forgets delivered messages and gives each new one the lowest lane on which it never
    /// comes near another message of the same link and direction. Returns whether anything
    /// changed.
    pub fn sync(&mut self, sim: &Simulation) -> bool {
        let before = self.lanes.len();
        let flying: Vec<&Envelope> = sim.in_flight().collect();
        let mut ids: Vec<MessageId> = flying.iter().map(|e| e.id).collect();
        crate::views::sort_by_id(&mut ids, |id| id.0);
        self.lanes
            .retain(|(id, _, _)| ids.binary_search(id).is_ok());
        let mut changed = self.lanes.len() != before;
        let mut new: Vec<&Envelope> = flying
            .iter()
            .copied()
            .filter(|e| self.get(e.id).is_none())
            .collect();
        if new.is_empty() {
            return changed;
        }
        // By id (the ids are distinct). An insertion sort: a frame brings a few new messages,
        // and it spares the download a monomorphised std sort.
        for i in 1..new.len() {
            let mut j = i;
            while j > 0 && new[j - 1].id > new[j].id {
                new.swap(j - 1, j);
                j -= 1;
            }
        }
        let ring = crate::views::ring(sim);
        for env in new {
            let (from, from_r) = endpoint_anchor(env.from, &ring);
            let (to, to_r) = endpoint_anchor(env.to, &ring);
            let (start, end) = geometry::message_path(from, to, from_r, to_r);
            let path_len = start.distance(end);
            let reach = glyph::reach(env.kind(), env.entry_count());
            let mut taken = [false; MAX_LANE as usize + 1];
            for other in &flying {
                let Some(lane) = self.get(other.id) else {
                    continue;
                };
                if other.from != env.from || other.to != env.to {
                    continue;
                }
                let gap = reach + glyph::reach(other.kind(), other.entry_count()) + MIN_SPACING;
                if geometry::flights_overlap(
                    (env.sent_at_ms, env.deliver_at_ms),
                    (other.sent_at_ms, other.deliver_at_ms),
                    path_len,
                    gap,
                ) {
                    taken[usize::from(lane.min(MAX_LANE))] = true;
                }
            }
            // When every lane is taken the message shares the outermost one.
            let lane = taken.iter().position(|t| !t).unwrap_or(MAX_LANE as usize);
            let lane = u8::try_from(lane).unwrap_or(MAX_LANE);
            // New ids are larger than every id already here, but stay sorted regardless.
            let at = self.lanes.partition_point(|l| l.0 < env.id);
            self.lanes
                .insert(at, (env.id, lane, crate::views::message_title(env)));
            changed = true;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::message_views;
    use raft_core::Command;
    use raft_core::sim::{Action, SimConfig};

    /// Runs a busy cluster and checks, at many instants, that no two messages of the same link
    /// and direction are drawn closer than their sizes allow (unless all lanes are full).
    #[test]
    fn messages_on_one_link_never_overlap() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut lanes = LaneMap::default();
        let mut checked_pairs = 0;
        for step in 0..3_000u64 {
            if step % 400 == 100 {
                let _ = sim.apply(Action::Submit(Command::Add {
                    a: step as i64,
                    b: 1,
                }));
            }
            sim.run_for(97);
            let stale = lanes.is_stale(&sim);
            assert_eq!(lanes.sync(&sim), stale);
            assert!(!lanes.is_stale(&sim));
            let envs: Vec<&Envelope> = sim.in_flight().collect();
            let views = message_views(&sim, &lanes);
            for (e, v) in envs.iter().zip(&views) {
                // The hover text made when the message was sent is the one it has now.
                assert_eq!(v.title, crate::views::message_title(e));
                assert!(lanes.title(e.id).is_some());
            }
            for i in 0..envs.len() {
                for j in 0..i {
                    let (a, b) = (envs[i], envs[j]);
                    if a.from != b.from || a.to != b.to {
                        continue;
                    }
                    if lanes.lane(a.id) == MAX_LANE && lanes.lane(b.id) == MAX_LANE {
                        continue;
                    }
                    checked_pairs += 1;
                    let d = views[i].at.distance(views[j].at);
                    let min = glyph::reach(a.kind(), a.entry_count())
                        .min(glyph::reach(b.kind(), b.entry_count()));
                    assert!(
                        d >= min,
                        "messages {:?} and {:?} overlap ({d:.1})",
                        a.id,
                        b.id
                    );
                }
            }
        }
        assert!(
            checked_pairs > 0,
            "the scenario must put messages on a shared link"
        );
        // Delivered messages are forgotten.
        sim.run_for(1_000_000);
        lanes.sync(&sim);
        assert!(lanes.lanes.len() <= sim.in_flight().count());
    }
}
