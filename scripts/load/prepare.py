"""Signs in as many teachers of a generated region as asked and writes the requests a
load run replays: for each teacher one group, the group's enrolled children, and the
session cookie. Output: a Lua file for wrk (`targets.lua`).

usage: prepare.py BASE_URL DATABASE_URL COUNT DAY OUT.lua
The accounts are the generator's (`teacher-<staff id>`, password TABEL_REGION_PASSWORD
or region-2026). SQLite is read with Python's sqlite3, PostgreSQL with psql.
"""
import json
import os
import subprocess
import sqlite3
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def query(database_url, sql):
    if database_url.startswith("postgres"):
        out = subprocess.run(["psql", database_url, "-qtAF", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]
    path = database_url.removeprefix("sqlite://").split("?")[0]
    with sqlite3.connect(path) as db:
        return [[str(v) for v in row] for row in db.execute(sql)]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base_url, login, password):
    body = urllib.parse.urlencode({"login": login, "password": password}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        res = opener.open(urllib.request.Request(f"{base_url}/api/login", data=body))
    except urllib.error.HTTPError as e:  # a redirect after login is a success too
        res = e
    cookie = res.headers.get("Set-Cookie", "")
    if not cookie:
        raise SystemExit(f"login of {login} failed: {res.status}")
    return cookie.split(";")[0]


def main():
    base_url, database_url, count, day, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    password = os.environ.get("TABEL_REGION_PASSWORD", "region-2026")
    # One group per teacher, each group once: the morning of a whole region.
    rows = query(database_url, f"""
        SELECT a.login, MIN(tg.group_id) FROM accounts a JOIN staff s ON s.person_id = a.person_id
        JOIN teacher_groups tg ON tg.staff_id = s.id
        WHERE a.login LIKE 'teacher-%' GROUP BY a.login ORDER BY MIN(tg.group_id) LIMIT {count * 2}""")
    seen, teachers = set(), []
    for login, group in rows:
        if group not in seen and len(teachers) < count:
            seen.add(group)
            teachers.append((login, int(group)))
    children = {}
    for child, group in query(database_url, f"""
            SELECT c.id, c.group_id FROM children c WHERE c.enrolled_on <= '{day}'
            AND (c.left_on IS NULL OR c.left_on >= '{day}') ORDER BY c.id"""):
        children.setdefault(int(group), []).append(int(child))
    with ThreadPoolExecutor(max_workers=8) as pool:
        cookies = list(pool.map(lambda t: sign_in(base_url, t[0], password), teachers))
    marks_per_request = []
    with open(out, "w", encoding="utf-8") as f:
        f.write("return {\n")
        for (login, group), cookie in zip(teachers, cookies):
            kids = children.get(group, [])
            if not kids:
                continue
            bodies = [
                json.dumps({"group_id": group, "date": day, "marks": [
                    {"child_id": c, "mark": mark} for c in kids]})
                for mark in ("Present", {"Absent": {"reason": "Б"}})
            ]
            marks_per_request.append(len(kids))
            f.write("  { cookie = %s, group = %d, bodies = { %s, %s } },\n" % (
                json.dumps(cookie), group, json.dumps(bodies[0]), json.dumps(bodies[1])))
        f.write("}\n")
    print(f"{len(marks_per_request)} teachers signed in, "
          f"{sum(marks_per_request) / max(1, len(marks_per_request)):.1f} marks per request")


if __name__ == "__main__":
    main()
