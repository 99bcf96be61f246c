//! What a message looks like, as plain data: its label and its size. Shared by the drawing
//! (components::message), the legend and the lane assignment ([`crate::lanes`]).

use raft_core::MessageKind;

/// Height of a request box (a reply circle is about as tall).
pub const GLYPH_HEIGHT: f64 = 20.0;

/// The short label drawn on a message: RV = RequestVote, ♥ = heartbeat, AE n = AppendEntries
/// with n entries, ✓/✗ = vote granted/denied, ok/no = append accepted/rejected, PV/pv =
/// PreVote and its reply, TN = TimeoutNow, JC/jc = JoinCluster and its reply, SNAP =
/// InstallSnapshot.
pub fn label(kind: MessageKind, entries: usize) -> String {
    match kind {
        MessageKind::RequestVote => "RV".to_string(),
        MessageKind::VoteGranted => "\u{2713}".to_string(),
        MessageKind::VoteDenied => "\u{2717}".to_string(),
        MessageKind::Heartbeat => "\u{2665}".to_string(),
        MessageKind::AppendEntries => format!("AE {entries}"),
        MessageKind::AppendOk => "ok".to_string(),
        MessageKind::AppendRejected => "no".to_string(),
        MessageKind::PreVote => "PV".to_string(),
        MessageKind::PreVoteReply => "pv".to_string(),
        MessageKind::TimeoutNow => "TN".to_string(),
        MessageKind::ClientRequest => "req".to_string(),
        MessageKind::ClientReply => "ans".to_string(),
        MessageKind::InstallSnapshot => "SNAP".to_string(),
        MessageKind::JoinCluster => "JC".to_string(),
        MessageKind::JoinClusterReply => "jc".to_string(),
    }
}

/// Whether the kind is a reply (drawn as a circle) rather than a request (a box).
pub fn is_reply(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::VoteGranted
            | MessageKind::VoteDenied
            | MessageKind::AppendOk
            | MessageKind::AppendRejected
            | MessageKind::PreVoteReply
            | MessageKind::ClientReply
            | MessageKind::JoinClusterReply
    )
}

/// Radius of a reply's circle for a label of `chars` characters.
pub fn circle_radius(chars: usize) -> f64 {
    (chars as f64 * 3.8 + 4.5).max(11.0)
}

/// Width of a request's box for a label of `chars` characters.
pub fn box_width(chars: usize) -> f64 {
    (chars as f64 * 7.5 + 10.0).max(22.0)
}

/// Half the longest extent of the glyph: two glyphs whose centres are further apart than the
/// sum of their reaches never touch.
pub fn reach(kind: MessageKind, entries: usize) -> f64 {
    let chars = label(kind, entries).chars().count();
    if is_reply(kind) {
        circle_radius(chars)
    } else {
        box_width(chars) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [MessageKind; 15] = [
        MessageKind::RequestVote,
        MessageKind::VoteGranted,
        MessageKind::VoteDenied,
        MessageKind::Heartbeat,
        MessageKind::AppendEntries,
        MessageKind::AppendOk,
        MessageKind::AppendRejected,
        MessageKind::ClientRequest,
        MessageKind::ClientReply,
        MessageKind::PreVote,
        MessageKind::PreVoteReply,
        MessageKind::TimeoutNow,
        MessageKind::JoinCluster,
        MessageKind::JoinClusterReply,
        MessageKind::InstallSnapshot,
    ];

    #[test]
    fn labels_are_short_and_distinct() {
        let labels: Vec<String> = KINDS.iter().map(|k| label(*k, 2)).collect();
        for (i, l) in labels.iter().enumerate() {
            assert!(l.chars().count() <= 4, "{l}");
            assert!(!labels[..i].contains(l), "duplicate label {l}");
        }
        assert_eq!(label(MessageKind::AppendEntries, 3), "AE 3");
    }

    #[test]
    fn sizes_grow_with_the_label() {
        assert!(reach(MessageKind::AppendEntries, 16) > reach(MessageKind::AppendEntries, 1));
        for k in KINDS {
            assert!(reach(k, 1) >= 10.0 && reach(k, 1) <= 25.0);
        }
    }
}
