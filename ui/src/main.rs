//! The `hangups` binary.

fn main() -> std::process::ExitCode {
    eprintln!("hangups: not built yet");
    std::process::ExitCode::FAILURE
}
