//! Plain-data view of the client's recent requests, for the client panel.

use crate::num::Fixed;
use crate::trace_cache::{REQUEST_HISTORY, RequestStep, RequestSteps};
use raft_core::Command;
use raft_core::sim::{ClientRequest, RequestState, Simulation};

/// Where a request stands, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// Not answered yet: what the client is waiting for.
    Pending(String),
    /// Answered: the seed's summary line.
    Done(String),
    /// Given up or rejected: why.
    Failed(String),
}

/// One request as the panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestView {
    /// Request number (from 1).
    pub id: u64,
    /// The operation, e.g. `5 + 3`.
    pub operation: String,
    /// Its status.
    pub status: RequestStatus,
    /// The path so far, e.g. `sent to Node 4 → Node 4 is not the leader: redirected to Node 1`.
    pub path: String,
    /// Counts: attempts, redirects, retries, and the time taken when finished.
    pub counts: String,
}

fn operation(command: &Command) -> String {
    match command {
        Command::Add { a, b } => format!("{a} + {b}"),
        other => other.to_string(),
    }
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn request_view(
    req: &ClientRequest,
    steps: Option<&Vec<RequestStep>>,
    now_ms: u64,
    max_attempts: u32,
) -> RequestView {
    let status = match &req.state {
        RequestState::Sent { target, .. } => RequestStatus::Pending(format!(
            "waiting for Node {target} to answer (attempt {} of at most {max_attempts})",
            req.attempts
        )),
        RequestState::Backoff { retry_at_ms } => RequestStatus::Pending(format!(
            "no leader known yet: trying again in {} s",
            Fixed(retry_at_ms.saturating_sub(now_ms) as f64 / 1000.0, 1)
        )),
        RequestState::Completed(summary) => RequestStatus::Done(summary.text()),
        RequestState::Failed { reason } => RequestStatus::Failed(reason.clone()),
    };
    let path = steps.map_or_else(String::new, |s| {
        s.iter()
            .map(RequestStep::text)
            .collect::<Vec<_>>()
            .join(" \u{2192} ")
    });
    let mut counts = format!(
        "{}, {}, {}",
        plural(req.attempts, "attempt"),
        plural(req.redirects, "redirect"),
        plural(req.retries, "retry").replace("retrys", "retries")
    );
    if let RequestState::Completed(s) = &req.state {
        let secs = s.completed_at_ms.saturating_sub(s.submitted_at_ms) as f64 / 1000.0;
        counts.push_str(&format!(", answered after {} s", Fixed(secs, 1)));
    }
    RequestView {
        id: req.id.0,
        operation: operation(&req.command),
        status,
        path,
        counts,
    }
}

/// The most recent requests, newest first.
pub fn request_views(sim: &Simulation, steps: &RequestSteps) -> Vec<RequestView> {
    let max = sim.client().config.max_attempts;
    sim.client()
        .requests()
        .rev()
        .take(REQUEST_HISTORY)
        .map(|r| request_view(r, steps.get(&r.id), sim.now_ms(), max))
        .collect()
}

/// The outcome of the most recent finished request, for the "Latest result" box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LatestResult {
    /// Answered: the seed's summary line.
    Completed(String),
    /// Failed: the request and the core's reason.
    Failed(String),
}

/// The most recent finished request (completed or failed), if any.
pub fn latest_result(sim: &Simulation) -> Option<LatestResult> {
    sim.client().requests().rev().find_map(|r| match &r.state {
        RequestState::Completed(s) => Some(LatestResult::Completed(s.text())),
        RequestState::Failed { reason } => Some(LatestResult::Failed(format!(
            "Request #{} ({}) failed: {reason}",
            r.id.0,
            operation(&r.command)
        ))),
        _ => None,
    })
}

/// How many requests the client has made in this run.
pub fn request_count(sim: &Simulation) -> usize {
    sim.client().requests().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace_cache::TraceCache;
    use raft_core::sim::{Action, SimConfig};

    #[test]
    fn pending_then_done_then_overflow_failure() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        assert!(sim.run_until(120_000, |s| s.leader().is_some()));
        let mut cache = TraceCache::default();
        sim.apply(Action::Submit(Command::Add { a: 5, b: 3 }))
            .expect("submit");
        cache.sync(&sim);
        let v = request_views(&sim, &cache.requests);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].operation, "5 + 3");
        assert!(
            matches!(&v[0].status, RequestStatus::Pending(t) if t.contains("waiting for Node"))
        );
        assert!(v[0].path.starts_with("sent to Node "));
        assert_eq!(latest_result(&sim), None);
        assert_eq!(request_count(&sim), 1);

        sim.run_for(40_000);
        cache.sync(&sim);
        let v = request_views(&sim, &cache.requests);
        match &v[0].status {
            RequestStatus::Done(t) => assert!(t.ends_with("Result: 5 + 3 = 8"), "{t}"),
            other => panic!("not done: {other:?}"),
        }
        assert!(v[0].path.contains("answered by Node"));
        assert!(v[0].counts.contains("answered after"));
        assert!(
            matches!(latest_result(&sim), Some(LatestResult::Completed(s)) if s.starts_with("Leader: Node ")),
            "summary"
        );

        sim.apply(Action::Submit(Command::Add { a: i64::MAX, b: 1 }))
            .expect("submit");
        sim.run_for(40_000);
        cache.sync(&sim);
        let v = request_views(&sim, &cache.requests);
        assert_eq!(v.len(), 2);
        assert!(matches!(&v[0].status, RequestStatus::Failed(r) if r.contains("overflows")));
        // The latest result is the failure, with the core's reason.
        match latest_result(&sim) {
            Some(LatestResult::Failed(t)) => {
                assert!(
                    t.starts_with("Request #2 (9223372036854775807 + 1) failed: "),
                    "{t}"
                );
                assert!(t.contains("overflows"), "{t}");
            }
            other => panic!("not failed: {other:?}"),
        }
        assert_eq!(request_count(&sim), 2);
    }

    #[test]
    fn plural_words() {
        assert_eq!(plural(1, "attempt"), "1 attempt");
        assert_eq!(plural(2, "redirect"), "2 redirects");
    }
}
