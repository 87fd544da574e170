"""What the Python tests that drive a demo csm-server share (tests/examples, tests/clients):
checks that print and count their failures, a Python that has websockets, the server on a
free port, and the exit status. Import it with tests/support on sys.path and
sys.dont_write_bytecode set (no __pycache__ in the source tree)."""
import os
import re
import shutil
import subprocess
import sys

SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def python_with_websockets():
    """This Python, or another on the machine, that can import websockets; None if none can."""
    for python in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if python and subprocess.run([python, "-c", "import websockets"],
                                     capture_output=True).returncode == 0:
            return python
    return None


class DemoServer:
    """BUILD_DIR/bin/csm-server with configs/demo.json on a free port, its log in
    WORK/server.log; `settings` are more `--set key=value` flags."""

    def __init__(self, build_dir, work, api_key=None, settings=()):
        self.binary = os.path.join(os.path.abspath(build_dir), "bin", "csm-server")
        self.work, self.api_key, self.settings = work, api_key, list(settings)
        self.proc = self.log = None

    def start(self):
        """The port it listens on, or None after printing why it did not start."""
        if not os.access(self.binary, os.X_OK):
            print(f"FAIL: no {self.binary}")
            return None
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        if self.api_key:
            env["CSM_API_KEYS"] = self.api_key
        flags = ["--set", "server.port=0"]
        for setting in self.settings:
            flags += ["--set", setting]
        self.log = open(os.path.join(self.work, "server.log"), "w+")
        self.proc = subprocess.Popen(
            [self.binary, "--config", os.path.join(SOURCE, "configs/demo.json"), *flags],
            stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)
        line = self.proc.stdout.readline()  # "csm-server listening on http://127.0.0.1:PORT"
        port = re.search(r"listening on http://[^ ]*:(\d+)", line)
        if not port:
            self.log.seek(0)
            print(f"FAIL: csm-server did not start: {line!r}\n{self.log.read()[-3000:]}")
            return None
        return int(port.group(1))

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log is not None:
            self.log.close()


def finish(work, name):
    """The test's exit status; WORK is removed when every check passed, kept otherwise."""
    if failures:
        print(f"{len(failures)} checks failed; files kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print(f"{name}: all checks passed")
    return 0
