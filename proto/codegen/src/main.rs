//! `cargo run -p hangups-proto-codegen [-- --check]`: see the crate docs.

use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let files = match hangups_proto_codegen::generate() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("codegen failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = hangups_proto_codegen::proto_dir();
    let mut stale = false;
    for (rel, text) in files {
        let path = dir.join(&rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            eprintln!("{} is out of date", rel.display());
            stale = true;
        } else {
            if let Some(p) = path.parent() {
                let _ = std::fs::create_dir_all(p);
            }
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("writing {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", rel.display());
        }
    }
    if stale {
        eprintln!("run `cargo run -p hangups-proto-codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
