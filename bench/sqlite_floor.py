#!/usr/bin/env python3
"""What SQLite alone needs to write an import's rows: copies the customers and contacts of an
imported ucm database into a fresh database with the same schema (indexes and triggers) in
one transaction of two INSERT ... SELECT statements, and prints the seconds.

The machine this runs on is shared and its speed drifts by half between runs, so an import's
time means most next to this floor measured in the same minute.
Usage: bench/sqlite_floor.py IMPORTED.sqlite WORK_DIR
"""
import os
import sqlite3
import sys
import time

src, work = sys.argv[1], sys.argv[2]
dst = os.path.join(work, "floor.sqlite")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(dst + suffix):
        os.remove(dst + suffix)
old = sqlite3.connect(src)
schema = old.execute(
    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
).fetchall()
old.close()
db = sqlite3.connect(dst, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("PRAGMA foreign_keys = ON")
db.execute("PRAGMA cache_size = -32768")
for kind, name, sql in schema:
    if name.startswith("sqlite_"):
        continue
    db.execute(sql)
db.execute("ATTACH ? AS old", (src,))
for table in ("users", "customer_types"):
    db.execute(f"DELETE FROM {table}")
    db.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
start = time.monotonic()
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO customers SELECT * FROM old.customers")
db.execute("INSERT INTO contacts SELECT * FROM old.contacts")
db.execute("COMMIT")
print(f"{time.monotonic() - start:.2f}")
