//! The lively world ([`EmulatorConfig::lively`](super::EmulatorConfig::lively)):
//! other users answer the self user's messages after a short delay
//! (typing first: a STARTED typing, then STOPPED and the message), and
//! every [`EmulatorConfig::lively_every`](super::EmulatorConfig::lively_every)
//! (a pseudo-random time in the range, from the emulator's seed) someone
//! types and posts in one of the self user's conversations. It runs on the
//! emulator's own timer tick (the one that ends expired typing); the
//! planning ([`Lively::due`]) is a pure function of the world and the
//! instant it is given, so tests drive it without sleeping.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hangups_proto::hangouts::{EventType, TypingType};

use super::world::World;
use super::Inner;

/// Replies, `{}` standing for (the start of) the self user's message.
const REPLIES: [&str; 8] = [
    "Interesting: “{}”. Tell me more!",
    "Agreed 👍",
    "Ha, “{}” indeed.",
    "Let me think about that…",
    "I was about to say the same thing.",
    "Noted, thanks!",
    "“{}”? Are you sure?",
    "😀",
];

/// What others say now and then.
const CHATTER: [&str; 10] = [
    "Has anyone seen the new tab bar?",
    "Coffee, anyone? ☕",
    "The build is green again.",
    "I pushed the fix, please have a look.",
    "Multi-byte check: é, 日本語, 😀",
    "Back in five minutes.",
    "Did the emulator just reply to itself?",
    "Lunch at noon?",
    "Reading the protocol notes again…",
    "Who broke the long-poll? 😅",
];

/// One thing to do at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// When.
    pub at: Instant,
    /// Where.
    pub conversation: String,
    /// Who.
    pub user: String,
    /// What.
    pub action: Action,
}

/// What a [`Step`] does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// A STARTED typing.
    Typing,
    /// A STOPPED typing, then this message.
    Message(String),
}

/// The lively world's state.
#[derive(Debug)]
pub(crate) struct Lively {
    rng: u64,
    reply_delay: Duration,
    every: (Duration, Duration),
    /// Events of each conversation already looked at.
    seen: BTreeMap<String, usize>,
    /// Only messages newer than this (µs, the world's timestamps) get
    /// replies.
    since_us: u64,
    pending: Vec<Step>,
    next_chatter: Instant,
}

impl Lively {
    /// Starts at `now`, with the world as it is: its history gets no
    /// replies.
    pub(crate) fn new(
        seed: u64,
        reply_delay: Duration,
        every: (Duration, Duration),
        world: &World,
        now: Instant,
    ) -> Lively {
        let since_us = world
            .convs
            .iter()
            .filter_map(|c| c.events.last().map(|e| e.timestamp()))
            .max()
            .unwrap_or(0);
        let mut lively = Lively {
            rng: seed ^ 0x11fe_11fe_11fe_11fe,
            reply_delay,
            every,
            seen: world
                .convs
                .iter()
                .map(|c| (c.id.clone(), c.events.len()))
                .collect(),
            since_us,
            pending: Vec::new(),
            next_chatter: now,
        };
        lively.next_chatter = now + lively.chatter_gap();
        lively
    }

    /// xorshift64*: deterministic, no OS randomness.
    fn next(&mut self) -> u64 {
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        let i = (self.next() % items.len() as u64) as usize;
        items.get(i)
    }

    fn chatter_gap(&mut self) -> Duration {
        let (lo, hi) = self.every;
        let span = hi.saturating_sub(lo).as_millis() as u64;
        let extra = if span == 0 {
            0
        } else {
            self.next() % (span + 1)
        };
        lo + Duration::from_millis(extra)
    }

    /// Plans a user's typing then message in `conversation`.
    fn plan(&mut self, now: Instant, conversation: &str, user: &str, text: String) {
        self.pending.push(Step {
            at: now + self.reply_delay / 3,
            conversation: conversation.to_string(),
            user: user.to_string(),
            action: Action::Typing,
        });
        self.pending.push(Step {
            at: now + self.reply_delay,
            conversation: conversation.to_string(),
            user: user.to_string(),
            action: Action::Message(text),
        });
    }

    /// Looks at the world at `now`: plans replies to the self user's new
    /// messages and the next chatter, and returns the steps that are due,
    /// in order.
    pub(crate) fn due(&mut self, world: &World, now: Instant) -> Vec<Step> {
        let me = world.self_user.clone();
        for conv in &world.convs {
            let seen = self.seen.entry(conv.id.clone()).or_insert(0);
            let new: Vec<String> = conv.events[(*seen).min(conv.events.len())..]
                .iter()
                .filter(|e| e.timestamp() > self.since_us)
                .filter(|e| {
                    e.event.event_type == Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE)
                        && e.event
                            .sender_id
                            .as_ref()
                            .and_then(|s| s.gaia_id.as_deref())
                            == Some(me.as_str())
                })
                .map(|e| {
                    e.event
                        .chat_message
                        .as_ref()
                        .and_then(|c| c.message_content.as_ref())
                        .map(|m| m.segment.iter().filter_map(|s| s.text.as_deref()).collect())
                        .unwrap_or_default()
                })
                .collect();
            *seen = conv.events.len();
            let others: Vec<String> = conv
                .participants
                .iter()
                .filter(|p| **p != me)
                .cloned()
                .collect();
            for text in new {
                let Some(user) = self.pick(&others).cloned() else {
                    continue;
                };
                let template = *self.pick(&REPLIES).unwrap_or(&"😀");
                let quoted: String = text.chars().take(40).collect();
                let reply = template.replace("{}", &quoted);
                self.plan(now, &conv.id, &user, reply);
            }
        }
        if now >= self.next_chatter {
            self.next_chatter = now + self.chatter_gap();
            let convs: Vec<(String, Vec<String>)> = world
                .convs
                .iter()
                .filter(|c| c.listed_for(&me))
                .map(|c| {
                    let others = c
                        .participants
                        .iter()
                        .filter(|p| **p != me)
                        .cloned()
                        .collect();
                    (c.id.clone(), others)
                })
                .filter(|(_, others): &(String, Vec<String>)| !others.is_empty())
                .collect();
            if let Some((conv, others)) = self.pick(&convs).cloned() {
                if let Some(user) = self.pick(&others).cloned() {
                    let text = self.pick(&CHATTER).copied().unwrap_or("Hi").to_string();
                    self.plan(now, &conv, &user, text);
                }
            }
        }
        self.pending.sort_by_key(|s| s.at);
        let split = self.pending.partition_point(|s| s.at <= now);
        self.pending.drain(..split).collect()
    }
}

impl Inner {
    /// Runs the lively world's due steps (if it is on).
    pub(crate) fn tick_lively(&mut self, now: Instant) {
        let Some(mut lively) = self.lively.take() else {
            return;
        };
        for step in lively.due(&self.world, now) {
            let result = match step.action {
                Action::Typing => self
                    .typing(
                        &step.conversation,
                        &step.user,
                        TypingType::TYPING_TYPE_STARTED,
                    )
                    .map(drop),
                Action::Message(text) => self
                    .typing(
                        &step.conversation,
                        &step.user,
                        TypingType::TYPING_TYPE_STOPPED,
                    )
                    .and_then(|_| self.inject_message(&step.conversation, &step.user, &text))
                    .map(drop),
            };
            // The user may have left meanwhile: nothing to do then.
            let _ = result;
        }
        // Everything it posted has been looked at.
        for conv in &self.world.convs {
            lively.seen.insert(conv.id.clone(), conv.events.len());
        }
        self.lively = Some(lively);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";
    const SELF: &str = "100000000000000000001";

    fn inner_at(now: Instant) -> Inner {
        let config = super::super::EmulatorConfig::default().with_lively(true);
        let mut inner = super::super::new_inner(&config);
        inner.lively = Some(Lively::new(
            7,
            Duration::from_secs(3),
            (Duration::from_secs(20), Duration::from_secs(40)),
            &inner.world,
            now,
        ));
        inner
    }

    fn texts(inner: &Inner, conv: &str) -> Vec<(String, String)> {
        let c = inner.world.conv(conv).unwrap();
        c.events
            .iter()
            .filter_map(|e| {
                let text: String = e
                    .event
                    .chat_message
                    .as_ref()?
                    .message_content
                    .as_ref()?
                    .segment
                    .iter()
                    .filter_map(|s| s.text.clone())
                    .collect();
                Some((e.event.sender_id.as_ref()?.gaia_id.clone()?, text))
            })
            .collect()
    }

    #[test]
    fn the_self_users_message_gets_a_reply_after_typing() {
        let t0 = Instant::now();
        let mut inner = inner_at(t0);
        inner.tick_lively(t0);
        let before = texts(&inner, GROUP).len();
        inner.inject_message(GROUP, SELF, "hello").unwrap();
        inner.tick_lively(t0 + Duration::from_millis(10));
        assert_eq!(
            texts(&inner, GROUP).len(),
            before + 1,
            "nothing before the delay"
        );
        // A third of the delay: someone starts typing.
        inner.tick_lively(t0 + Duration::from_millis(1100));
        assert_eq!(inner.world.typing.len(), 1, "{:?}", inner.world.typing);
        let typist = inner.world.typing.keys().next().unwrap().1.clone();
        assert_ne!(typist, SELF);
        inner.tick_lively(t0 + Duration::from_millis(3100));
        let all = texts(&inner, GROUP);
        assert_eq!(all.len(), before + 2);
        let (sender, reply) = all.last().unwrap();
        assert_eq!(sender, &typist, "the one who typed replies");
        assert!(!reply.is_empty());
        assert!(
            inner.world.typing.is_empty(),
            "the typing stopped with the message"
        );
        // No reply to the reply.
        inner.tick_lively(t0 + Duration::from_millis(9000));
        assert_eq!(texts(&inner, GROUP).len(), before + 2);
    }

    #[test]
    fn history_gets_no_replies_and_chatter_comes_every_20_to_40_s() {
        let t0 = Instant::now();
        let mut inner = inner_at(t0);
        let count = |inner: &Inner| {
            inner
                .world
                .convs
                .iter()
                .map(|c| c.events.len())
                .sum::<usize>()
        };
        let start = count(&inner);
        let mut posted_at = Vec::new();
        for s in 0..=200u64 {
            let before = count(&inner);
            inner.tick_lively(t0 + Duration::from_secs(s));
            if count(&inner) > before {
                posted_at.push(s);
            }
        }
        assert!(
            posted_at.first().is_some_and(|&s| (20..=43).contains(&s)),
            "{posted_at:?}"
        );
        for w in posted_at.windows(2) {
            assert!((20..=40).contains(&(w[1] - w[0])), "{posted_at:?}");
        }
        assert!(posted_at.len() >= 4, "{posted_at:?}");
        assert_eq!(count(&inner), start + posted_at.len());
    }

    #[test]
    fn it_is_deterministic() {
        let run = || {
            let t0 = Instant::now();
            let mut inner = inner_at(t0);
            let mut out = Vec::new();
            for s in 0..120u64 {
                inner.tick_lively(t0 + Duration::from_secs(s));
            }
            for c in [GROUP, "UgwEmulatorOneToOne4AaABAQ"] {
                out.extend(texts(&inner, c));
            }
            out
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn a_running_emulator_is_lively_on_its_own_timer() {
        use super::super::{Emulator, EmulatorConfig};
        let config = EmulatorConfig::default()
            .with_lively(true)
            .with_lively_timing(
                Duration::from_millis(150),
                Duration::from_millis(300),
                Duration::from_millis(400),
            );
        let emu = Emulator::start(config).unwrap();
        let events = |conv: &str| {
            emu.conversation_states(SELF)
                .iter()
                .find(|c| c.conversation_id.as_ref().and_then(|i| i.id.as_deref()) == Some(conv))
                .map_or(0, |c| c.event.len())
        };
        let total = || events(GROUP) + events("UgwEmulatorOneToOne4AaABAQ");
        let start = total();
        emu.inject_message(GROUP, SELF, "anyone there?").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        // The reply, and at least one unprompted message.
        while total() < start + 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            total() >= start + 3,
            "{} events, {} at the start",
            total(),
            start
        );
        emu.shutdown();
    }
}
