//! The client history (every operation's invocation and response, with virtual times) and its
//! linearizability check against the register model.
//!
//! An operation the client gave up on, or that is still in progress, has no response: it may
//! have taken effect at any time after its invocation, or never (see
//! [`crate::linearizability`]). The client session narrows that window (dissertation §6.3):
//! once the client has given up on operation `#s`, each attempt of its later operations tells
//! the state machine that every sequence number below its `first_unanswered` is settled, and
//! the state machine never applies a settled one. So if a later operation of the same client
//! with `first_unanswered > s` returned at time `t`, its command was applied before `t` and
//! `#s` took effect before `t`, or never. The check uses that bound: it verifies
//! linearizability together with this session guarantee (a state machine that ignores
//! sessions breaks both).
//!
//! An operation refused before it took a log slot never took effect and is left out. An
//! operation without a response that cannot change the register (a read, or the seed's
//! stateless `Add { a, b }`) constrains nothing and is left out too.

use super::network::RequestId;
use crate::chunked::{ChunkedSlice, ChunkedVec};
use crate::command::{ClientId, Command};
use crate::linearizability::{self, End, Model, Operation, Verdict};
use crate::state_machine::ApplyOutput;
use serde::{Deserialize, Serialize};

/// Search steps [`History::check`] takes by default before answering "unknown": about a
/// second of work on a slow machine, far more than the simulator's histories need.
pub const DEFAULT_CHECK_STEPS: u64 = 2_000_000;

/// How an operation ended, so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// No answer yet: the client is still trying.
    Pending,
    /// Answered with the state machine's result: a sum, a register value, or an apply-time
    /// error ([`ApplyOutput::Failed`]).
    Returned {
        /// Virtual time of the answer (ms).
        at_ms: u64,
        /// The result.
        output: ApplyOutput,
    },
    /// Refused before it took a log slot (an invalid command): it never took effect.
    Rejected {
        /// Virtual time of the refusal (ms).
        at_ms: u64,
    },
    /// The client gave up without an answer: it may or may not have taken effect.
    GaveUp {
        /// Virtual time the client gave up (ms).
        at_ms: u64,
    },
}

/// One client operation: its invocation and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryOp {
    /// The request.
    pub request: RequestId,
    /// The client.
    pub client: ClientId,
    /// Its sequence number in the client's session.
    #[serde(default)]
    pub seq: u64,
    /// The lowest sequence number the client was still waiting for when it invoked this
    /// operation (this one's, if none older): every attempt of it tells the state machine that
    /// lower ones are settled.
    #[serde(default)]
    pub first_unanswered: u64,
    /// The operation (without its session tag).
    pub command: Command,
    /// Virtual time of the invocation (ms).
    pub invoked_at_ms: u64,
    /// How it ended.
    pub outcome: Outcome,
}

impl HistoryOp {
    /// Virtual time it ended (answer, refusal or giving up), if it has.
    pub fn ended_at_ms(&self) -> Option<u64> {
        match self.outcome {
            Outcome::Pending => None,
            Outcome::Returned { at_ms, .. }
            | Outcome::Rejected { at_ms }
            | Outcome::GaveUp { at_ms } => Some(at_ms),
        }
    }
}

/// Every client operation of a run, in invocation order. Kept in shared chunks, so a
/// time-travel checkpoint's copy shares the operations that had ended with the present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    ops: ChunkedVec<HistoryOp>,
}

/// The register model of the state machine: state `r` (initially 0); a register operation
/// behaves as [`crate::RegisterOp::apply_to`] says, and `Add { a, b }` returns `a + b` and
/// leaves `r` alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct RegisterModel;

impl RegisterModel {
    /// The next register value and the result of `command` applied to `register`.
    pub fn apply(register: i64, command: &Command) -> (i64, ApplyOutput) {
        match command {
            Command::Add { a, b } => (register, ApplyOutput::Sum(a.saturating_add(*b))),
            Command::Register(op) => match op.apply_to(register) {
                Ok(v) => (v, ApplyOutput::Value(v)),
                Err(e) => (register, ApplyOutput::Failed(e)),
            },
            Command::Session { op, .. } => RegisterModel::apply(register, op),
            Command::Noop | Command::Config(_) => (register, ApplyOutput::Noop),
        }
    }
}

impl Model for RegisterModel {
    type State = i64;
    type Input = Command;
    type Output = ApplyOutput;
    fn init(&self) -> i64 {
        0
    }
    fn step(&self, r: &i64, input: &Command, output: Option<&ApplyOutput>) -> Option<i64> {
        let (next, out) = RegisterModel::apply(*r, input);
        output.is_none_or(|o| *o == out).then_some(next)
    }
}

/// The verdict on a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Linearizability {
    /// Some order of the operations respects real time and the register's rules.
    Linearizable {
        /// Operations checked.
        operations: usize,
    },
    /// No such order exists.
    Violation {
        /// Operations checked.
        operations: usize,
        /// The operation that cannot be placed.
        request: RequestId,
        /// Why, in words.
        explanation: String,
    },
    /// The search ran out of steps.
    Unknown {
        /// Operations checked.
        operations: usize,
        /// The step budget.
        steps: u64,
    },
}

impl Linearizability {
    /// `linearizable`, the explanation of a violation, or why there is no verdict.
    pub fn text(&self) -> String {
        match self {
            Linearizability::Linearizable { .. } => "linearizable".to_string(),
            Linearizability::Violation { explanation, .. } => explanation.clone(),
            Linearizability::Unknown {
                operations, steps, ..
            } => {
                format!("unknown: {steps} search steps were not enough for {operations} operations")
            }
        }
    }

    /// Whether the verdict is [`Linearizability::Linearizable`].
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Linearizability::Linearizable { .. })
    }
}

/// `12.3 s` from virtual ms, without floats.
fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, ms % 1000 / 100)
}

fn describe(op: &HistoryOp) -> String {
    let what = match &op.outcome {
        Outcome::Returned { at_ms, output } => {
            let result = match output {
                ApplyOutput::Sum(v) | ApplyOutput::Value(v) => v.to_string(),
                ApplyOutput::Failed(e) => format!("error ({e})"),
                _ => "nothing".to_string(),
            };
            format!(
                "returned {result}, between {} and {}",
                seconds(op.invoked_at_ms),
                seconds(*at_ms)
            )
        }
        _ => format!("no answer, sent at {}", seconds(op.invoked_at_ms)),
    };
    format!(
        "request #{} (client {}: {}) {what}",
        op.request.0, op.client, op.command
    )
}

impl History {
    /// Every operation, in invocation order.
    pub fn ops(&self) -> ChunkedSlice<'_, HistoryOp> {
        self.ops.as_slice()
    }

    /// The operation of a request.
    pub fn op(&self, request: RequestId) -> Option<&HistoryOp> {
        // Requests are numbered from 1 in invocation order; search in case of gaps.
        let guess = usize::try_from(request.0.saturating_sub(1)).unwrap_or(usize::MAX);
        match self.ops.get(guess) {
            Some(op) if op.request == request => Some(op),
            _ => self.ops().iter().find(|op| op.request == request),
        }
    }

    /// Records an invocation: `(client, seq)` is its session tag, `first_unanswered` the
    /// lowest sequence number of the client still waiting for an answer (at most `seq`).
    pub fn invoke(
        &mut self,
        request: RequestId,
        (client, seq): (ClientId, u64),
        first_unanswered: u64,
        command: Command,
        at_ms: u64,
    ) {
        self.ops.push(HistoryOp {
            request,
            client,
            seq,
            first_unanswered: first_unanswered.min(seq),
            command,
            invoked_at_ms: at_ms,
            outcome: Outcome::Pending,
        });
    }

    /// For each operation, the earliest return time of a later operation of the same client
    /// that settled it (see the module documentation), if any.
    ///
    /// A client's `first_unanswered` never decreases from one operation to its next (the
    /// lowest sequence number still waiting only moves up), so the later operations that
    /// settle `#s` are a suffix of the client's later operations, found by binary search, and
    /// the earliest return among them is a suffix minimum: O(n log n) instead of comparing
    /// every pair of operations, which made the app's periodic check grow quadratically with
    /// the run. A history where that order does not hold (not one a client records) gets the
    /// pairwise definition.
    fn settled_by(&self) -> Vec<Option<u64>> {
        let ops = self.ops();
        let returned_at = |op: &HistoryOp| match op.outcome {
            Outcome::Returned { at_ms, .. } => Some(at_ms),
            _ => None,
        };
        // Each client's operations, as indexes into `ops` in invocation order.
        let mut clients: Vec<(ClientId, Vec<usize>)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            match clients.iter_mut().find(|(c, _)| *c == op.client) {
                Some((_, mine)) => mine.push(i),
                None => clients.push((op.client, vec![i])),
            }
        }
        let monotone = clients.iter().all(|(_, mine)| {
            mine.windows(2)
                .all(|w| ops[w[0]].first_unanswered <= ops[w[1]].first_unanswered)
        });
        if !monotone {
            return self.settled_by_pairwise();
        }
        let mut out = vec![None; ops.len()];
        for (_, mine) in &clients {
            // earliest[k]: the earliest return among the client's operations k, k + 1, ...
            let mut earliest: Vec<Option<u64>> = vec![None; mine.len() + 1];
            for k in (0..mine.len()).rev() {
                let at = returned_at(&ops[mine[k]]);
                earliest[k] = match (at, earliest[k + 1]) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            for (k, &i) in mine.iter().enumerate() {
                let seq = ops[i].seq;
                let settling = mine.partition_point(|&l| ops[l].first_unanswered <= seq);
                out[i] = earliest[settling.max(k + 1)];
            }
        }
        out
    }

    /// [`History::settled_by`] by its definition, comparing every pair of operations.
    fn settled_by_pairwise(&self) -> Vec<Option<u64>> {
        let ops = self.ops();
        ops.iter()
            .enumerate()
            .map(|(i, op)| {
                ops.slice(i + 1..)
                    .iter()
                    .filter(|l| l.client == op.client && l.first_unanswered > op.seq)
                    .filter_map(|l| match l.outcome {
                        Outcome::Returned { at_ms, .. } => Some(at_ms),
                        _ => None,
                    })
                    .min()
            })
            .collect()
    }

    /// Records how a pending operation ended; an operation that already ended keeps its first
    /// outcome.
    pub fn end(&mut self, request: RequestId, outcome: Outcome) {
        let guess = usize::try_from(request.0.saturating_sub(1)).unwrap_or(usize::MAX);
        let index = match self.ops.get(guess) {
            Some(op) if op.request == request => Some(guess),
            _ => self.ops().iter().position(|op| op.request == request),
        };
        if let Some(op) = index.and_then(|i| self.ops.get_mut(i))
            && op.outcome == Outcome::Pending
        {
            op.outcome = outcome;
        }
    }

    /// The operations the checker considers, as (index into [`History::ops`], operation).
    fn checkable(&self) -> (Vec<usize>, Vec<Operation<Command, ApplyOutput>>) {
        let settled_by = self.settled_by();
        let mut index = Vec::new();
        let mut ops = Vec::new();
        for (i, op) in self.ops().iter().enumerate() {
            let end = match &op.outcome {
                Outcome::Rejected { .. } => continue,
                Outcome::Returned { at_ms, output } => End::Returned(*at_ms, output.clone()),
                Outcome::Pending | Outcome::GaveUp { .. } => {
                    let writes = matches!(&op.command, Command::Register(r) if r.is_write());
                    if !writes {
                        continue;
                    }
                    End::Unknown {
                        settled_by: settled_by.get(i).copied().flatten(),
                    }
                }
            };
            index.push(i);
            ops.push(Operation {
                call: op.invoked_at_ms,
                end,
                input: op.command.clone(),
            });
        }
        (index, ops)
    }

    /// Checks the history for linearizability against [`RegisterModel`], taking at most
    /// `max_steps` search steps ([`DEFAULT_CHECK_STEPS`] is plenty for the simulator). A
    /// violation is explained in full: the operation that cannot be placed, its interval and
    /// result, and the register's value after the longest explainable order.
    pub fn check(&self, max_steps: u64) -> Linearizability {
        self.check_with(max_steps, |stuck, c| {
            let (_, would) = RegisterModel::apply(c.state, &stuck.command);
            let would = match would {
                ApplyOutput::Sum(v) | ApplyOutput::Value(v) => v.to_string(),
                ApplyOutput::Failed(e) => format!("an error ({e})"),
                _ => "nothing".to_string(),
            };
            format!(
                "not linearizable: {} cannot be explained: the longest order of \
                 operations that respects real time and explains the history up to it \
                 ({} operations) leaves r = {}, where it would have returned {would}",
                describe(stuck),
                c.prefix.len(),
                c.state,
            )
        })
    }

    /// [`History::check`] with a one-line explanation (`not linearizable: request #7 of client
    /// 2 cannot be explained`), for callers that count every byte of code (the web app).
    pub fn check_brief(&self, max_steps: u64) -> Linearizability {
        self.check_with(max_steps, |stuck, _| {
            format!(
                "not linearizable: request #{} of client {} cannot be explained",
                stuck.request.0, stuck.client
            )
        })
    }

    fn check_with(
        &self,
        max_steps: u64,
        explain: impl Fn(&HistoryOp, &linearizability::Counterexample<i64>) -> String,
    ) -> Linearizability {
        let (index, ops) = self.checkable();
        let operations = ops.len();
        match linearizability::check(&RegisterModel, &ops, max_steps) {
            Verdict::Linearizable(_) => Linearizability::Linearizable { operations },
            Verdict::Unknown { steps } => Linearizability::Unknown { operations, steps },
            Verdict::NotLinearizable(c) => {
                let Some(stuck) = index.get(c.stuck).and_then(|&i| self.ops.get(i)) else {
                    return Linearizability::Unknown {
                        operations,
                        steps: max_steps,
                    };
                };
                Linearizability::Violation {
                    operations,
                    request: stuck.request,
                    explanation: explain(stuck, &c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::RegisterOp;

    /// Records request `id` from `client`: `op` called at `call`, returned `value` at `ret`.
    fn returned(
        h: &mut History,
        id: u64,
        client: u64,
        op: RegisterOp,
        span: (u64, u64),
        value: i64,
    ) {
        h.invoke(
            RequestId(id),
            (ClientId(client), id),
            id,
            Command::Register(op),
            span.0,
        );
        let output = ApplyOutput::Value(value);
        h.end(
            RequestId(id),
            Outcome::Returned {
                at_ms: span.1,
                output,
            },
        );
    }

    #[test]
    fn a_duplicated_add_is_a_violation_with_an_explanation() {
        let mut h = History::default();
        returned(&mut h, 1, 1, RegisterOp::Add(5), (0, 1_000), 5);
        // Applied twice: the next read sees 10.
        returned(&mut h, 2, 2, RegisterOp::Get, (2_000, 3_000), 10);
        let v = h.check(DEFAULT_CHECK_STEPS);
        let Linearizability::Violation {
            request,
            explanation,
            ..
        } = &v
        else {
            panic!("{v:?}");
        };
        assert_eq!(*request, RequestId(2));
        assert!(
            explanation.contains("request #2 (client 2: r) returned 10, between 2.0 s and 3.0 s"),
            "{explanation}"
        );
        assert!(
            explanation.ends_with("(1 operations) leaves r = 5, where it would have returned 5"),
            "{explanation}"
        );
        assert_eq!(v.text(), *explanation);
        assert_eq!(
            h.check_brief(DEFAULT_CHECK_STEPS).text(),
            "not linearizable: request #2 of client 2 cannot be explained"
        );
    }

    #[test]
    fn pending_and_rejected_operations() {
        let mut h = History::default();
        // A write the client gave up on may land after a later read...
        h.invoke(
            RequestId(1),
            (ClientId(1), 1),
            1,
            Command::Register(RegisterOp::Set(3)),
            0,
        );
        h.end(RequestId(1), Outcome::GaveUp { at_ms: 500 });
        returned(&mut h, 2, 2, RegisterOp::Get, (600, 700), 0);
        returned(&mut h, 3, 2, RegisterOp::Get, (800, 900), 3);
        // ...and a rejected one never lands.
        h.invoke(
            RequestId(4),
            (ClientId(1), 4),
            4,
            Command::Register(RegisterOp::Div(0)),
            1_000,
        );
        h.end(RequestId(4), Outcome::Rejected { at_ms: 1_100 });
        // A pending read constrains nothing.
        h.invoke(
            RequestId(5),
            (ClientId(1), 5),
            5,
            Command::Register(RegisterOp::Get),
            1_200,
        );
        assert_eq!(
            h.check(DEFAULT_CHECK_STEPS),
            Linearizability::Linearizable { operations: 3 }
        );
        assert_eq!(
            h.op(RequestId(4)).and_then(HistoryOp::ended_at_ms),
            Some(1_100)
        );
        // The first outcome stays.
        h.end(RequestId(4), Outcome::GaveUp { at_ms: 2_000 });
        assert_eq!(
            h.op(RequestId(4)).and_then(HistoryOp::ended_at_ms),
            Some(1_100)
        );
    }

    #[test]
    fn settled_by_agrees_with_its_definition() {
        // Histories as clients record them: per client, sequence numbers rising and
        // first_unanswered never falling (but lagging behind while answers are missing), with
        // answers, give-ups and pending operations mixed; a small deterministic generator.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let mut settled = 0;
        for round in 0..40 {
            let mut h = History::default();
            let clients = 1 + next(4);
            let mut seq = vec![0u64; clients as usize];
            let mut first = vec![1u64; clients as usize];
            let ops = 5 + next(60);
            for id in 1..=ops {
                let c = next(clients) as usize;
                seq[c] += 1;
                if next(3) == 0 {
                    first[c] = (first[c] + next(3)).min(seq[c]);
                }
                let t = id * 10;
                h.invoke(
                    RequestId(id),
                    (ClientId(c as u64 + 1), seq[c]),
                    first[c],
                    Command::Register(RegisterOp::Set(id as i64)),
                    t,
                );
                match next(4) {
                    0 => {}
                    1 => h.end(
                        RequestId(id),
                        Outcome::GaveUp {
                            at_ms: t + next(50),
                        },
                    ),
                    _ => h.end(
                        RequestId(id),
                        Outcome::Returned {
                            at_ms: t + next(50),
                            output: ApplyOutput::Value(id as i64),
                        },
                    ),
                }
            }
            assert_eq!(h.settled_by(), h.settled_by_pairwise(), "round {round}");
            settled += h.settled_by().iter().flatten().count();
        }
        assert!(settled > 100, "the histories exercise the bound: {settled}");
        // Out of order (not something a client records): the pairwise definition decides.
        let mut h = History::default();
        h.invoke(RequestId(1), (ClientId(1), 1), 1, Command::Noop, 0);
        h.invoke(RequestId(2), (ClientId(1), 2), 2, Command::Noop, 5);
        h.invoke(RequestId(3), (ClientId(1), 3), 1, Command::Noop, 6);
        for (id, at) in [(2, 8), (3, 7)] {
            let output = ApplyOutput::Noop;
            h.end(RequestId(id), Outcome::Returned { at_ms: at, output });
        }
        assert_eq!(h.settled_by(), vec![Some(8), None, None]);
        assert_eq!(h.settled_by(), h.settled_by_pairwise());
    }

    #[test]
    fn apply_time_errors_are_results() {
        let mut h = History::default();
        returned(&mut h, 1, 1, RegisterOp::Set(i64::MAX), (0, 10), i64::MAX);
        h.invoke(
            RequestId(2),
            (ClientId(1), 2),
            2,
            Command::Register(RegisterOp::Add(1)),
            20,
        );
        let err = RegisterModel::apply(i64::MAX, &Command::Register(RegisterOp::Add(1))).1;
        assert!(matches!(err, ApplyOutput::Failed(_)));
        h.end(
            RequestId(2),
            Outcome::Returned {
                at_ms: 30,
                output: err,
            },
        );
        assert!(h.check(DEFAULT_CHECK_STEPS).is_linearizable());
    }
}
