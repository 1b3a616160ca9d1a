"""An ELT pipeline in the medallion style, as plain typed functions.

bronze: load each raw JSON file as it is into the warehouse;
silver: parse, clean and de-duplicate each bronze table;
gold:   join the silver tables into analytics tables.

Every function is fully annotated: ork reads the annotations to check each
edge of the workflow before anything runs. Only the standard library is used
(`sqlite3` for the warehouse).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCES = ("posts", "comments", "users")


class LoadResult(TypedDict):
    """What a bronze loader reports: the table it filled and how many rows."""

    table: str
    rows: int


class TransformResult(TypedDict):
    """What a silver transform reports; `dropped` counts rejected source rows."""

    table: str
    rows: int
    dropped: int


@dataclass
class TopPost:
    post_id: int
    title: str
    author: str
    comments: int


@dataclass
class UserEngagement:
    user_id: int
    name: str
    posts: int
    comments_received: int
    comments_written: int


@dataclass
class Analytics:
    top_posts: list[TopPost]
    user_engagement: list[UserEngagement]


# ---- bronze -----------------------------------------------------------------


def load_bronze(source: str, warehouse: str) -> LoadResult:
    """Copies data/<source>.json into bronze_<source>, one JSON payload per row.

    The table is rebuilt on every run, so running the pipeline twice gives the
    same warehouse.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    records: list[dict[str, Any]] = json.loads((DATA_DIR / f"{source}.json").read_text(encoding="utf-8"))
    table = f"bronze_{source}"
    with connect(warehouse) as db:
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        db.executemany(f"INSERT INTO {table} (payload) VALUES (?)", [(json.dumps(r),) for r in records])
    print(f"loaded {len(records)} {source} into {table}")
    return LoadResult(table=table, rows=len(records))


@contextmanager
def connect(warehouse: str) -> Iterator[sqlite3.Connection]:
    """A connection to the warehouse file that commits on success.

    The three loaders run at the same time: the busy timeout makes each wait
    for the others' write transactions instead of failing.
    """
    path = Path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30.0)
    try:
        with db:
            yield db
    finally:
        db.close()


# ---- silver -----------------------------------------------------------------


def silver_posts(bronze_posts: LoadResult, warehouse: str) -> TransformResult:
    """Posts with a real title, keyed by id; blank-titled drafts are dropped."""
    rows: list[tuple[int, int, str, int]] = []
    for post in read_payloads(warehouse, bronze_posts["table"]):
        title = str(post["title"]).strip()
        if title:
            rows.append((int(post["id"]), int(post["userId"]), title, len(str(post["body"]).split())))
    columns = ["id INTEGER PRIMARY KEY", "user_id INTEGER NOT NULL", "title TEXT NOT NULL", "words INTEGER NOT NULL"]
    return replace_table(warehouse, "silver_posts", columns, rows, bronze_posts["rows"])


def read_payloads(warehouse: str, table: str) -> list[dict[str, Any]]:
    with connect(warehouse) as db:
        return [json.loads(payload) for (payload,) in db.execute(f"SELECT payload FROM {table} ORDER BY seq")]


def replace_table(warehouse: str, table: str, columns: Sequence[str], rows: Sequence[tuple[int | str, ...]],
                  source_rows: int) -> TransformResult:
    placeholders = ", ".join("?" * len(columns))
    with connect(warehouse) as db:
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        db.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
    print(f"{table}: kept {len(rows)} of {source_rows} rows")
    return TransformResult(table=table, rows=len(rows), dropped=source_rows - len(rows))


def silver_comments(bronze_comments: LoadResult, warehouse: str) -> TransformResult:
    """Comments de-duplicated by id, with e-mail addresses lower-cased."""
    by_id: dict[int, tuple[int, int, str, str]] = {}
    for comment in read_payloads(warehouse, bronze_comments["table"]):
        comment_id = int(comment["id"])
        by_id.setdefault(comment_id, (comment_id, int(comment["postId"]), str(comment["email"]).lower(),
                                      str(comment["body"])))
    columns = ["id INTEGER PRIMARY KEY", "post_id INTEGER NOT NULL", "email TEXT NOT NULL", "body TEXT NOT NULL"]
    return replace_table(warehouse, "silver_comments", columns, list(by_id.values()), bronze_comments["rows"])


def silver_users(bronze_users: LoadResult, warehouse: str) -> TransformResult:
    """Users flattened (the city leaves its nested address), e-mails lower-cased."""
    rows: list[tuple[int, str, str, str, str]] = []
    for user in read_payloads(warehouse, bronze_users["table"]):
        address = user.get("address")
        city = str(address.get("city", "")) if isinstance(address, dict) else ""
        rows.append((int(user["id"]), str(user["name"]), str(user["username"]), str(user["email"]).lower(), city))
    columns = ["id INTEGER PRIMARY KEY", "name TEXT NOT NULL", "username TEXT NOT NULL", "email TEXT NOT NULL",
               "city TEXT NOT NULL"]
    return replace_table(warehouse, "silver_users", columns, rows, bronze_users["rows"])


# ---- gold -------------------------------------------------------------------


def gold_analytics(silver_posts: TransformResult, silver_comments: TransformResult, silver_users: TransformResult,
                   warehouse: str, top: int = 3) -> Analytics:
    """Builds gold_top_posts and gold_user_engagement and returns both.

    Its three silver parameters are bound by name to the upstream tasks'
    outputs, which name the tables to read.
    """
    posts, comments, users = silver_posts["table"], silver_comments["table"], silver_users["table"]
    with connect(warehouse) as db:
        db.execute("DROP TABLE IF EXISTS gold_top_posts")
        db.execute(f"""CREATE TABLE gold_top_posts AS
            SELECT p.id AS post_id, p.title AS title, u.name AS author, count(c.id) AS comments
            FROM {posts} p JOIN {users} u ON u.id = p.user_id LEFT JOIN {comments} c ON c.post_id = p.id
            GROUP BY p.id ORDER BY comments DESC, p.id LIMIT ?""", (top,))
        db.execute("DROP TABLE IF EXISTS gold_user_engagement")
        db.execute(f"""CREATE TABLE gold_user_engagement AS
            SELECT u.id AS user_id, u.name AS name,
                   (SELECT count(*) FROM {posts} p WHERE p.user_id = u.id) AS posts,
                   (SELECT count(*) FROM {comments} c JOIN {posts} p ON p.id = c.post_id
                     WHERE p.user_id = u.id) AS comments_received,
                   (SELECT count(*) FROM {comments} c WHERE c.email = u.email) AS comments_written
            FROM {users} u ORDER BY u.id""")
        top_posts = [TopPost(*row) for row in db.execute("SELECT * FROM gold_top_posts ORDER BY comments DESC, post_id")]
        engagement = [UserEngagement(*row) for row in db.execute("SELECT * FROM gold_user_engagement ORDER BY user_id")]
    for post in top_posts:
        plural = "" if post.comments == 1 else "s"
        print(f"top post {post.post_id} by {post.author}: {post.comments} comment{plural}")
    return Analytics(top_posts=top_posts, user_engagement=engagement)
