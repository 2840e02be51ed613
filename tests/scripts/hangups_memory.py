#!/usr/bin/env python3
"""Heap a hangups 0.4.18 ConversationList holds per stored chat event.

The workload of hangups-core's `cargo bench --bench fold` memory part:
1,000 conversations x 200 chat-message events, built from
ConversationStates with the same shape (2-6 participants, read states, a
delivery medium option; events of 1-3 segments from the same seeded
xorshift64 generator, a self_event_state, a delivery medium, ...), handed
to `hangups.conversation.ConversationList` with a `UserList` of 61 users.

Measured as the growth of the process's resident set (VmRSS) from before the
ConversationStates are built to after the list is built and every other
reference to the states is dropped: the list then holds everything that is
left. RSS, not tracemalloc, because the protobuf C++ backend (which
hangups uses when installed, as here) allocates outside Python's
allocator; tracemalloc's figure (Python objects only) is printed beside it.
RSS includes the allocators' slack, so it is an upper bound of the bytes
requested.

usage: python3.10 hangups_memory.py [--conversations N] [--events N]

Needs hangups 0.4.18 on Python 3.10 (its dependencies fail to import on
3.11+): python3.10 -m venv v && v/bin/pip install hangups==0.4.18
"""
import argparse, gc, sys, tracemalloc

from google.protobuf.internal import api_implementation
from hangups import hangouts_pb2 as pb
from hangups.conversation import ConversationList
from hangups.event import Event as Observable
from hangups.user import UserList

WORDS = ["hello", "world", "ça va", "naïve", "日本語", "😀", "👍🏽", "don't", "ok", "lorem",
         "ipsum", "Привет", "مرحبا", "see", "you", "tomorrow", "at", "the", "usual", "place"]
T0 = 1_500_000_000_000_000
SELF_GAIA = "100000000000000000001"
USERS = 60
MASK = (1 << 64) - 1


class Rng:
    """xorshift64, as in core/benches/fold.rs."""

    def __init__(self, seed):
        self.s = seed

    def below(self, n):
        s = self.s
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        self.s = s
        return s % n


def gaia(u):
    return SELF_GAIA if u == 0 else "1%020d" % (100 + u)


def set_pid(p, u):
    p.gaia_id = gaia(u)
    p.chat_id = gaia(u)


def members(conv):
    others = 1 + conv % 5
    return [0] + [1 + (conv * 7 + k * 13) % USERS for k in range(others)]


def conv_id(conv):
    return "UgzConv%06dAaABAQ" % conv


def conversation_msg(c, conv, ts):
    users = members(conv)
    group = len(users) > 2
    c.conversation_id.id = conv_id(conv)
    c.type = pb.CONVERSATION_TYPE_GROUP if group else pb.CONVERSATION_TYPE_ONE_TO_ONE
    if group:
        c.name = "Group %d" % conv
    s = c.self_conversation_state
    set_pid(s.self_read_state.participant_id, 0)
    s.self_read_state.latest_read_timestamp = max(ts - 5_000, 0)
    s.notification_level = pb.NOTIFICATION_LEVEL_RING
    s.view.append(pb.CONVERSATION_VIEW_INBOX)
    s.sort_timestamp = ts
    s.active_timestamp = ts
    o = s.delivery_medium_option.add()
    o.delivery_medium.medium_type = pb.DELIVERY_MEDIUM_BABEL
    o.current_default = True
    for u in users:
        r = c.read_state.add()
        set_pid(r.participant_id, u)
        r.latest_read_timestamp = max(ts - 1_000 * u, 0)
    c.has_active_hangout = False
    c.otr_status = pb.OFF_THE_RECORD_STATUS_ON_THE_RECORD
    for u in users:
        set_pid(c.current_participant.add(), u)
    for u in users:
        d = c.participant_data.add()
        set_pid(d.id, u)
        d.fallback_name = "User Number%d" % u
        d.invitation_status = pb.INVITATION_STATUS_ACCEPTED


def chat_event(e, rng, conv, seq, ts):
    users = members(conv)
    sender = users[rng.below(len(users))]
    words = 1 + rng.below(10)
    text = " ".join(WORDS[rng.below(len(WORDS))] for _ in range(words))
    content = e.chat_message.message_content
    s = content.segment.add()
    s.type = pb.SEGMENT_TYPE_TEXT
    s.text = text
    if seq % 4 == 0:
        s.formatting.bold = True
    pick = rng.below(3)
    if pick == 1:
        s = content.segment.add()
        s.type = pb.SEGMENT_TYPE_LINK
        s.text = "https://example.org/%d" % seq
        s.link_data.link_target = "https://example.org/%d" % seq
    elif pick == 2:
        s = content.segment.add()
        s.type = pb.SEGMENT_TYPE_LINE_BREAK
        s.text = "\n"
        s = content.segment.add()
        s.type = pb.SEGMENT_TYPE_TEXT
        s.text = WORDS[rng.below(len(WORDS))]
    e.conversation_id.id = conv_id(conv)
    set_pid(e.sender_id, sender)
    e.timestamp = ts
    set_pid(e.self_event_state.user_id, 0)
    if sender == 0:
        e.self_event_state.client_generated_id = str(7_000_000 + seq)
    e.self_event_state.notification_level = pb.NOTIFICATION_LEVEL_RING
    e.event_id = "7-H0Z7%016x" % seq
    e.advances_sort_timestamp = True
    e.otr_status = pb.OFF_THE_RECORD_STATUS_ON_THE_RECORD
    e.persisted = True
    e.medium_type.medium_type = pb.DELIVERY_MEDIUM_BABEL
    e.event_type = pb.EVENT_TYPE_REGULAR_CHAT_MESSAGE
    e.event_version = ts


def entity(u):
    e = pb.Entity()
    set_pid(e.id, u)
    e.properties.display_name = "User Number%d" % u
    e.properties.first_name = "User"
    e.properties.photo_url = "//lh3.googleusercontent.com/photo%d.jpg" % u
    e.properties.email.append("user%d@example.com" % u)
    return e


class Client:
    """What ConversationList and UserList use of hangups' Client."""

    def __init__(self):
        self.on_state_update = Observable("on_state_update")
        self.on_connect = Observable("on_connect")
        self.on_reconnect = Observable("on_reconnect")


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--events", type=int, default=200)
    a = ap.parse_args()
    convs, per = a.conversations, a.events
    total = convs * per
    client = Client()
    gc.collect()
    tracemalloc.start()
    rss0 = rss()
    users = UserList(client, entity(0), [entity(u) for u in range(1, USERS + 1)], [])
    rng = Rng(0x2545_f491_4f6c_dd1d)
    seq = 0
    states = []
    for c in range(convs):
        st = pb.ConversationState()
        st.conversation_id.id = conv_id(c)
        conversation_msg(st.conversation, c, T0)
        for k in range(per):
            seq += 1
            chat_event(st.event.add(), rng, c, seq, T0 + 1_000 + k * 1_000)
        states.append(st)
    lst = ConversationList(client, states, users, None)
    del states
    gc.collect()
    held = rss() - rss0
    py, _ = tracemalloc.get_traced_memory()
    stored = sum(len(c.events) for c in lst.get_all(include_archived=True))
    assert stored == total, stored
    print("hangups 0.4.18, protobuf %s backend, Python %s" % (
        api_implementation.Type(), sys.version.split()[0]))
    print("%d conversations x %d chat events: RSS growth %.1f MiB, %s bytes per event "
          "(tracemalloc, Python objects only: %s bytes per event)" % (
              convs, per, held / 2**20, format(round(held / total), ","),
              format(round(py / total), ",")))


if __name__ == "__main__":
    main()
