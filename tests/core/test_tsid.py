import itertools
import multiprocessing
import os
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core import tsid
from apps.core.fields import TSID

ids = st.integers(min_value=0, max_value=tsid.MAX_VALUE)
CROCKFORD = set(tsid.ALPHABET)


@given(ids)
def test_round_trips_between_int_and_string(value):
    text = tsid.encode(value)
    assert len(text) == 13
    assert set(text) <= CROCKFORD
    assert tsid.decode(text) == value


@given(ids)
def test_decoding_ignores_case(value):
    text = tsid.encode(value)
    assert tsid.decode(text.lower()) == value
    assert tsid.decode(text.swapcase()) == value


@given(ids)
def test_reads_i_and_l_as_one_and_o_as_zero(value):
    text = tsid.encode(value)
    ambiguous = text.replace("1", "I").replace("0", "O")
    assert tsid.decode(ambiguous) == value
    assert tsid.decode(text.replace("1", "l")) == value


@given(ids, ids)
def test_string_order_matches_numeric_order(a, b):
    assert (tsid.encode(a) < tsid.encode(b)) == (a < b)


@given(st.text(max_size=20).filter(lambda s: len(s) != 13))
def test_rejects_strings_of_the_wrong_length(text):
    with pytest.raises(tsid.InvalidTSID):
        tsid.decode(text)


@given(st.text(min_size=13, max_size=13).filter(lambda s: any(c not in tsid._DECODE for c in s)))
def test_rejects_characters_outside_the_alphabet(text):
    with pytest.raises(tsid.InvalidTSID):
        tsid.decode(text)


@pytest.mark.parametrize(
    "text", ["U000000000000", "8000000000000", "ZZZZZZZZZZZZZ", "0000-00000000"]
)
def test_rejects_u_punctuation_and_values_past_63_bits(text):
    with pytest.raises(tsid.InvalidTSID):
        tsid.decode(text)


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=tsid.MAX_VALUE + 1)))
def test_encode_rejects_out_of_range_integers(value):
    with pytest.raises(tsid.InvalidTSID):
        tsid.encode(value)


@given(ids)
def test_tsid_int_prints_as_its_string(value):
    assert str(TSID(value)) == tsid.encode(value)
    assert TSID.parse(str(TSID(value)).lower()) == value


def test_layout_carries_time_node_and_counter():
    generator = tsid.Generator(node=517, clock=lambda: (tsid.EPOCH_MS + 123_456) * 1_000_000)
    value = generator.next()
    assert value >> tsid.RANDOM_BITS == 123_456
    assert (value >> tsid.COUNTER_BITS) & tsid.NODE_MAX == 517
    assert tsid.to_datetime_ms(value) == tsid.EPOCH_MS + 123_456


def test_strictly_increasing_within_a_thread():
    generator = tsid.Generator(node=1)
    values = [generator.next() for _ in range(200_000)]
    assert all(a < b for a, b in itertools.pairwise(values))


def test_strictly_increasing_when_the_clock_stalls_or_steps_back():
    now = [tsid.EPOCH_MS * 1_000_000 + 10**12]

    def clock():
        return now[0]

    generator = tsid.Generator(node=3, clock=clock)
    values = []
    for step in range(30_000):  # several counter overflows within one "millisecond"
        values.append(generator.next())
        if step == 10_000:
            now[0] -= 5_000_000_000  # NTP steps the clock back five seconds
    assert all(a < b for a, b in itertools.pairwise(values))


def test_unique_across_8_threads_of_50000():
    generator = tsid.Generator(node=7)
    results: list[list[int]] = [[] for _ in range(8)]

    def work(slot: int) -> None:
        results[slot] = [generator.next() for _ in range(50_000)]

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [value for chunk in results for value in chunk]
    assert len(everything) == 400_000
    assert len(set(everything)) == len(everything)
    for chunk in results:  # each thread still sees its own ids increase
        assert all(a < b for a, b in itertools.pairwise(chunk))


def _generate_in_process(node: str | None, count: int, queue) -> None:
    if node is None:
        os.environ.pop("BARO_TSID_NODE", None)
    else:
        os.environ["BARO_TSID_NODE"] = node
    import importlib

    from apps.core import tsid as module

    importlib.reload(module)  # a fresh process-wide generator reading the environment
    queue.put((module.current_node(), [module.new_tsid() for _ in range(count)]))


def _run_processes(nodes: list[str | None], count: int) -> list[tuple[int, list[int]]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_generate_in_process, args=(node, count, queue)) for node in nodes
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return results


def test_unique_across_4_processes_with_distinct_nodes():
    results = _run_processes(["1", "2", "3", "4"], 50_000)
    assert sorted(node for node, _ in results) == [1, 2, 3, 4]
    everything = [value for _, chunk in results for value in chunk]
    assert len(set(everything)) == len(everything) == 200_000


def test_processes_with_random_nodes_draw_their_own_node_and_never_overlap():
    results = _run_processes([None, None, None, None], 50_000)
    for node, chunk in results:
        assert 0 <= node <= tsid.NODE_MAX
        assert {(value >> tsid.COUNTER_BITS) & tsid.NODE_MAX for value in chunk} == {node}
    # Ids can only meet when two processes drew the same node (1 in 1024 per pair),
    # which is why gunicorn hands its workers distinct nodes; any two processes that
    # drew different nodes never share an id.
    for i, (node_a, chunk_a) in enumerate(results):
        for node_b, chunk_b in results[i + 1 :]:
            if node_a != node_b:
                assert not set(chunk_a) & set(chunk_b)


def test_a_forked_child_draws_a_new_node_and_restarts_its_sequence():
    script = (
        "import os, sys\n"
        "from apps.core import tsid\n"
        "parent = [tsid.new_tsid() for _ in range(3)]\n"
        "r, w = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.write(w, f'{tsid._generator._last_ms} {tsid.new_tsid()}'.encode()); os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "last_ms, child = os.read(r, 100).decode().split()\n"
        "print(int(last_ms) == -1, int(child) not in parent)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "BARO_TSID_NODE"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["True", "True"]


def test_gunicorn_gives_live_workers_distinct_node_slots():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)

    server = SimpleNamespace(WORKERS={})
    for pid in range(100, 105):
        worker = SimpleNamespace()
        conf.pre_fork(server, worker)
        server.WORKERS[pid] = worker
    assert sorted(w.tsid_slot for w in server.WORKERS.values()) == [0, 1, 2, 3, 4]
    # Worker 102 dies and is replaced: the new worker takes the freed slot, no clash.
    freed = server.WORKERS.pop(102).tsid_slot
    replacement = SimpleNamespace()
    conf.pre_fork(server, replacement)
    assert replacement.tsid_slot == freed
    assert len({w.tsid_slot for w in [*server.WORKERS.values(), replacement]}) == 5


def test_node_from_environment_must_be_in_range():
    with pytest.raises(ValueError):
        tsid.Generator(node=1024)


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=tsid.NODE_MAX))
def test_any_node_is_encoded_in_the_id(node):
    assert (tsid.Generator(node=node).next() >> tsid.COUNTER_BITS) & tsid.NODE_MAX == node
