//! Time-ordered 64-bit ids, like Mastodon's: the top 48 bits are milliseconds since
//! the Unix epoch, the low 16 bits a per-process node number and a sequence. Ids
//! sort by creation time, so `max_id`/`since_id`/`min_id` pagination is an index
//! range, and they fit the `bigint` primary keys of SQLite and PostgreSQL.
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use rand::Rng;

pub struct IdGenerator {
    last: AtomicI64,
    /// Random per process, so several processes sharing one PostgreSQL database
    /// do not hand out the same id in the same millisecond.
    node: i64,
    /// For [`IdGenerator::at`]: the next id to hand out in each millisecond
    /// used lately, so posts published at the same instant (Mastodon publishes
    /// whole seconds) get distinct ids.
    at_next: Mutex<HashMap<i64, i64>>,
}

/// How many milliseconds [`IdGenerator::at`] remembers before it starts afresh.
/// After that an id may repeat one handed out long ago; the status insert
/// retries with a fresh id on a key conflict (as it must anyway when several
/// processes share one database).
const AT_MILLIS_REMEMBERED: usize = 4096;

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
            at_next: Mutex::new(HashMap::new()),
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
    /// so it sorts where it belongs. The low bits are a per-millisecond sequence
    /// from a random start (in the lower half, so at least 32,768 ids fit in the
    /// millisecond; beyond that the sequence runs on into the next millisecond,
    /// still after every earlier instant). Distinct within the process; another
    /// process sharing the database may pick the same id, rarely: callers retry
    /// on a key conflict.
    pub fn at(&self, at: DateTime<Utc>) -> i64 {
        let ms = at.timestamp_millis().clamp(0, (1 << 47) - 1);
        let mut next = self
            .at_next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if next.len() >= AT_MILLIS_REMEMBERED && !next.contains_key(&ms) {
            next.clear();
        }
        let slot = next
            .entry(ms)
            .or_insert_with(|| (ms << 16) | rand::thread_rng().gen_range(0..(1 << 15)));
        let id = *slot;
        *slot += 1;
        id
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

    #[test]
    fn ids_at_one_instant_are_distinct_and_after_earlier_instants() {
        let g = IdGenerator::new();
        // Mastodon publishes whole seconds: every post of a second shares the instant.
        let instant = Utc.timestamp_opt(1_764_400_000, 0).single().unwrap();
        let earlier: Vec<i64> = [1, 1000]
            .iter()
            .flat_map(|ms| {
                let t = instant - chrono::Duration::milliseconds(*ms);
                (0..1000).map(move |_| t)
            })
            .map(|t| g.at(t))
            .collect();
        let ids: Vec<i64> = (0..100_000).map(|_| g.at(instant)).collect();
        let distinct: std::collections::HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len());
        let newest_earlier = earlier.iter().max().copied().unwrap();
        assert!(ids.iter().all(|id| *id > newest_earlier));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(id_time(ids[0]), instant);
        // Another generator (another process) starts elsewhere in the millisecond.
        let other = IdGenerator::new();
        assert_eq!(id_time(other.at(instant)), instant);
    }
}
