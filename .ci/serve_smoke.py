"""CI: `tadlog serve` as installed answers its page, its API and its CDS Hooks discovery.

Starts the installed command on a free loopback port, asks, and stops it; standard library only.
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen(["tadlog", "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True)
try:
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                sys.exit(f"tadlog serve exited: {server.stderr.read()}")
            time.sleep(0.1)
    page = urllib.request.urlopen(base + "/?q=why+not+infrazygomatic%3F").read().decode()
    ask = urllib.request.Request(base + "/v1/ask", data=json.dumps({"question": "why midpalate?"}).encode(),
                                 headers={"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(ask))
    services = json.load(urllib.request.urlopen(base + "/cds-services"))["services"]
    assert 'id="verdict"' in page and answer["verdict"] and services, "the service did not answer"
    print(f"tadlog serve: page, /v1/ask ({answer['verdict'][:60]}...) and {len(services)} CDS service(s) answer")
finally:
    server.terminate()
    server.wait(timeout=20)
