//! The legend: what the colours, outlines and message shapes mean.

use super::message::glyph;
use raft_core::MessageKind;
use yew::prelude::*;

fn role_swatch(class: &'static str, text: &'static str, help: &'static str) -> Html {
    html! {
        <li title={help}>
            <svg class="swatch" viewBox="-14 -14 28 28" aria-hidden="true">
                <g class={classes!("node", class)}>
                    <circle class="body" r="10" />
                    if class == "crashed" {
                        <path class="cross" d="M -6 -6 L 6 6 M 6 -6 L -6 6" />
                    }
                </g>
            </svg>
            { text }
        </li>
    }
}

fn message_swatch(kind: MessageKind, text: &'static str) -> Html {
    html! {
        <li>
            <svg class="swatch wide" viewBox="-24 -12 48 24" aria-hidden="true">
                <g class={classes!("msg", format!("msg-{}", kind.as_str()))}>{ glyph(kind, 1) }</g>
            </svg>
            { text }
        </li>
    }
}

fn link_swatch(class: &'static str, text: &'static str, help: &'static str) -> Html {
    html! {
        <li title={help}>
            <svg class="swatch wide" viewBox="-24 -12 48 24" aria-hidden="true">
                <line class={classes!("link", class)} x1="-22" y1="0" x2="22" y2="0" />
                if class == "cut" {
                    <text class="link-cross" x="0" y="0.5">{ "\u{2715}" }</text>
                }
                if class == "one-way" {
                    <line class="link cut" x1="-20" y1="-5" x2="16" y2="-5" marker-end="url(#cut-arrow)" />
                }
            </svg>
            { text }
        </li>
    }
}

/// The legend (static: rendered once).
#[function_component(Legend)]
pub fn legend() -> Html {
    html! {
        <section class="legend" aria-label="Legend">
            <h3>{ "Servers" }</h3>
            <div class="legend-columns">
                <ul>
                    { role_swatch("follower", "follower", "Follows the leader; becomes a candidate if it hears nothing before its timer runs out") }
                    { role_swatch("candidate", "candidate (dashed)", "Asks the others for votes (with PreVote: first asks whether it could win, without raising its term)") }
                </ul>
                <ul>
                    { role_swatch("leader", "leader \u{265B}", "Sends heartbeats and log entries; the only node that serves clients") }
                    { role_swatch("crashed", "crashed", "Down: keeps only its term, vote and log") }
                </ul>
                <ul>
                    { role_swatch("learner", "learner (dotted)", "A new server catching up: it receives the log but does not vote yet (\u{a7}4.2.1)") }
                    { role_swatch("removed", "removed (faded)", "Taken out of the configuration: it no longer votes or gets entries. Dismiss it from its menu") }
                </ul>
            </div>
            <ul>
                <li class="arc-key">
                    <svg class="swatch" viewBox="-14 -14 28 28" aria-hidden="true">
                        <circle class="timer-track" r="10" />
                        <path class="timer election" d="M 0 -10 A 10 10 0 1 1 -10 0" />
                    </svg>
                    { "time left before an election timeout (leader: until the next heartbeats)" }
                </li>
            </ul>
            <h3>{ "Messages (box: request, circle: reply)" }</h3>
            <p class="legend-note muted">{ "(click a message for its fields)" }</p>
            <div class="legend-columns">
                <ul aria-label="Requests">
                    { message_swatch(MessageKind::RequestVote, "RequestVote") }
                    { message_swatch(MessageKind::Heartbeat, "heartbeat") }
                    { message_swatch(MessageKind::AppendEntries, "AppendEntries, n entries") }
                    { message_swatch(MessageKind::PreVote, "PreVote (may I run?)") }
                    { message_swatch(MessageKind::TimeoutNow, "TimeoutNow (transfer)") }
                    { message_swatch(MessageKind::JoinCluster, "JoinCluster (let me in)") }
                    { message_swatch(MessageKind::InstallSnapshot, "InstallSnapshot (\u{a7}7)") }
                    { message_swatch(MessageKind::ClientRequest, "client request") }
                    <li>
                        <svg class="swatch wide" viewBox="-24 -12 48 24" aria-hidden="true">
                            <line class="client-track" x1="-20" y1="0" x2="16" y2="0"
                                  marker-end="url(#client-arrow)" />
                        </svg>
                        { "client message's path" }
                    </li>
                </ul>
                <ul aria-label="Replies">
                    { message_swatch(MessageKind::VoteGranted, "vote granted") }
                    { message_swatch(MessageKind::VoteDenied, "vote denied") }
                    { message_swatch(MessageKind::AppendOk, "append ok") }
                    { message_swatch(MessageKind::AppendRejected, "append rejected") }
                    { message_swatch(MessageKind::PreVoteReply, "pre-vote answer") }
                    { message_swatch(MessageKind::JoinClusterReply, "join answer") }
                    { message_swatch(MessageKind::ClientReply, "client answer") }
                </ul>
            </div>
            <h3>{ "Network (click a link to change it)" }</h3>
            <div class="legend-columns">
                <ul aria-label="Links">
                    { link_swatch("cut", "cut both ways", "Nothing gets through; messages in flight on it are lost") }
                    { link_swatch("one-way", "cut one way (red arrow)", "Messages in the red arrow's direction are lost; the other direction works") }
                    { link_swatch("lossy", "lossy", "Some messages are lost or delivered twice") }
                </ul>
                <ul aria-label="Faults">
                    <li title="A message lost on the way: it fades out where it vanished">
                        <svg class="swatch wide" viewBox="-24 -12 48 24" aria-hidden="true">
                            <g class="msg dropped msg-heartbeat" opacity="0.6">
                                { glyph(MessageKind::Heartbeat, 0) }
                                <path class="drop-cross" d="M -7 -7 L 7 7 M 7 -7 L -7 7" />
                            </g>
                        </svg>
                        { "message lost" }
                    </li>
                    <li title="Paused: keeps its state but handles nothing; messages wait for it">
                        <svg class="swatch wide" viewBox="-24 -12 48 24" aria-hidden="true">
                            <g class="pause-badge">
                                <rect x="-17" y="-9" width="34" height="18" rx="9" />
                                <text y="0.5">{ "\u{275a}\u{275a}" }</text>
                            </g>
                        </svg>
                        { "paused node" }
                    </li>
                </ul>
            </div>
        </section>
    }
}
