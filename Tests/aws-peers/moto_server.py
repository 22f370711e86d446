"""moto's server (STS, IAM, S3, CloudFormation, ...) on loopback for the Swift tests.

    python3 moto_server.py --port PORT [--auth N]

Prints `ready PORT` once it accepts connections. With `--auth N` IAM authentication is
on after N unauthenticated setup calls, as `POST /moto-api/reset-auth` with body N does.
`GET /_peer/counts` and `POST /_peer/counts/reset` count the requests that reached it.

Written against moto 5.2.1, whose behaviour differs from AWS's in the ways below. Where
that matters to the tests it is corrected here, by patching moto's classes at import.

1. Trust-policy conditions: moto passes a condition whose key the request lacks, so an
   `sts:ExternalId` condition lets AssumeRole through without ExternalId. AWS documents
   an absent key as a mismatch (the condition holds only for the negated operators,
   `...IfExists` and `ForAllValues:`).
2. With authentication on, moto answers 500 to query-signed (presigned) requests, since
   it reads the signature from the Authorization header only. Not patched: the tests
   fetch presigned URLs from a server started without `--auth`.
3. moto's AssumeRole accepts a role that does not exist; AWS denies it (403
   AccessDenied). moto also matches a trust policy's principal by substring and crashes
   on a `Service` principal; AWS requires the caller to be named (or its account, or
   the role whose session it is). And moto answers 500 to an unsigned
   AssumeRoleWithWebIdentity while authentication is on; AWS takes it unsigned.
4. CloudFormation's AWS::IAM::Role stores inline `Policies` documents as Python dicts
   rather than JSON text, so every call with that role's credentials fails evaluation.
5. moto checks S3 signatures against a path werkzeug re-quoted, so keys with characters
   like `( ) + = ! ' *` or non-ASCII fail with SignatureDoesNotMatch. AWS builds the
   canonical URI from the path as sent, every byte outside the unreserved set
   percent-encoded once.

Also: moto wraps its STS errors in an `<Errors>` element that AWS does not send. Not
patched: clients find `Error` at any depth.
"""

import argparse
import io
import json
import logging
import os
import re
import signal
import sys
import threading
from urllib.parse import parse_qs, quote, unquote_to_bytes

from werkzeug.serving import make_server

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.iam.access_control import IAMPolicyStatement, PermissionResult, S3IAMRequest
from moto.iam.exceptions import NotFoundException
from moto.iam.models import Group, Role, User, _serialize_version_datetime, iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sts.responses import TokenResponse
from moto.utilities.utils import get_partition

# --- 1 and 3: trust policies -----------------------------------------------------------


def _like(pattern, value):
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.DOTALL) is not None


_MATCHERS = {
    "StringEquals": lambda expected, actual: actual == expected,
    "StringEqualsIgnoreCase": lambda expected, actual: actual.lower() == expected.lower(),
    "StringLike": _like,
    "ArnEquals": _like,
    "ArnLike": _like,
}


def _condition_holds(operator, values_by_key, context):
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator.startswith(("StringNot", "ArnNot"))
    context = {key.lower(): value for key, value in context.items()}  # keys ignore case
    for key, expected in values_by_key.items():
        present = key.lower() in context
        if operator == "Null":
            if present == (str(expected).lower() == "true"):
                return False
            continue
        if not present:
            # AWS's rule for a key missing from the request context.
            if not (if_exists or negated or qualifier == "ForAllValues"):
                return False
            continue
        match = _MATCHERS.get(operator.replace("Not", "", 1) if negated else operator)
        if match is None:
            continue  # operators moto has no context for stay unchecked, as before
        options = expected if isinstance(expected, list) else [expected]
        if any(match(str(option), context[key.lower()]) for option in options) == negated:
            return False
    return True


_CALLER = re.compile(r"arn:([\w-]+):(?:iam|sts)::(\d+):(user|assumed-role)/(.+)")


def _principal_matches(principal, caller_arn):
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    named = principal.get("AWS", [])
    caller = _CALLER.fullmatch(caller_arn)
    for arn in [named] if isinstance(named, str) else named:
        if arn in ("*", caller_arn):
            return True
        if caller is None:
            continue
        partition, account, kind, rest = caller.groups()
        # An account as principal defers to the caller's own policies, checked elsewhere.
        if arn in (account, f"arn:{partition}:iam::{account}:root"):
            return True
        # A role as principal trusts every session of that role.
        if kind == "assumed-role" and re.fullmatch(
            rf"arn:{partition}:iam::{account}:role/(.*/)?{re.escape(rest.split('/')[0])}", arn
        ):
            return True
    return False


_moto_statement_is_action_permitted = IAMPolicyStatement.is_action_permitted


def _statement_is_action_permitted(
    self, action, resource="*", principal=None, incoming_condition_values=None
):
    """A trust-policy statement applies when it names the action, the caller and its
    conditions hold; one that does not apply is neutral, so another may still allow."""
    # moto gives identity policies no request context at all, so AWS's rule for absent
    # keys would fail every conditional Allow there: leave those to moto.
    if principal is None:
        return _moto_statement_is_action_permitted(
            self, action, resource, principal, incoming_condition_values
        )
    statement = self._statement
    if "NotAction" in statement:
        names_action = not self._check_element_matches("NotAction", action)
    else:
        names_action = self._check_element_matches("Action", action)
    if not (
        names_action
        and _principal_matches(statement.get("Principal"), principal)
        and all(
            _condition_holds(operator, values, incoming_condition_values or {})
            for operator, values in statement.get("Condition", {}).items()
        )
    ):
        return PermissionResult.NEUTRAL
    if statement.get("Effect") == "Allow":
        return PermissionResult.PERMITTED
    return PermissionResult.DENIED


IAMPolicyStatement.is_action_permitted = _statement_is_action_permitted


class _AccessDenied(AccessDeniedError):
    def __init__(self, message):
        super(AccessDeniedError, self).__init__("AccessDenied", message)


def _refusing_missing_roles(assume, action):
    def checked(self):
        role_arn = self._get_param("RoleArn") or ""
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else self.current_account
        try:
            iam_backends[account][get_partition(self.region)].get_role_by_arn(role_arn)
        except NotFoundException:
            if action == "AssumeRoleWithWebIdentity":
                raise _AccessDenied(f"Not authorized to perform sts:{action}")
            _, caller, _ = self.backend.get_caller_identity(self.get_access_key(), self.region)
            raise _AccessDenied(
                f"User: {caller} is not authorized to perform: sts:{action} on resource: {role_arn}"
            )
        return assume(self)

    return checked


_UNSIGNED_ACTIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")
_moto_authorize_sts = TokenResponse._authenticate_and_authorize_normal_action


def _authorize_sts(self, resource="*"):
    # AWS takes these unsigned (the token or assertion is the credential); moto expects
    # an Authorization header on every call and fails with 500 without one.
    if self._get_action() in _UNSIGNED_ACTIONS and "Authorization" not in self.headers:
        return
    _moto_authorize_sts(self, resource)


TokenResponse._authenticate_and_authorize_normal_action = _authorize_sts
TokenResponse.assume_role = _refusing_missing_roles(TokenResponse.assume_role, "AssumeRole")
TokenResponse.assume_role_with_web_identity = _refusing_missing_roles(
    TokenResponse.assume_role_with_web_identity, "AssumeRoleWithWebIdentity"
)

# --- 4: CloudFormation inline policies ------------------------------------------------


def _storing_json(put_policy):
    def put(self, policy_name, policy_json):
        if not isinstance(policy_json, str):
            policy_json = json.dumps(policy_json, default=_serialize_version_datetime)
        put_policy(self, policy_name, policy_json)

    return put


for _holder in (Role, User, Group):
    _holder.put_policy = _storing_json(_holder.put_policy)

# --- 5: S3 canonical URI --------------------------------------------------------------


def _sigv4_encode(raw):
    return quote(unquote_to_bytes(raw), safe="-_.~")


def _canonical_s3_target(environ):
    """Path and query as sent, each part percent-encoded once, as SigV4 wants for S3."""
    # werkzeug keeps the request line as latin-1 text, encoded once more as UTF-8.
    sent = environ["RAW_URI"].encode("latin-1").decode("utf-8").encode("latin-1")
    path, _, query = sent.partition(b"?")
    path = "/".join(_sigv4_encode(segment) for segment in path.split(b"/"))
    pairs = sorted(
        (_sigv4_encode(name), _sigv4_encode(value))
        for name, _, value in (pair.partition(b"=") for pair in query.split(b"&") if pair)
    )
    return path + ("?" + "&".join(f"{name}={value}" for name, value in pairs) if pairs else "")


_moto_s3_request_init = S3IAMRequest.__init__


def _s3_request_init(self, *, path, headers, **kwargs):
    # moto would sign the URL werkzeug rebuilt; the client signed the one it sent.
    environ = getattr(headers, "environ", None)
    if environ and environ.get("RAW_URI"):
        path = _canonical_s3_target(environ)
    _moto_s3_request_init(self, path=path, headers=headers, **kwargs)


S3IAMRequest.__init__ = _s3_request_init

# --- the test hook --------------------------------------------------------------------

_COUNTED = ("AssumeRole", "AssumeRoleWithWebIdentity", "GetObject", "ListObjectsV2")
# GET on an object with one of these is another operation than GetObject.
_OBJECT_SUBRESOURCES = {"acl", "attributes", "legal-hold", "retention", "tagging", "torrent", "uploadId"}


class Counting:
    """Counts requests by operation before moto sees them, whatever moto answers."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(_COUNTED + ("total",), 0)

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if path == "/_peer/counts" and method == "GET":
            return self.answer(start_response)
        if path == "/_peer/counts/reset" and method == "POST":
            with self.lock:
                self.counts = dict.fromkeys(self.counts, 0)
            return self.answer(start_response)
        if path.startswith("/_peer/"):
            start_response("405 Method Not Allowed", [("Content-Length", "0")])
            return [b""]
        operation = self.operation(environ, path, method)
        with self.lock:
            self.counts["total"] += 1
            if operation in self.counts:
                self.counts[operation] += 1
        return self.app(environ, start_response)

    def answer(self, start_response):
        with self.lock:
            body = json.dumps(self.counts).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def operation(environ, path, method):
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if "Action" in query:
            return query["Action"][0]
        if (
            method == "POST"
            and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
            and environ.get("CONTENT_LENGTH")
        ):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads the body after us
            return parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
        if method != "GET" or path.startswith("/moto-api/"):
            return None
        # Path-style S3: /bucket or /bucket/key.
        bucket, _, key = path.lstrip("/").partition("/")
        if key and not _OBJECT_SUBRESOURCES & query.keys():
            return "GetObject"
        if bucket and not key and query.get("list-type") == ["2"]:
            return "ListObjectsV2"
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--auth", type=int, metavar="N", help="turn IAM authentication on after N calls")
    args = parser.parse_args()
    # SIGTERM stops the peer even when the process that started it ignored the signal
    # (an ignored signal stays ignored across exec).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(
        "127.0.0.1", args.port, Counting(DomainDispatcherApplication(create_backend_app)), threaded=True
    )
    port = server.server_address[1]
    # moto builds URLs to itself from MOTO_PORT, which `moto_server` sets the same way.
    os.environ.setdefault("MOTO_PORT", str(port))
    if args.auth is not None:
        # What POST /moto-api/reset-auth does.
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float(args.auth)
        ActionAuthenticatorMixin.request_count = 0
    print(f"ready {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
