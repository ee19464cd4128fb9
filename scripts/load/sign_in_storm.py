"""A storm of wrong passwords for one login, and the owner signing in meanwhile.

Fires N (default 400) concurrent sign-ins with wrong passwords for LOGIN from one
loopback address (127.0.0.2) while sampling the server's memory, and in the middle of
it signs the owner in from another (127.0.0.3). Fails (exit 1) if more than the allowed
five guesses were checked (HTTP 401), any answer was a 500, the owner was refused, or
the server's peak RSS passed the limit.

usage: sign_in_storm.py BASE_URL SERVER_PID LOGIN PASSWORD [N] [RSS_LIMIT_MB]
"""
import http.client
import sys
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

ALLOWED_GUESSES = 5


def sign_in(host, port, source, login, password):
    body = urllib.parse.urlencode({"login": login, "password": password})
    conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", "/api/login", body,
                     {"Content-Type": "application/x-www-form-urlencoded"})
        res = conn.getresponse()
        res.read()
        return res.status
    except OSError as e:
        return f"error: {e.__class__.__name__}"
    finally:
        conn.close()


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    base_url, pid, login, password = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 400
    limit_mb = int(sys.argv[6]) if len(sys.argv) > 6 else 300
    url = urllib.parse.urlsplit(base_url)
    host, port = url.hostname, url.port

    rss_before = rss_kb(pid, "VmRSS")
    peak = [rss_before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid, "VmRSS"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = threading.Barrier(n + 1)

    def guess(i):
        start.wait()
        return sign_in(host, port, "127.0.0.2", login, f"wrong-password-{i}")

    owner = {}
    with ThreadPoolExecutor(max_workers=n + 1) as pool:
        futures = [pool.submit(guess, i) for i in range(n)]
        t0 = time.monotonic()
        start.wait()
        time.sleep(0.05)  # the storm is under way
        t1 = time.monotonic()
        owner["status"] = sign_in(host, port, "127.0.0.3", login, password)
        owner["seconds"] = time.monotonic() - t1
        statuses = Counter(f.result() for f in futures)
        storm_seconds = time.monotonic() - t0
    done.set()
    sampler.join()
    hwm = rss_kb(pid, "VmHWM")

    print(f"{n} wrong sign-ins for {login!r} from one address, in {storm_seconds:.2f} s: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str)))
    print(f"checked (401): {statuses.get(401, 0)} (allowed {ALLOWED_GUESSES})")
    print(f"owner from another address: HTTP {owner['status']} in {owner['seconds'] * 1000:.0f} ms")
    print(f"server RSS: {rss_before // 1024} MB before, {peak[0] // 1024} MB peak during, "
          f"VmHWM {hwm // 1024} MB")
    failures = []
    if statuses.get(401, 0) > ALLOWED_GUESSES:
        failures.append("more guesses were checked than allowed")
    if any(not isinstance(s, int) or s >= 500 and s != 503 for s in statuses):
        failures.append("answers other than 401/429/503")
    if owner["status"] != 200:
        failures.append("the owner was refused")
    if hwm > limit_mb * 1024:
        failures.append(f"peak RSS above {limit_mb} MB")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
