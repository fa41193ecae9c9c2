"""Schemathesis hooks of the contract test (test/contract): what a real client adds to each generated request.

- Merchant interfaces (/api/*): the body is sent as the test merchant's own request: `mercNo` is the test
  merchant's number, and the exact bytes sent are signed in the `Paydurable-Signature` header (HMAC-SHA256-RAW,
  t=<now>, so every attempt carries a fresh signature and passes the replay cache). A 14-digit `tradeTime` becomes
  the current time in China Standard Time: the rule "tradeTime + orderPeriod is in the future, tradeTime at most a
  day ahead" depends on the clock, which no schema can state (it is documented in the field's description).
- Bulk replay: when `filter.from` is not before `filter.to` (a documented cross-field rule a JSON Schema cannot state),
  `to` is dropped.
- Admin channel accounts (/admin/v1/merchants/{mercNo}/channel-accounts/*): a PEM-shaped key (`privateKey`,
  `alipayPublicKey`, `platformKeys[].publicKey`) becomes a real key of the run (CONTRACT_PEM_PRIVATE/PUBLIC): the
  server checks that keys parse, which no schema can state.

- Path parameters: a generated value with a percent escape in it (`e%20x`) is dropped. Schemathesis takes such a
  value as already escaped and sends it as it is, so the server decodes it to another value (`e x`) and answers for
  that one; a real client escapes its `%` (`%25`). Found by the admin listener's run: `GET /support/v1/orders/{ref}`
  with `ref` = `e%20%40~0G0W%29%217SmEC0`, answered 400 for `e @~0G0W)!7SmEC0`.

Schemathesis re-validates a case after these edits, so a case still counts as valid or invalid by the document.
The key comes from the environment (CONTRACT_MERC_NO, CONTRACT_MERC_KEY) and is never printed.
"""
import hashlib
import hmac
import json
import os
import re
import time
from datetime import datetime, timedelta, timezone

import schemathesis

MERC_NO = os.environ.get("CONTRACT_MERC_NO", "")
MERC_KEY = os.environ.get("CONTRACT_MERC_KEY", "")
PEM_PRIVATE = os.environ.get("CONTRACT_PEM_PRIVATE", "")
PEM_PUBLIC = os.environ.get("CONTRACT_PEM_PUBLIC", "")
PEM_SHAPE = re.compile(r"^-----BEGIN [A-Z0-9 ]{1,40}-----\r?\n")
CST = timezone(timedelta(hours=8))


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    if path.startswith("/api/") and MERC_NO and MERC_KEY:
        _sign_merchant_request(case, kwargs)
    elif path == "/support/v1/notifications/replay":
        _order_window(case)
    elif path.startswith("/admin/v1/merchants/{mercNo}/channel-accounts/"):
        _real_keys(case)


PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


@schemathesis.hook
def filter_path_parameters(context, path_parameters):
    return not any(isinstance(v, str) and PERCENT_ESCAPE.search(v) for v in (path_parameters or {}).values())


def _real_keys(case):
    body = case.body
    if not isinstance(body, dict) or not PEM_PRIVATE or not PEM_PUBLIC:
        return
    body = dict(body)
    for field, pem in (("privateKey", PEM_PRIVATE), ("alipayPublicKey", PEM_PUBLIC)):
        if isinstance(body.get(field), str) and PEM_SHAPE.match(body[field]):
            body[field] = pem
    if isinstance(body.get("platformKeys"), list):
        # Each serial once: JSON Schema cannot say "unique by one property", so a generated list may repeat a serial
        # (answered 400 naming platformKeys, which the schema-valid check would count as a valid request refused).
        keys, serials = [], set()
        for key in body["platformKeys"]:
            if isinstance(key, dict) and isinstance(key.get("publicKey"), str) and PEM_SHAPE.match(key["publicKey"]):
                key = {**key, "publicKey": PEM_PUBLIC}
            serial = key.get("serial") if isinstance(key, dict) else None
            if isinstance(serial, str):
                if serial in serials:
                    continue
                serials.add(serial)
            keys.append(key)
        body["platformKeys"] = keys
    case.body = body


def _sign_merchant_request(case, kwargs):
    body = case.body
    if isinstance(body, dict):
        body = dict(body)
        body["mercNo"] = MERC_NO
        # The header signs the request: signType may only be HMAC-SHA256-RAW or absent, signature must be absent.
        body.pop("signType", None)
        body.pop("signature", None)
        if isinstance(body.get("tradeTime"), str) and re.fullmatch(r"[0-9]{14}", body["tradeTime"]):
            body["tradeTime"] = datetime.now(CST).strftime("%Y%m%d%H%M%S")
        case.body = body
    raw = _raw_body(case.body)
    if raw is None:
        return
    kwargs["data"] = raw
    t = str(int(time.time()))
    v1 = hmac.new(MERC_KEY.encode(), t.encode() + b"." + raw, hashlib.sha256).hexdigest()
    case.headers = {**(case.headers or {}), "Paydurable-Signature": f"t={t},v1={v1}"}


def _raw_body(body):
    """The exact bytes to send (and sign), or None when the case has no body."""
    if type(body).__name__ == "NotSet":
        return None
    if isinstance(body, bytes):
        return body
    try:
        return json.dumps(body, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None


def _order_window(case):
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
        return
    window = body["filter"]
    start, end = _instant(window.get("from")), _instant(window.get("to"))
    if start is not None and end is not None and start >= end:
        window = dict(window)
        del window["to"]
        case.body = {**body, "filter": window}


def _instant(value):
    """Milliseconds since the epoch of an ISO date or date-time (as the server's Date.parse reads it), else None."""
    if not isinstance(value, str):
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parsed = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        else:
            text = re.sub(r"(\.\d{1,6})\d*", r"\1", value.replace("Z", "+00:00"))
            parsed = datetime.fromisoformat(text)
        return int(parsed.timestamp() * 1000)
    except ValueError:
        return None
