//! The shell: the only layer with IO. One `tokio::select!` over the
//! terminal's events, the conversation list's notifications, a 1 s tick
//! and the running effects; after each input the model
//! ([`App::handle`]) runs, then every effect it asked for is started
//! ([`App::poll_effect`]), then the screen is redrawn ([`render::draw`]).
//!
//! The loop ([`run`]) is generic over the ratatui [`Backend`] and the
//! [`Host`] (where terminal events come from, and the terminal's title,
//! suspension for `$EDITOR`): [`terminal::CrosstermHost`] in the binary,
//! [`headless::ChannelHost`] in tests with ratatui's `TestBackend`.
//!
//! The loop never ends on network loss (the driver reconnects forever and
//! the model shows it); it ends on [`Effect::Quit`] (the quit key, status
//! 0) or Ctrl+C (status 130).

pub mod connect;
pub mod effects;
pub mod headless;
pub mod terminal;

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_lite::{Stream, StreamExt};
use hangups_tokio::{ConversationList, Notifications};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use ratatui::Terminal;
use tokio::task::JoinSet;

use crate::model::{App, Effect, EffectId, Input, Now, Outcome};
use crate::notify::Notifier;
use crate::render;

/// The exit status of Ctrl+C.
pub const INTERRUPTED: u8 = 130;

/// How often [`Input::Tick`] comes.
pub const TICK: Duration = Duration::from_secs(1);

/// Why the loop stopped without a [`Effect::Quit`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShellError {
    /// Drawing or reading the terminal failed.
    #[error("terminal: {0}")]
    Terminal(#[from] io::Error),
    /// The terminal's event stream ended.
    #[error("the terminal's input ended")]
    InputClosed,
}

/// Where the loop's terminal events come from, and what it does to the
/// terminal besides drawing.
pub trait Host {
    /// The terminal's events.
    type Events: Stream<Item = io::Result<TermEvent>> + Unpin;
    /// A stream of events; called at the start and after each
    /// [`Host::resume`] (crossterm's reader must not run while an editor
    /// owns the terminal).
    fn events(&mut self) -> Self::Events;
    /// Sets the terminal's title.
    fn set_title(&mut self, title: &str) -> io::Result<()>;
    /// Gives the terminal back (leaves the alternate screen and raw mode)
    /// for an external program.
    fn suspend(&mut self) -> io::Result<()>;
    /// Takes the terminal again after [`Host::suspend`].
    fn resume(&mut self) -> io::Result<()>;
    /// Runs `$EDITOR` on `text` while the terminal is suspended (the
    /// headless host fakes it).
    fn edit(&mut self, text: String) -> impl std::future::Future<Output = Result<String, String>> {
        async move {
            let editor = effects::editor_command();
            tokio::task::spawn_blocking(move || effects::edit_blocking(&editor, &text))
                .await
                .unwrap_or_else(|e| Err(format!("the editor's thread failed: {e}")))
        }
    }
}

/// What the loop needs besides the model and the list.
pub struct Context<'a> {
    /// Shows [`Effect::Notify`].
    pub notifier: &'a mut dyn Notifier,
    /// Where [`Effect::SaveArchived`] writes (`None`: no cache directory).
    pub archived_path: Option<PathBuf>,
}

/// The time now, for [`App::handle`].
pub fn now() -> Now {
    Now {
        instant: Instant::now(),
        wall_us: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .unwrap_or_default(),
    }
}

/// The model's input for a terminal event (`None`: nothing for it, e.g.
/// a key release).
pub fn input_of(event: TermEvent) -> Option<Input> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => Some(Input::Key(key)),
        TermEvent::Key(_) => None,
        TermEvent::Paste(text) => Some(Input::Paste(text)),
        TermEvent::Resize(width, height) => Some(Input::Resize { width, height }),
        TermEvent::Mouse(m) => Some(Input::Mouse(m)),
        TermEvent::FocusGained => Some(Input::Focus(true)),
        TermEvent::FocusLost => Some(Input::Focus(false)),
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// One event of the select.
enum Woken {
    Term(Option<io::Result<TermEvent>>),
    Update(Option<hangups_tokio::Update>),
    Tick,
    Done(EffectId, Outcome),
}

/// Runs the application until it quits; returns the exit status.
pub async fn run<B, H>(
    terminal: &mut Terminal<B>,
    host: &mut H,
    app: &mut App,
    list: &ConversationList,
    notifications: Notifications,
    cx: Context<'_>,
) -> Result<u8, ShellError>
where
    B: Backend,
    H: Host,
{
    let Context {
        notifier,
        archived_path,
    } = cx;
    let mut events = host.events();
    let mut notifications = Some(notifications);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut running: JoinSet<Option<(EffectId, Outcome)>> = JoinSet::new();
    redraw(terminal, app, list)?;
    loop {
        let woken = tokio::select! {
            ev = events.next() => Woken::Term(ev),
            up = next_update(&mut notifications) => Woken::Update(up),
            _ = tick.tick() => Woken::Tick,
            Some(done) = running.join_next(), if !running.is_empty() => match done {
                Ok(Some((id, outcome))) => Woken::Done(id, outcome),
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!("an effect's task failed: {e}");
                    continue;
                }
            },
        };
        let input = match woken {
            Woken::Term(None) => return Err(ShellError::InputClosed),
            Woken::Term(Some(Err(e))) => return Err(e.into()),
            Woken::Term(Some(Ok(ev))) => {
                if let TermEvent::Key(key) = &ev {
                    if is_ctrl_c(key) && key.kind != KeyEventKind::Release {
                        return Ok(INTERRUPTED);
                    }
                }
                match input_of(ev) {
                    Some(i) => i,
                    None => continue,
                }
            }
            Woken::Update(None) => {
                // The client closed (it retries forever on network loss,
                // so only a disconnect gets here): keep the UI up.
                tracing::warn!("the conversation list's notifications ended");
                notifications = None;
                continue;
            }
            Woken::Update(Some(update)) => Input::Update(update),
            Woken::Tick => Input::Tick,
            Woken::Done(id, outcome) => Input::Done { id, outcome },
        };
        let at = now();
        list.with(|l| app.handle(input, at, l));
        while let Some(effect) = app.poll_effect() {
            match effect {
                Effect::Quit(status) => return Ok(status),
                Effect::SetTitle(title) => {
                    if let Err(e) = host.set_title(&title) {
                        tracing::warn!("cannot set the title: {e}");
                    }
                }
                Effect::Notify { id, title, body } => {
                    let outcome = match notifier.notify(&title, &body) {
                        Ok(()) => Outcome::Ok,
                        Err(e) => {
                            tracing::warn!("{e}");
                            Outcome::Failed(e.to_string())
                        }
                    };
                    running.spawn(async move { Some((id, outcome)) });
                }
                Effect::EditExternally { id, text } => {
                    // The event reader must not run while the editor owns
                    // the terminal: drop it, edit, take a new one.
                    drop(events);
                    host.suspend()?;
                    let edited = host.edit(text).await;
                    host.resume()?;
                    events = host.events();
                    terminal.clear().map_err(term_err)?;
                    let outcome = match edited {
                        Ok(t) => Outcome::Edited(t),
                        Err(e) => Outcome::Failed(e),
                    };
                    running.spawn(async move { Some((id, outcome)) });
                }
                other => {
                    let (l, path) = (list.clone(), archived_path.clone());
                    running.spawn(async move { perform(l, path, other).await });
                }
            }
        }
        redraw(terminal, app, list)?;
    }
}

/// A terminal backend's error as an IO error.
fn term_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

async fn next_update(n: &mut Option<Notifications>) -> Option<hangups_tokio::Update> {
    match n {
        Some(n) => n.next().await,
        None => std::future::pending().await,
    }
}

fn redraw<B>(terminal: &mut Terminal<B>, app: &App, list: &ConversationList) -> io::Result<()>
where
    B: Backend,
{
    let at = now();
    list.with(|l| {
        terminal
            .draw(|frame| render::draw(app, l, at, &chrono::Local, frame))
            .map(drop)
            .map_err(term_err)
    })
}

/// Runs an effect that talks to the server (or the disk) and returns
/// its outcome; `None` for an effect the shell handles itself
/// ([`Effect::Quit`], [`Effect::SetTitle`], [`Effect::Notify`],
/// [`Effect::EditExternally`]) or does not know.
pub async fn perform(
    l: ConversationList,
    archived_path: Option<PathBuf>,
    effect: Effect,
) -> Option<(EffectId, Outcome)> {
    use effects as e;
    let done = match effect {
        Effect::SendMessage {
            id,
            conversation_id: c,
            segments,
            image,
        } => (id, e::send_message(l, c, segments, image).await),
        Effect::Rename {
            id,
            conversation_id: c,
            name,
        } => (id, e::rename(l, c, name).await),
        Effect::LoadHistory {
            id,
            conversation_id: c,
            before_event_id,
            max_events,
        } => (id, e::load_history(l, c, before_event_id, max_events).await),
        Effect::MarkRead {
            id,
            conversation_id: c,
        } => (id, e::mark_read(l, c).await),
        Effect::SetTyping {
            id,
            conversation_id: c,
            typing,
        } => (id, e::set_typing(l, c, typing).await),
        Effect::SearchUsers { id, query } => (id, e::search_users(l, query).await),
        Effect::CreateConversation {
            id,
            user_ids,
            name,
            group,
        } => (id, e::create_conversation(l, user_ids, name, group).await),
        Effect::AddUsers {
            id,
            conversation_id: c,
            user_ids,
        } => (id, e::add_users(l, c, user_ids).await),
        Effect::RemoveUser {
            id,
            conversation_id: c,
            user_id,
        } => (id, e::remove_user(l, c, user_id).await),
        Effect::Leave {
            id,
            conversation_id: c,
        } => (id, e::leave(l, c).await),
        Effect::SetQuiet {
            id,
            conversation_id: c,
            quiet,
        } => (id, e::set_quiet(l, c, quiet).await),
        Effect::SetOffTheRecord {
            id,
            conversation_id: c,
            off_the_record,
        } => (id, e::set_off_the_record(l, c, off_the_record).await),
        Effect::SaveArchived {
            id,
            conversation_ids,
        } => (id, e::save_archived(archived_path, conversation_ids).await),
        Effect::SetActive { id } => {
            l.client().set_active();
            (id, Outcome::Ok)
        }
        other => {
            tracing::warn!("an effect the shell does not run: {other:?}");
            return None;
        }
    };
    Some(done)
}
