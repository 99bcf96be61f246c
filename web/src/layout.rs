//! Where things sit in the cluster drawing, for a cluster of `count` nodes.
//!
//! The ring is centred on the origin. Its radius grows with the node count so that
//! neighbours keep [`NEIGHBOUR_DISTANCE`] between their centres (nine nodes on a fixed ring
//! would touch, and a message between neighbours would have no room to move). The client sits
//! in a small box at the centre: its straight path to any node is a radius of the ring, which
//! passes over no other node. The `viewBox` fits the ring tightly, so the drawing wastes no
//! space beside or below the nodes.
//!
//! Nodes can join and be dismissed, so ids have gaps: a node's place on the ring is its rank
//! in the [`Ring`] (the ids in order), never its id.

use crate::geometry::{HIT_RADIUS, Point};
use crate::num::Fixed;

/// Smallest ring radius (used up to six nodes).
pub const RING_RADIUS_MIN: f64 = 168.0;
/// Smallest distance between the centres of neighbouring nodes.
pub const NEIGHBOUR_DISTANCE: f64 = 150.0;
/// Width of the client box at the centre of the ring.
pub const CLIENT_W: f64 = 60.0;
/// Height of the client box.
pub const CLIENT_H: f64 = 28.0;
/// Distance from the ring's centre at which client messages leave and arrive: just outside
/// the client box in every direction (its half diagonal is about 33).
pub const CLIENT_ANCHOR_RADIUS: f64 = 44.0;
/// Space around the nodes' centres inside the `viewBox`: a node's hit circle plus a little.
pub const VIEW_MARGIN: f64 = HIT_RADIUS + 4.0;
/// Centre (below the node's centre) of the configuration label under a node.
pub const CONFIG_LABEL_Y: f64 = HIT_RADIUS + 6.0;
/// Centre (below the node's centre) of a learner's catch-up bar, under the configuration label.
pub const CATCH_UP_Y: f64 = CONFIG_LABEL_Y + 15.0;
/// Half the height of the label and of the bar.
pub const UNDER_HALF_H: f64 = 6.5;
/// Widest label or bar under a node: a nine-voter configuration with a learner.
pub const UNDER_MAX_W: f64 = 104.0;
/// How far below its centre a node's drawing reaches (the catch-up bar's bottom edge).
pub const NODE_BOTTOM: f64 = CATCH_UP_Y + UNDER_HALF_H;

/// The nodes on the ring: their ids in ascending order. A node's place is its rank here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    ids: Vec<u64>,
}

impl Ring {
    /// The ring of these ids (given in ascending order, as the simulation lists its nodes).
    pub fn new(ids: impl IntoIterator<Item = u64>) -> Self {
        Ring {
            ids: ids.into_iter().collect(),
        }
    }

    /// Centre of node `id`, or `None` if it is not on the ring (a dismissed node).
    pub fn position(&self, id: u64) -> Option<Point> {
        let index = self.ids.iter().position(|&i| i == id)?;
        Some(ring_position(index, self.ids.len()))
    }
}

/// The `viewBox` of the drawing: its top-left corner and size, in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewBox {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl ViewBox {
    /// The `viewBox` attribute value.
    pub fn attr(&self) -> String {
        format!(
            "{} {} {} {}",
            Fixed(self.x, 1),
            Fixed(self.y, 1),
            Fixed(self.w, 1),
            Fixed(self.h, 1)
        )
    }
}

/// Radius of the ring for `count` nodes.
pub fn ring_radius(count: usize) -> f64 {
    if count < 3 {
        return RING_RADIUS_MIN;
    }
    let half_angle = std::f64::consts::PI / count as f64;
    (NEIGHBOUR_DISTANCE / (2.0 * crate::math::sin(half_angle))).max(RING_RADIUS_MIN)
}

/// Centre of node `index` (0-based) of `count` nodes: evenly spaced on the ring, the first at
/// the top, going clockwise.
pub fn ring_position(index: usize, count: usize) -> Point {
    let r = ring_radius(count);
    let angle =
        -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * index as f64 / count.max(1) as f64;
    Point {
        x: r * crate::math::cos(angle),
        y: r * crate::math::sin(angle),
    }
}

/// Centre of the client box: the centre of the ring.
pub fn client_center() -> Point {
    Point { x: 0.0, y: 0.0 }
}

/// The `viewBox` around `count` nodes (and the client box at the centre): tight from three
/// nodes on; one or two nodes (a cluster shrunk by membership changes) get at least the box of
/// three, so the drawing keeps the same size instead of zooming in on a narrow column.
pub fn view_box(count: usize) -> ViewBox {
    let vb = tight_view_box(count);
    if count >= 3 {
        return vb;
    }
    let three = tight_view_box(3);
    let (left, top) = (vb.x.min(three.x), vb.y.min(three.y));
    let right = (vb.x + vb.w).max(three.x + three.w);
    let bottom = (vb.y + vb.h).max(three.y + three.h);
    ViewBox {
        x: left,
        y: top,
        w: right - left,
        h: bottom - top,
    }
}

/// The tight `viewBox` around `count` nodes and the client box.
fn tight_view_box(count: usize) -> ViewBox {
    let (mut left, mut right) = (-CLIENT_W / 2.0, CLIENT_W / 2.0);
    let (mut top, mut bottom) = (-CLIENT_H / 2.0, CLIENT_H / 2.0);
    for i in 0..count {
        let p = ring_position(i, count);
        let side = VIEW_MARGIN.max(UNDER_MAX_W / 2.0 + 2.0);
        left = left.min(p.x - side);
        right = right.max(p.x + side);
        top = top.min(p.y - VIEW_MARGIN);
        bottom = bottom.max(p.y + NODE_BOTTOM + 4.0);
    }
    ViewBox {
        x: left,
        y: top,
        w: right - left,
        h: bottom - top,
    }
}

/// Smallest on-screen scale (CSS pixels per drawing unit) at which node labels stay readable.
pub const READABLE_SCALE: f64 = 0.85;
/// Height (CSS pixels) of one row of the log grid, below the drawing.
pub const LOG_ROW_PX: f64 = 29.0;

/// Inline CSS custom properties for the drawing's wrapper, from which the stylesheet sizes the
/// drawing: its aspect ratio, the height at which it is still readable, and how much taller
/// (or shorter) than with five nodes the log grid below it is. The drawing fills the height
/// that leaves room for the logs, but never gets smaller than readable (then the page
/// scrolls instead).
pub fn wrapper_style(count: usize) -> String {
    let vb = view_box(count);
    let extra_rows = count as f64 - 5.0;
    format!(
        "--view-aspect: {}; --readable-height: {}px; --log-extra: {}px;",
        Fixed(vb.w / vb.h, 4),
        Fixed(vb.h * READABLE_SCALE, 0),
        Fixed(extra_rows * LOG_ROW_PX, 0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{ARC_RADIUS, MESSAGE_ANCHOR_RADIUS};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn first_node_is_at_the_top_and_nodes_are_evenly_spaced() {
        let p = ring_position(0, 5);
        assert!(close(p.x, 0.0) && close(p.y, -RING_RADIUS_MIN));
        let d01 = ring_position(0, 5).distance(ring_position(1, 5));
        let d12 = ring_position(1, 5).distance(ring_position(2, 5));
        assert!(close(d01, d12));
        // Clockwise: the second node is to the right of the first.
        assert!(ring_position(1, 5).x > p.x);
    }

    #[test]
    fn one_or_two_nodes_keep_the_drawing_of_three() {
        let three = view_box(3);
        for n in [1, 2] {
            let vb = view_box(n);
            assert!(vb.w >= three.w && vb.h >= three.h, "{n} nodes");
            // Every node still fits.
            for i in 0..n {
                let p = ring_position(i, n);
                assert!(p.x > vb.x && p.x < vb.x + vb.w && p.y > vb.y && p.y < vb.y + vb.h);
            }
            // Not a narrow column: at most 1.5 times as tall as wide.
            assert!(vb.h <= 1.5 * vb.w, "{n} nodes: {} x {}", vb.w, vb.h);
        }
    }

    #[test]
    fn the_ring_grows_with_the_node_count() {
        assert!(close(ring_radius(3), RING_RADIUS_MIN));
        assert!(close(ring_radius(5), RING_RADIUS_MIN));
        assert!(ring_radius(9) > ring_radius(8) && ring_radius(8) > ring_radius(7));
        assert!(close(ring_radius(1), RING_RADIUS_MIN));
        assert!(wrapper_style(5).starts_with("--view-aspect: "));
        assert!(wrapper_style(5).ends_with("--log-extra: 0px;"));
        assert!(wrapper_style(9).ends_with("--log-extra: 116px;"));
        assert!(view_box(9).h > view_box(5).h);
    }

    /// The distance from `p` to the segment `a`–`b`.
    fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        p.distance(Point {
            x: a.x + dx * t,
            y: a.y + dy * t,
        })
    }

    #[test]
    fn the_ring_places_nodes_by_rank_not_by_id() {
        // Node 3 was dismissed and Node 6 joined: five nodes, laid out like any five.
        let ring = Ring::new([1, 2, 4, 5, 6]);
        assert_eq!(ring.position(1), Some(ring_position(0, 5)));
        assert_eq!(ring.position(4), Some(ring_position(2, 5)));
        assert_eq!(ring.position(6), Some(ring_position(4, 5)));
        assert_eq!(ring.position(3), None);
        assert_eq!(Ring::default().position(1), None);
    }

    /// The box of the configuration label and catch-up bar under the node at `p`.
    fn under_box(p: Point) -> (f64, f64, f64, f64) {
        (
            p.x - UNDER_MAX_W / 2.0,
            p.y + CONFIG_LABEL_Y - UNDER_HALF_H,
            p.x + UNDER_MAX_W / 2.0,
            p.y + NODE_BOTTOM,
        )
    }

    /// Whether a box comes within `r` of `c`.
    fn box_near(b: (f64, f64, f64, f64), c: Point, r: f64) -> bool {
        let dx = (b.0 - c.x).max(c.x - b.2).max(0.0);
        let dy = (b.1 - c.y).max(c.y - b.3).max(0.0);
        dx * dx + dy * dy < r * r
    }

    #[test]
    fn labels_under_nodes_overlap_nothing_from_one_to_twelve_nodes() {
        // Up to 9 voters, plus learners and removed nodes not yet dismissed.
        for n in 1..=12 {
            let vb = view_box(n);
            let client = (
                -CLIENT_W / 2.0,
                -CLIENT_H / 2.0,
                CLIENT_W / 2.0,
                CLIENT_H / 2.0,
            );
            for i in 0..n {
                let b = under_box(ring_position(i, n));
                assert!(
                    b.0 >= vb.x && b.2 <= vb.x + vb.w,
                    "n={n}: label {i} off the side"
                );
                assert!(
                    b.1 >= vb.y && b.3 <= vb.y + vb.h,
                    "n={n}: label {i} off the bottom"
                );
                let apart = b.2 < client.0 || b.0 > client.2 || b.3 < client.1 || b.1 > client.3;
                assert!(apart, "n={n}: label {i} over the client");
                for j in (0..n).filter(|&j| j != i) {
                    let other = ring_position(j, n);
                    // Clear of everything drawn for the other node (its selection ring is
                    // the outermost, at ARC_RADIUS + 7).
                    let drawn = ARC_RADIUS + 9.0;
                    assert!(!box_near(b, other, drawn), "n={n}: label {i} over node {j}");
                    let o = under_box(other);
                    let apart = b.2 < o.0 || b.0 > o.2 || b.3 < o.1 || b.1 > o.3;
                    assert!(apart, "n={n}: labels {i} and {j} overlap");
                }
            }
        }
    }

    #[test]
    fn nodes_are_apart_inside_the_view_and_clear_of_the_client() {
        for n in 1..=12 {
            let vb = view_box(n);
            for i in 0..n {
                let p = ring_position(i, n);
                assert!(p.x - HIT_RADIUS >= vb.x && p.x + HIT_RADIUS <= vb.x + vb.w);
                assert!(p.y - HIT_RADIUS >= vb.y && p.y + HIT_RADIUS <= vb.y + vb.h);
                for j in 0..i {
                    let d = p.distance(ring_position(j, n));
                    assert!(d >= NEIGHBOUR_DISTANCE - 1e-6, "n={n} {i}-{j}: {d}");
                    assert!(d > 2.0 * ARC_RADIUS + 20.0);
                }
                // The client box and its message anchor stay clear of every node.
                let r = p.distance(client_center());
                assert!(
                    r - MESSAGE_ANCHOR_RADIUS - CLIENT_ANCHOR_RADIUS > 40.0,
                    "n={n}"
                );
                // The client's path to node i passes no other node (nor its hit circle).
                for j in (0..n).filter(|&j| j != i) {
                    let other = ring_position(j, n);
                    assert!(
                        distance_to_segment(other, client_center(), p) > HIT_RADIUS,
                        "n={n}: the path to node {i} crosses node {j}"
                    );
                }
            }
        }
    }
}
