/// Fewer cycles per allocation than glibc malloc on the ingest and verdict paths (see
/// docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    botect::cli::main()
}
