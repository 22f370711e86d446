#!/usr/bin/env python3
"""Signature Version 4 cases signed by botocore, for SigV4BotocoreTests.

Generates a few hundred requests from a fixed seed, signs each with botocore's own signers
(SigV4Auth, S3SigV4Auth, S3SigV4QueryAuth, SigV4QueryAuth) at a fixed instant, and prints them
as JSON on stdout: the inputs in the shape of the Swift `SignableRequest`, and what botocore
produced (the headers it added, or the presigned URL, and its canonical request).

    python3 Tests/aws-peers/sigv4_cases.py [--count N] [--seed S]

Needs botocore (`pip install botocore`). Without it, it says so on stderr and exits 2.
"""

import argparse
import base64
import datetime
import json
import random
import sys
from unittest import mock
from urllib.parse import quote

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode_sequence
except ImportError as error:
    sys.stderr.write(
        f"sigv4_cases.py needs botocore ({error}); install it with `pip install botocore`\n"
    )
    sys.exit(2)


def recording(signer_class):
    """The signer, keeping the canonical request it signed (botocore only logs it)."""

    class Recording(signer_class):
        canonical = None

        def canonical_request(self, request):
            self.canonical = super().canonical_request(request)
            return self.canonical

    return Recording


SigV4Auth = recording(botocore.auth.SigV4Auth)
S3SigV4Auth = recording(botocore.auth.S3SigV4Auth)
SigV4QueryAuth = recording(botocore.auth.SigV4QueryAuth)
S3SigV4QueryAuth = recording(botocore.auth.S3SigV4QueryAuth)

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1", "us-gov-west-1", "cn-north-1"]
METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"]
SERVICES = ["sts", "iam", "s3", "execute-api"]

# Characters a path segment or query value may hold before encoding: the ones the brief calls
# out (space, `+`, `=`, `!`, `'`, `(`, `)`, `*`, `~`), other sub-delimiters, and non-ASCII from
# two to four UTF-8 bytes.
PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
ODD = " +=!'()*~,;:@$&%/?#[]\"<>^`{|}\\"
UNICODE = ["é", "ü", "ß", "ñ", "ሴ", "日本", "😀", "Ω", "\u00a0", "\u3000"]

# Header names, some that botocore never signs, some with mixed case to repeat in another case.
HEADER_NAMES = [
    "Content-Type", "content-type", "X-Amz-Meta-Author", "x-amz-meta-author", "X-Amz-Target",
    "My-Header1", "my-header1", "Accept", "Cache-Control", "If-None-Match", "Range",
    "Content-MD5", "X-Custom", "User-Agent", "Expect", "X-Amzn-Trace-Id", "Connection",
    "Transfer-Encoding", "X-Amz-Meta-Empty", "Content-Language",
]
HEADER_VALUES = [
    "application/json", "  padded  ", "a   b\tc", "\tleading tab", "trailing tab\t", "",
    "   ", "x,y", "\"quoted   value\"", "bytes=0-99", "W/\"etag\"", "line1\n  line2",
    "nbsp\u00a0inside", "é ü", "gzip, deflate", "a  ,  b", "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
]


def random_text(rng, low, high, alphabet_weights=(6, 3, 1)):
    length = rng.randint(low, high)
    pieces = []
    for _ in range(length):
        kind = rng.choices(["plain", "odd", "unicode"], weights=alphabet_weights)[0]
        if kind == "plain":
            pieces.append(rng.choice(PLAIN))
        elif kind == "odd":
            pieces.append(rng.choice(ODD))
        else:
            pieces.append(rng.choice(UNICODE))
    return "".join(pieces)


def encode_segment(rng, segment):
    """A path segment as a client sends it: botocore's S3 key encoding (`safe='/~'`) or RFC
    3986's pchar set left bare, as other clients do."""
    if rng.random() < 0.6:
        return quote(segment, safe="~")
    return quote(segment, safe="~!$&'()*+,;=:@")


def random_path(rng, service):
    segments = []
    for _ in range(rng.randint(0, 5)):
        roll = rng.random()
        if roll < 0.12:
            segments.append("")  # a repeated slash
        elif roll < 0.2 and service != "s3":
            segments.append(rng.choice([".", ".."]))
        elif roll < 0.25:
            segments.append(rng.choice([".", "..", "%2E", "a.b"]))
        else:
            text = random_text(rng, 1, 12)
            # `/` inside a key is the segment separator in the wire path; keep it out here.
            segments.append(encode_segment(rng, text.replace("/", "-")))
    path = "/" + "/".join(segments)
    if segments and rng.random() < 0.25:
        path += "/"
    return path


def random_query(rng, unique_names):
    names = ["Action", "Version", "prefix", "list-type", "max-keys", "delimiter", "a", "a-b", "A",
             "X-Amz-Meta", "key with space", "ключ", "k+plus", "k=eq", "versionId", "uploads", "marker"]
    pairs = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.7:
            name = rng.choice(names)
        else:
            name = random_text(rng, 1, 8)
        if unique_names and any(existing == name for existing, _ in pairs):
            continue
        roll = rng.random()
        if roll < 0.15:
            value = ""
        elif roll < 0.3 and pairs and not unique_names:
            # the same name again, to be sorted by value
            name = rng.choice(pairs)[0]
            value = random_text(rng, 0, 6)
        else:
            value = random_text(rng, 0, 16)
        pairs.append((name, value))
    return pairs


def random_headers(rng, service, has_token):
    headers = []
    for _ in range(rng.randint(0, 5)):
        headers.append((rng.choice(HEADER_NAMES), rng.choice(HEADER_VALUES)))
    roll = rng.random()
    # What a retry carries from its first attempt: botocore deletes and replaces these.
    if roll < 0.05:
        headers.append(("Authorization", "AWS4-HMAC-SHA256 Credential=stale"))
    elif roll < 0.1:
        headers.append(("X-Amz-Date", "19990101T000000Z"))
    elif roll < 0.15:
        # replaced when the credentials have a token, signed as given when they have none
        headers.append(("X-Amz-Security-Token", "stale-token"))
    elif roll < 0.2:
        # S3's signer replaces it; the generic signer signs the value as the payload hash
        headers.append(("X-Amz-Content-SHA256", rng.choice(["UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])))
    rng.shuffle(headers)
    return headers


def random_body(rng, method):
    roll = rng.random()
    if method in ("GET", "HEAD", "DELETE") and roll < 0.8:
        return b""
    if roll < 0.25:
        return b""
    if roll < 0.5:
        return b"Action=GetCallerIdentity&Version=2011-06-15"
    if roll < 0.7:
        return json.dumps({"name": random_text(rng, 0, 10)}, ensure_ascii=False).encode("utf-8")
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))


def random_credentials(rng):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    access = rng.choice(["AKIA", "ASIA"]) + "".join(rng.choice(alphabet) for _ in range(16))
    secret_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    secret = "".join(rng.choice(secret_alphabet) for _ in range(40))
    token = None
    roll = rng.random()
    if roll < 0.04:
        # botocore leaves an empty token out of header signing (`if token:`) but puts it in a
        # presigned URL (`if token is not None:`).
        token = ""
    elif roll < 0.5:
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(30, 700)))
        token = base64.b64encode(raw).decode("ascii")
    return access, secret, token


def random_endpoint(rng, service, region):
    """(scheme, host as the Host header has it)."""
    roll = rng.random()
    if roll < 0.1:
        return "http", rng.choice(["localhost:9000", "127.0.0.1:4566", "minio.internal:9000"])
    if roll < 0.15:
        return "https", "localhost:8443"
    if service == "s3":
        return "https", rng.choice([
            f"examplebucket.s3.{region}.amazonaws.com",
            f"s3.{region}.amazonaws.com",
            "s3.amazonaws.com",
            f"my.dotted.bucket.s3.{region}.amazonaws.com",
        ])
    if service == "execute-api":
        return "https", f"a1b2c3d4e5.execute-api.{region}.amazonaws.com"
    if service == "iam":
        return "https", "iam.amazonaws.com"
    return "https", rng.choice(["sts.amazonaws.com", f"sts.{region}.amazonaws.com"])


def random_instant(rng):
    """Seconds and milliseconds between 2013 and 2040, with edge days now and then."""
    roll = rng.random()
    if roll < 0.1:
        base = datetime.datetime(rng.choice([2016, 2020, 2024, 2028]), 2, 29, 23, 59, 59)
    elif roll < 0.2:
        base = datetime.datetime(rng.randint(2013, 2039), 12, 31, 23, 59, 59)
    elif roll < 0.25:
        base = datetime.datetime(rng.randint(2013, 2039), 1, 1, 0, 0, 0)
    else:
        start = datetime.datetime(2013, 1, 1)
        base = start + datetime.timedelta(seconds=rng.randint(0, 27 * 365 * 86400))
    milliseconds = rng.randint(0, 999)
    epoch = datetime.datetime(1970, 1, 1)
    epoch_ms = int((base - epoch).total_seconds()) * 1000 + milliseconds
    return base + datetime.timedelta(milliseconds=milliseconds), epoch_ms


def host_botocore_signs(url):
    return botocore.auth._host_from_url(url)


def header_case(rng, index):
    service = rng.choice(SERVICES)
    region = rng.choice(REGIONS)
    method = rng.choice(METHODS)
    access, secret, token = random_credentials(rng)
    scheme, host = random_endpoint(rng, service, region)
    path = random_path(rng, service)
    query = random_query(rng, unique_names=False)
    headers = random_headers(rng, service, token is not None)
    body = random_body(rng, method)
    instant, epoch_ms = random_instant(rng)

    url = f"{scheme}://{host}{path}"
    assert host_botocore_signs(url) == host, (url, host_botocore_signs(url))
    request = AWSRequest(method=method, url=url, data=body, params=list(query))
    for name, value in headers:
        request.headers[name] = value  # appends: repeated names stay repeated
    before = list(request.headers.items())

    signer_class = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = signer_class(Credentials(access, secret, token), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=instant):
        signer.add_auth(request)

    remaining = list(before)
    added = {}
    for name, value in request.headers.items():
        if (name, value) in remaining:
            remaining.remove((name, value))
        else:
            added[name] = value

    return {
        "name": f"headers-{index:03d}-{service}-{method}",
        "kind": "headers",
        "service": service,
        "region": region,
        "scheme": scheme,
        "credentials": {"accessKeyID": access, "secretAccessKey": secret, "sessionToken": token},
        "time": instant.strftime("%Y%m%dT%H%M%SZ"),
        "epochMilliseconds": epoch_ms,
        "request": request_json(method, host, path, query, headers, body),
        "expected": {"headers": added, "canonicalRequest": signer.canonical},
    }


def presign_case(rng, index):
    # Mostly S3, the presigned URLs the platform hands out; a few STS ones (how EKS and Vault
    # prove an IAM identity) exercise botocore's generic query signer.
    service = "s3" if rng.random() < 0.85 else "sts"
    region = rng.choice(REGIONS)
    method = rng.choice(["GET", "GET", "GET", "PUT", "HEAD", "DELETE"]) if service == "s3" else "GET"
    access, secret, token = random_credentials(rng)
    scheme, host = random_endpoint(rng, service, region)
    path = random_path(rng, service) if service == "s3" else "/"
    # botocore's presigner passes the query through a dict (one value per name), so its URL is
    # only comparable when names do not repeat.
    query = random_query(rng, unique_names=True)
    if service == "sts":
        query = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
    headers = []
    if rng.random() < 0.15:
        headers.append(rng.choice([("x-amz-meta-author", " Ann  Smith "), ("X-K8s-Aws-Id", "my-cluster"), ("Range", "bytes=0-1023")]))
    expires = rng.choice([1, 60, 900, 3600, 86400, 604800, rng.randint(1, 604800)])
    instant, epoch_ms = random_instant(rng)

    url = f"{scheme}://{host}{path}"
    if query:
        url += "?" + percent_encode_sequence(query)
    assert host_botocore_signs(url) == host, (url, host_botocore_signs(url))
    request = AWSRequest(method=method, url=url)
    for name, value in headers:
        request.headers[name] = value

    signer_class = S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth
    signer = signer_class(Credentials(access, secret, token), service, region, expires=expires)
    with mock.patch("botocore.auth.get_current_datetime", return_value=instant):
        signer.add_auth(request)

    return {
        "name": f"presign-{index:03d}-{service}-{method}",
        "kind": "presign",
        "service": service,
        "region": region,
        "scheme": scheme,
        "expires": expires,
        "credentials": {"accessKeyID": access, "secretAccessKey": secret, "sessionToken": token},
        "time": instant.strftime("%Y%m%dT%H%M%SZ"),
        "epochMilliseconds": epoch_ms,
        "request": request_json(method, host, path, query, headers, b""),
        "expected": {"url": request.url, "canonicalRequest": signer.canonical},
    }


def request_json(method, host, path, query, headers, body):
    return {
        "method": method,
        "host": host,
        "path": path,
        "query": [{"name": name, "value": value} for name, value in query],
        "headers": [{"name": name, "value": value} for name, value in headers],
        "body": base64.b64encode(body).decode("ascii"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="header-signed cases; presigned ones are a third of that")
    parser.add_argument("--seed", type=int, default=20150830)
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    cases = [header_case(rng, index) for index in range(arguments.count)]
    cases += [presign_case(rng, index) for index in range(arguments.count // 3)]
    json.dump({"botocore": botocore.__version__, "seed": arguments.seed, "cases": cases}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
