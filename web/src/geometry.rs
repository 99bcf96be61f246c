//! Plain geometry of the cluster drawing: sizes of a node, where a message in flight is, the
//! countdown arcs and the heartbeat pulse. Where the nodes sit is [`crate::layout`].
//!
//! No web types here, so everything is unit-tested natively (`cargo test --workspace`).

use crate::num::Fixed;

/// Radius of a node's circle.
pub const NODE_RADIUS: f64 = 38.0;
/// Radius of the countdown arc drawn around a node.
pub const ARC_RADIUS: f64 = NODE_RADIUS + 6.0;
/// Distance from a node's centre at which messages leave and arrive: outside its countdown
/// arc, so a message never covers the node, its arc or its text.
pub const MESSAGE_ANCHOR_RADIUS: f64 = ARC_RADIUS + 14.0;
/// Radius of a node's invisible hit circle: it takes the clicks around the node and encloses
/// everything drawn for it (arc, heartbeat pulse, selection ring), so the node's bounding box
/// never changes from frame to frame (tools such as Playwright wait for a stable box).
pub const HIT_RADIUS: f64 = ARC_RADIUS + 10.0;
/// Distance between the two lanes of a link (one per direction), so a request and its reply
/// on the same link never sit on top of each other.
pub const LANE_OFFSET: f64 = 13.0;
/// Distance between neighbouring lanes of one direction (a message is 20 units tall).
pub const LANE_STEP: f64 = 23.0;
/// Highest lane index; messages beyond it share the last lane.
pub const MAX_LANE: u8 = 2;

/// A point in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal, growing to the right.
    pub x: f64,
    /// Vertical, growing downwards.
    pub y: f64,
}

impl Point {
    /// The point at `t` (0..=1) of the way from `self` to `other`.
    pub fn lerp(self, other: Point, t: f64) -> Point {
        Point {
            x: self.x + (other.x - self.x) * t,
            y: self.y + (other.y - self.y) * t,
        }
    }

    /// Euclidean distance.
    pub fn distance(self, other: Point) -> f64 {
        crate::math::hypot(other.x - self.x, other.y - self.y)
    }
}

/// How far along its path a message is (0 at `sent_at_ms`, 1 at `deliver_at_ms`), clamped.
pub fn flight_progress(sent_at_ms: u64, deliver_at_ms: u64, now_ms: u64) -> f64 {
    if deliver_at_ms <= sent_at_ms {
        return 1.0;
    }
    let done = now_ms.saturating_sub(sent_at_ms) as f64;
    (done / (deliver_at_ms - sent_at_ms) as f64).clamp(0.0, 1.0)
}

/// Start and end of a message's path: from the edge of the sender (a circle of radius
/// `from_r` around `from`) to the edge of the recipient. Neighbours in a big cluster are close,
/// so some path is always kept between the two.
pub fn message_path(from: Point, to: Point, from_r: f64, to_r: f64) -> (Point, Point) {
    let d = from.distance(to);
    if d <= f64::EPSILON {
        return (from, to);
    }
    let (ux, uy) = ((to.x - from.x) / d, (to.y - from.y) / d);
    let from_r = from_r.min(d / 2.0 - 6.0).max(0.0);
    let to_r = to_r.min(d / 2.0 - 6.0).max(0.0);
    (
        Point {
            x: from.x + ux * from_r,
            y: from.y + uy * from_r,
        },
        Point {
            x: to.x - ux * to_r,
            y: to.y - uy * to_r,
        },
    )
}

/// Sideways distance of lane `lane` from the line between two nodes. Lane 0 is next to the
/// line; further lanes hold messages that would otherwise sit on top of one another.
pub fn lane_offset(lane: u8) -> f64 {
    LANE_OFFSET + LANE_STEP * f64::from(lane.min(MAX_LANE))
}

/// Where a message is drawn: on its path (see [`message_path`]) at `progress` (0..=1) of the
/// way, shifted sideways onto `lane` on the right of its direction of travel (so a request
/// and its reply on the same link never collide).
pub fn message_position(
    from: Point,
    to: Point,
    from_r: f64,
    to_r: f64,
    progress: f64,
    lane: u8,
) -> Point {
    let d = from.distance(to);
    if d <= f64::EPSILON {
        return from;
    }
    let (start, end) = message_path(from, to, from_r, to_r);
    // The right-hand normal of the direction of travel (screen coordinates).
    let (nx, ny) = (-(to.y - from.y) / d, (to.x - from.x) / d);
    let p = start.lerp(end, progress.clamp(0.0, 1.0));
    let off = lane_offset(lane);
    Point {
        x: p.x + nx * off,
        y: p.y + ny * off,
    }
}

/// Whether two messages on the same path, flying over `[sent_a, deliver_a]` and
/// `[sent_b, deliver_b]` (virtual ms), ever come closer than `min_gap` along a path of length
/// `path_len`. Both move linearly while both are in flight, so the closest approach is at
/// either end of their common flight time, or zero if one overtakes the other.
pub fn flights_overlap(a: (u64, u64), b: (u64, u64), path_len: f64, min_gap: f64) -> bool {
    let start = a.0.max(b.0);
    let end = a.1.min(b.1);
    if start > end {
        return false;
    }
    let along = |f: (u64, u64), t: u64| flight_progress(f.0, f.1, t) * path_len;
    let d0 = along(a, start) - along(b, start);
    let d1 = along(a, end) - along(b, end);
    if (d0 < 0.0) != (d1 < 0.0) {
        return true;
    }
    d0.abs().min(d1.abs()) < min_gap
}

/// SVG path of an arc around `center` with radius `r`, starting at 12 o'clock and sweeping
/// clockwise over `fraction` (0..=1) of the circle. Empty when there is nothing to draw; a full
/// circle is drawn as two half arcs (one arc cannot start and end at the same point).
pub fn arc_path(center: Point, r: f64, fraction: f64) -> String {
    let f = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    if f <= 0.0005 {
        return String::new();
    }
    let top = (center.x, center.y - r);
    if f >= 0.9995 {
        let bottom = (center.x, center.y + r);
        return format!(
            "M {} {} A {r} {r} 0 1 1 {} {} A {r} {r} 0 1 1 {} {}",
            Fixed(top.0, 2),
            Fixed(top.1, 2),
            Fixed(bottom.0, 2),
            Fixed(bottom.1, 2),
            Fixed(top.0, 2),
            Fixed(top.1, 2),
            r = Fixed(r, 2)
        );
    }
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * f;
    let end = (
        center.x + r * crate::math::cos(angle),
        center.y + r * crate::math::sin(angle),
    );
    let large = if f > 0.5 { 1 } else { 0 };
    format!(
        "M {} {} A {r} {r} 0 {large} 1 {} {}",
        Fixed(top.0, 2),
        Fixed(top.1, 2),
        Fixed(end.0, 2),
        Fixed(end.1, 2),
        r = Fixed(r, 2)
    )
}

/// Fraction of a timer still to run at `now_ms`, for a timer started at `start_ms` that fires
/// at `deadline_ms`: 1 when just started, 0 when due.
pub fn remaining_fraction(start_ms: u64, deadline_ms: u64, now_ms: u64) -> f64 {
    1.0 - flight_progress(start_ms, deadline_ms, now_ms)
}

/// The heartbeat pulse of a leader: a ring that grows from the node's edge to just past its
/// countdown arc (short of where messages start) and fades out over `duration_ms` after a
/// heartbeat round was sent at `sent_ms`. `None` when it has faded. Returns
/// `(radius beyond the node's edge, opacity)`.
pub fn pulse(sent_ms: u64, now_ms: u64, duration_ms: u64) -> Option<(f64, f64)> {
    if now_ms < sent_ms || duration_ms == 0 {
        return None;
    }
    let t = (now_ms - sent_ms) as f64 / duration_ms as f64;
    if t >= 1.0 {
        return None;
    }
    Some((2.0 + (ARC_RADIUS - NODE_RADIUS + 2.0) * t, 0.85 * (1.0 - t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn flight_progress_is_clamped_and_handles_zero_latency() {
        assert!(close(flight_progress(100, 200, 50), 0.0));
        assert!(close(flight_progress(100, 200, 150), 0.5));
        assert!(close(flight_progress(100, 200, 500), 1.0));
        assert!(close(flight_progress(100, 100, 100), 1.0));
    }

    #[test]
    fn message_travels_from_edge_to_edge_on_its_own_lane() {
        let a = Point { x: 0.0, y: 0.0 };
        let b = Point { x: 100.0, y: 0.0 };
        let start = message_position(a, b, 10.0, 20.0, 0.0, 0);
        let end = message_position(a, b, 10.0, 20.0, 1.0, 0);
        assert!(close(start.x, 10.0) && close(end.x, 80.0));
        // Going right, the lane is below (screen y grows downwards)...
        assert!(close(start.y, LANE_OFFSET));
        // ...and coming back, above: the two directions never collide.
        let back = message_position(b, a, 20.0, 10.0, 0.5, 0);
        assert!(close(back.y, -LANE_OFFSET));
        // Further lanes are further out, up to the last one.
        let lane1 = message_position(a, b, 10.0, 20.0, 0.5, 1);
        assert!(close(lane1.y, LANE_OFFSET + LANE_STEP));
        assert!(close(lane_offset(200), lane_offset(MAX_LANE)));
        // Degenerate path: stays at the sender.
        assert_eq!(message_position(a, a, 5.0, 5.0, 0.5, 0), a);
    }

    #[test]
    fn overlapping_flights() {
        // Same timing: always together.
        assert!(flights_overlap((0, 1000), (0, 1000), 300.0, 30.0));
        // Sent 500 ms apart at the same speed: always 150 units apart.
        assert!(!flights_overlap((0, 1000), (500, 1500), 300.0, 30.0));
        // Sent 50 ms apart: 15 units apart, too close.
        assert!(flights_overlap((0, 1000), (50, 1050), 300.0, 30.0));
        // The later, faster one overtakes the earlier one.
        assert!(flights_overlap((0, 2000), (400, 1500), 300.0, 30.0));
        // Never in flight together.
        assert!(!flights_overlap((0, 1000), (1500, 2500), 300.0, 30.0));
    }

    #[test]
    fn arc_paths() {
        let c = Point { x: 50.0, y: 50.0 };
        assert_eq!(arc_path(c, 10.0, 0.0), "");
        assert_eq!(arc_path(c, 10.0, f64::NAN), "");
        // A quarter: from 12 o'clock to 3 o'clock, small arc, clockwise.
        assert_eq!(
            arc_path(c, 10.0, 0.25),
            "M 50.00 40.00 A 10.00 10.00 0 0 1 60.00 50.00"
        );
        // Three quarters use the large-arc flag.
        assert!(arc_path(c, 10.0, 0.75).contains(" 0 1 1 "));
        // A full circle is two arcs that end where they started.
        let full = arc_path(c, 10.0, 1.0);
        assert_eq!(full.matches(" A ").count(), 2);
        assert!(full.ends_with("50.00 40.00"));
    }

    #[test]
    fn remaining_fraction_counts_down() {
        assert!(close(remaining_fraction(0, 1000, 0), 1.0));
        assert!(close(remaining_fraction(0, 1000, 250), 0.75));
        assert!(close(remaining_fraction(0, 1000, 2000), 0.0));
    }

    #[test]
    fn pulse_grows_and_fades() {
        assert_eq!(pulse(100, 50, 1000), None);
        let (r0, o0) = pulse(100, 100, 1000).unwrap_or_default();
        let (r1, o1) = pulse(100, 600, 1000).unwrap_or_default();
        assert!(r1 > r0 && o1 < o0);
        assert_eq!(pulse(100, 1100, 1000), None);
        assert_eq!(pulse(100, 100, 0), None);
    }
}
