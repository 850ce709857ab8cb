/// Fewer cycles per allocation than glibc malloc on the ingest and verdict paths (see
/// docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // SQLite counts every allocation under one process-wide mutex unless told not to; the
    // verdict readers, the ingest writer and sqlx's threads then contend on it (seen as
    // futex waits in the verdict profile, docs/performance.md). Nothing reads the counters.
    // SAFETY: called once, first thing, before any SQLite connection exists (the library is
    // not initialised yet), with the one int argument SQLITE_CONFIG_MEMSTATUS takes.
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0);
    }
    botect::cli::main()
}
