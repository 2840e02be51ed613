//! The overlays: the conversation menu (`ctrl n`), the rename prompt, the
//! user picker (create a conversation, add people), the remove-person
//! list and the help screen.

use hangups_core::state::{ConversationList, UserId};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Pending;
use super::{names, App, Compose, Effect, EffectId, FoundUser, Now, Outcome};

/// An entry of the conversation menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MenuItem {
    /// Rename the conversation.
    Rename,
    /// Add people (a group).
    AddPeople,
    /// Remove someone (a group).
    RemovePerson,
    /// Leave the conversation.
    Leave,
    /// Archive (or bring back) here.
    Archive,
    /// Quiet or ring.
    Quiet,
    /// History off or on.
    OffTheRecord,
    /// Start a new conversation.
    NewConversation,
    /// Close the menu.
    Back,
}

/// What the user picker is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PickMode {
    /// A new conversation.
    Create,
    /// People to add to this conversation.
    Add(String),
}

/// An overlay over the tabs.
#[derive(Clone, Debug)]
pub(crate) enum Overlay {
    /// The key list.
    Help,
    /// The conversation menu.
    Menu {
        conversation_id: Option<String>,
        items: Vec<(MenuItem, String)>,
        selected: usize,
    },
    /// The new name.
    Rename {
        conversation_id: String,
        field: Compose,
    },
    /// Search users, pick one or several.
    Pick {
        mode: PickMode,
        query: Compose,
        results: Vec<FoundUser>,
        selected: usize,
        picked: Vec<FoundUser>,
        /// Naming the group (after picking), if so.
        naming: Option<Compose>,
        /// The search running.
        searching: Option<EffectId>,
    },
    /// Someone to remove.
    Remove {
        conversation_id: String,
        users: Vec<(UserId, String)>,
        selected: usize,
    },
}

impl Overlay {
    fn pick(mode: PickMode) -> Overlay {
        Overlay::Pick {
            mode,
            query: Compose::default(),
            results: Vec::new(),
            selected: 0,
            picked: Vec::new(),
            naming: None,
            searching: None,
        }
    }
}

/// Edits a one-line field with a key; whether the key was used.
pub(crate) fn edit_field(field: &mut Compose, key: &KeyEvent) -> bool {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('h') if ctrl => field.backspace(),
        KeyCode::Char('a') if ctrl => field.home(),
        KeyCode::Char('k') if ctrl => field.kill_line(),
        KeyCode::Char(c) if !ctrl && !alt => field.insert(c.encode_utf8(&mut [0; 4])),
        KeyCode::Backspace => field.backspace(),
        KeyCode::Delete => field.delete(),
        KeyCode::Left => field.left(),
        KeyCode::Right => field.right(),
        KeyCode::Home => field.home(),
        KeyCode::End => field.end(),
        _ => return false,
    }
    true
}

impl App {
    /// Opens the menu for the active conversation (or the list's
    /// selection).
    pub(crate) fn open_menu(&mut self, list: &ConversationList) {
        let target = self
            .active_conversation()
            .map(str::to_owned)
            .or_else(|| self.selected_conversation(list));
        let mut items = Vec::new();
        if let Some(conv) = target.as_deref().and_then(|id| list.get(id)) {
            items.push((MenuItem::Rename, "Rename conversation".to_owned()));
            items.push((MenuItem::AddPeople, "Add people".to_owned()));
            if conv.is_group() {
                items.push((MenuItem::RemovePerson, "Remove someone".to_owned()));
            }
            items.push((MenuItem::Leave, "Leave conversation".to_owned()));
            let archived = self.is_archived(list, conv.id());
            let label = if archived { "Unarchive" } else { "Archive" };
            items.push((MenuItem::Archive, label.to_owned()));
            let label = if conv.is_quiet() {
                "Ring (notifications on)"
            } else {
                "Quiet (notifications off)"
            };
            items.push((MenuItem::Quiet, label.to_owned()));
            let label = if conv.is_off_the_record() {
                "Turn history on"
            } else {
                "Turn history off"
            };
            items.push((MenuItem::OffTheRecord, label.to_owned()));
        }
        items.push((MenuItem::NewConversation, "New conversation".to_owned()));
        items.push((MenuItem::Back, "Back".to_owned()));
        self.overlay = Some(Overlay::Menu {
            conversation_id: target,
            items,
            selected: 0,
        });
    }

    /// Opens the user picker to create a conversation.
    pub(crate) fn open_create(&mut self) {
        self.overlay = Some(Overlay::pick(PickMode::Create));
    }

    /// A key while an overlay is open.
    pub(crate) fn overlay_key(&mut self, key: KeyEvent, now: Now, list: &ConversationList) {
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        if key.code == KeyCode::Esc {
            return;
        }
        self.overlay = match overlay {
            Overlay::Help => None,
            Overlay::Menu {
                conversation_id,
                items,
                mut selected,
            } => match key.code {
                KeyCode::Up => {
                    selected = selected.saturating_sub(1);
                    Some(Overlay::Menu {
                        conversation_id,
                        items,
                        selected,
                    })
                }
                KeyCode::Down => {
                    selected = (selected + 1).min(items.len().saturating_sub(1));
                    Some(Overlay::Menu {
                        conversation_id,
                        items,
                        selected,
                    })
                }
                KeyCode::Enter | KeyCode::Char(' ') => {
                    let item = items.get(selected).map(|(i, _)| *i);
                    self.menu_action(item, conversation_id, now, list);
                    return;
                }
                _ => Some(Overlay::Menu {
                    conversation_id,
                    items,
                    selected,
                }),
            },
            Overlay::Rename {
                conversation_id,
                mut field,
            } => {
                if key.code == KeyCode::Enter {
                    let name = field.text().trim().to_owned();
                    self.start(Pending::Other("rename the conversation"), |id| {
                        Effect::Rename {
                            id,
                            conversation_id,
                            name,
                        }
                    });
                    None
                } else {
                    edit_field(&mut field, &key);
                    Some(Overlay::Rename {
                        conversation_id,
                        field,
                    })
                }
            }
            Overlay::Remove {
                conversation_id,
                users,
                mut selected,
            } => match key.code {
                KeyCode::Up => {
                    selected = selected.saturating_sub(1);
                    Some(Overlay::Remove {
                        conversation_id,
                        users,
                        selected,
                    })
                }
                KeyCode::Down => {
                    selected = (selected + 1).min(users.len().saturating_sub(1));
                    Some(Overlay::Remove {
                        conversation_id,
                        users,
                        selected,
                    })
                }
                KeyCode::Enter => {
                    if let Some((user_id, _)) = users.get(selected).cloned() {
                        self.start(Pending::Other("remove them"), |id| Effect::RemoveUser {
                            id,
                            conversation_id,
                            user_id,
                        });
                    }
                    None
                }
                _ => Some(Overlay::Remove {
                    conversation_id,
                    users,
                    selected,
                }),
            },
            pick @ Overlay::Pick { .. } => self.pick_key(pick, &key),
        };
    }

    fn menu_action(
        &mut self,
        item: Option<MenuItem>,
        conversation_id: Option<String>,
        now: Now,
        list: &ConversationList,
    ) {
        let conv = conversation_id.as_deref().and_then(|id| list.get(id));
        match (item, conv) {
            (Some(MenuItem::NewConversation), _) => self.open_create(),
            (Some(MenuItem::Rename), Some(conv)) => {
                let mut field = Compose::default();
                field.set_text(conv.name().unwrap_or(""));
                self.overlay = Some(Overlay::Rename {
                    conversation_id: conv.id().to_owned(),
                    field,
                });
            }
            (Some(MenuItem::AddPeople), Some(conv)) => {
                self.overlay = Some(Overlay::pick(PickMode::Add(conv.id().to_owned())));
            }
            (Some(MenuItem::RemovePerson), Some(conv)) => {
                let self_id = list.users().self_id().clone();
                let users = conv
                    .users(list.users())
                    .into_iter()
                    .filter(|u| u.id != self_id)
                    .map(|u| (u.id.clone(), u.full_name.clone()))
                    .collect();
                self.overlay = Some(Overlay::Remove {
                    conversation_id: conv.id().to_owned(),
                    users,
                    selected: 0,
                });
            }
            (Some(MenuItem::Leave), Some(conv)) => {
                let conversation_id = conv.id().to_owned();
                self.close_conversation(&conversation_id);
                self.start(Pending::Other("leave the conversation"), |id| {
                    Effect::Leave {
                        id,
                        conversation_id,
                    }
                });
            }
            (Some(MenuItem::Archive), Some(conv)) => {
                let id = conv.id().to_owned();
                self.toggle_archived(&id);
                let what = if self.archived.contains(&id) {
                    "Archived"
                } else {
                    "Unarchived"
                };
                let name = names::conversation_name(conv, list, true);
                self.say(format!("{what} {name}"), now);
            }
            (Some(MenuItem::Quiet), Some(conv)) => {
                let (conversation_id, quiet) = (conv.id().to_owned(), !conv.is_quiet());
                self.start(Pending::Other("change notifications"), |id| {
                    Effect::SetQuiet {
                        id,
                        conversation_id,
                        quiet,
                    }
                });
            }
            (Some(MenuItem::OffTheRecord), Some(conv)) => {
                let (conversation_id, off_the_record) =
                    (conv.id().to_owned(), !conv.is_off_the_record());
                self.start(Pending::Other("change history"), |id| {
                    Effect::SetOffTheRecord {
                        id,
                        conversation_id,
                        off_the_record,
                    }
                });
            }
            _ => {}
        }
    }

    fn pick_key(&mut self, overlay: Overlay, key: &KeyEvent) -> Option<Overlay> {
        let Overlay::Pick {
            mode,
            mut query,
            results,
            mut selected,
            mut picked,
            mut naming,
            mut searching,
        } = overlay
        else {
            return Some(overlay);
        };
        if let Some(name) = naming.as_mut() {
            if key.code == KeyCode::Enter {
                let name = Some(name.text().trim().to_owned()).filter(|n| !n.is_empty());
                let user_ids = picked.iter().map(|u| u.id.clone()).collect();
                self.start(Pending::Create, |id| Effect::CreateConversation {
                    id,
                    user_ids,
                    name,
                    group: true,
                });
            } else {
                edit_field(name, key);
            }
        } else {
            match key.code {
                KeyCode::Up => selected = selected.saturating_sub(1),
                KeyCode::Down => selected = (selected + 1).min(results.len().saturating_sub(1)),
                KeyCode::Tab => {
                    if let Some(user) = results.get(selected) {
                        match picked.iter().position(|p| p.id == user.id) {
                            Some(i) => {
                                picked.remove(i);
                            }
                            None => picked.push(user.clone()),
                        }
                    }
                }
                KeyCode::Enter if !query.text().trim().is_empty() && results.is_empty() => {
                    let q = query.text().trim().to_owned();
                    let id = self.effect_id();
                    self.pending.insert(id, Pending::Search);
                    searching = Some(id);
                    self.push(Effect::SearchUsers { id, query: q });
                }
                KeyCode::Enter => {
                    if picked.is_empty() {
                        if let Some(user) = results.get(selected) {
                            picked.push(user.clone());
                        }
                    }
                    match (&mode, picked.len()) {
                        (_, 0) => {}
                        (PickMode::Add(conversation_id), _) => {
                            let conversation_id = conversation_id.clone();
                            let user_ids = picked.iter().map(|u| u.id.clone()).collect();
                            self.start(Pending::Other("add them"), |id| Effect::AddUsers {
                                id,
                                conversation_id,
                                user_ids,
                            });
                            return None;
                        }
                        (PickMode::Create, 1) => {
                            let user_ids = vec![picked[0].id.clone()];
                            self.start(Pending::Create, |id| Effect::CreateConversation {
                                id,
                                user_ids,
                                name: None,
                                group: false,
                            });
                        }
                        (PickMode::Create, _) => naming = Some(Compose::default()),
                    }
                }
                _ => {
                    if edit_field(&mut query, key) {
                        // A new query: the old results no longer apply.
                        return Some(Overlay::Pick {
                            mode,
                            query,
                            results: Vec::new(),
                            selected: 0,
                            picked,
                            naming,
                            searching: None,
                        });
                    }
                }
            }
        }
        Some(Overlay::Pick {
            mode,
            query,
            results,
            selected,
            picked,
            naming,
            searching,
        })
    }

    /// A user search finished.
    pub(crate) fn on_search_done(&mut self, id: EffectId, outcome: Outcome, now: Now) {
        if let Some(Overlay::Pick {
            results,
            selected,
            searching,
            ..
        }) = self.overlay.as_mut()
        {
            if *searching != Some(id) {
                return;
            }
            *searching = None;
            match outcome {
                Outcome::Users(users) => {
                    *results = users;
                    *selected = 0;
                    if results.is_empty() {
                        self.say("Nobody found", now);
                    }
                }
                Outcome::Failed(why) => self.say(format!("Failed to search: {why}"), now),
                _ => {}
            }
        }
    }
}
