"""Runs one browser test file (web/tests/*.test.mjs) against a real
merchantd serving the built console (web/dist) and a database of its own.

The server comes from tests/integration/harness.py (the same as the
integration tests': test mode, its exit checked for sanitizer reports); the
test file runs under `node --test` with Playwright driving Debian's
chromium. Environment given to the tests: MERCHANTD_URL, DATABASE_URL,
MERCHANTD_BIN, SCREENSHOTS (where pages' screenshots go).

usage: run.py FILE.test.mjs [node --test options...]
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import harness  # noqa: E402


def main():
    test = os.path.abspath(sys.argv[1])
    dist = os.path.join(REPO, "web", "dist")
    if not os.path.exists(os.path.join(dist, "index.html")):
        sys.exit(f"{dist}/index.html is missing: build the console first (cd web && npm run build)")
    server = harness.start_server(env={"MERCHANTD_WEB_DIR": dist,
                                       "MERCHANTD_LOG_LEVEL": "error", **harness.deployment_secrets()})
    env = dict(os.environ)
    env.update({
        "MERCHANTD_URL": f"http://127.0.0.1:{server.port}",
        "DATABASE_URL": server.db_url,
        "MERCHANTD_BIN": harness.MERCHANTD,
        "SCREENSHOTS": os.environ.get("SCREENSHOTS",
                                      os.path.join(REPO, "web", "test-results", "screenshots")),
    })
    rc = subprocess.run(["node", "--test", "--test-concurrency=1", *sys.argv[2:], test],
                        env=env, cwd=os.path.join(REPO, "web")).returncode
    try:
        harness.stop_all()
    except AssertionError as e:
        print(f"FAIL the server did not stop cleanly: {e}", flush=True)
        rc = rc or 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
