"""Running an answer on every rank of a 2- or 3-process gloo group (submission side).

A case gives the world size and *rounds*: per round, one shard of the batch per rank
(unequal sizes) and optionally the ranks of a sub-group to pass as ``group``. The
probe forks one process per rank (fork, so the answer needs no pickling), joins them
into a gloo process group on the loopback interface through a ``file://`` store in a
fresh temporary directory, runs every round on every rank and sends each rank's
arrays back through a pipe. Ranks that fail report why; stragglers are killed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from multiprocessing import connection, get_context
from typing import Any

import torch
import torch.distributed as dist

from autograder.submission.probes.marshal import AnswerError
from autograder.tracebacks import student_traceback
from autograder.types import Arrays

RankCall = Callable[[Any, Arrays, dict[str, Any], str, Any], Arrays]  # (answer, inputs, round, prefix, group)

COLLECTIVE_SECONDS = 15.0  # a collective that waits longer (a rank skipped it) fails
CASE_SECONDS = 40.0  # every rank of a case must have reported by then


def shard_key(round_index: int, rank: int, name: str = "x") -> str:
    """The input key of one rank's shard in one round: "round 1, rank 0: x"."""
    return f"round {round_index}, rank {rank}: {name}"


def _rank_main(
    rank: int, world: int, store: str, answer: Any, inputs: Arrays, params: dict[str, Any], call: RankCall, pipe: Any
) -> None:
    """One rank: join the group, run every round, send (status, payload) to the parent, exit."""
    status, payload = "ok", dict[str, Any]()
    try:
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
        torch.set_num_threads(1)
        dist.init_process_group(
            "gloo", init_method=store, rank=rank, world_size=world, timeout=timedelta(seconds=COLLECTIVE_SECONDS)
        )
        for index, spec in enumerate(params["rounds"], start=1):
            members = spec.get("group")
            group = dist.new_group(members) if members is not None else None
            if members is None or rank in members:
                payload |= call(answer, inputs, spec, f"round {index}, rank {rank}", group)
            dist.barrier()
    except NotImplementedError:
        status, payload = "not-implemented", {}
    except AnswerError as error:
        status, payload = "answer", {"message": str(error), "misconceptions": error.misconceptions}
    except BaseException as error:  # the student's error, reported with its traceback
        status, payload = "error", {"message": student_traceback(error)}
    try:
        pipe.send((status, payload))
        pipe.close()
    finally:
        os._exit(0)  # never run the parent's (e.g. a notebook kernel's) exit handlers


def run_world(answer: Any, inputs: Arrays, params: dict[str, Any], call: RankCall) -> Arrays:
    """Run ``call`` on every rank of a ``params["world_size"]`` gloo group; all ranks' outputs."""
    world = int(params["world_size"])
    context = get_context("fork")
    scratch = tempfile.mkdtemp(prefix="bn-course-dist-")
    store = f"file://{os.path.join(scratch, 'store')}"
    processes, pipes = [], []
    try:
        for rank in range(world):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_rank_main, args=(rank, world, store, answer, inputs, params, call, send), daemon=True
            )
            process.start()
            send.close()
            processes.append(process)
            pipes.append(receive)
        reports = _collect(pipes, time.monotonic() + CASE_SECONDS)
    finally:
        for process in processes:
            process.join(timeout=1.0)
            if process.is_alive():
                process.kill()
                process.join()
        shutil.rmtree(scratch, ignore_errors=True)
    return _merge(reports, world)


def _collect(pipes: list[Any], deadline: float) -> dict[int, tuple[str, Any]]:
    """What each rank sent, until every rank reported, one died or the deadline passed."""
    reports: dict[int, tuple[str, Any]] = {}
    waiting = dict(enumerate(pipes))
    while waiting and time.monotonic() < deadline:
        for ready in connection.wait(list(waiting.values()), timeout=max(0.0, deadline - time.monotonic())):
            rank = next(r for r, p in waiting.items() if p is ready)
            try:
                reports[rank] = waiting[rank].recv()
            except EOFError:
                reports[rank] = ("crashed", {})
            del waiting[rank]
            if reports[rank][0] != "ok":
                return reports  # the other ranks are probably waiting for this one
    return reports


def _merge(reports: dict[int, tuple[str, Any]], world: int) -> Arrays:
    """All ranks' arrays, or the first failure raised as the answer's own."""
    for rank, (status, payload) in sorted(reports.items()):
        if status == "not-implemented":
            raise NotImplementedError
        if status == "answer":
            raise AnswerError(f"rank {rank}: {payload['message']}", misconceptions=tuple(payload["misconceptions"]))
        if status == "error":
            raise RuntimeError(f"rank {rank} of {world} raised:\n{payload['message']}")
        if status == "crashed":
            raise RuntimeError(f"rank {rank} of {world} crashed without reporting (mismatched collectives?)")
    missing = [rank for rank in range(world) if rank not in reports]
    if missing:
        raise TimeoutError(
            f"rank(s) {missing} of {world} did not finish within {CASE_SECONDS:g} s "
            "(does every rank call the same collectives, in the same order, with the same group?)"
        )
    return {key: value for rank in range(world) for key, value in reports[rank][1].items()}
