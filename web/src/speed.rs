//! The speed slider's scale: logarithmic from 0.1× to 100× virtual time per wall time.

use crate::num::Fixed;

/// Slowest speed factor (virtual time per wall time).
pub const SPEED_MIN: f64 = 0.1;
/// Fastest speed factor.
pub const SPEED_MAX: f64 = 100.0;
/// Speed at start: with the simulator's default 1.8–2.4 s latency every message stays at least
/// 0.3 s on screen, and the first election comes after about 5 s.
pub const SPEED_DEFAULT: f64 = 6.0;
/// The slider's range is `0..=SLIDER_STEPS`, mapped to the speeds on a log scale.
pub const SLIDER_STEPS: u32 = 1000;

/// The speed at slider position `pos` (0..=[`SLIDER_STEPS`]): logarithmic from
/// [`SPEED_MIN`] to [`SPEED_MAX`]. Out-of-range or NaN positions are clamped.
pub fn speed_from_slider(pos: f64) -> f64 {
    let t = if pos.is_nan() {
        0.0
    } else {
        (pos / f64::from(SLIDER_STEPS)).clamp(0.0, 1.0)
    };
    SPEED_MIN * crate::math::powf(SPEED_MAX / SPEED_MIN, t)
}

/// The slider position of `speed` (inverse of [`speed_from_slider`]), rounded to a step.
pub fn slider_from_speed(speed: f64) -> u32 {
    let s = speed.clamp(SPEED_MIN, SPEED_MAX);
    let t = crate::math::ln(s / SPEED_MIN) / crate::math::ln(SPEED_MAX / SPEED_MIN);
    (t * f64::from(SLIDER_STEPS)).round() as u32
}

/// The speed as shown next to the slider: `0.25×`, `5.0×`, `42×`.
pub fn format_speed(speed: f64) -> String {
    if speed < 1.0 {
        format!("{}×", Fixed(speed, 2))
    } else if speed < 10.0 {
        format!("{}×", Fixed(speed, 1))
    } else {
        format!("{}×", Fixed(speed, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn speed_scale_is_logarithmic_and_invertible() {
        assert!(close(speed_from_slider(0.0), SPEED_MIN));
        assert!(close(speed_from_slider(f64::from(SLIDER_STEPS)), SPEED_MAX));
        // The middle of the slider is the geometric mean.
        assert!(close(
            speed_from_slider(500.0),
            (SPEED_MIN * SPEED_MAX).sqrt()
        ));
        assert!(close(speed_from_slider(-5.0), SPEED_MIN));
        assert!(close(speed_from_slider(f64::NAN), SPEED_MIN));
        assert!(close(speed_from_slider(1e9), SPEED_MAX));
        for pos in [0, 1, 250, 566, 999, 1000] {
            assert_eq!(slider_from_speed(speed_from_slider(f64::from(pos))), pos);
        }
        let default = speed_from_slider(f64::from(slider_from_speed(SPEED_DEFAULT)));
        assert!((default - SPEED_DEFAULT).abs() < 0.05);
    }

    #[test]
    fn speed_labels() {
        assert_eq!(format_speed(0.1), "0.10×");
        assert_eq!(format_speed(5.0), "5.0×");
        assert_eq!(format_speed(100.0), "100×");
    }
}
