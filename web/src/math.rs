//! The few transcendental functions the drawing needs. In the browser they are the page's own
//! `Math` functions: Rust's software versions (libm's `sin`, `cos`, `pow`, `log`, `hypot` and
//! their argument reduction tables) would add about 10 KB to the download for the same
//! numbers. Natively (unit tests) they are std's.

#[cfg(target_arch = "wasm32")]
mod imp {
    pub fn sin(x: f64) -> f64 {
        js_sys::Math::sin(x)
    }
    pub fn cos(x: f64) -> f64 {
        js_sys::Math::cos(x)
    }
    pub fn powf(x: f64, y: f64) -> f64 {
        js_sys::Math::pow(x, y)
    }
    pub fn ln(x: f64) -> f64 {
        js_sys::Math::log(x)
    }
    pub fn hypot(x: f64, y: f64) -> f64 {
        (x * x + y * y).sqrt()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    pub fn powf(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
    pub fn ln(x: f64) -> f64 {
        x.ln()
    }
    pub fn hypot(x: f64, y: f64) -> f64 {
        (x * x + y * y).sqrt()
    }
}

pub use imp::{cos, hypot, ln, powf, sin};
