"""Checks that moto_server.py behaves as AWS does where the Swift tests rely on it.

    python3 check_moto_server.py

Starts the launcher twice on free ports (with `--auth`, and without for presigned URLs),
drives it with boto3 and prints one line per check; exits 1 if any failed.
"""

import json
import os
import subprocess
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
SETUP_CALLS = 10
ACCOUNT = "123456789012"
BUCKET = "media"
ODD_KEY = "a b(1)+=!'*é.txt"
EXTERNAL_ID = "ext-7f3a"
failures = []
processes = []


def start(*extra):
    process = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "moto_server.py"), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    processes.append(process)
    line = process.stdout.readline().split()
    assert line[:1] == ["ready"], line
    return process, f"http://127.0.0.1:{line[1]}"


def client(endpoint, service, key_id="test", secret="test", token=None):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def check(name, call, expect_error=None):
    """Runs call; passes when it fails with the expected error code (or succeeds when none
    is expected). Returns its result, or the error message."""
    error = None
    try:
        result = outcome = call()
    except ClientError as e:
        error = e.response["Error"]["Code"]
        result = e.response["Error"].get("Message")
        outcome = f'{e.response["ResponseMetadata"]["HTTPStatusCode"]} {error} ({result})'
    except Exception as e:  # a 500 moto could not even phrase as XML, say
        error, result = type(e).__name__, str(e)[:200]
        outcome = f"{error} ({result})"
    ok = error == expect_error
    if not ok:
        failures.append(name)
    print(f"{'PASS' if ok else 'FAIL'} {name}: {outcome if error else 'ok'}")
    return result


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def role_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def counts(endpoint, path="/_peer/counts", method="GET"):
    with urllib.request.urlopen(urllib.request.Request(endpoint + path, method=method)) as response:
        return json.load(response)


def main():
    try:
        run(start("--auth", str(SETUP_CALLS))[1])
        run_presigned(start()[1])
    finally:
        for process in processes:
            process.terminate()
            process.wait()
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


def run(endpoint):
    iam, s3 = client(endpoint, "iam"), client(endpoint, "s3")
    # The setup calls moto allows before authentication: exactly SETUP_CALLS of them.
    user = iam.create_user(UserName="platform")["User"]["Arn"]
    key = iam.create_access_key(UserName="platform")["AccessKey"]
    iam.put_user_policy(
        UserName="platform",
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello")
    external = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
    iam.create_role(RoleName="with-external-id", AssumeRolePolicyDocument=trust(user, external))
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=trust(user))
    iam.create_role(
        RoleName="someone-else", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/other")
    )
    iam.create_role(RoleName="longer-name", AssumeRolePolicyDocument=trust(user + "-2"))
    iam.create_role(
        RoleName="service-and-user",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                    {"Effect": "Allow", "Principal": {"AWS": user}, "Action": "sts:AssumeRole"},
                ],
            }
        ),
    )
    counts(endpoint, "/_peer/counts/reset", "POST")

    ak, sk = key["AccessKeyId"], key["SecretAccessKey"]
    sts, s3, cfn = (client(endpoint, name, ak, sk) for name in ("sts", "s3", "cloudformation"))
    check("wrong secret (STS)", lambda: client(endpoint, "sts", ak, "wrong").get_caller_identity(), "SignatureDoesNotMatch")
    check("wrong secret (S3)", lambda: client(endpoint, "s3", ak, "wrong").list_objects_v2(Bucket=BUCKET), "SignatureDoesNotMatch")
    check("unknown key id", lambda: client(endpoint, "sts").get_caller_identity(), "InvalidClientTokenId")

    def assume(name, **extra):
        return lambda: sts.assume_role(RoleArn=role_arn(name), RoleSessionName="check", **extra)["Credentials"]

    check("ExternalId condition, none given", assume("with-external-id"), "AccessDenied")
    check("ExternalId condition, wrong one", assume("with-external-id", ExternalId=EXTERNAL_ID + "-wrong"), "AccessDenied")
    credentials = check("ExternalId condition, right one", assume("with-external-id", ExternalId=EXTERNAL_ID))
    check("no condition, no ExternalId", assume("plain"))
    check("trust names another user", assume("someone-else"), "AccessDenied")
    check("trust names a longer ARN", assume("longer-name"), "AccessDenied")
    check("trust with a Service statement too", assume("service-and-user"))
    message = check("nonexistent role", assume("nope"), "AccessDenied")
    if "on resource: " + role_arn("nope") not in (message or ""):
        failures.append("nonexistent role message")
        print(f"FAIL nonexistent role message: {message}")
    check(
        "web identity, nonexistent role",
        lambda: client(endpoint, "sts").assume_role_with_web_identity(
            RoleArn=role_arn("nope"), RoleSessionName="check", WebIdentityToken="token"
        ),
        "AccessDenied",
    )

    if isinstance(credentials, dict):
        role_s3 = client(endpoint, "s3", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        check("role without S3 permissions lists", lambda: role_s3.list_objects_v2(Bucket=BUCKET), "AccessDenied")

    template = {
        "Resources": {
            "MediaAccessRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "media-reader",
                    "Path": "/connections/",
                    "AssumeRolePolicyDocument": json.loads(trust(user, external)),
                    "Policies": [
                        {
                            "PolicyName": "media-read",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [
                                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{BUCKET}/*"]},
                                    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [f"arn:aws:s3:::{BUCKET}"]},
                                ],
                            },
                        }
                    ],
                },
            }
        },
        "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["MediaAccessRole", "Arn"]}}},
    }
    check("CloudFormation create_stack", lambda: cfn.create_stack(StackName="media", TemplateBody=json.dumps(template)))
    stack_role = cfn.describe_stacks(StackName="media")["Stacks"][0]["Outputs"][0]["OutputValue"]
    credentials = check(
        "assume the stack's role",
        lambda: sts.assume_role(RoleArn=stack_role, RoleSessionName="check", ExternalId=EXTERNAL_ID)["Credentials"],
    )
    if isinstance(credentials, dict):
        reader = client(endpoint, "s3", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        check("stack role lists", lambda: reader.list_objects_v2(Bucket=BUCKET)["KeyCount"])
        check("stack role reads", lambda: reader.get_object(Bucket=BUCKET, Key="hello.txt")["Body"].read())

    check("put odd key", lambda: s3.put_object(Bucket=BUCKET, Key=ODD_KEY, Body=b"odd"))
    body = check("get odd key", lambda: s3.get_object(Bucket=BUCKET, Key=ODD_KEY)["Body"].read())
    listed = check("list by odd prefix", lambda: [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="a b(1)+")["Contents"]])
    if body != b"odd" or listed != [ODD_KEY]:
        failures.append("odd key round trip")
        print(f"FAIL odd key round trip: {body!r} {listed!r}")

    seen = counts(endpoint)
    expected = {"AssumeRole": 9, "AssumeRoleWithWebIdentity": 1, "GetObject": 2, "ListObjectsV2": 4}
    ok = all(seen[name] == n for name, n in expected.items())
    print(f"{'PASS' if ok else 'FAIL'} counts: {seen}")
    if not ok:
        failures.append("counts")
    zeroed = not any(counts(endpoint, "/_peer/counts/reset", "POST").values())
    print(f"{'PASS' if zeroed else 'FAIL'} counts reset")
    if not zeroed:
        failures.append("counts reset")


def run_presigned(endpoint):
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=ODD_KEY, Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": ODD_KEY})
    with urllib.request.urlopen(url) as response:
        body = response.read()
    ok = body == b"presigned" and counts(endpoint)["GetObject"] == 1
    print(f"{'PASS' if ok else 'FAIL'} presigned GET without auth: {body!r}")
    if not ok:
        failures.append("presigned")


if __name__ == "__main__":
    sys.exit(main())
