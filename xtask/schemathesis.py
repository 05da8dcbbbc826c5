"""schemathesis against the running server's /api/openapi.json, signed in as a resident and
as community staff: no answer may be a 5xx, and every answer must be what the document says
(status code, content type, body schema, headers). Run by `cargo xtask test` with the pinned
schemathesis in .tools/venv; `python schemathesis.py http://127.0.0.1:PORT`.
"""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
# The demo's resident of 杉湾花园 and its community staff member (README's table).
PEOPLE = [("resident", "13900000001"), ("community staff", "13900000301")]
PASSWORD = "yiwantang-demo"


def session_cookie(base: str, phone: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/session",
        data=json.dumps({"phone": phone, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "Origin": base},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("ywt_session="):
                return header.split(";", 1)[0]
    raise SystemExit(f"signing in {phone} gave no session cookie")


def main() -> int:
    base = sys.argv[1].rstrip("/")
    st = Path(sys.executable).parent / "st"
    failed = []
    # Both sign in first: the runs try wrong passwords, and the address limit then (rightly)
    # refuses further sign-ins from this machine for a while.
    cookies = [(who, phone, session_cookie(base, phone)) for who, phone in PEOPLE]
    for who, phone, cookie in cookies:
        print(f"\n--- schemathesis as {who} ({phone})", flush=True)
        run = subprocess.run(
            [
                str(st),
                "run",
                f"{base}/api/openapi.json",
                "--header", f"Cookie: {cookie}",
                "--header", f"Origin: {base}",
                "--checks", CHECKS,
                "--max-examples", "50",
                "--seed", "20261201",
                "--no-color",
            ]
        )
        if run.returncode != 0:
            failed.append(who)
    if failed:
        print(f"\nschemathesis found answers that break the document (as {', '.join(failed)})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
