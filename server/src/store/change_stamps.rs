//! Change stamps: counters that every committed write bumps, so that a cache of what the
//! store returned can tell, without a query, whether a write committed since may have
//! changed it (`core::verdict_cache`).
//!
//! Slot 0 counts every write that may change anything a verdict reads (settings, keys,
//! rules, subscriptions, projects, migrations); slot `1 + hash(token) % SESSION_SLOTS`
//! counts the writes of that session's row (scores). A reader takes its stamp *before* it
//! reads and a writer bumps *after* it commits, so an entry filled from a read that missed a
//! commit always carries an older stamp than the one the commit left.
//!
//! On a SQLite file the counters live in a small file next to the database
//! (`<database>-stamps`), mapped shared into every process that opens the database (every
//! `botect serve`, every CLI command): another process's commit is seen at the next read
//! through one atomic load. An in-memory database keeps them in the process. PostgreSQL has
//! none: its readers go to the database every time.
use std::{
    fs::OpenOptions,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// Session slots (the file is `8 × (2 + SESSION_SLOTS)` bytes: 512 KiB).
pub const SESSION_SLOTS: usize = 1 << 16;
const HEADER: usize = 1;
const EVERYTHING: usize = HEADER;
const SLOTS: usize = HEADER + 1 + SESSION_SLOTS;
/// "BOTECTS1" as the file's first word: a file of another layout is never read as counters.
const MAGIC: u64 = u64::from_le_bytes(*b"BOTECTS1");

/// What a reader saw before it read: compare with [`ChangeStamps::stamp`] later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    everything: u64,
    session: u64,
}

/// What a committed write may have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// Anything: the default of every control-plane write.
    Everything,
    /// Only these sessions' rows (scores).
    Sessions(Vec<String>),
    /// Nothing any cached read returns (claims, health probes, purges of idempotency and
    /// challenge records).
    Nothing,
}

enum Counters {
    Shared {
        map: memmap2::MmapMut,
        path: PathBuf,
    },
    Local(Box<[AtomicU64]>),
}

pub struct ChangeStamps {
    counters: Counters,
}

/// FNV-1a: the same slot in every process and every build (std's hasher is seeded).
fn slot_of(token: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in token.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    EVERYTHING + 1 + (h % SESSION_SLOTS as u64) as usize
}

impl ChangeStamps {
    /// Counters of this process only (in-memory databases, tests).
    pub fn local() -> ChangeStamps {
        ChangeStamps {
            counters: Counters::Local((0..SLOTS).map(|_| AtomicU64::new(0)).collect()),
        }
    }

    /// The counters shared by every process of the SQLite file `db_file`, created next to it
    /// on first use.
    pub fn shared(db_file: &Path) -> std::io::Result<ChangeStamps> {
        let mut name = db_file.as_os_str().to_owned();
        name.push("-stamps");
        let path = PathBuf::from(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let len = (SLOTS * 8) as u64;
        if file.metadata()?.len() < len {
            // Extending fills with zeros: every process that races here writes the same.
            file.set_len(len)?;
        }
        // SAFETY: the file is only ever accessed through atomics on this mapping (here and in
        // every other process), and it is never truncated below `len` while mapped.
        let map = unsafe { memmap2::MmapOptions::new().len(SLOTS * 8).map_mut(&file)? };
        let stamps = ChangeStamps {
            counters: Counters::Shared { map, path },
        };
        let magic = &stamps.slots()[0];
        match magic.compare_exchange(0, MAGIC, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {}
            Err(found) if found == MAGIC => {}
            Err(found) => {
                return Err(std::io::Error::other(format!(
                    "{} is not a Botect change-stamp file (first word {found:#x})",
                    stamps
                        .path()
                        .map(Path::display)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                )));
            }
        }
        Ok(stamps)
    }

    /// The shared file's path (`None` for local counters).
    pub fn path(&self) -> Option<&Path> {
        match &self.counters {
            Counters::Shared { path, .. } => Some(path),
            Counters::Local(_) => None,
        }
    }

    fn slots(&self) -> &[AtomicU64] {
        match &self.counters {
            Counters::Local(slots) => slots,
            Counters::Shared { map, .. } => {
                // SAFETY: the mapping is `SLOTS * 8` bytes, page-aligned (so 8-byte aligned),
                // lives as long as `self`, and AtomicU64 has u64's layout.
                unsafe { std::slice::from_raw_parts(map.as_ptr().cast::<AtomicU64>(), SLOTS) }
            }
        }
    }

    /// The counters a read of `token`'s session depends on, as of now. Take it before the
    /// read.
    pub fn stamp(&self, token: &str) -> Stamp {
        let slots = self.slots();
        Stamp {
            everything: slots[EVERYTHING].load(Ordering::Acquire),
            session: slots[slot_of(token)].load(Ordering::Acquire),
        }
    }

    /// Records a committed write. Call it after the commit (also after a commit that
    /// reported an error: it may have landed).
    pub fn bump(&self, touched: &Touched) {
        let slots = self.slots();
        match touched {
            Touched::Everything => {
                slots[EVERYTHING].fetch_add(1, Ordering::AcqRel);
            }
            Touched::Sessions(tokens) => {
                for t in tokens {
                    slots[slot_of(t)].fetch_add(1, Ordering::AcqRel);
                }
            }
            Touched::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bump_changes_exactly_the_stamps_it_touched() {
        let s = ChangeStamps::local();
        let (a, b) = ("sess_a", "sess_b");
        let (sa, sb) = (s.stamp(a), s.stamp(b));
        assert_ne!(slot_of(a), slot_of(b));
        s.bump(&Touched::Sessions(vec![a.into()]));
        assert_ne!(s.stamp(a), sa);
        assert_eq!(s.stamp(b), sb);
        s.bump(&Touched::Nothing);
        assert_eq!(s.stamp(b), sb);
        s.bump(&Touched::Everything);
        assert_ne!(s.stamp(b), sb);
    }

    #[test]
    fn two_mappings_of_one_file_see_each_others_bumps() {
        let dir = std::env::temp_dir().join(format!("botect-stamps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("x.db");
        let one = ChangeStamps::shared(&db).unwrap();
        let two = ChangeStamps::shared(&db).unwrap();
        assert_eq!(one.path(), Some(dir.join("x.db-stamps").as_path()));
        let before = two.stamp("sess_x");
        one.bump(&Touched::Sessions(vec!["sess_x".into()]));
        assert_ne!(two.stamp("sess_x"), before);
        let before = one.stamp("sess_y");
        two.bump(&Touched::Everything);
        assert_ne!(one.stamp("sess_y"), before);
        drop((one, two));
        // A file of another layout is refused, not read as counters.
        std::fs::write(dir.join("y.db-stamps"), vec![7u8; SLOTS * 8]).unwrap();
        assert!(ChangeStamps::shared(&dir.join("y.db")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
