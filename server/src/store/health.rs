//! The store's own truth for health checks and acknowledgements: on a SQLite file, that the
//! file is still the one the server opened (not moved, deleted or replaced: writes would go
//! to an unlinked inode and vanish at the next start), and on every backend that a write and
//! a read succeed.
use std::{os::unix::fs::MetadataExt, path::Path};

use sea_orm::DbErr;

use super::{Store, now_ms, param};

/// `(device, inode)` of a file.
pub(super) type FileId = (u64, u64);

pub(super) fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The write failed because a row it depends on is gone (a foreign key to a project or
/// session deleted concurrently, or the row to read back vanished): the caller's object no
/// longer exists, which is not a storage failure.
pub fn is_gone(e: &DbErr) -> bool {
    matches!(e, DbErr::RecordNotFound(_))
        || e.to_string().to_ascii_lowercase().contains("foreign key")
}

impl Store {
    /// Fails when the SQLite file the server opened is no longer at its path. Cheap (one
    /// `stat`); PostgreSQL and in-memory databases always pass.
    pub fn check_file(&self) -> Result<(), DbErr> {
        let (Some(path), Some(opened)) = (self.sqlite_file.as_deref(), self.sqlite_file_id) else {
            return Ok(());
        };
        match file_id(path) {
            Some(now) if now == opened => Ok(()),
            Some(_) => Err(DbErr::Custom(format!(
                "the database file {} was replaced since the server opened it",
                path.display()
            ))),
            None => Err(DbErr::Custom(format!(
                "the database file {} was moved or deleted since the server opened it",
                path.display()
            ))),
        }
    }

    /// The health probe: the file check, one write (`health_probe`) and one read of it.
    pub async fn probe(&self) -> Result<(), DbErr> {
        self.check_file()?;
        let at = now_ms();
        self.exec_as(
            super::Touched::Nothing,
            "INSERT INTO health_probe (id, at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            vec![param(1), param(at)],
        )
        .await?;
        let row: Option<(i64,)> = self
            .read_one("SELECT at FROM health_probe WHERE id = $1", vec![param(1)])
            .await?;
        match row {
            Some((seen,)) if seen == at => self.check_file(),
            _ => Err(DbErr::Custom(
                "the health probe did not read back what it wrote".into(),
            )),
        }
    }
}
