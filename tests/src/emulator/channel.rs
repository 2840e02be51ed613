//! Channel sessions (SID, gsessionid, client id, subscriptions) and the
//! delivery of StateUpdates into their queues. The long-poll that drains
//! a queue is in [`longpoll`](super::longpoll).

use super::ids::Ids;
use super::world::{Push, World};
use hangups_proto::hangouts::{ActiveClientState, StateUpdate, StateUpdateHeader};
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Expired sessions remembered for `state` (the oldest are forgotten).
const MAX_EXPIRED_KEPT: usize = 256;

/// One channel session.
#[derive(Debug)]
pub(crate) struct Session {
    pub sid: String,
    pub gsid: String,
    pub user: String,
    pub client_id: String,
    /// Whether some long-poll has carried the client id.
    pub client_id_sent: bool,
    /// Subscribed to `babel` (StateUpdates).
    pub babel: bool,
    /// Subscribed to `babel_presence_last_seen` (presence notifications).
    pub presence: bool,
    pub expired: bool,
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

/// Every session, by SID.
#[derive(Debug)]
pub(crate) struct Sessions {
    by_sid: BTreeMap<String, Session>,
    expired_order: VecDeque<String>,
    ids: Ids,
    max_queue: usize,
    timeout: Duration,
}

impl Sessions {
    pub fn new(seed: u64, max_queue: usize, timeout: Duration) -> Self {
        Sessions {
            by_sid: BTreeMap::new(),
            expired_order: VecDeque::new(),
            ids: Ids::new(seed),
            max_queue: max_queue.max(1),
            timeout,
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
            }
        }
        while self.expired_order.len() > MAX_EXPIRED_KEPT {
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
        let idle: Vec<String> = self
            .by_sid
            .values()
            .filter(|s| !s.expired && s.polls_open == 0 && s.idle_since.elapsed() > timeout)
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
    /// its user, with a header made for that session.
    pub fn deliver(&mut self, pushes: Vec<Push>, world: &mut World) {
        if pushes.is_empty() {
            return;
        }
        self.expire_idle();
        let now = world.clock.now();
        let mut overflowing = Vec::new();
        for push in pushes {
            let active = world.user(&push.user).and_then(|u| u.active_client.clone());
            for s in self.by_sid.values_mut() {
                if s.expired || s.user != push.user || !s.babel || (push.presence && !s.presence) {
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
