"""The yardstick: bare Starlette reading the same 50 rows with raw sqlite3."""

import json
import os
import sqlite3

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DATABASE = os.environ["BENCH_SQLITE_PATH"]
COLUMNS = (
    "id, name, kind, website, description, staff_count, volunteer_count, expertise, "
    "communities, version, created_at, updated_at"
)


def organizations(request):  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(DATABASE)
    connection.row_factory = sqlite3.Row
    rows = connection.execute(
        f"SELECT {COLUMNS} FROM organization WHERE deleted_at IS NULL ORDER BY id LIMIT 51"  # noqa: S608
    ).fetchall()
    connection.close()
    items = []
    for row in rows[:50]:
        item = dict(row)
        item["expertise"] = json.loads(item["expertise"])
        item["communities"] = json.loads(item["communities"])
        items.append(item)
    body = {"items": items, "next_cursor": rows[-1]["id"] if len(rows) > 50 else None}
    return Response(json.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/api/v1/organizations", organizations)])
