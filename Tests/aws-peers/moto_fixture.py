"""Arranges AWS state on a moto server for the project's tests, with boto3.

Usage: python3 moto_fixture.py ENDPOINT COMMAND [JSON]
Prints one JSON object. Commands:
  admin                       create IAM user `platform` allowed everything, with an access
                              key: the platform's own principal (3 unauthenticated calls on a
                              server started with --auth)
  role {name, trust, permissions?, path?, credentials}
                              create a role with a trust policy and an optional inline policy
  bucket {name, credentials}  create a bucket
  put {bucket, key, body_b64, credentials}
                              store an object
  deploy {stack, template_path, credentials}
                              deploy a CloudFormation template and wait for it; prints its outputs
Every command but `admin` signs with the credentials given (access key id and secret).
"""
import base64
import json
import sys

import boto3
from botocore.config import Config

REGION = "us-east-1"


def client(endpoint, service, credentials=None):
    kwargs = {}
    if credentials:
        kwargs["aws_access_key_id"] = credentials["accessKeyId"]
        kwargs["aws_secret_access_key"] = credentials["secretAccessKey"]
    else:
        kwargs["aws_access_key_id"] = "AKIAUNAUTHENTICATED0"
        kwargs["aws_secret_access_key"] = "unauthenticated"
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
        **kwargs,
    )


def admin(endpoint, _args):
    iam = client(endpoint, "iam")
    user = iam.create_user(UserName="platform")["User"]
    iam.put_user_policy(
        UserName="platform",
        PolicyName="everything",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="platform")["AccessKey"]
    return {"arn": user["Arn"], "accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def role(endpoint, args):
    iam = client(endpoint, "iam", args["credentials"])
    created = iam.create_role(
        RoleName=args["name"], Path=args.get("path", "/"), AssumeRolePolicyDocument=json.dumps(args["trust"])
    )["Role"]
    if args.get("permissions"):
        iam.put_role_policy(
            RoleName=args["name"], PolicyName="media-read", PolicyDocument=json.dumps(args["permissions"])
        )
    return {"arn": created["Arn"]}


def bucket(endpoint, args):
    client(endpoint, "s3", args["credentials"]).create_bucket(Bucket=args["name"])
    return {"bucket": args["name"]}


def put(endpoint, args):
    client(endpoint, "s3", args["credentials"]).put_object(
        Bucket=args["bucket"], Key=args["key"], Body=base64.b64decode(args["body_b64"])
    )
    return {"key": args["key"]}


def deploy(endpoint, args):
    cloudformation = client(endpoint, "cloudformation", args["credentials"])
    with open(args["template_path"]) as f:
        body = f.read()
    cloudformation.create_stack(StackName=args["stack"], TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = cloudformation.describe_stacks(StackName=args["stack"])["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {"status": stack["StackStatus"], "outputs": outputs}


COMMANDS = {"admin": admin, "role": role, "bucket": bucket, "put": put, "deploy": deploy}

if __name__ == "__main__":
    endpoint, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    print(json.dumps(COMMANDS[command](endpoint, arguments)))
