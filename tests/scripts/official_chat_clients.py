"""Runs Google's official Python clients against a running Chat emulator.

By hand, not in CI (no test needs Python):

    cargo run -p hangups-tests --bin hangups-emulator -- --listen 127.0.0.1:18090 &
    python3 -m venv v && v/bin/pip install google-api-python-client google-apps-chat google-auth
    v/bin/python tests/scripts/official_chat_clients.py http://127.0.0.1:18090

It drives the discovery client (google-api-python-client) and the GAPIC
REST client (google-apps-chat) through create (with a thread key and a
reply option, and a repeated requestId), get, patch, update, list (filter,
order), messageId, delete and a 404. Then it signs in with a service
account key from the emulator: the discovery client exchanges the JWT at
/token, and the GAPIC client sends a self-signed JWT. Each step prints one
line; a refusal raises.
"""
import json, sys, urllib.request
URL = sys.argv[1]
def control(path, body):
    req = urllib.request.Request(URL + "/_emulator/chat/" + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    return json.load(urllib.request.urlopen(req))
space = control("spaces", {"displayName": "py", "members": ["users/100000000000000000001"]})["name"]
token = control("tokens", {"principal": "app", "scopes": ["chat.bot", "chat.app.messages.readonly"]})["access_token"]
import google.oauth2.credentials
creds = google.oauth2.credentials.Credentials(token)
from googleapiclient.discovery import build
chat = build("chat", "v1", static_discovery=True, client_options={"api_endpoint": URL}, credentials=creds)
m = chat.spaces().messages().create(parent=space, body={"text": "from discovery", "thread": {"threadKey": "k"}}, requestId="r-1", messageReplyOption="REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD").execute()
print("discovery create:", m["name"], m.get("thread", {}).get("name"))
again = chat.spaces().messages().create(parent=space, body={"text": "different"}, requestId="r-1").execute()
print("discovery requestId idempotent:", again["name"] == m["name"], again.get("text"))
print("discovery get:", chat.spaces().messages().get(name=m["name"]).execute()["text"])
p = chat.spaces().messages().patch(name=m["name"], updateMask="text", body={"text": "patched"}).execute()
print("discovery patch:", p["text"])
u = chat.spaces().messages().update(name=m["name"], updateMask="text", body={"text": "updated"}).execute()
print("discovery update:", u["text"])
lst = chat.spaces().messages().list(parent=space, pageSize=10, orderBy="create_time desc", filter='create_time > "2000-01-01T00:00:00Z"').execute()
print("discovery list:", [x["text"] for x in lst.get("messages", [])])
cm = chat.spaces().messages().create(parent=space, body={"text": "client id"}, messageId="client-py-1").execute()
print("discovery messageId:", cm["name"])
chat.spaces().messages().delete(name=cm["name"]).execute()
try:
    chat.spaces().messages().get(name=cm["name"]).execute()
except Exception as e:
    print("discovery deleted get:", type(e).__name__, getattr(e, "status_code", None), str(e)[:120])

from google.apps import chat_v1
from google.api_core.client_options import ClientOptions
g = chat_v1.ChatServiceClient(transport="rest", client_options=ClientOptions(api_endpoint=URL), credentials=creds)
gm = g.create_message(request={"parent": space, "message": {"text": "from gapic"}, "message_reply_option": chat_v1.CreateMessageRequest.MessageReplyOption.REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD})
print("gapic create:", gm.name, gm.text)
from google.protobuf import field_mask_pb2
gu = g.update_message(request={"message": {"name": gm.name, "text": "gapic updated"}, "update_mask": field_mask_pb2.FieldMask(paths=["text"])})
print("gapic update:", gu.text)
print("gapic list:", [x.text for x in g.list_messages(request={"parent": space, "page_size": 2})])
g.delete_message(request={"name": gm.name})
print("gapic delete: ok")

import os
key = control("service_accounts", {"name": "py-bot-%d" % os.getpid()})
from google.oauth2 import service_account
sa = service_account.Credentials.from_service_account_info(key, scopes=["https://www.googleapis.com/auth/chat.bot"])
chat2 = build("chat", "v1", static_discovery=True, client_options={"api_endpoint": URL}, credentials=sa)
print("service account (token exchange):", chat2.spaces().messages().create(parent=space, body={"text": "sa"}).execute()["sender"])
g2 = chat_v1.ChatServiceClient(transport="rest", client_options=ClientOptions(api_endpoint=URL), credentials=service_account.Credentials.from_service_account_info(key, scopes=["https://www.googleapis.com/auth/chat.bot"]))
print("gapic service account:", g2.create_message(request={"parent": space, "message": {"text": "sa gapic"}}).sender)
