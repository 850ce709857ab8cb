"""The Python client against a live `botect serve` (SQLite in a temporary directory): the
quickstart flow end to end over gRPC, an error mapped to its flat code, and the verdict helper
failing open at its deadline.

    python -m unittest discover -s clients/python/tests     # BOTECT_BIN overrides target/debug/botect
"""
import datetime
import os
import pathlib
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

import grpc
from google.protobuf import struct_pb2

from botect import Botect, code_of, FAIL_OPEN_REASON
from botect.v1 import common_pb2, ingest_pb2, projects_pb2, scoring_pb2, verdict_pb2

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = os.environ.get("BOTECT_BIN", str(ROOT / "target" / "debug" / "botect"))


class LiveServer:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = f"sqlite://{self.dir.name}/botect.db"
        env = dict(os.environ, BOTECT_LOG="warn")
        self.proc = subprocess.Popen(
            [BIN, "--database-url", self.db, "serve", "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        deadline = time.time() + 30
        self.addr = None
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("botect listening on http://"):
                self.addr = line.split("http://", 1)[1].split()[0]
                break
        if not self.addr:
            self.stop()
            raise RuntimeError("botect serve did not start")
        # Keep draining its output.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def cli(self, *args):
        out = subprocess.run(
            [BIN, "--database-url", self.db, *args],
            capture_output=True,
            text=True,
            env=dict(os.environ, BOTECT_LOG="warn"),
            check=True,
        )
        return out.stdout

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.dir.cleanup()


def mouse_event(payload):
    p = struct_pb2.Struct()
    p.update(payload)
    return ingest_pb2.Event(
        request_id=uuid.uuid4().hex,
        type=ingest_pb2.mouse,
        received_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        payload=p,
    )


def tenant(server, name):
    """The quickstart's first steps: an account and a token (CLI), a project and scoring
    (gRPC). Returns (client, token, project id, site key, private key)."""
    botect = Botect(f"http://{server.addr}")
    email = f"{uuid.uuid4().hex}@python-client.test"
    server.cli("account", "create", "--name", name, "--email", email)
    token = server.cli("token", "create", "--email", email, "--name", "python").strip()
    project = botect.projects(token).CreateProject(projects_pb2.CreateProjectRequest(name=f"{name} site"))
    enabled = botect.scoring(token).EnableScoring(scoring_pb2.EnableScoringRequest(project=project.id))
    return botect, token, project.id, enabled.site_key, enabled.private_key.value


class LiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = LiveServer()
        cls.botect, cls.token, _, cls.site_key, cls.private_key = tenant(cls.server, "Python Shop")

    @classmethod
    def tearDownClass(cls):
        cls.botect.close()
        cls.server.stop()

    def test_quickstart_flow(self):
        self.assertTrue(self.site_key.startswith("pk_"))
        self.assertTrue(self.private_key.startswith("sk_"))
        ack = self.botect.ingest(self.site_key).IngestEvents(
            ingest_pb2.IngestEventsRequest(events=[mouse_event({"entropy": 0.74, "samples": 128})])
        )
        self.assertTrue(ack.session_token.startswith("sess_"), ack)
        self.assertEqual(ack.accepted, 1)
        deadline = time.time() + 20
        while True:
            v = self.botect.verdict(self.private_key, ack.session_token, path="/checkout", deadline=2.0)
            if v.verdict != common_pb2.not_computed or time.time() > deadline:
                break
            time.sleep(0.1)
        # The README quickstart's verdict: a script posting one mouse event is no browser
        # (no SDK evidence, no proof of work), and observe-first defaults still allow it.
        self.assertEqual(v.verdict, common_pb2.likely_automated, v)
        self.assertEqual(v.score, 4)
        self.assertEqual(v.action, common_pb2.allow)
        self.assertEqual(list(v.detection_ids), [16777226, 16777227])

    def test_errors_carry_the_flat_code(self):
        with self.assertRaises(grpc.RpcError) as bad:
            self.botect.ingest(self.site_key).IngestEvents(
                ingest_pb2.IngestEventsRequest(events=[ingest_pb2.Event(request_id="not valid!", type=ingest_pb2.mouse)])
            )
        self.assertEqual(bad.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(code_of(bad.exception), "INVALID_PAYLOAD")
        # A credential of one kind does not work for another kind's service.
        with self.assertRaises(grpc.RpcError) as wrong:
            self.botect.verdicts(self.site_key).GetVerdict(
                verdict_pb2.GetVerdictRequest(session_token="sess_x")
            )
        self.assertEqual(code_of(wrong.exception), "UNAUTHENTICATED")

    def test_verdict_fails_open_within_its_deadline(self):
        # A server that accepts connections and never answers.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        held = []
        threading.Thread(target=lambda: held.extend(silent.accept() for _ in range(4)), daemon=True).start()
        with Botect(f"127.0.0.1:{silent.getsockname()[1]}") as mute:
            start = time.monotonic()
            v = mute.verdict(self.private_key, "sess_" + "0" * 48, deadline=0.2)
            took = time.monotonic() - start
        silent.close()
        self.assertEqual((v.verdict, v.action, v.score), (common_pb2.not_computed, common_pb2.allow, 0))
        self.assertEqual(v.reason, FAIL_OPEN_REASON)
        self.assertLess(took, 1.0)


if __name__ == "__main__":
    unittest.main()
