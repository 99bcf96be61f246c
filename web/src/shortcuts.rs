//! The app-wide keyboard shortcuts (the node actions' keys live in [`crate::actions`]): one
//! table drives the reducer's key handling and the help overlay, so the two cannot disagree.

use crate::speed::{SLIDER_STEPS, slider_from_speed, speed_from_slider};

/// Something a global key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKey {
    /// Play or pause.
    TogglePlay,
    /// One speed step up.
    Faster,
    /// One speed step down.
    Slower,
    /// Pause and process the next event.
    StepForward,
    /// Go back one event (time travel).
    StepBack,
    /// Select the node with this id (1–9).
    SelectNode(u64),
    /// Open or close the shortcut help.
    Help,
}

/// The rows of the help overlay for the global keys: `(keys, what they do)`.
pub const GLOBAL_SHORTCUTS: [(&str, &str); 9] = [
    (
        "Space, K",
        "play or pause (on a focused button or node, Space presses it: K always works)",
    ),
    ("+", "faster (also =)"),
    ("\u{2212}", "slower"),
    (".", "step forward one event"),
    (",", "step back one event"),
    (
        "1\u{2013}9",
        "select node 1 to 9 (its actions and inspector open)",
    ),
    (
        "Tab, Enter",
        "move to a node or control; Enter or Space on a node selects it",
    ),
    (
        "Esc",
        "close this help, then the explanation, the node panel, the inspector; then clear the group",
    ),
    ("?", "show or hide this help"),
];

/// The global action bound to `key` (`KeyboardEvent.key`), if any.
pub fn global_key(key: &str) -> Option<GlobalKey> {
    Some(match key {
        " " | "Spacebar" | "k" | "K" => GlobalKey::TogglePlay,
        "+" | "=" => GlobalKey::Faster,
        "-" | "_" => GlobalKey::Slower,
        "." => GlobalKey::StepForward,
        "," => GlobalKey::StepBack,
        "?" => GlobalKey::Help,
        _ => {
            let mut chars = key.chars();
            let d = chars.next()?.to_digit(10)?;
            if chars.next().is_some() || d == 0 {
                return None;
            }
            GlobalKey::SelectNode(u64::from(d))
        }
    })
}

/// Slider positions one speed key moves: a tenth of the scale, about ×2 per press.
pub const SPEED_KEY_STEPS: u32 = SLIDER_STEPS / 10;

/// The speed one key press up (`faster`) or down from `speed`, within the slider's range.
pub fn speed_step(speed: f64, faster: bool) -> f64 {
    let pos = slider_from_speed(speed);
    let next = if faster {
        pos.saturating_add(SPEED_KEY_STEPS).min(SLIDER_STEPS)
    } else {
        pos.saturating_sub(SPEED_KEY_STEPS)
    };
    speed_from_slider(f64::from(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::NODE_ACTIONS;
    use crate::speed::{SPEED_DEFAULT, SPEED_MAX, SPEED_MIN};

    #[test]
    fn keys_map_to_global_actions() {
        assert_eq!(global_key(" "), Some(GlobalKey::TogglePlay));
        assert_eq!(global_key("k"), Some(GlobalKey::TogglePlay));
        assert_eq!(global_key("+"), Some(GlobalKey::Faster));
        assert_eq!(global_key("="), Some(GlobalKey::Faster));
        assert_eq!(global_key("-"), Some(GlobalKey::Slower));
        assert_eq!(global_key("."), Some(GlobalKey::StepForward));
        assert_eq!(global_key(","), Some(GlobalKey::StepBack));
        assert_eq!(global_key("?"), Some(GlobalKey::Help));
        assert_eq!(global_key("3"), Some(GlobalKey::SelectNode(3)));
        assert_eq!(global_key("9"), Some(GlobalKey::SelectNode(9)));
        for k in ["0", "10", "c", "Escape", "Enter", ""] {
            assert_eq!(global_key(k), None, "{k:?}");
        }
    }

    #[test]
    fn no_global_key_takes_a_node_action_key() {
        for a in &NODE_ACTIONS {
            assert_eq!(global_key(&a.key.to_string()), None, "{}", a.key);
        }
    }

    #[test]
    fn speed_keys_double_or_halve_within_range() {
        let up = speed_step(SPEED_DEFAULT, true);
        assert!(up > SPEED_DEFAULT * 1.8 && up < SPEED_DEFAULT * 2.2, "{up}");
        let down = speed_step(SPEED_DEFAULT, false);
        assert!(
            down < SPEED_DEFAULT / 1.8 && down > SPEED_DEFAULT / 2.2,
            "{down}"
        );
        assert!((speed_step(SPEED_MAX, true) - SPEED_MAX).abs() < 1e-9);
        assert!((speed_step(SPEED_MIN, false) - SPEED_MIN).abs() < 1e-9);
        // Ten presses go from the slowest to the fastest.
        let mut s = SPEED_MIN;
        for _ in 0..10 {
            s = speed_step(s, true);
        }
        assert!((s - SPEED_MAX).abs() < 1e-6, "{s}");
    }
}
