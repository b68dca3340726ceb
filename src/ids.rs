//! Time-ordered 64-bit ids, like Mastodon's: the top 48 bits are milliseconds since
//! the Unix epoch, the low 16 bits a per-process node number and a sequence. Ids
//! sort by creation time, so `max_id`/`since_id`/`min_id` pagination is an index
//! range, and they fit the `bigint` primary keys of SQLite and PostgreSQL.
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use rand::Rng;

pub struct IdGenerator {
    last: AtomicI64,
    /// Random per process, so several processes sharing one PostgreSQL database
    /// do not hand out the same id in the same millisecond.
    node: i64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl IdGenerator {
    pub fn new() -> Self {
        IdGenerator {
            last: AtomicI64::new(0),
            node: rand::thread_rng().gen_range(0..256),
        }
    }

    /// A fresh id, strictly greater than every id this generator returned before.
    pub fn next(&self) -> i64 {
        let candidate = (Utc::now().timestamp_millis().max(0) << 16) | (self.node << 8);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = candidate.max(last + 1);
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// An id for something that happened at `at` (a remote post's publication time),
    /// so it sorts where it belongs. The low bits are random.
    pub fn at(&self, at: DateTime<Utc>) -> i64 {
        let ms = at.timestamp_millis().clamp(0, (1 << 47) - 1);
        (ms << 16) | rand::thread_rng().gen_range(0..(1 << 16))
    }
}

/// When an id was made.
pub fn id_time(id: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(id >> 16)
        .single()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strictly_increasing_and_carry_their_time() {
        let g = IdGenerator::new();
        let before = Utc::now().timestamp_millis();
        let ids: Vec<i64> = (0..10_000).map(|_| g.next()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let t = id_time(ids[0]).timestamp_millis();
        assert!(t >= before && t <= Utc::now().timestamp_millis() + 1000);
    }

    #[test]
    fn ids_from_the_past_sort_before_new_ones() {
        let g = IdGenerator::new();
        let past = Utc::now() - chrono::Duration::days(3);
        let old = g.at(past);
        assert!(old < g.next());
        assert_eq!(id_time(old).timestamp_millis(), past.timestamp_millis());
    }
}
