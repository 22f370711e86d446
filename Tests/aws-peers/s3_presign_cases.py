#!/usr/bin/env python3
"""Presigned S3 GET URLs made by botocore's S3 client, for SigV4BotocoreTests.

Where sigv4_cases.py hands botocore's signers a finished request, this one starts where
`S3Client.presignedGetURL` starts: a bucket, a key, a region, an optional endpoint override,
credentials, an instant and a lifetime. botocore's S3 client then does its own bucket and key
encoding, endpoint resolution and addressing-style choice
(`generate_presigned_url('get_object', ...)`), so the Swift test compares S3Client's whole path
building with it, not only the signature.

For each case it prints botocore's URL under three configurations:

- `virtual`: `addressing_style='virtual'`. On AWS's own endpoints botocore still falls back to
  path-style for a bucket name that cannot be a DNS label under `*.s3.<region>...` (dots, capitals,
  underscores, too short or long, a hyphen at either end), so this is botocore's own
  "virtual-hosted where the name allows it" choice, which S3Client's rule should agree with.
- `path`: `addressing_style='path'`.
- `default`: botocore's defaults (`addressing_style='auto'`, no regional us-east-1 setting).

The first two set `us_east_1_regional_endpoint='regional'`: S3Client always uses the regional
endpoint `s3.<region>.amazonaws.com`, as AWS documents; botocore's default for us-east-1 is the
legacy global endpoint.

    python3 Tests/aws-peers/s3_presign_cases.py [--count N] [--seed S]

Offline by construction: credentials are passed explicitly, no config or credentials file is
read, instance metadata is disabled, and any socket connection or DNS lookup raises. Needs
botocore (`pip install botocore`); without it, it says so on stderr and exits 2.
"""

import argparse
import base64
import datetime
import json
import os
import random
import socket
import sys
from unittest import mock

# Before botocore is imported: nothing from the caller's AWS environment (a profile, an endpoint
# variable, an addressing style from a config file) may leak into the reference URLs, and no
# credential provider may go looking for instance metadata.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


def _no_network(*args, **kwargs):
    raise RuntimeError(f"s3_presign_cases.py must not use the network: {args!r}")


# Presigning is local; if some botocore version ever reached out (IMDS, an endpoint lookup),
# the generator fails instead of calling AWS.
socket.socket.connect = _no_network
socket.socket.connect_ex = _no_network
socket.create_connection = _no_network
socket.getaddrinfo = _no_network

try:
    import botocore
    import botocore.auth
    import botocore.session
    from botocore.config import Config
except ImportError as error:
    sys.stderr.write(
        f"s3_presign_cases.py needs botocore ({error}); install it with `pip install botocore`\n"
    )
    sys.exit(2)

# us-gov-west-1 is another partition (no presign global endpoint); cn-north-1 has its own DNS suffix.
REGIONS = ["us-east-1", "us-east-1", "eu-west-1", "eu-west-1", "cn-north-1", "us-west-2", "ap-southeast-2", "us-gov-west-1"]

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
# Key characters: the sub-delimiters and other ASCII that need (or, for `~`, must not get)
# percent-encoding, and non-ASCII of two, three and four UTF-8 bytes.
KEY_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."
KEY_ODD = " ()+=!'*~&$@,;:?%#"
KEY_UNICODE = ["é", "ü", "ß", "ñ", "Ω", "ж", "ሴ", "日本", "€", "\u3000", "😀", "𝄞", "\u00a0"]


def dns_bucket(rng):
    """A name S3Client and AWS address virtual-hosted: 3-63 of a-z, 0-9 and inner hyphens."""
    length = rng.choice([3, 4, 8, 12, 20, 40, 63, rng.randint(3, 63)])
    inner = "".join(rng.choice(LOWER + DIGITS + "-") for _ in range(max(length - 2, 0)))
    name = rng.choice(LOWER + DIGITS) + inner + rng.choice(LOWER + DIGITS)
    return name[:length]


def path_style_bucket(rng):
    """A name that forces path-style on AWS's endpoints, by S3Client's rule and AWS's."""
    kind = rng.choice(["dotted", "dotted", "dotted", "legacy", "legacy", "short", "long", "hyphen", "ip"])
    if kind == "dotted":
        return rng.choice([
            "my.media.bucket", "media.example.com", "a.b", "logs.2024", "v1.assets-eu", "www.example.org",
            f"{dns_bucket(rng)[:20]}.{dns_bucket(rng)[:20]}",
        ])
    if kind == "legacy":
        # us-east-1 buckets created before 2018 may hold capitals and underscores.
        return rng.choice(["Legacy_Bucket", "MyBucket", "media_files", "ABC", "Old-Style.Bucket", "UPPER_lower_9"])
    if kind == "short":
        return rng.choice(["ab", "a", "x9"])
    if kind == "long":
        return "legacy-" + "".join(rng.choice(LOWER + DIGITS) for _ in range(rng.randint(57, 120)))
    if kind == "hyphen":
        return rng.choice(["-leading", "trailing-", "-both-"])
    return rng.choice(["192.168.5.4", "10.0.0.1"])


def random_key(rng):
    segments = []
    for _ in range(rng.randint(1, 4)):
        length = rng.randint(0 if segments else 1, 10)
        pieces = []
        for _ in range(length):
            kind = rng.choices(["plain", "odd", "unicode"], weights=(5, 3, 2))[0]
            if kind == "plain":
                pieces.append(rng.choice(KEY_PLAIN))
            elif kind == "odd":
                pieces.append(rng.choice(KEY_ODD))
            else:
                pieces.append(rng.choice(KEY_UNICODE))
        segments.append("".join(pieces))  # an empty segment makes a double slash
    key = "/".join(segments)
    roll = rng.random()
    if roll < 0.12:
        key = "/" + key
    elif roll < 0.18:
        key = "//" + key
    elif roll < 0.24:
        key += "/"
    if not key:
        key = "x"
    return key


def random_endpoint(rng):
    """None for AWS's own endpoint, else an `AWS_ENDPOINT_URL_S3`-style override."""
    roll = rng.random()
    if roll < 0.6:
        return None
    port = rng.randint(1024, 65535)
    return rng.choice([
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{port}",
        f"http://localhost:{port}",
        f"http://[::1]:{port}",
        f"https://s3.example.test:{port}",
        "https://s3.example.test",
        f"http://127.0.0.1:{port}/prefix",
    ])


def random_credentials(rng):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    access = rng.choice(["AKIA", "ASIA"]) + "".join(rng.choice(alphabet) for _ in range(16))
    secret_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    secret = "".join(rng.choice(secret_alphabet) for _ in range(40))
    token = None
    roll = rng.random()
    if roll < 0.04:
        token = ""  # botocore puts an empty X-Amz-Security-Token in a presigned URL
    elif roll < 0.6:
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(30, 700)))
        token = base64.b64encode(raw).decode("ascii")
    return access, secret, token


def random_instant(rng):
    start = datetime.datetime(2013, 1, 1)
    base = start + datetime.timedelta(seconds=rng.randint(0, 27 * 365 * 86400))
    if rng.random() < 0.1:
        base = datetime.datetime(rng.choice([2016, 2024, 2028]), 2, 29, 23, 59, 59)
    milliseconds = rng.randint(0, 999)
    epoch_ms = int((base - datetime.datetime(1970, 1, 1)).total_seconds()) * 1000 + milliseconds
    return base + datetime.timedelta(milliseconds=milliseconds), epoch_ms


def presign(session, region, endpoint, credentials, s3_config, bucket, key, expires, instant):
    access, secret, token = credentials
    client = session.create_client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=access,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(signature_version="s3v4", s3=s3_config),
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=instant):
        return client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
        )


def case(session, rng, index):
    bucket = dns_bucket(rng) if rng.random() < 0.5 else path_style_bucket(rng)
    key = random_key(rng)
    region = rng.choice(REGIONS)
    endpoint = random_endpoint(rng)
    credentials = random_credentials(rng)
    expires = rng.choice([1, 60, 900, 3600, rng.randint(1, 3600)])
    instant, epoch_ms = random_instant(rng)

    def url(s3_config):
        return presign(session, region, endpoint, credentials, s3_config, bucket, key, expires, instant)

    access, secret, token = credentials
    return {
        "name": f"s3-presign-{index:03d}",
        "bucket": bucket,
        "key": key,
        "region": region,
        "endpoint": endpoint,
        "credentials": {"accessKeyID": access, "secretAccessKey": secret, "sessionToken": token},
        "time": instant.strftime("%Y%m%dT%H%M%SZ"),
        "epochMilliseconds": epoch_ms,
        "expires": expires,
        "botocore": {
            "virtual": url({"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}),
            "path": url({"addressing_style": "path", "us_east_1_regional_endpoint": "regional"}),
            "default": url({}),
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20060314)
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    session = botocore.session.Session()
    cases = [case(session, rng, index) for index in range(arguments.count)]
    json.dump({"botocore": botocore.__version__, "seed": arguments.seed, "cases": cases}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
