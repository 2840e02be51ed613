//! `hangups-chat`: send, get, list, edit and delete Google Chat messages
//! from the command line; see [`hangups_tests::chat_cli`] for the
//! commands, the credentials and the exit codes (0 ok, 2 usage, 3 not
//! found, 4 permission/unauthenticated, 5 quota, 6 invalid argument,
//! 1 other). Without credentials it runs against an emulator in this
//! process.

fn main() -> std::process::ExitCode {
    hangups_tests::chat_cli::main()
}
