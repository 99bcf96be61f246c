//! # raft-core
//!
//! A deterministic implementation of the Raft consensus protocol (Ongaro & Ousterhout, "In
//! Search of an Understandable Consensus Algorithm", 2014) and a discrete-event simulator that
//! drives a cluster of such nodes on a virtual clock.
//!
//! - [`RaftNode`] is one server as a pure state machine: time, messages and proposals in;
//!   state to persist, messages, committed entries and events out ([`Ready`]).
//! - [`sim::Simulation`] owns the virtual clock (milliseconds), a seeded RNG, the network, node
//!   crashes and a client. One `u64` seed gives the same run on every platform.
//!
//! ```
//! use raft_core::sim::{Action, SimConfig, Simulation};
//! use raft_core::Command;
//!
//! let mut sim = Simulation::new(SimConfig { seed: 7, node_count: 5, ..SimConfig::default() })?;
//! sim.run_for(60_000); // one virtual minute: an election has happened
//! let leader = sim.leader().expect("a leader after a minute");
//! sim.apply(Action::Submit(Command::Add { a: 5, b: 3 }))?;
//! sim.apply(Action::Crash(leader))?;
//! sim.run_for(120_000);
//! assert!(sim.leader().is_some_and(|l| l != leader));
//! for event in sim.trace().events() {
//!     let _line = event.line(); // "[2026-01-01 00:00:21,345] - INFO - Node 3 ..."
//! }
//! # Ok::<(), raft_core::sim::SimError>(())
//! ```
//!
//! The crate performs no I/O, reads no clock, spawns no thread and uses no OS randomness, so it
//! builds unchanged for `wasm32-unknown-unknown`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod chunked;
pub mod command;
pub mod config;
pub mod linearizability;
pub mod log;
pub mod membership;
pub mod message;
pub mod node;
pub mod progress;
pub mod quorum;
pub mod sim;
pub mod snapshot;
mod sorted;
pub mod state_machine;
pub mod types;

pub use chunked::ChunkedSlice;
pub use command::{ApplyOutput, ClientId, Command, CommandError, RegisterOp, StateMachine};
pub use config::{Config, ConfigError, ProtocolBug};
pub use log::{Entry, Log};
pub use membership::{Membership, MembershipChange, MembershipError};
pub use message::{AppendResult, JoinResult, Message, MessageBody, MessageKind};
pub use node::{
    CatchUp, ChangeBusy, ChangeError, Counters, NodeEvent, PersistUpdate, PersistentState,
    ProposeError, RaftNode, Ready, RoleKind, TransferAbandon, TransferError, VoteDenial,
};
pub use progress::{Progress, ProgressState};
pub use snapshot::{Snapshot, SnapshotError};
pub use sorted::SortedMap;
pub use types::{EntryId, LogIndex, NodeId, Term};
