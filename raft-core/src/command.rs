//! Client commands and their validation. The replicated state machine that applies them lives
//! in [`crate::state_machine`] and is re-exported here.
//!
//! Besides the seed's stateless `Add { a, b }`, the state machine holds one signed 64-bit
//! register that clients change with [`RegisterOp`]s (set, add, sub, mul, div) and read with
//! [`RegisterOp::Get`]. Reads go through the log like writes (dissertation §6.4 describes the
//! cheaper ReadIndex; a read through the log is the simple, obviously linearizable choice, and
//! it lets the history checker treat reads and writes alike).
//!
//! A command from the simulated clients travels wrapped in [`Command::Session`], which carries
//! the client's id and the operation's sequence number (dissertation §6.3), so the state
//! machine can answer a retried operation with its stored result instead of applying it twice.

use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::state_machine::{ApplyOutput, ClientSession, StateMachine};

/// Identifier of a client session (dissertation §6.3). The simulator numbers its clients from
/// 1; [`ClientId::DEFAULT`] is the one that `sim::Action::Submit` uses.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ClientId(pub u64);

impl ClientId {
    /// The simulator's first client, which `sim::Action::Submit` submits from.
    pub const DEFAULT: ClientId = ClientId(1);
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An operation on the replicated register `r` (initially 0). Every operation except `Get`
/// changes `r` and returns its new value; `Get` returns it unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RegisterOp {
    /// `r := v`.
    Set(i64),
    /// `r := r + v`; an error if it overflows (the register is then unchanged).
    Add(i64),
    /// `r := r - v`; an error if it overflows.
    Sub(i64),
    /// `r := r * v`; an error if it overflows.
    Mul(i64),
    /// `r := r / v`, rounding towards zero; `v = 0` is refused before it takes a log slot, and
    /// `i64::MIN / -1` is an overflow error at apply time.
    Div(i64),
    /// Read `r`.
    Get,
}

impl RegisterOp {
    /// The register's value after this operation on `register`, or why it cannot be done. The
    /// state machine and the linearizability model both use this one function, so they cannot
    /// disagree.
    ///
    /// # Errors
    /// [`CommandError::DivisionByZero`] for `Div(0)`; [`CommandError::RegisterOverflow`] when
    /// the result does not fit in an `i64`.
    pub fn apply_to(self, register: i64) -> Result<i64, CommandError> {
        let result = match self {
            RegisterOp::Set(v) => Some(v),
            RegisterOp::Add(v) => register.checked_add(v),
            RegisterOp::Sub(v) => register.checked_sub(v),
            RegisterOp::Mul(v) => register.checked_mul(v),
            RegisterOp::Div(0) => return Err(CommandError::DivisionByZero),
            RegisterOp::Div(v) => register.checked_div(v),
            RegisterOp::Get => Some(register),
        };
        result.ok_or(CommandError::RegisterOverflow { register, op: self })
    }

    /// Whether the operation may change the register (everything but `Get`).
    pub fn is_write(self) -> bool {
        self != RegisterOp::Get
    }
}

impl fmt::Display for RegisterOp {
    /// `r := 7`, `r + 5`, `r - 5`, `r * 5`, `r / 5`, `r`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterOp::Set(v) => write!(f, "r := {v}"),
            RegisterOp::Add(v) => write!(f, "r + {v}"),
            RegisterOp::Sub(v) => write!(f, "r - {v}"),
            RegisterOp::Mul(v) => write!(f, "r * {v}"),
            RegisterOp::Div(v) => write!(f, "r / {v}"),
            RegisterOp::Get => write!(f, "r"),
        }
    }
}

/// The payload of a log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// The entry a new leader appends at the start of its term (§8 of the paper, "each leader
    /// commit a blank no-op entry into the log at the start of its term"), which lets it commit
    /// entries of earlier terms under the current-term rule (§5.4.2).
    Noop,
    /// The seed's client operation: add two signed 64-bit integers. Stateless: it reads and
    /// changes nothing, so applying it twice is harmless but still counted.
    Add {
        /// First operand.
        a: i64,
        /// Second operand.
        b: i64,
    },
    /// An operation on the replicated register.
    Register(RegisterOp),
    /// A client operation tagged with its session (dissertation §6.3): the state machine
    /// applies `op` once per `(client, seq)` and answers repeats with the stored result.
    Session {
        /// Who sent it.
        client: ClientId,
        /// The operation's sequence number within the client's session, from 1.
        seq: u64,
        /// The lowest sequence number of this client that has not been answered yet (at most
        /// `seq`). Every lower one is settled, so the state machine may forget their results
        /// and must never apply them again (§6.3's generalization to several requests at once).
        first_unanswered: u64,
        /// The operation: an `Add` or a `Register` command.
        op: Box<Command>,
    },
    /// A cluster configuration (dissertation §4.1): takes effect on each server as soon as it
    /// is in its log. Only a leader appends these, one single-server change at a time; the
    /// state machine ignores them.
    Config(crate::membership::Membership),
}

/// Why a command was refused before it was given a log slot, or, for the errors that depend
/// on the register's value, why applying it produced an error result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandError {
    /// `a + b` does not fit in an `i64`.
    Overflow {
        /// First operand.
        a: i64,
        /// Second operand.
        b: i64,
    },
    /// Clients may not propose no-ops; only a new leader appends them.
    NoopNotAllowed,
    /// Clients may not propose configuration entries; membership changes go through
    /// `RaftNode::handle_join` and `RaftNode::remove_node` (dissertation §4.1).
    ConfigNotAllowed,
    /// `Div(0)`: refused before it takes a log slot.
    DivisionByZero,
    /// The register operation's result does not fit in an `i64`. This depends on the
    /// register's value, so it is found when the entry is applied: the register is unchanged
    /// and the client gets this error as the operation's result (the same on every node).
    RegisterOverflow {
        /// The register before the operation.
        register: i64,
        /// The operation.
        op: RegisterOp,
    },
    /// A session command whose sequence numbers are inconsistent (`seq` 0, or
    /// `first_unanswered` above `seq`), or whose operation is not an `Add` or a `Register`.
    InvalidSession,
    /// A session command whose sequence number is below its client's lowest unanswered one:
    /// the client has settled it, so it is not applied (a late copy of an old request).
    StaleSequence {
        /// The client.
        client: ClientId,
        /// The stale sequence number.
        seq: u64,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Overflow { a, b } => {
                write!(f, "{a} + {b} overflows a 64-bit signed integer")
            }
            CommandError::NoopNotAllowed => write!(f, "clients cannot propose no-op entries"),
            CommandError::ConfigNotAllowed => {
                write!(f, "clients cannot propose configuration entries")
            }
            CommandError::DivisionByZero => write!(f, "division by zero"),
            CommandError::RegisterOverflow { register, op } => write!(
                f,
                "{op} overflows a 64-bit signed integer (r was {register}; r is unchanged)"
            ),
            CommandError::InvalidSession => write!(
                f,
                "invalid session command (sequence numbers from 1, an Add or register operation inside)"
            ),
            CommandError::StaleSequence { client, seq } => write!(
                f,
                "client {client} already settled operation #{seq}: not applied again"
            ),
        }
    }
}

impl std::error::Error for CommandError {}

impl Command {
    /// Checks what can be checked without the state machine. Leaders call this before
    /// appending, so a command that can never succeed never takes a log slot.
    ///
    /// # Errors
    /// [`CommandError::Overflow`] when `a + b` overflows `i64`;
    /// [`CommandError::NoopNotAllowed`] for [`Command::Noop`] (alone or in a session);
    /// [`CommandError::ConfigNotAllowed`] for [`Command::Config`];
    /// [`CommandError::DivisionByZero`] for `Div(0)`; [`CommandError::InvalidSession`] for a
    /// malformed session command. Register overflows depend on the register and are reported
    /// when the entry is applied ([`ApplyOutput::Failed`]).
    pub fn validate(&self) -> Result<(), CommandError> {
        match self {
            Command::Noop => Err(CommandError::NoopNotAllowed),
            Command::Config(_) => Err(CommandError::ConfigNotAllowed),
            Command::Add { a, b } => a
                .checked_add(*b)
                .map(|_| ())
                .ok_or(CommandError::Overflow { a: *a, b: *b }),
            Command::Register(RegisterOp::Div(0)) => Err(CommandError::DivisionByZero),
            Command::Register(_) => Ok(()),
            Command::Session {
                seq,
                first_unanswered,
                op,
                ..
            } => {
                if *seq == 0 || first_unanswered > seq {
                    return Err(CommandError::InvalidSession);
                }
                match **op {
                    Command::Session { .. } => Err(CommandError::InvalidSession),
                    ref inner => inner.validate(),
                }
            }
        }
    }

    /// The client's operation without its session tag (the command itself if it has none).
    pub fn operation(&self) -> &Command {
        match self {
            Command::Session { op, .. } => op,
            other => other,
        }
    }

    /// `(client, seq)` of a session command.
    pub fn session(&self) -> Option<(ClientId, u64)> {
        match self {
            Command::Session { client, seq, .. } => Some((*client, *seq)),
            _ => None,
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Noop => write!(f, "no-op"),
            Command::Config(c) => write!(f, "configuration {c}"),
            Command::Add { a, b } => write!(f, "Add({a}, {b})"),
            Command::Register(op) => write!(f, "{op}"),
            Command::Session {
                client, seq, op, ..
            } => write!(f, "{op} [client {client} #{seq}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(seq: u64, first_unanswered: u64, op: Command) -> Command {
        Command::Session {
            client: ClientId(1),
            seq,
            first_unanswered,
            op: Box::new(op),
        }
    }

    #[test]
    fn add_validates_overflow() {
        assert_eq!(Command::Add { a: 5, b: 3 }.validate(), Ok(()));
        assert_eq!(
            Command::Add { a: i64::MAX, b: 1 }.validate(),
            Err(CommandError::Overflow { a: i64::MAX, b: 1 })
        );
        assert_eq!(
            Command::Add { a: i64::MIN, b: -1 }.validate(),
            Err(CommandError::Overflow { a: i64::MIN, b: -1 })
        );
        assert_eq!(Command::Noop.validate(), Err(CommandError::NoopNotAllowed));
    }

    #[test]
    fn register_and_session_validation() {
        let div0 = Command::Register(RegisterOp::Div(0));
        assert_eq!(div0.validate(), Err(CommandError::DivisionByZero));
        assert_eq!(
            session(1, 1, div0).validate(),
            Err(CommandError::DivisionByZero)
        );
        // Overflow depends on the register: it is not refused up front.
        assert_eq!(
            Command::Register(RegisterOp::Mul(i64::MAX)).validate(),
            Ok(())
        );
        assert_eq!(
            session(1, 1, Command::Noop).validate(),
            Err(CommandError::NoopNotAllowed)
        );
        let add = Command::Add { a: 1, b: 2 };
        assert_eq!(session(2, 1, add.clone()).validate(), Ok(()));
        assert_eq!(
            session(0, 0, add.clone()).validate(),
            Err(CommandError::InvalidSession)
        );
        assert_eq!(
            session(2, 3, add.clone()).validate(),
            Err(CommandError::InvalidSession)
        );
        assert_eq!(
            session(2, 1, session(1, 1, add.clone())).validate(),
            Err(CommandError::InvalidSession)
        );
        assert_eq!(session(2, 1, add.clone()).operation(), &add);
        assert_eq!(session(2, 1, add).session(), Some((ClientId(1), 2)));
    }

    #[test]
    fn register_arithmetic() {
        assert_eq!(RegisterOp::Set(7).apply_to(3), Ok(7));
        assert_eq!(RegisterOp::Add(5).apply_to(3), Ok(8));
        assert_eq!(RegisterOp::Sub(5).apply_to(3), Ok(-2));
        assert_eq!(RegisterOp::Mul(-4).apply_to(3), Ok(-12));
        assert_eq!(RegisterOp::Div(2).apply_to(-7), Ok(-3));
        assert_eq!(RegisterOp::Get.apply_to(9), Ok(9));
        assert_eq!(
            RegisterOp::Div(0).apply_to(9),
            Err(CommandError::DivisionByZero)
        );
        assert_eq!(
            RegisterOp::Div(-1).apply_to(i64::MIN),
            Err(CommandError::RegisterOverflow {
                register: i64::MIN,
                op: RegisterOp::Div(-1)
            })
        );
        assert!(RegisterOp::Add(1).apply_to(i64::MAX).is_err());
        assert!(RegisterOp::Sub(1).apply_to(i64::MIN).is_err());
        assert!(RegisterOp::Mul(2).apply_to(i64::MAX / 2 + 1).is_err());
        assert_eq!(
            RegisterOp::Add(5).to_string()
                + " / "
                + &Command::Register(RegisterOp::Set(-1)).to_string(),
            "r + 5 / r := -1"
        );
    }
}
