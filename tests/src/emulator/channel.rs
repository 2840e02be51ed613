//! Channel sessions (SID, gsessionid, client id, subscriptions) and the
//! delivery of StateUpdates into their queues. The long-poll that drains
//! a queue is in [`longpoll`](super::longpoll).

use super::ids::Ids;
use super::world::{Push, World};
use hangups_proto::hangouts::{ActiveClientState, StateUpdate, StateUpdateHeader};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Expired sessions remembered for `state` (the oldest are forgotten).
const MAX_EXPIRED_KEPT: usize = 256;

/// One channel session.
#[derive(Debug)]
pub(crate) struct Session {
    pub sid: String,
    pub gsid: String,
    /// Fixed at creation: [`Sessions`] indexes the live sessions by it.
    user: String,
    pub client_id: String,
    /// Whether some long-poll has carried the client id.
    pub client_id_sent: bool,
    /// Subscribed to `babel` (StateUpdates).
    pub babel: bool,
    /// Subscribed to `babel_presence_last_seen` (presence notifications).
    pub presence: bool,
    /// Set only through [`Sessions`], which keeps its index in step.
    expired: bool,
    next_array: u64,
    wrapper_seq: u64,
    queue: VecDeque<(u64, StateUpdate)>,
    next_seq: u64,
    /// Bumped whenever an open long-poll should look again.
    wake: watch::Sender<u64>,
    /// The newest long-poll's number; older ones end.
    pub poll_generation: u64,
    pub polls_open: usize,
    idle_since: Instant,
    pub delivered: u64,
    pub long_polls: u64,
}

impl Session {
    /// Whether the session expired (it answers as an unknown SID).
    pub fn is_expired(&self) -> bool {
        self.expired
    }

    /// The next array id (they increase over the session).
    pub fn next_array_id(&mut self) -> u64 {
        let id = self.next_array;
        self.next_array += 1;
        id
    }

    /// The last array id used.
    pub fn last_array_id(&self) -> u64 {
        self.next_array.saturating_sub(1)
    }

    /// The next wrapper sequence number (`"5": "S<n>"`).
    pub fn next_wrapper_seq(&mut self) -> u64 {
        self.wrapper_seq += 1;
        self.wrapper_seq
    }

    /// The oldest queued update, with its sequence number.
    pub fn front(&self) -> Option<(u64, &StateUpdate)> {
        self.queue.front().map(|(s, u)| (*s, u))
    }

    /// Removes the oldest queued update if it is still `seq`.
    pub fn pop(&mut self, seq: u64) {
        if self.queue.front().is_some_and(|(s, _)| *s == seq) {
            self.queue.pop_front();
            self.delivered += 1;
        }
    }

    pub fn subscribe_wake(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    pub fn wake(&self) {
        self.wake.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// A long-poll opened: it replaces any older one. Returns its number.
    pub fn open_poll(&mut self) -> u64 {
        self.poll_generation += 1;
        self.polls_open += 1;
        self.long_polls += 1;
        self.wake();
        self.poll_generation
    }

    /// A long-poll ended.
    pub fn close_poll(&mut self) {
        self.polls_open = self.polls_open.saturating_sub(1);
        self.idle_since = Instant::now();
    }

    fn expire(&mut self) {
        self.expired = true;
        self.queue.clear();
        self.wake();
    }
}

/// Every session, by SID, and the live ones by user.
#[derive(Debug)]
pub(crate) struct Sessions {
    by_sid: BTreeMap<String, Session>,
    /// The SIDs of each user's live (not expired) sessions, in SID order
    /// (the order `by_sid` visits them), so a push touches only its user's
    /// sessions. Kept in step by `create` and `mark_expired`, the only
    /// places a session appears or stops being live.
    live_by_user: HashMap<String, BTreeSet<String>>,
    expired_order: VecDeque<String>,
    ids: Ids,
    max_queue: usize,
    timeout: Duration,
    /// When idle sessions were last looked for: a sweep visits every
    /// session, so it runs at most every tenth of the timeout (and at
    /// least every second), not on every push.
    last_sweep: Option<Instant>,
}

impl Sessions {
    pub fn new(seed: u64, max_queue: usize, timeout: Duration) -> Self {
        Sessions {
            by_sid: BTreeMap::new(),
            live_by_user: HashMap::new(),
            expired_order: VecDeque::new(),
            ids: Ids::new(seed),
            max_queue: max_queue.max(1),
            timeout,
            last_sweep: None,
        }
    }

    /// Opens a session for `user`; returns (SID, gsessionid).
    pub fn create(&mut self, user: &str) -> (String, String) {
        self.expire_idle();
        let mut sid = self.ids.sid();
        while self.by_sid.contains_key(&sid) {
            sid = self.ids.sid();
        }
        let gsid = self.ids.gsid();
        let session = Session {
            sid: sid.clone(),
            gsid: gsid.clone(),
            user: user.to_string(),
            client_id: self.ids.client_id(),
            client_id_sent: false,
            babel: false,
            presence: false,
            expired: false,
            // 0 and 1 are the arrays of the session-created chunk.
            next_array: 2,
            wrapper_seq: 0,
            queue: VecDeque::new(),
            next_seq: 0,
            wake: watch::channel(0).0,
            poll_generation: 0,
            polls_open: 0,
            idle_since: Instant::now(),
            delivered: 0,
            long_polls: 0,
        };
        self.by_sid.insert(sid.clone(), session);
        self.live_by_user
            .entry(user.to_string())
            .or_default()
            .insert(sid.clone());
        (sid, gsid)
    }

    /// The live session `sid` whose gsessionid is `gsid` (when given) and
    /// whose user is `user`.
    pub fn live_mut(&mut self, sid: &str, gsid: Option<&str>, user: &str) -> Option<&mut Session> {
        self.expire_idle();
        self.by_sid
            .get_mut(sid)
            .filter(|s| !s.expired && s.user == user && gsid.is_none_or(|g| g == s.gsid))
    }

    pub fn get_mut(&mut self, sid: &str) -> Option<&mut Session> {
        self.by_sid.get_mut(sid)
    }

    /// `(newest long-poll number, expired)` of session `sid`.
    pub fn summary_of(&self, sid: &str) -> Option<(u64, bool)> {
        self.by_sid.get(sid).map(|s| (s.poll_generation, s.expired))
    }

    fn mark_expired(&mut self, sid: &str) {
        if let Some(s) = self.by_sid.get_mut(sid) {
            if !s.expired {
                s.expire();
                self.expired_order.push_back(sid.to_string());
                if let Some(live) = self.live_by_user.get_mut(&s.user) {
                    live.remove(sid);
                    if live.is_empty() {
                        self.live_by_user.remove(&s.user);
                    }
                }
            }
        }
        while self.expired_order.len() > MAX_EXPIRED_KEPT {
            // Only expired sessions are forgotten: none is in the index.
            if let Some(old) = self.expired_order.pop_front() {
                self.by_sid.remove(&old);
            }
        }
    }

    /// Expires every live session (the `expire_sessions` fault).
    pub fn expire_all(&mut self) {
        let sids: Vec<String> = self.by_sid.keys().cloned().collect();
        for sid in sids {
            self.mark_expired(&sid);
        }
    }

    /// Expires sessions that had no long-poll for the timeout.
    fn expire_idle(&mut self) {
        let timeout = self.timeout;
        let now = Instant::now();
        let every = (timeout / 10).min(Duration::from_secs(1));
        if self
            .last_sweep
            .is_some_and(|last| now.duration_since(last) < every)
        {
            return;
        }
        self.last_sweep = Some(now);
        let idle: Vec<String> = self
            .by_sid
            .values()
            .filter(|s| {
                !s.expired && s.polls_open == 0 && now.duration_since(s.idle_since) > timeout
            })
            .map(|s| s.sid.clone())
            .collect();
        for sid in idle {
            self.mark_expired(&sid);
        }
    }

    /// Wakes every open long-poll (after the faults changed).
    pub fn wake_all(&self) {
        for s in self.by_sid.values() {
            s.wake();
        }
    }

    /// Copies each push into the queue of every subscribed live session of
    /// its user (in SID order), with a header made for that session.
    pub fn deliver(&mut self, pushes: Vec<Push>, world: &mut World) {
        if pushes.is_empty() {
            return;
        }
        self.expire_idle();
        let now = world.clock.now();
        let mut overflowing = Vec::new();
        for push in pushes {
            let Some(live) = self.live_by_user.get(&push.user) else {
                continue;
            };
            let active = world.user(&push.user).and_then(|u| u.active_client.clone());
            for sid in live {
                let Some(s) = self.by_sid.get_mut(sid) else {
                    continue;
                };
                if s.expired || !s.babel || (push.presence && !s.presence) {
                    continue;
                }
                let state = match &active {
                    Some((client, until)) if *until > now => {
                        if *client == s.client_id {
                            ActiveClientState::ACTIVE_CLIENT_STATE_IS_ACTIVE
                        } else {
                            ActiveClientState::ACTIVE_CLIENT_STATE_OTHER_ACTIVE
                        }
                    }
                    _ => ActiveClientState::ACTIVE_CLIENT_STATE_NO_ACTIVE,
                };
                let mut update = push.update.clone();
                update.state_update_header = Some(StateUpdateHeader {
                    active_client_state: Some(state),
                    request_trace_id: Some(world.ids.trace_id()),
                    notification_settings: None,
                    current_server_time: Some(now),
                });
                s.queue.push_back((s.next_seq, update));
                s.next_seq += 1;
                if s.queue.len() > self.max_queue {
                    overflowing.push(s.sid.clone());
                }
                s.wake();
            }
        }
        for sid in overflowing {
            self.mark_expired(&sid);
        }
    }

    /// The sessions for the control API's `state`.
    pub fn summary(&self) -> serde_json::Value {
        let list: Vec<_> = self
            .by_sid
            .values()
            .map(|s| {
                json!({
                    "sid": s.sid,
                    "gsessionid": s.gsid,
                    "user": s.user,
                    "client_id": s.client_id,
                    "client_id_sent": s.client_id_sent,
                    "subscribed": s.babel,
                    "presence_subscribed": s.presence,
                    "expired": s.expired,
                    "queued": s.queue.len(),
                    "delivered": s.delivered,
                    "long_polls": s.long_polls,
                    "long_polls_open": s.polls_open,
                    "last_array_id": s.last_array_id(),
                })
            })
            .collect();
        serde_json::Value::Array(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = super::super::world::SELF_USER_ID;
    const B: &str = "200000000000000000002";

    fn world() -> World {
        let mut w = World::empty(7);
        w.add_user(B, "Grace Hopper", None).unwrap();
        w
    }

    fn push(user: &str, presence: bool) -> Push {
        Push {
            user: user.to_string(),
            update: StateUpdate::default(),
            presence,
        }
    }

    /// Opens a session of `user` subscribed to `babel` (and presence).
    fn subscribed(sessions: &mut Sessions, user: &str, presence: bool) -> String {
        let (sid, _) = sessions.create(user);
        let s = sessions.get_mut(&sid).unwrap();
        s.babel = true;
        s.presence = presence;
        sid
    }

    /// The index holds exactly the live sessions of each user.
    fn assert_index_exact(sessions: &Sessions) {
        let mut expected: HashMap<String, BTreeSet<String>> = HashMap::new();
        for s in sessions.by_sid.values().filter(|s| !s.expired) {
            expected
                .entry(s.user.clone())
                .or_default()
                .insert(s.sid.clone());
        }
        assert_eq!(sessions.live_by_user, expected);
    }

    fn queued(sessions: &Sessions, sid: &str) -> usize {
        sessions.by_sid.get(sid).map_or(0, |s| s.queue.len())
    }

    #[test]
    fn pushes_reach_exactly_the_live_sessions_of_their_user() {
        let mut world = world();
        let mut sessions = Sessions::new(3, 100, Duration::from_secs(60));
        let a1 = subscribed(&mut sessions, A, true);
        let a2 = subscribed(&mut sessions, A, false);
        let a3 = subscribed(&mut sessions, A, true);
        let b1 = subscribed(&mut sessions, B, true);
        // Open but not subscribed: gets nothing.
        let (b2, _) = sessions.create(B);
        assert_index_exact(&sessions);

        // a2 expires (the expire-sessions fault takes one at a time here),
        // a3 idles past the timeout; A opens a replacement.
        sessions.mark_expired(&a2);
        let long_ago = Instant::now().checked_sub(Duration::from_secs(120));
        if let Some(t) = long_ago {
            sessions.get_mut(&a3).unwrap().idle_since = t;
        }
        // The next call sweeps (sweeps are at most every tenth of the timeout).
        sessions.last_sweep = None;
        let a4 = subscribed(&mut sessions, A, false);
        assert_index_exact(&sessions);
        assert!(sessions.summary_of(&a2).unwrap().1);
        if long_ago.is_some() {
            assert!(sessions.summary_of(&a3).unwrap().1, "a3 idled out");
        }

        sessions.deliver(vec![push(A, false), push(A, true)], &mut world);
        assert_eq!(queued(&sessions, &a1), 2);
        assert_eq!(queued(&sessions, &a2), 0);
        assert_eq!(queued(&sessions, &a4), 1, "no presence push");
        assert_eq!(queued(&sessions, &b1), 0, "A's pushes never reach B");
        assert_eq!(queued(&sessions, &b2), 0);
        if long_ago.is_some() {
            assert_eq!(queued(&sessions, &a3), 0);
        }

        sessions.deliver(vec![push(B, false)], &mut world);
        assert_eq!(queued(&sessions, &b1), 1);
        assert_eq!(queued(&sessions, &b2), 0);
        assert_eq!(queued(&sessions, &a1), 2, "B's push never reaches A");

        // Every session of B expires: B leaves the index; a push to B
        // touches nothing, and A's sessions still get theirs.
        sessions.mark_expired(&b1);
        sessions.mark_expired(&b2);
        assert_index_exact(&sessions);
        assert!(!sessions.live_by_user.contains_key(B));
        sessions.deliver(vec![push(B, false), push(A, false)], &mut world);
        assert_eq!(queued(&sessions, &b1), 0, "an expired queue stays empty");
        assert_eq!(queued(&sessions, &a1), 3);
        assert_eq!(queued(&sessions, &a4), 2);
    }

    #[test]
    fn overflow_and_expire_all_and_forgetting_keep_the_index_exact() {
        let mut world = world();
        let mut sessions = Sessions::new(5, 2, Duration::from_secs(60));
        let a1 = subscribed(&mut sessions, A, false);
        let b1 = subscribed(&mut sessions, B, false);
        // a1's queue overflows on the third push: it expires.
        sessions.deliver(vec![push(A, false); 3], &mut world);
        assert!(sessions.summary_of(&a1).unwrap().1);
        assert!(!sessions.summary_of(&b1).unwrap().1);
        assert_index_exact(&sessions);

        sessions.expire_all();
        assert_index_exact(&sessions);
        assert!(sessions.live_by_user.is_empty());

        // More expired sessions than are remembered: the oldest are
        // forgotten, and the index never names a forgotten one.
        for _ in 0..MAX_EXPIRED_KEPT + 3 {
            let (sid, _) = sessions.create(A);
            sessions.mark_expired(&sid);
        }
        assert!(!sessions.by_sid.contains_key(&a1), "forgotten");
        let live = subscribed(&mut sessions, A, false);
        assert_index_exact(&sessions);
        sessions.deliver(vec![push(A, false)], &mut world);
        assert_eq!(queued(&sessions, &live), 1);
        assert_eq!(sessions.live_by_user[A].len(), 1);
    }

    #[test]
    fn delivery_order_is_push_by_push_then_sid_by_sid() {
        let mut world = world();
        let mut sessions = Sessions::new(9, 100, Duration::from_secs(60));
        let mut sids: Vec<String> = (0..3)
            .map(|_| subscribed(&mut sessions, A, false))
            .collect();
        subscribed(&mut sessions, B, false);
        sids.sort();
        let pushes: Vec<Push> = (0..4)
            .map(|i| {
                let mut p = push(A, false);
                p.update.conversation = Some(Box::new(hangups_proto::hangouts::Conversation {
                    conversation_id: Some(super::super::world::conversation_id(&format!("c{i}"))),
                    ..Default::default()
                }));
                p
            })
            .collect();
        sessions.deliver(pushes, &mut world);
        // The trace ids a fresh world hands out, in the order the updates
        // were made: each push in turn, to A's sessions in SID order.
        let mut reference = self::world();
        let mut expected: BTreeMap<&String, Vec<(u64, String, String)>> = BTreeMap::new();
        for i in 0..4u64 {
            for sid in &sids {
                let trace = reference.ids.trace_id();
                expected
                    .entry(sid)
                    .or_default()
                    .push((i, format!("c{i}"), trace));
            }
        }
        for sid in &sids {
            let got: Vec<(u64, String, String)> = sessions.by_sid[sid]
                .queue
                .iter()
                .map(|(seq, u)| {
                    let conv = u.conversation.as_ref().unwrap();
                    let id = conv.conversation_id.as_ref().unwrap().id.clone().unwrap();
                    let header = u.state_update_header.as_ref().unwrap();
                    (*seq, id, header.request_trace_id.clone().unwrap())
                })
                .collect();
            assert_eq!(got, expected[sid], "{sid}");
        }
    }
}
