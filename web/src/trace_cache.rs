//! What the app keeps from the simulation's trace: the last lines of the event log, already
//! formatted, and the story of each recent client request.
//!
//! [`TraceCache::sync`] only looks at the events added since its last call (and of those,
//! formats at most the last [`LOG_LINES`]), so the cost per frame follows what happened in the
//! frame, not the length of the run.

use raft_core::sim::{Level, RequestId, Simulation, TraceEvent, TraceKind};
use raft_core::{NodeEvent, NodeId};
use std::collections::VecDeque;
use std::rc::Rc;
use yew::AttrValue;

/// Lines the event log keeps (per level filter).
pub const LOG_LINES: usize = 500;
/// Client requests whose story is kept.
pub const REQUEST_HISTORY: usize = 6;

/// How a log line is highlighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Ordinary.
    Plain,
    /// A per-message DEBUG line.
    Debug,
    /// A leader was elected.
    Leader,
    /// An election started.
    Election,
    /// A crash or a failure.
    Fault,
    /// A client request completed.
    Client,
}

impl Tone {
    /// CSS class of the line.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Plain => "line",
            Tone::Debug => "line debug",
            Tone::Leader => "line leader",
            Tone::Election => "line election",
            Tone::Fault => "line fault",
            Tone::Client => "line client",
        }
    }
}

/// One formatted event log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// Position of the event in the trace (a stable key for the DOM).
    pub seq: usize,
    /// Highlight.
    pub tone: Tone,
    /// `[2026-01-01 00:00:21,345] - INFO - ...` (an `Rc<str>`, so copies are cheap).
    pub text: AttrValue,
}

/// A step in a client request's story, e.g. "redirected to Node 1".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStep {
    /// Sent to a node (first send, or a retry).
    Sent {
        /// The node.
        to: NodeId,
        /// Whether this send is a retry.
        retry: bool,
    },
    /// A node refused and named the leader; the client follows the hint.
    Redirected {
        /// The node that refused.
        from: NodeId,
        /// The hinted leader.
        to: NodeId,
    },
    /// The client gave up on an attempt.
    Retry {
        /// Why.
        reason: String,
    },
    /// Answered.
    Answered {
        /// The node that answered.
        by: NodeId,
    },
    /// Failed for good.
    Failed,
}

impl RequestStep {
    /// Human text of the step.
    pub fn text(&self) -> String {
        match self {
            RequestStep::Sent { to, retry: false } => format!("sent to Node {to}"),
            RequestStep::Sent { to, retry: true } => format!("sent again, to Node {to}"),
            RequestStep::Redirected { from, to } => {
                format!("Node {from} is not the leader: redirected to Node {to}")
            }
            RequestStep::Retry { reason } => format!("retry ({reason})"),
            RequestStep::Answered { by } => format!("answered by Node {by}"),
            RequestStep::Failed => "failed".to_string(),
        }
    }
}

/// The steps of a few client requests, oldest request first: a short list rather than a
/// `BTreeMap`, whose code for this key/value type would cost the download more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSteps(Vec<(RequestId, Vec<RequestStep>)>);

impl RequestSteps {
    /// The steps of one request.
    pub fn get(&self, id: &RequestId) -> Option<&Vec<RequestStep>> {
        self.0.iter().find(|(r, _)| r == id).map(|(_, s)| s)
    }

    /// Adds a step to a request's story (a new request goes in id order).
    fn push(&mut self, id: RequestId, step: RequestStep) {
        let at = self.0.partition_point(|(r, _)| *r < id);
        match self.0.get_mut(at) {
            Some((r, steps)) if *r == id => steps.push(step),
            _ => self.0.insert(at, (id, vec![step])),
        }
    }

    /// Forgets the oldest requests beyond the newest `keep`.
    fn keep_newest(&mut self, keep: usize) {
        let extra = self.0.len().saturating_sub(keep);
        self.0.drain(..extra);
    }
}

/// The formatted tail of the trace.
#[derive(Clone, Debug, Default)]
pub struct TraceCache {
    /// Trace position up to which events have been looked at.
    seen: usize,
    /// The last [`LOG_LINES`] INFO lines.
    pub info: Rc<VecDeque<LogLine>>,
    /// The last [`LOG_LINES`] lines of any level.
    pub all: Rc<VecDeque<LogLine>>,
    /// How many INFO lines the run has produced (older ones than `info` holds were dropped).
    pub info_total: usize,
    /// How many lines of any level the run has produced.
    pub all_total: usize,
    /// The steps of the last [`REQUEST_HISTORY`] client requests.
    pub requests: Rc<RequestSteps>,
}

fn tone(event: &TraceEvent) -> Tone {
    match &event.kind {
        _ if event.level() == Level::Debug => Tone::Debug,
        TraceKind::Node { event, .. } => match event {
            NodeEvent::BecameLeader { .. } => Tone::Leader,
            NodeEvent::ElectionTimeout { .. } => Tone::Election,
            _ => Tone::Plain,
        },
        TraceKind::Crashed { .. } | TraceKind::ClientFailed { .. } => Tone::Fault,
        TraceKind::ClientCompleted { .. } => Tone::Client,
        _ => Tone::Plain,
    }
}

fn push_capped(lines: &mut VecDeque<LogLine>, line: LogLine) {
    if lines.len() == LOG_LINES {
        lines.pop_front();
    }
    lines.push_back(line);
}

impl TraceCache {
    /// Takes in the events added to `sim`'s trace since the last call.
    pub fn sync(&mut self, sim: &Simulation) {
        // Positions count every event of the run, dropped ones too (the simulation may keep
        // only the newest events in memory), so `seen` and `seq` stay valid with a retention.
        let trace = sim.trace();
        let len_ever = trace.len_ever();
        if len_ever <= self.seen {
            return;
        }
        let new = trace.since(self.seen);
        let base = len_ever - new.len();
        self.all_total += len_ever - self.seen;
        self.seen = len_ever;
        self.info_total += new.iter().filter(|e| e.level() == Level::Info).count();

        // Lines: only the newest LOG_LINES of each kind can survive, so walk the new events
        // from the end and format no more than that.
        let mut info_new = Vec::new();
        let mut all_new = Vec::new();
        for (i, e) in new.iter().enumerate().rev() {
            let is_info = e.level() == Level::Info;
            let want_info = is_info && info_new.len() < LOG_LINES;
            let want_all = all_new.len() < LOG_LINES;
            if !want_info && !want_all {
                break;
            }
            let line = LogLine {
                seq: base + i,
                tone: tone(e),
                text: AttrValue::from(e.line()),
            };
            if want_info {
                info_new.push(line.clone());
            }
            if want_all {
                all_new.push(line);
            }
        }
        if !info_new.is_empty() {
            let info = Rc::make_mut(&mut self.info);
            info_new
                .into_iter()
                .rev()
                .for_each(|l| push_capped(info, l));
        }
        if !all_new.is_empty() {
            let all = Rc::make_mut(&mut self.all);
            all_new.into_iter().rev().for_each(|l| push_capped(all, l));
        }

        // Client request stories (client events are few: scan them all).
        let is_client = |e: &TraceEvent| {
            matches!(
                e.kind,
                TraceKind::ClientSent { .. }
                    | TraceKind::ClientRedirected { .. }
                    | TraceKind::ClientRetry { .. }
                    | TraceKind::ClientCompleted { .. }
                    | TraceKind::ClientFailed { .. }
            )
        };
        if !new.iter().any(is_client) {
            return;
        }
        let mut changed = false;
        let mut requests = (*self.requests).clone();
        for e in new {
            let (id, step) = match &e.kind {
                TraceKind::ClientSent {
                    request,
                    to,
                    attempt,
                    ..
                } => {
                    // A send that follows a redirect is already told by the redirect.
                    let after_redirect = matches!(
                        requests.get(request).and_then(|s| s.last()),
                        Some(RequestStep::Redirected { .. })
                    );
                    if after_redirect {
                        continue;
                    }
                    (
                        *request,
                        RequestStep::Sent {
                            to: *to,
                            retry: *attempt > 1,
                        },
                    )
                }
                TraceKind::ClientRedirected { request, from, to } => (
                    *request,
                    RequestStep::Redirected {
                        from: *from,
                        to: *to,
                    },
                ),
                TraceKind::ClientRetry { request, reason } => (
                    *request,
                    RequestStep::Retry {
                        reason: reason.clone(),
                    },
                ),
                TraceKind::ClientCompleted { request, summary } => (
                    *request,
                    RequestStep::Answered {
                        by: summary.performed_on,
                    },
                ),
                TraceKind::ClientFailed { request, .. } => (*request, RequestStep::Failed),
                _ => continue,
            };
            requests.push(id, step);
            changed = true;
        }
        if changed {
            requests.keep_newest(REQUEST_HISTORY);
            self.requests = Rc::new(requests);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::Command;
    use raft_core::sim::{Action, SimConfig};

    #[test]
    fn keeps_the_last_lines_in_order_without_reformatting_old_ones() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        let mut cache = TraceCache::default();
        cache.sync(&sim);
        assert!(cache.info.is_empty() && cache.all.is_empty());
        // Sync in small and large chunks: the result must not depend on the chunking.
        for _ in 0..40 {
            sim.run_for(1_000);
            cache.sync(&sim);
        }
        sim.run_for(400_000);
        cache.sync(&sim);
        let events = sim.trace().events();
        assert!(events.len() > LOG_LINES);
        let expect_all: Vec<String> = events[events.len() - LOG_LINES..]
            .iter()
            .map(TraceEvent::line)
            .collect();
        let got_all: Vec<String> = cache.all.iter().map(|l| l.text.to_string()).collect();
        assert_eq!(got_all, expect_all);
        let expect_info: Vec<String> = events
            .iter()
            .filter(|e| e.level() == Level::Info)
            .map(TraceEvent::line)
            .collect();
        let start = expect_info.len().saturating_sub(LOG_LINES);
        let got_info: Vec<String> = cache.info.iter().map(|l| l.text.to_string()).collect();
        assert_eq!(got_info, expect_info[start..]);
        assert_eq!(cache.all_total, events.len());
        assert_eq!(cache.info_total, expect_info.len());
        assert!(cache.info.iter().any(|l| l.tone == Tone::Leader));
        // Sequence numbers increase (they are DOM keys).
        assert!(
            cache
                .all
                .iter()
                .zip(cache.all.iter().skip(1))
                .all(|(a, b)| a.seq < b.seq)
        );
    }

    /// With a trace retention the cache reads by position: synced often enough, it shows the
    /// same lines, keys and totals as with the whole trace.
    #[test]
    fn a_retained_trace_gives_the_same_lines() {
        let mut full = Simulation::new(SimConfig::default()).expect("valid");
        let mut kept = Simulation::new(SimConfig::default()).expect("valid");
        kept.set_trace_retention(Some(LOG_LINES + 100));
        let (mut a, mut b) = (TraceCache::default(), TraceCache::default());
        for i in 0..300 {
            for sim in [&mut full, &mut kept] {
                sim.apply(Action::Submit(Command::Add { a: i, b: 1 }))
                    .expect("submit");
                sim.run_for(2_000);
            }
            a.sync(&full);
            b.sync(&kept);
        }
        assert!(kept.trace().first_position() > 0, "events were dropped");
        assert!(b.all == a.all, "all lines");
        assert!(b.info == a.info, "info lines");
        assert_eq!((b.all_total, b.info_total), (a.all_total, a.info_total));
        assert_eq!(b.requests, a.requests);
        // A long jump between syncs: the newest lines of any level are still all there (the
        // retention is larger than the panel).
        full.run_for(600_000);
        kept.run_for(600_000);
        a.sync(&full);
        b.sync(&kept);
        assert!(b.all == a.all, "all lines after a jump");
        assert_eq!(b.all_total, a.all_total);
    }

    #[test]
    fn tells_the_story_of_client_requests() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        let mut cache = TraceCache::default();
        for i in 0..8 {
            sim.apply(Action::Submit(Command::Add { a: i, b: 3 }))
                .expect("submit");
            sim.run_for(30_000);
            cache.sync(&sim);
        }
        assert_eq!(cache.requests.0.len(), REQUEST_HISTORY);
        for (_, steps) in &cache.requests.0 {
            assert!(matches!(
                steps.first(),
                Some(RequestStep::Sent { retry: false, .. })
            ));
            assert!(matches!(steps.last(), Some(RequestStep::Answered { .. })));
        }
        let text = RequestStep::Redirected {
            from: NodeId(4),
            to: NodeId(1),
        }
        .text();
        assert_eq!(text, "Node 4 is not the leader: redirected to Node 1");
    }
}
