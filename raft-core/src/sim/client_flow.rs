//! How the simulator drives its clients: submitting, sending, following `NotLeader` hints,
//! retrying on timeouts and recording the outcome (paper §8, "Client interaction") in the
//! requests and in the history.
//!
//! Every attempt of a request carries the same session tag (client id, sequence number;
//! dissertation §6.3), so however many attempts commit, the state machine applies the
//! operation once and answers the others with the stored result.

use super::Simulation;
use super::client::{ClientRequest, OpSummary, RequestState};
use super::history::Outcome;
use super::network::{ClientReply, Endpoint, Payload, RequestId};
use super::trace::{TraceEvent, TraceKind};
use crate::command::{ClientId, Command};
use crate::state_machine::ApplyOutput;
use crate::types::NodeId;
use rand::RngExt;

impl Simulation {
    /// Creates a request of `client` (a valid id) with its next sequence number and sends it.
    pub(super) fn submit(&mut self, client: ClientId, command: Command) -> RequestId {
        self.client.next_id += 1;
        let id = RequestId(self.client.next_id);
        let now = self.now_ms;
        let seq = self.client.last_seq.entry(client).or_insert(0);
        *seq += 1;
        let seq = *seq;
        let invoked = command.clone();
        self.client.requests.insert(
            id,
            ClientRequest {
                id,
                client,
                seq,
                command,
                submitted_at_ms: now,
                attempts: 0,
                path: Vec::new(),
                redirects: 0,
                retries: 0,
                state: RequestState::Backoff { retry_at_ms: now },
            },
        );
        self.client.active.insert(id);
        self.client.index_timer(id);
        let first_unanswered = self.client.first_unanswered(client).unwrap_or(seq);
        self.client
            .history
            .invoke(id, (client, seq), first_unanswered, invoked, now);
        let target = self.random_node();
        self.client_send(id, target);
        id
    }

    /// A uniformly random node of the simulation (members or not: a client does not know the
    /// configuration, and a non-member answers with a leader hint).
    fn random_node(&mut self) -> NodeId {
        // Drawn as a u64 (not a usize) so native and wasm32 draw the same numbers.
        let n = self.nodes.len() as u64;
        let pick = self.rng.random_range(0..n.max(1));
        self.nodes
            .keys()
            .nth(pick as usize)
            .copied()
            .unwrap_or(NodeId(1))
    }

    /// A uniformly random node other than `except` (any node if there is only one).
    fn random_node_except(&mut self, except: Option<NodeId>) -> NodeId {
        let n = self.nodes.len() as u64;
        let position = except.and_then(|x| self.nodes.keys().position(|&k| k == x));
        match position {
            Some(p) if n > 1 => {
                let pick = self.rng.random_range(0..n - 1);
                let pick = if pick >= p as u64 { pick + 1 } else { pick };
                self.nodes
                    .keys()
                    .nth(pick as usize)
                    .copied()
                    .unwrap_or(NodeId(1))
            }
            _ => self.random_node(),
        }
    }

    /// Sends (or re-sends) a request to `target`, or fails it when out of attempts.
    fn client_send(&mut self, id: RequestId, target: NodeId) {
        let now = self.now_ms;
        let max = self.client.config.max_attempts;
        let deadline_ms = now.saturating_add(self.client.config.attempt_timeout_ms);
        let Some(req) = self.client.requests.get_mut(&id) else {
            return;
        };
        if req.attempts >= max {
            // An attempt may still be in a log and be applied later (once: the session sees to
            // that), or never; the history records the operation as without an answer.
            let reason = format!(
                "no answer after {max} attempts; an attempt may still take effect (at most \
                 once: the client session stops repeats)"
            );
            let outcome = Outcome::GaveUp { at_ms: now };
            self.finish_request(id, RequestState::Failed { reason }, outcome);
            return;
        }
        req.attempts += 1;
        req.path.push(target);
        let (client, seq, op) = (req.client, req.seq, req.command.clone());
        let attempt = req.attempts;
        self.client.set_state(
            id,
            RequestState::Sent {
                target,
                deadline_ms,
            },
        );
        let first_unanswered = self.client.first_unanswered(client).unwrap_or(seq).min(seq);
        let command = Command::Session {
            client,
            seq,
            first_unanswered,
            op: Box::new(op),
        };
        self.trace.push(TraceEvent {
            time_ms: now,
            kind: TraceKind::ClientSent {
                request: id,
                command: command.clone(),
                to: target,
                attempt,
            },
        });
        self.send(
            Endpoint::Client,
            Endpoint::Node(target),
            Payload::ClientRequest {
                request: id,
                command,
            },
        );
    }

    fn client_retry(&mut self, id: RequestId, reason: String) {
        if let Some(req) = self.client.requests.get_mut(&id) {
            req.retries += 1;
        }
        self.trace.push(TraceEvent {
            time_ms: self.now_ms,
            kind: TraceKind::ClientRetry {
                request: id,
                reason,
            },
        });
        // Try somewhere else than the node that just failed us, if there is somewhere else.
        let last = self
            .client
            .requests
            .get(&id)
            .and_then(|r| r.path.last().copied());
        let target = self.random_node_except(last);
        self.client_send(id, target);
    }

    pub(super) fn client_timer(&mut self, id: RequestId) {
        let Some(req) = self.client.requests.get(&id) else {
            return;
        };
        let reason = match req.state {
            RequestState::Sent { target, .. } => {
                format!("no answer from Node {target} in time")
            }
            RequestState::Backoff { .. } => "retrying after backoff".to_string(),
            _ => return,
        };
        self.client_retry(id, reason);
    }

    pub(super) fn client_receives_reply(
        &mut self,
        from: NodeId,
        id: RequestId,
        reply: ClientReply,
    ) {
        let now = self.now_ms;
        let Some(req) = self.client.requests.get_mut(&id) else {
            return;
        };
        if req.is_finished() {
            return; // a duplicate or late answer
        }
        let current_target = match req.state {
            RequestState::Sent { target, .. } => Some(target),
            _ => None,
        };
        match reply {
            ClientReply::Done { sum: value } | ClientReply::Value(value) => {
                let (a, b, register_op, output) = match req.command {
                    Command::Add { a, b } => (a, b, None, ApplyOutput::Sum(value)),
                    Command::Register(op) => (0, 0, Some(op), ApplyOutput::Value(value)),
                    _ => (0, 0, None, ApplyOutput::Sum(value)),
                };
                let summary = OpSummary {
                    client: req.client,
                    register_op,
                    leader: from,
                    performed_on: from,
                    a,
                    b,
                    sum: value,
                    path: req.path.clone(),
                    redirects: req.redirects,
                    retries: req.retries,
                    submitted_at_ms: req.submitted_at_ms,
                    completed_at_ms: now,
                };
                let outcome = Outcome::Returned { at_ms: now, output };
                self.finish_request(id, RequestState::Completed(summary), outcome);
            }
            ClientReply::Failed(e) => {
                let reason = format!("Node {from} performed it, with an error: {e}");
                let output = ApplyOutput::Failed(e);
                let outcome = Outcome::Returned { at_ms: now, output };
                self.finish_request(id, RequestState::Failed { reason }, outcome);
            }
            ClientReply::Rejected(e) => {
                let reason = format!("rejected by Node {from}: {e}");
                let outcome = Outcome::Rejected { at_ms: now };
                self.finish_request(id, RequestState::Failed { reason }, outcome);
            }
            // Answers from a node the client already gave up on are ignored.
            _ if current_target != Some(from) => {}
            ClientReply::NotLeader {
                leader_hint: Some(leader),
            } if leader != from => {
                req.redirects += 1;
                self.trace.push(TraceEvent {
                    time_ms: now,
                    kind: TraceKind::ClientRedirected {
                        request: id,
                        from,
                        to: leader,
                    },
                });
                self.client_send(id, leader);
            }
            ClientReply::NotLeader { .. } => {
                let retry_at_ms = now.saturating_add(self.client.config.retry_backoff_ms);
                self.client
                    .set_state(id, RequestState::Backoff { retry_at_ms });
            }
            ClientReply::LeadershipLost => {
                self.client_retry(
                    id,
                    format!("Node {from} lost leadership before committing the entry"),
                );
            }
        }
    }

    /// Ends a request as completed or failed: records the state and the history's outcome,
    /// stops its timers and traces the outcome. Other states are ignored.
    fn finish_request(&mut self, id: RequestId, state: RequestState, outcome: Outcome) {
        let kind = match &state {
            RequestState::Completed(summary) => TraceKind::ClientCompleted {
                request: id,
                summary: summary.clone(),
            },
            RequestState::Failed { reason } => TraceKind::ClientFailed {
                request: id,
                reason: reason.clone(),
            },
            RequestState::Sent { .. } | RequestState::Backoff { .. } => return,
        };
        self.client.set_state(id, state);
        self.client.active.remove(&id);
        self.client.history.end(id, outcome);
        self.trace.push(TraceEvent {
            time_ms: self.now_ms,
            kind,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::Client;
    use super::super::{Action, SimConfig, Simulation};
    use crate::command::Command;
    use std::collections::BTreeSet;

    /// The timer index always holds exactly the timers of the active requests, through
    /// redirects, timeouts, backoffs and failures, and is rebuilt by deserialization.
    #[test]
    fn timer_index_matches_the_requests() {
        let mut sim = Simulation::new(SimConfig::default()).expect("valid");
        for i in 0..400 {
            if i == 100
                && let Some(leader) = sim.leader()
            {
                sim.apply(Action::Crash(leader)).expect("crash");
            }
            sim.apply(Action::Submit(Command::Add { a: i, b: 1 }))
                .expect("submit");
            sim.run_for(500);
            let c = &sim.client;
            let brute: BTreeSet<(u64, _)> = c
                .active
                .iter()
                .filter_map(|id| c.requests.get(id))
                .filter_map(|r| r.timer_ms().map(|t| (t, r.id)))
                .collect();
            assert_eq!(c.timers, brute, "at {} ms", sim.now_ms());
        }
        assert!(
            sim.client.requests().any(|r| r.retries > 0),
            "retries exercised"
        );
        let json = serde_json::to_string(&sim.client).expect("serialize");
        assert!(!json.contains("timers"), "the index is not serialized");
        let back: Client = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back.timers, sim.client.timers);
        assert!(back.requests().eq(sim.client.requests()));
        // A request filed under another id than its own is refused, not misfiled.
        let bad = json.replacen("\"1\":{\"id\":1,", "\"1\":{\"id\":7,", 1);
        assert_ne!(bad, json);
        assert!(serde_json::from_str::<Client>(&bad).is_err());
    }
}
