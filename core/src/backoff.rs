//! Exponential backoff with jitter, as a sans-IO value: it computes delays,
//! the client turns them into a timer. hangups slept `2^n` seconds and gave
//! up after 5 retries; here the delay doubles from `initial` up to `max`
//! and retrying goes on forever unless a limit is configured.

use crate::rng::Rng;
use std::time::Duration;

/// Backoff settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffConfig {
    /// Delay before the first retry (before jitter).
    pub initial: Duration,
    /// Upper bound of the delay (before jitter).
    pub max: Duration,
    /// Fraction of the delay that is random: the delay is drawn uniformly
    /// from `[d * (1 - jitter), d]`. 0 disables jitter.
    pub jitter: f64,
    /// Give up after this many consecutive failures; `None` retries forever.
    pub max_retries: Option<u32>,
}

impl Default for BackoffConfig {
    /// 2 s, doubling, capped at 5 minutes, 30 % jitter, forever.
    fn default() -> Self {
        BackoffConfig {
            initial: Duration::from_secs(2),
            max: Duration::from_secs(300),
            jitter: 0.3,
            max_retries: None,
        }
    }
}

/// Consecutive-failure state.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    failures: u32,
}

impl Backoff {
    /// A backoff with no failures yet.
    pub fn new(config: BackoffConfig) -> Self {
        Backoff {
            config,
            failures: 0,
        }
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets the failures (after a success).
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Records a failure. Returns the delay before the next attempt, or
    /// `None` if the configured limit is reached.
    pub fn fail(&mut self, rng: &mut Rng) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        if let Some(limit) = self.config.max_retries {
            if self.failures > limit {
                return None;
            }
        }
        let exp = self.failures.saturating_sub(1).min(32);
        let base = self
            .config
            .initial
            .saturating_mul(1u32 << exp.min(31))
            .min(self.config.max);
        let jitter = self.config.jitter.clamp(0.0, 1.0);
        let factor = 1.0 - jitter * rng.unit();
        Some(base.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_to_the_cap_with_bounded_jitter() {
        let mut b = Backoff::new(BackoffConfig::default());
        let mut rng = Rng::new(42);
        let mut prev_base = Duration::ZERO;
        for n in 1..=12u32 {
            let d = b.fail(&mut rng).unwrap();
            let base = Duration::from_secs(2)
                .saturating_mul(1 << (n - 1))
                .min(Duration::from_secs(300));
            assert!(
                d <= base && d >= base.mul_f64(0.7),
                "failure {n}: {d:?} vs {base:?}"
            );
            assert!(base >= prev_base);
            prev_base = base;
        }
        assert_eq!(b.failures(), 12);
    }

    #[test]
    fn exact_steps_without_jitter() {
        let mut b = Backoff::new(BackoffConfig {
            jitter: 0.0,
            ..Default::default()
        });
        let mut rng = Rng::new(0);
        let secs: Vec<u64> = (0..10)
            .map(|_| b.fail(&mut rng).unwrap().as_secs())
            .collect();
        assert_eq!(secs, vec![2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        b.reset();
        assert_eq!(b.fail(&mut rng).unwrap().as_secs(), 2);
    }

    #[test]
    fn retries_forever_by_default_and_stop_at_a_limit() {
        let mut b = Backoff::new(BackoffConfig::default());
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            assert!(b.fail(&mut rng).is_some());
        }
        let mut b = Backoff::new(BackoffConfig {
            max_retries: Some(2),
            ..Default::default()
        });
        assert!(b.fail(&mut rng).is_some());
        assert!(b.fail(&mut rng).is_some());
        assert!(b.fail(&mut rng).is_none());
    }
}
