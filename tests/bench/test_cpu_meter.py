"""The load tests' account of where the machine's CPU went (apps/bench/load/common.py)."""

import os
import subprocess
import sys
import time

from apps.bench.load import common


class FakeServer:
    """A server whose CPU the test sets by hand."""

    def __init__(self) -> None:
        self.spent = 10.0

    def cpu_seconds(self) -> float:
        return self.spent


def burn(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_the_generator_is_this_process_and_the_server_is_measured_apart():
    server = FakeServer()
    started = time.monotonic()
    meter = common.CpuMeter(server)
    made = time.monotonic()
    burn(0.3)
    server.spent += 1.5
    before_read = time.monotonic()
    report = meter.read()
    after_read = time.monotonic()
    assert 0.25 <= report["generator_cpu_s"] < 1.5
    assert report["server_cpu_s"] == 1.5
    # The meter's window lies between the two readings of the clock around each end.
    cores = os.cpu_count() or 1
    shortest, longest = before_read - made, after_read - started
    share = report["shares"]["server"]
    assert 1.5 / (longest * cores) - 0.001 <= share <= 1.5 / (shortest * cores) + 0.001
    generator = report["shares"]["generator"]
    assert generator <= report["generator_cpu_s"] / (shortest * cores) + 0.001
    assert generator >= report["generator_cpu_s"] / (longest * cores) - 0.01


def test_a_named_service_counts_the_time_of_its_processes(tmp_path):
    # A process with a name of its own (Python under another name), burning CPU.
    program = tmp_path / "baro-burner"
    program.symlink_to(sys.executable)
    child = subprocess.Popen(
        [
            str(program),
            "-c",
            "import time\nuntil = time.process_time() + 1.0\n"
            "while time.process_time() < until: pass\ntime.sleep(5)",
        ]
    )
    try:
        before = common.cpu_seconds_named(("baro-burner",))
        deadline = time.monotonic() + 20
        while common.cpu_seconds_named(("baro-burner",)) - before < 0.3:
            assert time.monotonic() < deadline, "the burner's CPU time never showed"
            time.sleep(0.05)
        assert common.cpu_seconds_named(("no-such-program",)) == 0
    finally:
        child.kill()
        child.wait()
