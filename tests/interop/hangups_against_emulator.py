#!/usr/bin/env python3
"""Interop check: the reference Python client hangups 0.4.18 against our emulator.

hangups (https://github.com/tdryer/hangups) was not written by us and not
built from this repository, so if it can connect, sync, receive pushes and
call the chat API against `hangups-emulator`, the emulator speaks the
protocol as real clients expect it (and not only as our own crates do).

This is a manual tool.  No test and no CI job runs it.

How to run
----------

    # once: a Python with hangups 0.4.18 (checked with CPython 3.10.13,
    # aiohttp 3.x, protobuf 3.20.3 as pip resolves them)
    python3.10 -m venv /tmp/interop/v
    /tmp/interop/v/bin/pip install hangups==0.4.18

    # the emulator binary
    cargo build -p hangups-tests --bin hangups-emulator

    # plain HTTP, then HTTPS (self-signed certificate, trusted explicitly)
    /tmp/interop/v/bin/python tests/interop/hangups_against_emulator.py
    /tmp/interop/v/bin/python tests/interop/hangups_against_emulator.py --tls

Options: `--emulator PATH` (default: target/debug/hangups-emulator next to
this checkout), `--workdir DIR` (where the TLS certificate is written,
default /tmp/interop), `-v` (hangups' debug log).  The script starts the
emulator itself and kills that process (by its PID) at the end.  Exit
status 0 when every check passed, 1 otherwise.

What it checks
--------------

 1. connect: `Client.connect()` gets a channel session (SID, gsessionid),
    the long-poll delivers the client id, hangups subscribes to `babel`
    and `babel_presence_last_seen`; `on_connect` fires.
 2. `build_user_conversation_list`: SyncRecentConversations, GetEntityById,
    GetSelfInfo; the conversations, users and newest events are printed.
 3. a message injected through the control API (from Grace, non-ASCII and
    non-BMP text to exercise the UTF-16 chunk lengths) arrives as a
    StateUpdate and as `ConversationList.on_event` with the right text,
    sender and conversation.
 4. `Conversation.send_message([ChatMessageSegment('hello from hangups')])`:
    the response's event shows up in the emulator state (event count,
    last event id) and is pushed back to hangups.
 5. get_self_info, query_presence, set_typing (and the pushed typing
    notification), update_read_timestamp (UpdateWatermark, the state's read
    timestamp and the pushed watermark notification), rename (state name,
    the pushed RenameEvent, the conversation's new name), get_events
    (GetConversation for older events), sync_all_new_events, set_active
    (GetSelfInfo + SetActiveClient), set_focus, set_presence.
 6. image upload: `send_message([...], image_file=...)` through the
    resumable upload URL and the per-upload PUT URL the emulator hands out,
    then SendChatMessage with the photo id.
 7. the channel over time (the emulator runs with 3 s long-polls and 1 s
    noops): long-polls end and are reopened on the same SID, noops are
    ignored, pushes still arrive; then the `expire_sessions` fault (hangups
    gets `400 Unknown SID`) and the `drop_long_poll_after` fault (a
    long-poll body cut mid-chunk): each time hangups fires on_disconnect
    and on_reconnect, takes a new SID, gets the message sent meanwhile
    through SyncAllNewEvents, subscribes again and receives pushes.
 8. `Client.disconnect()` makes `connect()` return.
 With --tls also: the emulator's certificate is not trusted by default
 (so the TLS verification above is real).

How hangups is pointed at the emulator
--------------------------------------

hangups hard-codes Google's URLs and refuses to send credentials to hosts
outside `.google.com`.  Nothing under site-packages is edited; instead
`patch_hangups()` below monkeypatches, at run time, exactly:

  * `hangups.channel.CHANNEL_URL`   -> <emulator>/client-channel/channel/bind
  * `hangups.client.BASE_URL`       -> <emulator>   (hangups appends /chat/v1/<endpoint>)
  * `hangups.client.IMAGE_UPLOAD_URL` -> <emulator>/upload/photos/resumable
  * `hangups.http_utils.Session.fetch_raw` -> the same method with the
    `.google.com` host check replaced by "scheme, host and port are the
    emulator's", and, with --tls, an `ssl=` context trusting only the
    emulator's self-signed certificate.

Everything else (cookies, SAPISIDHASH authorization, origin header, the
BrowserChannel parsing, pblite decoding, protobuf requests and responses)
is hangups' own unmodified code.
"""

import argparse
import asyncio
import io
import json
import logging
import os
import ssl
import struct
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import zlib

import hangups
import hangups.channel
import hangups.client
import hangups.http_utils
from hangups import hangouts_pb2

SELF_ID = '100000000000000000001'
GRACE_ID = '100000000000000000002'
ONE_TO_ONE = 'UgwEmulatorOneToOne4AaABAQ'
GROUP = 'UgwEmulatorGroupChat4AaABAQ'
PUSH_TIMEOUT = 10.0
# Short long-polls and frequent noops, so that a run sees several
# long-polls end and be renewed (the defaults are 240 s and 20 s).
LONG_POLL_SECS = 3
NOOP_SECS = 1

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


# ---------------------------------------------------------------------------
# The monkeypatches (see the module docstring).
# ---------------------------------------------------------------------------

def patch_hangups(base_url, ssl_ctx):
    emu = urllib.parse.urlparse(base_url)

    # Patch 1: the BrowserChannel endpoint.  channel.py reads the module
    # global CHANNEL_URL at every request (send_maps and the long-poll), so
    # rebinding the global is enough.  Same path as Google's.
    hangups.channel.CHANNEL_URL = base_url + '/client-channel/channel/bind'

    # Patch 2: the chat API.  Client._pb_request formats
    # '{BASE_URL}/chat/v1/{endpoint}' from this module global.
    hangups.client.BASE_URL = base_url

    # Patch 3: the image upload session URL (Client.upload_image).  The
    # second upload request goes to whatever `putInfo.url` the server
    # answers; the emulator answers a URL on itself, so nothing else to do.
    hangups.client.IMAGE_UPLOAD_URL = base_url + '/upload/photos/resumable'

    # Patch 4: Session.fetch_raw refuses any host not ending in
    # '.google.com' (so credentials never leak elsewhere).  This is the same
    # method, line for line, with that check narrowed to the emulator's
    # scheme/host/port instead, plus the TLS context for --tls: the
    # aiohttp.ClientSession is created inside Client.connect() without an
    # ssl option, and per-request `ssl=` is the least intrusive place to
    # trust the emulator's self-signed certificate (and nothing else).
    def fetch_raw(self, method, url, params=None, headers=None, data=None):
        u = urllib.parse.urlparse(url)
        if (u.scheme, u.hostname, u.port) != (emu.scheme, emu.hostname,
                                              emu.port):
            raise Exception('expected the emulator, not {}'.format(url))
        headers = headers or {}
        headers.update(self._authorization_headers)
        extra = {'ssl': ssl_ctx} if ssl_ctx is not None else {}
        return self._session.request(
            method, url, params=params, headers=headers, data=data,
            proxy=self._proxy, **extra
        )
    hangups.http_utils.Session.fetch_raw = fetch_raw

    # Not a patch of hangups: Client.connect() passes $HTTP_PROXY to every
    # request; a proxy must not sit between hangups and a loopback emulator.
    os.environ.pop('HTTP_PROXY', None)


# ---------------------------------------------------------------------------
# The emulator process and its control API.
# ---------------------------------------------------------------------------

class Emulator:
    def __init__(self, binary, tls, workdir):
        args = [binary, '--listen', '127.0.0.1:0',
                '--long-poll', str(LONG_POLL_SECS),
                '--noop-interval', str(NOOP_SECS)]
        self.cert = None
        if tls:
            os.makedirs(workdir, exist_ok=True)
            self.cert = os.path.join(workdir, 'cert.pem')
            args += ['--tls', '--cert-out', self.cert]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        prefix = 'listening on '
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError('emulator said {!r}'.format(line))
        self.url = line[len(prefix):]
        self.ssl_ctx = (ssl.create_default_context(cafile=self.cert)
                        if tls else None)
        handlers = [urllib.request.ProxyHandler({})]
        if self.ssl_ctx is not None:
            handlers.append(urllib.request.HTTPSHandler(context=self.ssl_ctx))
        self._opener = urllib.request.build_opener(*handlers)

    def control(self, method, what, body=None):
        data = json.dumps(body).encode() if body is not None else b''
        req = urllib.request.Request(
            self.url + '/_emulator/' + what, method=method,
            data=data if method == 'POST' else None,
            headers={'content-type': 'application/json'})
        with self._opener.open(req, timeout=10) as res:
            return json.loads(res.read().decode())

    async def acontrol(self, method, what, body=None):
        # urllib blocks; run it off the event loop so hangups keeps reading
        # its long-poll meanwhile.
        return await asyncio.to_thread(self.control, method, what, body)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # this process only, by its PID
        self.proc.wait()


# ---------------------------------------------------------------------------
# Bookkeeping.
# ---------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.results = []

    def check(self, name, ok, detail=''):
        detail = str(detail)
        self.results.append((name, bool(ok), detail))
        print('  [{}] {}{}'.format('PASS' if ok else 'FAIL', name,
                                   ' -- ' + detail if detail else ''))
        return ok

    def error(self, name):
        tb = traceback.format_exc()
        self.results.append((name, False, tb))
        print('  [FAIL] {} raised:\n{}'.format(name, indent(tb)))

    def summary(self):
        failed = [r for r in self.results if not r[1]]
        print('\n== summary: {} checks, {} passed, {} failed'.format(
            len(self.results), len(self.results) - len(failed), len(failed)))
        for name, _, detail in failed:
            print('  FAILED: {}: {}'.format(name, detail.strip().splitlines()[-1]
                                            if detail.strip() else ''))
        return not failed


def indent(text, by='      '):
    return ''.join(by + line for line in text.splitlines(True))


class Inbox:
    """Everything hangups reports, plus waiting for a matching item."""

    def __init__(self):
        self.items = []
        self._cond = asyncio.Condition()

    async def put(self, kind, value):
        async with self._cond:
            self.items.append((kind, value))
            self._cond.notify_all()

    async def wait(self, kind, pred=lambda v: True, timeout=PUSH_TIMEOUT):
        def find():
            for k, v in self.items:
                if k == kind and pred(v):
                    return v
            return None
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(find), timeout)
            return find()


def tiny_png():
    """A valid 1x1 red PNG."""
    def chunk(tag, data):
        return (struct.pack('>I', len(data)) + tag + data +
                struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff))
    raw = b'\x00\xff\x00\x00'
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


class WarningCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


# ---------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------

async def run(emu, rep):
    session = await emu.acontrol('POST', 'session')
    cookies = dict(session['cookies'])
    print('control API session: user {} ({}), cookies {}'.format(
        session['user'], session.get('name'), sorted(cookies)))

    patch_hangups(emu.url, emu.ssl_ctx)

    inbox = Inbox()
    # retry_backoff_base=1: reconnect after 1 s (step 7 forces reconnects).
    client = hangups.Client(cookies, max_retries=3, retry_backoff_base=1)
    connected = asyncio.Event()
    noops = []

    async def on_array(array):
        if array == ['noop']:
            noops.append(time.monotonic())

    async def on_connect():
        # The Channel exists now; count the keep-alive noops it receives.
        client._channel.on_receive_array.add_observer(on_array)
        connected.set()

    async def on_reconnect():
        await inbox.put('reconnect', time.monotonic())

    async def on_disconnect():
        await inbox.put('disconnect', time.monotonic())

    client.on_reconnect.add_observer(on_reconnect)
    client.on_disconnect.add_observer(on_disconnect)

    async def on_state_update(su):
        await inbox.put('state_update', su)

    client.on_connect.add_observer(on_connect)
    client.on_state_update.add_observer(on_state_update)

    # --- 1. connect -------------------------------------------------------
    print('\n== 1. connect')
    connect_task = asyncio.ensure_future(client.connect())
    try:
        await asyncio.wait_for(connected.wait(), 15)
        rep.check('on_connect fired', True)
    except asyncio.TimeoutError:
        rep.check('on_connect fired', False, 'no on_connect within 15 s')
        if connect_task.done() and connect_task.exception():
            print(indent(''.join(traceback.format_exception(
                connect_task.exception()))))
        return
    if emu.ssl_ctx is not None:
        # The TLS check is real: without the emulator's certificate the
        # default trust store refuses it.
        try:
            await asyncio.to_thread(
                urllib.request.build_opener(
                    urllib.request.ProxyHandler({})).open,
                emu.url + '/_emulator/state', None, 5)
            rep.check('TLS: default trust store rejects the emulator', False,
                      'it was accepted')
        except urllib.error.URLError as e:
            rep.check('TLS: default trust store rejects the emulator',
                      isinstance(e.reason, ssl.SSLCertVerificationError),
                      repr(e.reason))
    # hangups subscribes to babel once it has the client id; wait until the
    # emulator has recorded the subscription, else pushes are not routed.
    sess = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = await emu.acontrol('GET', 'state')
        sess = [s for s in state['sessions'] if s['user'] == SELF_ID]
        if sess and sess[0]['subscribed'] and sess[0]['presence_subscribed']:
            break
        await asyncio.sleep(0.1)
    rep.check('channel session subscribed to babel + babel_presence_last_seen',
              sess and sess[0]['subscribed'] and sess[0]['presence_subscribed'],
              json.dumps(sess[0] if sess else None, sort_keys=True))
    rep.check('hangups got the client id',
              client._client_id is not None and sess and
              client._client_id == sess[0]['client_id'],
              'hangups {!r}'.format(client._client_id))

    # --- 2. build_user_conversation_list ----------------------------------
    print('\n== 2. build_user_conversation_list')
    try:
        user_list, conv_list = await hangups.build_user_conversation_list(
            client)
    except Exception:
        rep.error('build_user_conversation_list')
        await client.disconnect()
        await connect_task
        return
    rep.check('build_user_conversation_list', True)

    async def on_event(ev):
        await inbox.put('event', ev)

    async def on_typing(t):
        await inbox.put('typing', t)

    async def on_watermark(w):
        await inbox.put('watermark', w)

    conv_list.on_event.add_observer(on_event)
    conv_list.on_typing.add_observer(on_typing)
    conv_list.on_watermark_notification.add_observer(on_watermark)

    print('  users:')
    for u in user_list.get_all():
        print('    {} {!r} emails={} self={}'.format(
            u.id_.gaia_id, u.full_name, u.emails, u.is_self))
    print('  conversations:')
    for c in conv_list.get_all(include_archived=True):
        print('    {} name={!r} type={} participants={} events={}'.format(
            c.id_, c.name, hangouts_pb2.ConversationType.Name(
                c._conversation.type),
            [u.id_.gaia_id for u in c.users], len(c.events)))
        for e in c.events:
            print('      {} {} {} {!r}'.format(
                e.timestamp.isoformat(), e.user_id.gaia_id,
                type(e).__name__, getattr(e, 'text', None)))
    me = user_list.get_user(hangups.user.UserID(SELF_ID, SELF_ID))
    rep.check('self user is Ada', me.is_self and me.full_name ==
              'Ada Lovelace', repr(me.full_name))
    grace = user_list.get_user(hangups.user.UserID(GRACE_ID, GRACE_ID))
    rep.check('Grace resolved by GetEntityById',
              grace.full_name == 'Grace Hopper', repr(grace.full_name))
    ids = {c.id_ for c in conv_list.get_all(include_archived=True)}
    rep.check('both default conversations listed',
              {ONE_TO_ONE, GROUP} <= ids, sorted(ids))
    group = conv_list.get(GROUP)
    one = conv_list.get(ONE_TO_ONE)
    rep.check('group name', group.name == 'Emulator group', repr(group.name))

    # --- 3. a message pushed by the emulator ------------------------------
    print('\n== 3. injected message -> on_event')
    text_in = 'Hi from Grace 😀 — ünïcode ∑'
    try:
        res = await emu.acontrol('POST', 'messages', {
            'conversation_id': ONE_TO_ONE, 'sender_id': GRACE_ID,
            'text': text_in})
        eid = res['event_id']
        su = await inbox.wait('state_update', lambda s: s.HasField(
            'event_notification') and s.event_notification.event.event_id ==
            eid)
        rep.check('StateUpdate event_notification received', su is not None,
                  'event {}'.format(eid))
        ev = await inbox.wait('event', lambda e: e.id_ == eid)
        rep.check('on_event text', getattr(ev, 'text', None) == text_in,
                  repr(getattr(ev, 'text', None)))
        rep.check('on_event sender and conversation',
                  ev.user_id.gaia_id == GRACE_ID and
                  ev.conversation_id == ONE_TO_ONE,
                  '{} in {}'.format(ev.user_id.gaia_id, ev.conversation_id))
        rep.check('event appended to the conversation',
                  one.events[-1].id_ == eid)
    except Exception:
        rep.error('injected message')

    # --- 4. send_message ---------------------------------------------------
    print('\n== 4. send_message')
    try:
        before = {c['id']: c for c in
                  (await emu.acontrol('GET', 'state'))['conversations']}
        sent = await group.send_message(
            [hangups.ChatMessageSegment('hello from hangups')])
        rep.check('send_message returned a ChatMessageEvent',
                  isinstance(sent, hangups.ChatMessageEvent) and
                  sent.text == 'hello from hangups',
                  '{} {!r}'.format(sent.id_, getattr(sent, 'text', None)))
        after = {c['id']: c for c in
                 (await emu.acontrol('GET', 'state'))['conversations']}
        rep.check('emulator state has the message',
                  after[GROUP]['event_count'] ==
                  before[GROUP]['event_count'] + 1 and
                  after[GROUP]['last_event_id'] == sent.id_,
                  'event_count {} -> {}, last_event_id {}'.format(
                      before[GROUP]['event_count'],
                      after[GROUP]['event_count'],
                      after[GROUP]['last_event_id']))
        pushed = await inbox.wait('event', lambda e: e.id_ == sent.id_)
        rep.check('own message pushed back (on_event)',
                  pushed.text == 'hello from hangups' and
                  pushed.user_id.gaia_id == SELF_ID,
                  '{!r} from {}'.format(pushed.text, pushed.user_id.gaia_id))
    except Exception:
        rep.error('send_message')

    # --- 5. more API methods ----------------------------------------------
    print('\n== 5. other API calls')
    try:
        r = await client.get_self_info(hangouts_pb2.GetSelfInfoRequest(
            request_header=client.get_request_header()))
        rep.check('get_self_info',
                  r.self_entity.id.gaia_id == SELF_ID and
                  list(r.self_entity.properties.email) ==
                  ['ada@example.com'],
                  '{} {}'.format(r.self_entity.id.gaia_id,
                                 list(r.self_entity.properties.email)))
    except Exception:
        rep.error('get_self_info')

    try:
        r = await client.query_presence(hangouts_pb2.QueryPresenceRequest(
            request_header=client.get_request_header(),
            participant_id=[hangouts_pb2.ParticipantId(gaia_id=GRACE_ID)],
            field_mask=[hangouts_pb2.FIELD_MASK_REACHABLE,
                        hangouts_pb2.FIELD_MASK_AVAILABLE,
                        hangouts_pb2.FIELD_MASK_DEVICE]))
        results = [(p.user_id.gaia_id, p.presence.reachable,
                    p.presence.available) for p in r.presence_result]
        rep.check('query_presence', len(results) == 1 and
                  results[0][0] == GRACE_ID, repr(results))
    except Exception:
        rep.error('query_presence')

    try:
        await group.set_typing(hangouts_pb2.TYPING_TYPE_STARTED)
        t = await inbox.wait('typing', lambda t: t.conv_id == GROUP and
                             t.user_id.gaia_id == SELF_ID and
                             t.status == hangouts_pb2.TYPING_TYPE_STARTED)
        rep.check('set_typing STARTED + pushed typing notification', True,
                  repr(t))
        await group.set_typing(hangouts_pb2.TYPING_TYPE_STOPPED)
        await inbox.wait('typing', lambda t: t.conv_id == GROUP and
                         t.status == hangouts_pb2.TYPING_TYPE_STOPPED)
        rep.check('set_typing STOPPED + pushed', True)
    except Exception:
        rep.error('set_typing')

    try:
        # In the one-to-one, where Grace's injected message is still unread.
        # (Not in the group: sending a message there already advanced our
        # read timestamp to it, in the emulator as at Google, so hangups
        # would rightly skip the request.)
        def read_ts(st):
            return [c for c in st['conversations'] if c['id'] ==
                    ONE_TO_ONE][0]['members'][SELF_ID]['read_timestamp']
        before = read_ts(await emu.acontrol('GET', 'state'))
        newest = one.events[-1].timestamp
        want = hangups.parsers.to_timestamp(newest)
        rep.check('one-to-one has an unread message', before < want,
                  'read {} < newest {}'.format(before, want))
        await one.update_read_timestamp()
        got = read_ts(await emu.acontrol('GET', 'state'))
        rep.check('update_read_timestamp (UpdateWatermark) -> emulator '
                  'read_timestamp', got == want,
                  '{} -> {} (want {})'.format(before, got, want))
        w = await inbox.wait('watermark', lambda w: w.conv_id == ONE_TO_ONE
                             and w.user_id.gaia_id == SELF_ID)
        rep.check('watermark notification pushed',
                  hangups.parsers.to_timestamp(w.read_timestamp) == want,
                  repr(w))
    except Exception:
        rep.error('update_read_timestamp')

    try:
        await group.rename('Renamed by hangups')
        st = await emu.acontrol('GET', 'state')
        name = [c for c in st['conversations'] if c['id'] == GROUP][0]['name']
        rep.check('rename -> emulator state name',
                  name == 'Renamed by hangups', repr(name))
        ev = await inbox.wait('event', lambda e: isinstance(
            e, hangups.RenameEvent) and e.conversation_id == GROUP)
        rep.check('RenameEvent pushed', ev.new_name == 'Renamed by hangups'
                  and ev.old_name == 'Emulator group',
                  '{!r} -> {!r}'.format(ev.old_name, ev.new_name))
        rep.check('Conversation.name updated from the pushed delta',
                  group.name == 'Renamed by hangups', repr(group.name))
    except Exception:
        rep.error('rename')

    try:
        # GetConversation with an event continuation token: the events before
        # the oldest one sync gave us (max_events_per_conversation=1).
        oldest = one.events[0]
        older = await one.get_events(oldest.id_)
        rep.check('get_events (GetConversation) loads older events',
                  len(older) >= 1 and all(e.timestamp < oldest.timestamp
                                          for e in older),
                  '{} older event(s): {}'.format(
                      len(older), [getattr(e, 'text', None) for e in older]))
    except Exception:
        rep.error('get_events')

    try:
        r = await client.sync_all_new_events(
            hangouts_pb2.SyncAllNewEventsRequest(
                request_header=client.get_request_header(),
                last_sync_timestamp=hangups.parsers.to_timestamp(
                    one.events[0].timestamp) - 1,
                max_response_size_bytes=1048576))
        rep.check('sync_all_new_events',
                  {s.conversation_id.id for s in r.conversation_state} >=
                  {ONE_TO_ONE},
                  '{} conversation(s), {} event(s)'.format(
                      len(r.conversation_state),
                      sum(len(s.event) for s in r.conversation_state)))
    except Exception:
        rep.error('sync_all_new_events')

    try:
        await client.set_active()
        rep.check('set_active (GetSelfInfo email + SetActiveClient)',
                  client._email == 'ada@example.com' and
                  client._active_client_state ==
                  hangouts_pb2.ACTIVE_CLIENT_STATE_IS_ACTIVE,
                  'email {!r}'.format(client._email))
    except Exception:
        rep.error('set_active')

    try:
        await client.set_focus(hangouts_pb2.SetFocusRequest(
            request_header=client.get_request_header(),
            conversation_id=hangouts_pb2.ConversationId(id=GROUP),
            type=hangouts_pb2.FOCUS_TYPE_FOCUSED, timeout_secs=20))
        rep.check('set_focus', True)
    except Exception:
        rep.error('set_focus')

    try:
        await client.set_presence(hangouts_pb2.SetPresenceRequest(
            request_header=client.get_request_header(),
            presence_state_setting=hangouts_pb2.PresenceStateSetting(
                timeout_secs=720,
                type=hangouts_pb2.CLIENT_PRESENCE_STATE_DESKTOP_ACTIVE)))
        rep.check('set_presence', True)
    except Exception:
        rep.error('set_presence')

    # --- 6. image upload -----------------------------------------------------
    print('\n== 6. image upload')
    try:
        image = io.BytesIO(tiny_png())
        image.name = 'red-dot.png'
        sent = await group.send_message(
            [hangups.ChatMessageSegment('a picture')], image_file=image)
        st = await emu.acontrol('GET', 'state')
        # (ChatMessageEvent.text appends the attachment URLs, so compare
        # the segments.)
        rep.check('send_message with image_file',
                  [g.text for g in sent.segments] == ['a picture'] and
                  len(sent.attachments) == 1 and st['uploads'] == 1,
                  'event {} segments {} attachments {} uploads in state {}'
                  .format(sent.id_, [g.text for g in sent.segments],
                          sent.attachments, st['uploads']))
        pushed = await inbox.wait('event', lambda e: e.id_ == sent.id_)
        rep.check('image message pushed back with its attachment',
                  len(pushed.attachments) == 1, repr(pushed.attachments))
    except Exception:
        rep.error('image upload')

    # --- 7. channel resilience --------------------------------------------
    print('\n== 7. long-poll renewal, noops, expired SID, cut long-poll')
    try:
        def self_session(st):
            live = [x for x in st['sessions']
                    if x['user'] == SELF_ID and not x['expired']]
            return live[-1] if live else None
        st = await emu.acontrol('GET', 'state')
        first = self_session(st)
        deadline = time.monotonic() + 3 * LONG_POLL_SECS + 5
        while self_session(st)['long_polls'] < 3 and \
                time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            st = await emu.acontrol('GET', 'state')
        now = self_session(st)
        rep.check('long-polls end and are renewed on the same SID',
                  now['sid'] == first['sid'] and now['long_polls'] >= 3,
                  'sid {} long_polls {}'.format(now['sid'],
                                                now['long_polls']))
        rep.check('keep-alive noops received (and ignored)', len(noops) >= 2,
                  '{} noop(s)'.format(len(noops)))
        rep.check('no disconnect so far',
                  not any(k in ('disconnect', 'reconnect')
                          for k, _ in inbox.items))
        res = await emu.acontrol('POST', 'messages', {
            'conversation_id': GROUP, 'sender_id': GRACE_ID,
            'text': 'after several long-polls'})
        ev = await inbox.wait('event', lambda e: e.id_ == res['event_id'])
        rep.check('push after long-poll renewals', ev.text ==
                  'after several long-polls', repr(ev.text))
    except Exception:
        rep.error('long-poll renewal')

    async def reconnect_case(name, fault, text):
        n_disc = sum(k == 'disconnect' for k, _ in inbox.items)
        n_rec = sum(k == 'reconnect' for k, _ in inbox.items)
        old_sid = client._channel._sid_param
        await emu.acontrol('POST', 'faults', fault)
        # A message while the client is (about to be) without a session: it
        # must come back through the reconnect's SyncAllNewEvents.
        res = await emu.acontrol('POST', 'messages', {
            'conversation_id': GROUP, 'sender_id': GRACE_ID, 'text': text})
        eid = res['event_id']
        await inbox.wait('reconnect', lambda _: sum(
            k == 'reconnect' for k, _ in inbox.items) > n_rec,
            timeout=PUSH_TIMEOUT + LONG_POLL_SECS)
        rep.check(name + ': on_disconnect then on_reconnect on a new SID',
                  sum(k == 'disconnect' for k, _ in inbox.items) > n_disc and
                  client._channel._sid_param != old_sid,
                  'SID {} -> {}'.format(old_sid, client._channel._sid_param))
        ev = await inbox.wait('event', lambda e: e.id_ == eid)
        pushed = any(k == 'state_update' and v.HasField('event_notification')
                     and v.event_notification.event.event_id == eid
                     for k, v in inbox.items)
        rep.check(name + ': message sent meanwhile arrives', ev.text == text,
                  '{!r} via {}'.format(ev.text, 'a push' if pushed else
                                       'SyncAllNewEvents on reconnect'))
        # hangups fires on_reconnect (and so syncs) on the first chunk, and
        # only then subscribes the new SID to babel; wait for that too.
        deadline = time.monotonic() + PUSH_TIMEOUT
        while True:
            st = await emu.acontrol('GET', 'state')
            new = [x for x in st['sessions']
                   if x['sid'] == client._channel._sid_param]
            if (new and new[0]['subscribed'] and
                    new[0]['presence_subscribed']) or \
                    time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        rep.check(name + ': new SID subscribed again',
                  new and new[0]['subscribed'] and
                  new[0]['presence_subscribed'],
                  json.dumps(new[0] if new else None, sort_keys=True))
        res = await emu.acontrol('POST', 'messages', {
            'conversation_id': GROUP, 'sender_id': GRACE_ID,
            'text': text + ', then pushed'})
        su = await inbox.wait('state_update', lambda v: v.HasField(
            'event_notification') and v.event_notification.event.event_id ==
            res['event_id'])
        rep.check(name + ': pushes flow on the new SID', su is not None,
                  'event {}'.format(res['event_id']))

    try:
        await reconnect_case('expired SID (400 Unknown SID)',
                             {'expire_sessions': True}, 'while expired')
    except Exception:
        rep.error('expired SID')
    try:
        await reconnect_case('long-poll cut mid-body',
                             {'drop_long_poll_after': 5}, 'while cut off')
    except Exception:
        rep.error('long-poll cut')

    # --- 8. disconnect -------------------------------------------------------
    print('\n== 8. disconnect')
    await client.disconnect()
    try:
        await asyncio.wait_for(connect_task, 10)
        rep.check('disconnect: connect() returned', True)
    except Exception:
        rep.error('disconnect')

    kinds = {}
    for k, v in inbox.items:
        if k == 'state_update':
            w = v.WhichOneof('state_update')
            kinds[w] = kinds.get(w, 0) + 1
    print('\nStateUpdates received, by notification: {}'.format(kinds))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--emulator', default=os.path.join(
        REPO, 'target', 'debug', 'hangups-emulator'))
    ap.add_argument('--tls', action='store_true')
    ap.add_argument('--workdir', default='/tmp/interop')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.ERROR,
        format='%(levelname)s %(name)s: %(message)s')
    # hangups' warnings are printed as they happen and listed at the end.
    # Step 7 provokes two on purpose ("Long-polling interrupted: SID became
    # invalid" and "...: SID is about to expire").
    hlog = logging.getLogger('hangups')
    hlog.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    warnings = WarningCollector()
    warnings.setFormatter(logging.Formatter(
        '%(levelname)s %(name)s: %(message)s'))
    hlog.addHandler(warnings)

    print('hangups {} from {}'.format(hangups.__version__,
                                      os.path.dirname(hangups.__file__)))
    emu = Emulator(args.emulator, args.tls, args.workdir)
    print('emulator pid {} at {}'.format(emu.proc.pid, emu.url))
    rep = Report()
    try:
        asyncio.run(run(emu, rep))
    except Exception:
        rep.error('run')
    finally:
        emu.stop()
    if warnings.records:
        print('\nhangups logged {} warning(s)/error(s):'.format(
            len(warnings.records)))
        for r in warnings.records:
            print('  ' + r)
    ok = rep.summary()
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
