"""The load tests' account of where the machine's CPU went (apps/bench/load/common.py)."""

import os
import subprocess
import sys
import time

import pytest

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
    burn(0.3)
    server.spent += 1.5
    report = meter.read()
    wall = time.monotonic() - started
    assert 0.25 <= report["generator_cpu_s"] < 1.5
    assert report["server_cpu_s"] == 1.5
    cores = os.cpu_count() or 1
    assert report["shares"]["server"] == pytest.approx(1.5 / (wall * cores), rel=0.05)
    assert report["shares"]["generator"] == pytest.approx(
        report["generator_cpu_s"] / (wall * cores), rel=0.05, abs=0.002
    )


def test_a_named_service_counts_the_time_of_its_processes(tmp_path):
    # A process with a name of its own (Python under another name), burning CPU.
    program = tmp_path / "baro-burner"
    program.symlink_to(sys.executable)
    child = subprocess.Popen(
        [
            str(program),
            "-c",
            "import time\nuntil = time.process_time() + 0.4\n"
            "while time.process_time() < until: pass\ntime.sleep(5)",
        ]
    )
    try:
        before = common.cpu_seconds_named(("baro-burner",))
        time.sleep(1.0)
        after = common.cpu_seconds_named(("baro-burner",))
        assert after - before >= 0.3
        assert common.cpu_seconds_named(("no-such-program",)) == 0
    finally:
        child.kill()
        child.wait()
