"""A short flow through the Python client generated from the served OpenAPI document.

    python3 flow.py BASE_URL API_KEY        (with the generated package `aws_connections_client`
                                             on PYTHONPATH)

create, list, update with the version, a stale update answered with the 409 problem (parsed
into the generated model), delete, and the deleted connection's 404. Exits non-zero, saying
which step, on anything unexpected.
"""

import sys
import uuid

from aws_connections_client import AuthenticatedClient
from aws_connections_client.api.connections import (
    create_connection,
    delete_connection,
    get_connection,
    list_connections,
    update_connection,
)
from aws_connections_client.models import AwsRegion, Connection, CreateConnectionRequest, UpdateConnectionRequest


def check(condition, step, detail):
    if not condition:
        sys.exit(f"python client flow: {step}: {detail}")


def main():
    base_url, key = sys.argv[1], sys.argv[2]
    client = AuthenticatedClient(base_url=base_url, token=key, prefix="Bearer", raise_on_unexpected_status=True)
    name = f"python {uuid.uuid4().hex[:8]}"

    created = create_connection.sync_detailed(
        client=client,
        body=CreateConnectionRequest(name=name, aws_account_id="123456789012", aws_region=AwsRegion.EU_WEST_1),
        idempotency_key=str(uuid.uuid4()),
    )
    check(created.status_code == 201 and isinstance(created.parsed, Connection), "create", created.content)
    connection = created.parsed
    check(connection.version == 1 and connection.name == name, "create", connection)

    listed = list_connections.sync(client=client, name=name)
    check([item.connection_id for item in listed.items] == [connection.connection_id], "list", listed)

    updated = update_connection.sync(
        client=client, connectionid=connection.connection_id,
        body=UpdateConnectionRequest(name=name + " renamed", version=1))
    check(isinstance(updated, Connection) and updated.version == 2, "update with the version", updated)

    stale = update_connection.sync_detailed(
        client=client, connectionid=connection.connection_id,
        body=UpdateConnectionRequest(name=name + " again", version=1))
    problem = stale.parsed
    check(stale.status_code == 409, "stale update", stale.content)
    check(problem is not None and problem.code.value == "version_conflict" and problem.current_version == 2,
          "stale update's problem", stale.content)

    deleted = delete_connection.sync_detailed(client=client, connectionid=connection.connection_id)
    check(deleted.status_code == 204, "delete", deleted.content)
    gone = get_connection.sync_detailed(client=client, connectionid=connection.connection_id)
    check(gone.status_code == 404 and gone.parsed.code.value == "connection_not_found", "get after delete", gone.content)
    print("python client flow: create, list, update, stale update 409, delete, 404: ok")


if __name__ == "__main__":
    main()
