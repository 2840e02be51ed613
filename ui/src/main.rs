//! The `hangups` binary: the options, the log (to a file, never to the
//! terminal), the connection, then the shell on the real terminal.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use hangups_ui::config::{self, ConfigError, NotificationType, Options};
use hangups_ui::model::App;
use hangups_ui::notify::{Bell, NoNotifier, Notifier};
use hangups_ui::shell::{self, connect, terminal};

fn main() -> ExitCode {
    let options = match config::load() {
        Ok(o) => o,
        Err(ConfigError::Cli(e)) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
        Err(e) => {
            eprintln!("hangups: {e}");
            return ExitCode::from(e.exit_code());
        }
    };
    for w in &options.warnings {
        eprintln!("hangups: {w}");
    }
    if let Err(e) = init_log(&options) {
        eprintln!(
            "hangups: cannot open the log {}: {e}",
            options.log.display()
        );
        return ExitCode::from(2);
    }
    for w in &options.warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hangups: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = runtime.block_on(run(options));
    terminal::restore();
    // The client's tasks are not waited for.
    runtime.shutdown_background();
    ExitCode::from(status)
}

async fn run(options: Options) -> u8 {
    let conn = match connect::connect(&options).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("cannot connect: {e}");
            eprintln!("hangups: {e}");
            return 1;
        }
    };
    let mut notifier = notifier(options.notification);
    let archived_path = config::dirs().map(|d| d.cache_dir().join("archived.txt"));
    let mut app = App::new(options.settings.clone());
    if let Some(path) = &archived_path {
        app.set_archived(shell::effects::load_archived(path));
    }
    terminal::install_panic_hook();
    if let Err(e) = terminal::setup(options.settings.mouse) {
        terminal::restore();
        eprintln!("hangups: cannot set up the terminal: {e}");
        return 1;
    }
    let _guard = terminal::Guard;
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let mut term = match ratatui::Terminal::new(backend) {
        Ok(t) => t,
        Err(e) => {
            terminal::restore();
            eprintln!("hangups: {e}");
            return 1;
        }
    };
    let mut host = terminal::CrosstermHost::new(options.settings.mouse);
    let cx = shell::Context {
        notifier: notifier.as_mut(),
        archived_path,
    };
    let result = shell::run(
        &mut term,
        &mut host,
        &mut app,
        &conn.list,
        conn.notifications,
        cx,
    )
    .await;
    terminal::restore();
    conn.list.client().disconnect().await;
    if let Some(emu) = conn.emulator {
        emu.shutdown();
    }
    match result {
        Ok(status) => status,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("hangups: {e}");
            1
        }
    }
}

/// The notifier of `--notification-type`.
fn notifier(kind: NotificationType) -> Box<dyn Notifier> {
    match kind {
        NotificationType::None => Box::new(NoNotifier),
        NotificationType::Bell => Box::new(Bell::new(std::io::stdout())),
        #[cfg(feature = "dbus")]
        NotificationType::Default | NotificationType::Dbus | NotificationType::Apple => {
            Box::new(hangups_ui::notify::dbus::DbusNotifier::new())
        }
        #[cfg(not(feature = "dbus"))]
        NotificationType::Default | NotificationType::Dbus | NotificationType::Apple => {
            tracing::info!("built without the dbus feature: no desktop notifications");
            Box::new(NoNotifier)
        }
    }
}

/// The log: appended to `--log` (its directory created), WARNING or
/// DEBUG (`-d`), `RUST_LOG` overriding.
fn init_log(options: &Options) -> std::io::Result<()> {
    if let Some(dir) = options.log.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&options.log)?;
    let level = if options.debug { "debug" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}
