//! The simulated clients: each sends commands to a random node, follows `NotLeader` hints,
//! retries with a bound, and records how each request was served (§8 of the paper, client
//! interaction). Every client has a session (dissertation §6.3): its commands carry its id and
//! a sequence number, so a retry is never applied twice.

use super::history::History;
use super::network::RequestId;
use crate::chunked::ChunkedVec;
use crate::command::{ClientId, Command, RegisterOp};
use crate::sorted::{SortedMap, SortedSet};
use crate::types::NodeId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Client settings. Durations are virtual milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// How long the client waits for an answer to one attempt before retrying elsewhere.
    pub attempt_timeout_ms: u64,
    /// How long it waits before retrying when a node knew no leader.
    pub retry_backoff_ms: u64,
    /// Maximum number of sends per request (first send + redirects + retries), at least 1.
    pub max_attempts: u32,
    /// Number of clients, 1 to [`super::MAX_CLIENTS`]; they get ids 1..=clients and share the
    /// settings above. [`super::Action::Submit`] submits from client 1.
    #[serde(default = "one_client")]
    pub clients: u64,
}

fn one_client() -> u64 {
    1
}

fn default_client() -> ClientId {
    ClientId::DEFAULT
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            attempt_timeout_ms: 40_000,
            retry_backoff_ms: 5_000,
            max_attempts: 10,
            clients: 1,
        }
    }
}

/// How a completed operation was served: the seed's summary line plus the path it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpSummary {
    /// The client that sent it.
    #[serde(default = "default_client")]
    pub client: ClientId,
    /// The register operation, or `None` for the seed's `Add { a, b }`.
    #[serde(default)]
    pub register_op: Option<RegisterOp>,
    /// The leader that committed the entry.
    pub leader: NodeId,
    /// The node that executed the operation and answered the client (the leader, after any
    /// redirects).
    pub performed_on: NodeId,
    /// The first operand of an `Add` (0 for a register operation).
    pub a: i64,
    /// The second operand of an `Add` (0 for a register operation).
    pub b: i64,
    /// The result: the sum of an `Add`, or the register's value after a register operation.
    pub sum: i64,
    /// Every node the request was sent to, in order (the first is the randomly chosen one).
    pub path: Vec<NodeId>,
    /// How many times a `NotLeader` hint was followed.
    pub redirects: u32,
    /// How many times the client retried after a timeout, an unknown leader or a lost entry.
    pub retries: u32,
    /// Virtual time the client submitted the request (ms).
    pub submitted_at_ms: u64,
    /// Virtual time the answer arrived (ms).
    pub completed_at_ms: u64,
}

impl OpSummary {
    /// The seed's summary: `Leader: Node 1, Operation performed on: Node 1, Result: 5 + 3 = 8`;
    /// for a register operation the result reads `r + 5 = 13`, `r := 7` or `r = 13` (a read).
    pub fn text(&self) -> String {
        let result = match self.register_op {
            None => format!("{} + {} = {}", self.a, self.b, self.sum),
            Some(RegisterOp::Set(v)) => format!("r := {v}"),
            Some(RegisterOp::Get) => format!("r = {}", self.sum),
            Some(op) => format!("{op} = {}", self.sum),
        };
        format!(
            "Leader: Node {}, Operation performed on: Node {}, Result: {result}",
            self.leader, self.performed_on
        )
    }
}

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestState {
    /// Sent to `target`; retried elsewhere if no answer by `deadline_ms`.
    Sent {
        /// The node it was sent to.
        target: NodeId,
        /// Virtual time of the attempt timeout (ms).
        deadline_ms: u64,
    },
    /// Waiting to retry at `retry_at_ms` (no leader was known).
    Backoff {
        /// Virtual time of the retry (ms).
        retry_at_ms: u64,
    },
    /// Answered with a result.
    Completed(OpSummary),
    /// Given up or rejected.
    Failed {
        /// Why, for the user.
        reason: String,
    },
}

/// One client request and its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRequest {
    /// Its id (unique across all clients).
    pub id: RequestId,
    /// The client that sent it.
    #[serde(default = "default_client")]
    pub client: ClientId,
    /// Its sequence number in the client's session, from 1 (dissertation §6.3).
    #[serde(default)]
    pub seq: u64,
    /// The command as submitted (the session tag is added when it is sent).
    pub command: Command,
    /// Virtual time of submission (ms).
    pub submitted_at_ms: u64,
    /// Sends so far.
    pub attempts: u32,
    /// Nodes it was sent to, in order.
    pub path: Vec<NodeId>,
    /// `NotLeader` hints followed.
    pub redirects: u32,
    /// Retries after timeouts, unknown leaders or lost entries.
    pub retries: u32,
    /// Current state.
    pub state: RequestState,
}

impl ClientRequest {
    /// Whether the request is finished (completed or failed).
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state,
            RequestState::Completed(_) | RequestState::Failed { .. }
        )
    }

    /// The next virtual time at which the client must act on this request, if any.
    pub fn timer_ms(&self) -> Option<u64> {
        match self.state {
            RequestState::Sent { deadline_ms, .. } => Some(deadline_ms),
            RequestState::Backoff { retry_at_ms } => Some(retry_at_ms),
            _ => None,
        }
    }
}

/// Every request of a run, by increasing id: a map from id to request kept in shared chunks
/// (see [`crate::chunked`]), so a time-travel checkpoint's copy shares the requests with the
/// present instead of copying them. Requests are created with increasing ids and never
/// removed; changing one in a chunk a copy shares copies that chunk first. Serialized as the
/// map it replaced.
#[derive(Clone, Default)]
pub(crate) struct Requests(ChunkedVec<ClientRequest>);

impl Requests {
    /// Position of request `id`: requests are numbered from 1, so the guess is `id - 1`;
    /// otherwise a binary search by id.
    fn find(&self, id: RequestId) -> Result<usize, usize> {
        let v = &self.0;
        let guess = usize::try_from(id.0.wrapping_sub(1)).unwrap_or(usize::MAX);
        if v.get(guess).is_some_and(|r| r.id == id) {
            return Ok(guess);
        }
        let (mut lo, mut hi) = (0, v.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match v.get(mid).map(|r| r.id.cmp(&id)) {
                Some(std::cmp::Ordering::Less) => lo = mid + 1,
                Some(std::cmp::Ordering::Equal) => return Ok(mid),
                _ => hi = mid,
            }
        }
        Err(lo)
    }

    /// The request `id`.
    pub(crate) fn get(&self, id: &RequestId) -> Option<&ClientRequest> {
        self.find(*id).ok().and_then(|i| self.0.get(i))
    }

    /// The request `id`, to change it.
    pub(crate) fn get_mut(&mut self, id: &RequestId) -> Option<&mut ClientRequest> {
        let i = self.find(*id).ok()?;
        self.0.get_mut(i)
    }

    /// Adds request `id`, which must be newer than every request held (the simulator numbers
    /// requests in order, and a deserialized map comes in order), or replaces the request with
    /// that id. Returns false, changing nothing, for an older id that is not held.
    pub(crate) fn insert(&mut self, id: RequestId, request: ClientRequest) -> bool {
        match self.find(id) {
            Ok(i) => {
                if let Some(r) = self.0.get_mut(i) {
                    *r = request;
                }
                true
            }
            Err(i) if i == self.0.len() => {
                self.0.push(request);
                true
            }
            Err(_) => false,
        }
    }

    /// Every request, by id. (Element by element rather than with the chunks' slice
    /// iterator: requests are read a few at a time, and this is less code in the download.)
    pub(crate) fn values(&self) -> impl DoubleEndedIterator<Item = &ClientRequest> {
        (0..self.0.len()).filter_map(|i| self.0.get(i))
    }
}

impl fmt::Debug for Requests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.values().map(|r| (r.id, r)))
            .finish()
    }
}

impl Serialize for Requests {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.values().map(|r| (r.id, r)))
    }
}

impl<'de> Deserialize<'de> for Requests {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut requests = Requests::default();
        // A map comes sorted by id, so each request is the newest so far.
        for (id, r) in BTreeMap::<RequestId, ClientRequest>::deserialize(d)? {
            if r.id != id || !requests.insert(id, r) {
                return Err(serde::de::Error::custom(format!(
                    "client request under key {} does not have that id",
                    id.0
                )));
            }
        }
        Ok(requests)
    }
}

/// All requests the clients have made, by id, and their history.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "ClientData")]
pub struct Client {
    /// Settings.
    pub config: ClientConfig,
    pub(super) requests: Requests,
    /// Requests not yet finished (so timers are found without scanning finished ones).
    pub(super) active: SortedSet<RequestId>,
    pub(super) next_id: u64,
    /// The timer of every active request that has one, `(time_ms, request)`, earliest first:
    /// the simulator asks for the earliest before every event. Derived from `requests` and
    /// `active`, kept in step by [`Client::set_state`], rebuilt when deserialized.
    #[serde(skip)]
    pub(super) timers: SortedSet<(u64, RequestId)>,
    /// The last sequence number each client used.
    #[serde(default)]
    pub(super) last_seq: SortedMap<ClientId, u64>,
    /// Every operation's invocation and response.
    #[serde(default)]
    pub(super) history: History,
}

/// The serialized form of a [`Client`] (without its derived timer index).
#[derive(Deserialize)]
struct ClientData {
    config: ClientConfig,
    requests: Requests,
    active: SortedSet<RequestId>,
    next_id: u64,
    #[serde(default)]
    last_seq: SortedMap<ClientId, u64>,
    #[serde(default)]
    history: History,
}

impl From<ClientData> for Client {
    fn from(d: ClientData) -> Self {
        let mut client = Client {
            config: d.config,
            requests: d.requests,
            active: d.active,
            next_id: d.next_id,
            timers: SortedSet::default(),
            last_seq: d.last_seq,
            history: d.history,
        };
        let active: Vec<RequestId> = client.active.iter().copied().collect();
        for id in active {
            client.index_timer(id);
        }
        client
    }
}

impl Client {
    /// The history of every client operation: invocations and responses with their virtual
    /// times, for the linearizability checker.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The lowest sequence number of `client` still waiting for an answer, if any: what its
    /// next command tells the state machine (every lower one is settled).
    pub fn first_unanswered(&self, client: ClientId) -> Option<u64> {
        self.active
            .iter()
            .filter_map(|id| self.requests.get(id))
            .filter(|r| r.client == client)
            .map(|r| r.seq)
            .min()
    }

    /// Every request, oldest first.
    pub fn requests(&self) -> impl DoubleEndedIterator<Item = &ClientRequest> {
        self.requests.values()
    }

    /// One request.
    pub fn request(&self, id: RequestId) -> Option<&ClientRequest> {
        self.requests.get(&id)
    }

    /// The earliest pending client timer: `(time_ms, request)`.
    pub(super) fn next_timer(&self) -> Option<(u64, RequestId)> {
        self.timers.first().copied()
    }

    /// Puts an active request's timer, if it has one, into the timer index.
    pub(super) fn index_timer(&mut self, id: RequestId) {
        if self.active.contains(&id)
            && let Some(t) = self.requests.get(&id).and_then(ClientRequest::timer_ms)
        {
            self.timers.insert((t, id));
        }
    }

    /// Sets a request's state, keeping the timer index in step.
    pub(super) fn set_state(&mut self, id: RequestId, state: RequestState) {
        let Some(req) = self.requests.get_mut(&id) else {
            return;
        };
        if let Some(t) = req.timer_ms() {
            self.timers.remove(&(t, id));
        }
        req.state = state;
        self.index_timer(id);
    }
}
