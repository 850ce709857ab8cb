fn main() -> std::process::ExitCode {
    botect::cli::main()
}
