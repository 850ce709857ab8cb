//! A bounded verdict cache: entries live at most `ttl`; when full, the oldest entry goes.
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What a cached verdict is keyed by: the session and the context the server judged it in
/// (rules may read the path, the address, the user agent and the country).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub session_token: String,
    pub path: String,
    pub ip: String,
    pub ua: String,
    pub country: String,
}

/// A TTL cache of at most `capacity` entries.
#[derive(Debug)]
pub struct Cache<V> {
    ttl: Duration,
    capacity: usize,
    entries: HashMap<Key, (Instant, V)>,
    /// Keys in insertion order (a key may appear again after a refresh; stale positions are
    /// skipped on eviction).
    order: VecDeque<(Instant, Key)>,
}

impl<V: Clone> Cache<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Cache {
            ttl,
            capacity,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// The entry, unless it is older than the TTL (then it is dropped).
    pub fn get(&mut self, key: &Key, now: Instant) -> Option<V> {
        match self.entries.get(key) {
            Some((at, v)) if now.duration_since(*at) < self.ttl => Some(v.clone()),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn insert(&mut self, key: Key, value: V, now: Instant) {
        if self.capacity == 0 || self.ttl.is_zero() {
            return;
        }
        while self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let Some((at, oldest)) = self.order.pop_front() else {
                break;
            };
            // Only the position that matches the entry's own time evicts it.
            if self.entries.get(&oldest).is_some_and(|(t, _)| *t == at) {
                self.entries.remove(&oldest);
            }
        }
        self.order.push_back((now, key.clone()));
        self.entries.insert(key, (now, value));
        // Keep the order queue from growing without bound under refreshes.
        if self.order.len() > 2 * self.capacity {
            let entries = &self.entries;
            self.order
                .retain(|(at, k)| entries.get(k).is_some_and(|(t, _)| t == at));
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key {
            session_token: s.into(),
            path: "/".into(),
            ip: String::new(),
            ua: String::new(),
            country: String::new(),
        }
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let t0 = Instant::now();
        let mut c = Cache::new(Duration::from_secs(10), 8);
        c.insert(key("a"), 1, t0);
        assert_eq!(c.get(&key("a"), t0 + Duration::from_secs(9)), Some(1));
        assert_eq!(c.get(&key("a"), t0 + Duration::from_secs(10)), None);
        assert!(c.is_empty());
    }

    #[test]
    fn a_full_cache_drops_its_oldest_entry() {
        let t0 = Instant::now();
        let mut c = Cache::new(Duration::from_secs(10), 2);
        c.insert(key("a"), 1, t0);
        c.insert(key("b"), 2, t0 + Duration::from_millis(1));
        c.insert(key("c"), 3, t0 + Duration::from_millis(2));
        assert_eq!(c.len(), 2);
        let now = t0 + Duration::from_millis(3);
        assert_eq!(c.get(&key("a"), now), None);
        assert_eq!(c.get(&key("b"), now), Some(2));
        assert_eq!(c.get(&key("c"), now), Some(3));
        // A refreshed key counts from its refresh.
        c.insert(key("b"), 20, now);
        c.insert(key("d"), 4, now + Duration::from_millis(1));
        assert_eq!(c.get(&key("c"), now), None);
        assert_eq!(c.get(&key("b"), now), Some(20));
    }

    #[test]
    fn the_context_is_part_of_the_key() {
        let t0 = Instant::now();
        let mut c = Cache::new(Duration::from_secs(10), 8);
        c.insert(key("a"), 1, t0);
        let other = Key {
            path: "/login".into(),
            ..key("a")
        };
        assert_eq!(c.get(&other, t0), None);
    }
}
