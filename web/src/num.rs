//! Number formatting without core's float formatting machinery (Grisu, Dragon4 and their
//! tables, about 8 KB of the gzipped download).
//!
//! [`Fixed`] prints exactly what `format!("{v:.d$}")` prints (the exact binary value rounded
//! half to even at `d` decimals, `-` for every negative value including `-0`, `NaN`, `inf`),
//! using integer arithmetic only. [`Short`] stands in for `v.to_string()` on drawing sizes:
//! the same text for values with at most three decimals (whole numbers such as `60` or `44`,
//! or `23.56`), and otherwise the value rounded to three decimals.
//!
//! The unit tests compare every function against std on many values.

use std::fmt;

/// `self.0` with exactly `self.1` decimals (at most 20), as `format!("{:.1$}", v, d)` writes
/// it.
#[derive(Clone, Copy, Debug)]
pub struct Fixed(pub f64, pub u32);

/// A drawing size or coordinate as `f64::to_string` writes it, for values with at most three
/// decimals (see the module documentation).
#[derive(Clone, Copy, Debug)]
pub struct Short(pub f64);

/// The decimal digits of `|v| * 10^decimals`, rounded half to even to a whole number, most
/// significant first, at least `decimals + 1` of them. `v` must be finite.
fn scaled_digits(v: f64, decimals: u32) -> Vec<u8> {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // |v| = m * 2^e exactly.
    let (m, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let n = u128::from(m) * 10u128.pow(decimals);
    // Little-endian decimal digits.
    let mut digits = Vec::new();
    if e >= 0 {
        // A whole number: n * 2^e, doubled digit by digit (it can exceed u128).
        let mut n = n;
        while n > 0 {
            digits.push((n % 10) as u8);
            n /= 10;
        }
        for _ in 0..e {
            let mut carry = 0;
            for d in digits.iter_mut() {
                let x = *d * 2 + carry;
                *d = x % 10;
                carry = x / 10;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
    } else {
        // n / 2^k, rounded half to even. n < 2^120, so for k >= 128 it is below one half.
        let k = e.unsigned_abs();
        let mut q = 0;
        if k < 128 {
            q = n >> k;
            let rest = n & ((1 << k) - 1);
            let half = 1 << (k - 1);
            if rest > half || (rest == half && q & 1 == 1) {
                q += 1;
            }
        }
        while q > 0 {
            digits.push((q % 10) as u8);
            q /= 10;
        }
    }
    while digits.len() <= decimals as usize {
        digits.push(0);
    }
    digits.reverse();
    digits
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(v, decimals) = *self;
        if v.is_nan() {
            return f.write_str("NaN");
        }
        let mut s = String::new();
        if v.is_sign_negative() {
            s.push('-');
        }
        if v.is_infinite() {
            s.push_str("inf");
        } else {
            let digits = scaled_digits(v, decimals);
            let point = digits.len() - decimals as usize;
            for (i, d) in digits.iter().enumerate() {
                if i == point {
                    s.push('.');
                }
                s.push(char::from(b'0' + d));
            }
        }
        f.write_str(&s)
    }
}

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = Fixed(self.0, 3).to_string();
        let s = match s.find('.') {
            Some(_) => s.trim_end_matches('0').trim_end_matches('.'),
            None => &s,
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random numbers (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    fn check(v: f64) {
        for d in 0..=5 {
            assert_eq!(
                Fixed(v, d).to_string(),
                format!("{v:.0$}", d as usize),
                "{v:e} with {d} decimals"
            );
        }
    }

    #[test]
    fn fixed_matches_std_on_special_values() {
        for v in [
            0.0,
            -0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            1e15,
            1e16,
            2f64.powi(52),
            2f64.powi(53),
            2f64.powi(53) + 2.0,
            1e300,
            -1e22,
            0.05,
            0.005,
            -0.04,
            0.35,
            0.45,
            2.675,
            1.0005,
            9.995,
            99.95,
            -99.95,
            999_999.999_95,
        ] {
            check(v);
        }
    }

    #[test]
    fn fixed_matches_std_on_exact_ties() {
        // Multiples of 1/2^j are exact, so many of them are exact ties at some precision.
        for j in 1..=12 {
            let step = 1.0 / f64::from(1u32 << j);
            for i in -2000..=2000 {
                check(f64::from(i) * step);
            }
        }
    }

    #[test]
    fn fixed_matches_std_on_random_values() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Drawing-sized values ...
        for _ in 0..40_000 {
            let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
            check((x - 0.5) * 4000.0);
            check(x * 10.0);
        }
        // ... and any bit pattern at all (huge ones are slow to print in a debug build).
        for _ in 0..2_000 {
            check(f64::from_bits(rng.next()));
        }
    }

    #[test]
    fn short_is_to_string_for_up_to_three_decimals() {
        for v in [
            0.0, -0.0, 60.0, 28.0, 44.0, -30.0, 20.0, 51.0, 54.0, 38.0, 23.56, -23.56, 27.5, 0.125,
            1e6, -14.0,
        ] {
            assert_eq!(Short(v).to_string(), v.to_string(), "{v}");
        }
        for i in -30_000..=30_000 {
            let v = f64::from(i) / 1000.0;
            assert_eq!(Short(v).to_string(), v.to_string(), "{v}");
        }
        assert_eq!(Short(38.0 * 0.62).to_string(), (38.0 * 0.62).to_string());
        assert_eq!(Short(1.0 / 3.0).to_string(), "0.333");
        assert_eq!(Short(2.0 / 3.0).to_string(), "0.667");
    }
}
