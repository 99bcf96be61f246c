//! The replicated state machine: a register, the seed's stateless sums, and the client
//! sessions that make client operations exactly-once (dissertation §6.3).
//!
//! Sessions are part of the replicated state: they change only when committed entries are
//! applied, in log order, so every node builds the same sessions, a new leader has them
//! already, and a restarted node rebuilds them by re-applying the log from index 1.
//!
//! **Stale and repeated operations.** Each session keeps the results of its operations with
//! sequence numbers from `first_unanswered` on, where `first_unanswered` is the lowest sequence
//! number the client was still waiting for when it sent its latest command (the dissertation's
//! generalization of "the latest serial number and its response" to several outstanding
//! requests). A command whose `(client, seq)` has a stored result is not applied again: it is
//! answered with that result ([`ApplyOutput::Duplicate`]). A command below `first_unanswered` is
//! one the client has settled (answered, or given up on): it is ignored
//! ([`ApplyOutput::Stale`]), never applied, since its result may have been forgotten.
//!
//! **Expiry: none.** The simulator has a small fixed set of clients (`ClientConfig::clients`,
//! at most `sim::MAX_CLIENTS`), and each session stores only its unsettled results, so the
//! memory is bounded without expiry. A real service needs expiry (§6.3 suggests evicting the
//! least recently used session once there are too many, or expiring by the leader's timestamps
//! in the log, either decided deterministically by the log) and must then register clients
//! explicitly, so a client whose session expired gets an error instead of a second apply;
//! neither is needed here.

use crate::command::{ClientId, Command, CommandError};
use crate::sorted::SortedMap;
use crate::types::LogIndex;
use serde::{Deserialize, Serialize};

/// What applying one command produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyOutput {
    /// A no-op was applied; it produces nothing.
    Noop,
    /// The sum of an `Add`.
    Sum(i64),
    /// The register's value after a register operation (its value, for a `Get`).
    Value(i64),
    /// The operation was applied and produced an error (a register overflow); the register is
    /// unchanged. Deterministic, so every node produces the same error.
    Failed(CommandError),
    /// A session command whose `(client, seq)` was applied before: not applied again; this is
    /// the stored result of the first time.
    Duplicate(Box<ApplyOutput>),
    /// A session command below its client's lowest unanswered sequence number: ignored.
    Stale {
        /// The client.
        client: ClientId,
        /// Its sequence number.
        seq: u64,
    },
}

impl ApplyOutput {
    /// The result the client gets: the stored one for a [`ApplyOutput::Duplicate`], else
    /// `self`.
    pub fn result(&self) -> &ApplyOutput {
        match self {
            ApplyOutput::Duplicate(first) => first.result(),
            other => other,
        }
    }
}

/// One client's session: the results it may still ask for again (§6.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSession {
    /// Every sequence number below this is settled: never applied again.
    pub first_unanswered: u64,
    /// Results of the applied operations from `first_unanswered` on, by sequence number.
    pub results: SortedMap<u64, ApplyOutput>,
}

/// The replicated state machine of one node: it applies committed commands in log order.
///
/// It is volatile: a restarted node rebuilds it, sessions included, by re-applying the log
/// from index 1 once it learns the commit index again (§5.1, "volatile state on all servers").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMachine {
    /// Index of the last entry applied (0 before any).
    pub last_applied: LogIndex,
    /// Number of `Add { a, b }` operations applied (repeats suppressed by a session are not
    /// counted).
    pub adds_applied: u64,
    /// The most recent sum, if any `Add` was applied.
    pub last_sum: Option<i64>,
    /// The register, initially 0.
    #[serde(default)]
    pub register: i64,
    /// Client sessions, by client.
    #[serde(default)]
    pub sessions: SortedMap<ClientId, ClientSession>,
    /// How many session commands were answered from a session instead of being applied again
    /// (repeats and stale copies).
    #[serde(default)]
    pub repeats_suppressed: u64,
}

impl StateMachine {
    /// Applies the command of the entry at `index`, with exactly-once sessions.
    ///
    /// Never panics: a validated command cannot fail except by a register overflow, which is an
    /// error result ([`ApplyOutput::Failed`]); an unvalidated `Add` saturates, and a malformed
    /// session is a [`CommandError::InvalidSession`] result, so logs and state machines stay in
    /// step whatever the log holds.
    pub fn apply(&mut self, index: LogIndex, command: &Command) -> ApplyOutput {
        self.last_applied = index;
        let Command::Session {
            client,
            seq,
            first_unanswered,
            op,
        } = command
        else {
            return self.execute(command);
        };
        if command.validate() == Err(CommandError::InvalidSession) {
            return ApplyOutput::Failed(CommandError::InvalidSession);
        }
        let session = self.sessions.entry(*client).or_default();
        if *first_unanswered > session.first_unanswered {
            session.first_unanswered = *first_unanswered;
            session.results.retain(|s, _| s >= first_unanswered);
        }
        if *seq < session.first_unanswered {
            self.repeats_suppressed += 1;
            return ApplyOutput::Stale {
                client: *client,
                seq: *seq,
            };
        }
        if let Some(first) = session.results.get(seq) {
            let out = ApplyOutput::Duplicate(Box::new(first.clone()));
            self.repeats_suppressed += 1;
            return out;
        }
        let out = self.execute(op);
        self.sessions
            .entry(*client)
            .or_default()
            .results
            .insert(*seq, out.clone());
        out
    }

    /// Applies a command as if sessions did not exist: a session command's operation is
    /// applied every time it appears in the log. This is the bug that sessions fix; it exists
    /// only so tests can show that the linearizability checker catches it
    /// (`sim::DriverBug::IgnoreSessions`).
    pub fn apply_ignoring_sessions(&mut self, index: LogIndex, command: &Command) -> ApplyOutput {
        self.last_applied = index;
        self.execute(command.operation())
    }

    /// Applies an operation with no session. Not inlined: both apply functions call it, and
    /// one copy keeps the web app's download smaller.
    #[inline(never)]
    fn execute(&mut self, command: &Command) -> ApplyOutput {
        match command {
            // Configuration entries change the cluster, not the state machine (§4.1).
            Command::Noop | Command::Config(_) => ApplyOutput::Noop,
            Command::Add { a, b } => {
                let sum = a.saturating_add(*b);
                self.adds_applied += 1;
                self.last_sum = Some(sum);
                ApplyOutput::Sum(sum)
            }
            Command::Register(op) => match op.apply_to(self.register) {
                Ok(v) => {
                    self.register = v;
                    ApplyOutput::Value(v)
                }
                Err(e) => ApplyOutput::Failed(e),
            },
            Command::Session { .. } => ApplyOutput::Failed(CommandError::InvalidSession),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::RegisterOp;

    fn tagged(client: u64, seq: u64, first_unanswered: u64, op: RegisterOp) -> Command {
        Command::Session {
            client: ClientId(client),
            seq,
            first_unanswered,
            op: Box::new(Command::Register(op)),
        }
    }

    #[test]
    fn state_machine_applies_in_order() {
        let mut sm = StateMachine::default();
        assert_eq!(sm.apply(LogIndex(1), &Command::Noop), ApplyOutput::Noop);
        assert_eq!(
            sm.apply(LogIndex(2), &Command::Add { a: 5, b: 3 }),
            ApplyOutput::Sum(8)
        );
        assert_eq!(sm.last_applied, LogIndex(2));
        assert_eq!(sm.adds_applied, 1);
        assert_eq!(sm.last_sum, Some(8));
    }

    #[test]
    fn a_repeated_sequence_number_gets_the_stored_result() {
        let mut sm = StateMachine::default();
        let add = tagged(1, 1, 1, RegisterOp::Add(5));
        assert_eq!(sm.apply(LogIndex(1), &add), ApplyOutput::Value(5));
        // Another client's write in between.
        assert_eq!(
            sm.apply(LogIndex(2), &tagged(2, 1, 1, RegisterOp::Mul(3))),
            ApplyOutput::Value(15)
        );
        // The retry of client 1's #1 is answered with the first result and changes nothing.
        let again = sm.apply(LogIndex(3), &add);
        assert_eq!(
            again,
            ApplyOutput::Duplicate(Box::new(ApplyOutput::Value(5)))
        );
        assert_eq!(again.result(), &ApplyOutput::Value(5));
        assert_eq!(sm.register, 15);
        assert_eq!(sm.repeats_suppressed, 1);
        // Without sessions the retry applies twice.
        let mut broken = StateMachine::default();
        broken.apply_ignoring_sessions(LogIndex(1), &add);
        assert_eq!(
            broken.apply_ignoring_sessions(LogIndex(2), &add),
            ApplyOutput::Value(10)
        );
    }

    #[test]
    fn settled_sequence_numbers_are_forgotten_and_never_applied() {
        let mut sm = StateMachine::default();
        sm.apply(LogIndex(1), &tagged(1, 1, 1, RegisterOp::Add(1)));
        sm.apply(LogIndex(2), &tagged(1, 2, 1, RegisterOp::Add(10)));
        assert_eq!(sm.sessions[&ClientId(1)].results.len(), 2);
        // #3 says #1 and #2 are settled: their results are dropped.
        sm.apply(LogIndex(3), &tagged(1, 3, 3, RegisterOp::Add(100)));
        assert_eq!(sm.sessions[&ClientId(1)].results.len(), 1);
        assert_eq!(
            sm.apply(LogIndex(4), &tagged(1, 2, 1, RegisterOp::Add(10))),
            ApplyOutput::Stale {
                client: ClientId(1),
                seq: 2
            }
        );
        assert_eq!(sm.register, 111);
        // An older first_unanswered does not move the floor back.
        sm.apply(LogIndex(5), &tagged(1, 4, 2, RegisterOp::Get));
        assert_eq!(sm.sessions[&ClientId(1)].first_unanswered, 3);
    }

    #[test]
    fn apply_time_errors_leave_the_register_and_are_remembered() {
        let mut sm = StateMachine::default();
        sm.apply(LogIndex(1), &tagged(1, 1, 1, RegisterOp::Set(i64::MAX)));
        let overflow = tagged(1, 2, 2, RegisterOp::Add(1));
        let err = ApplyOutput::Failed(CommandError::RegisterOverflow {
            register: i64::MAX,
            op: RegisterOp::Add(1),
        });
        assert_eq!(sm.apply(LogIndex(2), &overflow), err);
        assert_eq!(sm.register, i64::MAX);
        assert_eq!(sm.apply(LogIndex(3), &overflow).result(), &err);
        // A malformed session in the log is an error result, not a panic.
        let bad = Command::Session {
            client: ClientId(1),
            seq: 0,
            first_unanswered: 0,
            op: Box::new(Command::Noop),
        };
        assert_eq!(
            sm.apply(LogIndex(4), &bad),
            ApplyOutput::Failed(CommandError::InvalidSession)
        );
    }

    #[test]
    fn replaying_the_log_rebuilds_the_sessions() {
        let log = [
            tagged(1, 1, 1, RegisterOp::Set(4)),
            tagged(2, 1, 1, RegisterOp::Add(2)),
            tagged(1, 1, 1, RegisterOp::Set(4)),
            tagged(1, 2, 2, RegisterOp::Div(3)),
        ];
        let run = || {
            let mut sm = StateMachine::default();
            for (i, c) in log.iter().enumerate() {
                sm.apply(LogIndex(i as u64 + 1), c);
            }
            sm
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert_eq!(a.register, 2);
        assert_eq!(a.repeats_suppressed, 1);
    }
}
