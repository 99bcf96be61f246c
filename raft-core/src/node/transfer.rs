//! Leadership transfer (Ongaro's dissertation §3.10).
//!
//! The leader stops accepting proposals, brings the target's log up to date through the
//! ordinary replication progress, then sends it TimeoutNow; the target starts an election at
//! once (without PreVote), flagging its RequestVotes so that the leader lease does not block
//! them. If the target has not taken over within `election_timeout_ms_min`, the leader
//! abandons the transfer and accepts proposals again (§3.10: "if the transfer does not complete
//! after about one election timeout, the prior leader aborts the transfer").

use super::election::CampaignCause;
use super::{NodeEvent, RaftNode, Role, Transfer, TransferAbandon, TransferError};
use crate::message::MessageBody;
use crate::types::NodeId;

impl RaftNode {
    /// Starts handing leadership to `target` (dissertation §3.10). Until the transfer ends,
    /// [`RaftNode::propose`] returns [`super::ProposeError::TransferInProgress`]. The transfer
    /// succeeds when the target wins an election in a later term (this leader then sees the
    /// higher term and steps down), and is abandoned with
    /// [`NodeEvent::TransferAbandoned`] after `election_timeout_ms_min` virtual ms otherwise.
    /// Asking again for the same target changes nothing; asking for another target abandons
    /// the first transfer ([`TransferAbandon::Superseded`]) and starts a new one, as in
    /// etcd-raft.
    ///
    /// # Errors
    /// [`TransferError::NotLeader`] unless this node leads; [`TransferError::TargetIsSelf`];
    /// [`TransferError::UnknownTarget`] if `target` is not a voter.
    pub fn transfer_leadership(&mut self, target: NodeId) -> Result<(), TransferError> {
        let Role::Leader { transfer, .. } = &self.role else {
            return Err(TransferError::NotLeader {
                leader_hint: self.leader_id,
            });
        };
        if target == self.id {
            return Err(TransferError::TargetIsSelf);
        }
        if !self.membership.is_voter(target) {
            return Err(TransferError::UnknownTarget(target));
        }
        let term = self.persistent.current_term;
        match transfer {
            Some(t) if t.target == target => return Ok(()),
            Some(t) => self.events.push(NodeEvent::TransferAbandoned {
                target: t.target,
                term,
                reason: TransferAbandon::Superseded(target),
            }),
            None => {}
        }
        let deadline_ms = self
            .now_ms
            .saturating_add(self.config.election_timeout_ms_min);
        if let Role::Leader { transfer, .. } = &mut self.role {
            *transfer = Some(Transfer {
                target,
                deadline_ms,
            });
        }
        self.events
            .push(NodeEvent::TransferStarted { target, term });
        self.send_append(target, false);
        self.maybe_send_timeout_now(target);
        Ok(())
    }

    /// Sends TimeoutNow if `peer` is the transfer target and its log matches the leader's.
    /// Called again on each successful AppendEntries reply from it, so a lost TimeoutNow is
    /// resent (a duplicate reaches a target that already moved to a newer term, which ignores
    /// it as stale).
    pub(super) fn maybe_send_timeout_now(&mut self, peer: NodeId) {
        let last = self.persistent.log.last_index();
        let Role::Leader {
            progress,
            transfer: Some(t),
            ..
        } = &self.role
        else {
            return;
        };
        if t.target == peer && progress.get(&peer).is_some_and(|p| p.match_index >= last) {
            self.send(peer, MessageBody::TimeoutNow);
        }
    }

    /// On a leader's tick: abandon a transfer whose time is up.
    pub(super) fn check_transfer_timeout(&mut self) {
        let now = self.now_ms;
        let term = self.persistent.current_term;
        if let Role::Leader { transfer, .. } = &mut self.role
            && let Some(t) = transfer.take_if(|t| now >= t.deadline_ms)
        {
            self.events.push(NodeEvent::TransferAbandoned {
                target: t.target,
                term,
                reason: TransferAbandon::TimedOut,
            });
        }
    }

    /// TimeoutNow receiver (of the current term): start an election now, skipping PreVote and
    /// the rest of the election timeout. A leader ignores it.
    pub(super) fn handle_timeout_now(&mut self, from: NodeId) {
        if !matches!(self.role, Role::Leader { .. }) {
            self.start_election(CampaignCause::TimeoutNow { from });
        }
    }
}
