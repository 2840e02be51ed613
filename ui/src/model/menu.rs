//! The overlays: the conversation menu (`ctrl n`), the rename prompt, the
//! user picker (create a conversation, add people), the remove-person
//! list and the help screen.

use hangups_core::state::{ConversationList, UserId};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Pending;
use super::pick::{PickMode, Picker};
use super::{names, App, Compose, Effect, Now};

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
    Pick(Picker),
    /// Someone to remove.
    Remove {
        conversation_id: String,
        users: Vec<(UserId, String)>,
        selected: usize,
    },
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
        self.overlay = Some(Overlay::Pick(Picker::new(PickMode::Create)));
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
            Overlay::Pick(mut picker) => self
                .pick_key(&mut picker, &key)
                .then_some(Overlay::Pick(picker)),
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
                self.overlay = Some(Overlay::Pick(Picker::new(PickMode::Add(
                    conv.id().to_owned(),
                ))));
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
}
