//! Client commands, their validation, and the replicated state machine that applies them.

use crate::types::LogIndex;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The payload of a log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// The entry a new leader appends at the start of its term (§8 of the paper, "each leader
    /// commit a blank no-op entry into the log at the start of its term"), which lets it commit
    /// entries of earlier terms under the current-term rule (§5.4.2).
    Noop,
    /// The seed's client operation: add two signed 64-bit integers.
    Add {
        /// First operand.
        a: i64,
        /// Second operand.
        b: i64,
    },
}

/// Why a command was refused before it was given a log slot.
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
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Overflow { a, b } => {
                write!(f, "{a} + {b} overflows a 64-bit signed integer")
            }
            CommandError::NoopNotAllowed => write!(f, "clients cannot propose no-op entries"),
        }
    }
}

impl std::error::Error for CommandError {}

impl Command {
    /// Checks that the command can be applied without error. Leaders call this before
    /// appending, so an invalid command never takes a log slot.
    ///
    /// # Errors
    /// [`CommandError::Overflow`] when `a + b` overflows `i64`;
    /// [`CommandError::NoopNotAllowed`] for [`Command::Noop`].
    pub fn validate(&self) -> Result<(), CommandError> {
        match *self {
            Command::Noop => Err(CommandError::NoopNotAllowed),
            Command::Add { a, b } => a
                .checked_add(b)
                .map(|_| ())
                .ok_or(CommandError::Overflow { a, b }),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Noop => write!(f, "no-op"),
            Command::Add { a, b } => write!(f, "Add({a}, {b})"),
        }
    }
}

/// What applying one command produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyOutput {
    /// A no-op was applied; it produces nothing.
    Noop,
    /// The sum of an `Add`.
    Sum(i64),
}

/// The replicated state machine of one node: it applies committed commands in log order.
///
/// Its state is a count of applied entries and the last sum computed, which is enough for the
/// visualization to show that every node applied the same sequence (the State Machine Safety
/// property, Figure 3). It is volatile: a restarted node rebuilds it by re-applying the log
/// from index 1 once it learns the commit index again (§5.1, "volatile state on all servers").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMachine {
    /// Index of the last entry applied (0 before any).
    pub last_applied: LogIndex,
    /// Number of `Add` operations applied.
    pub adds_applied: u64,
    /// The most recent sum, if any `Add` was applied.
    pub last_sum: Option<i64>,
}

impl StateMachine {
    /// Applies the command of the entry at `index`.
    ///
    /// A validated `Add` cannot overflow; if an unvalidated one does, the sum saturates rather
    /// than panicking (the entry is still applied, so logs and state machines stay in step).
    pub fn apply(&mut self, index: LogIndex, command: &Command) -> ApplyOutput {
        self.last_applied = index;
        match *command {
            Command::Noop => ApplyOutput::Noop,
            Command::Add { a, b } => {
                let sum = a.saturating_add(b);
                self.adds_applied += 1;
                self.last_sum = Some(sum);
                ApplyOutput::Sum(sum)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
