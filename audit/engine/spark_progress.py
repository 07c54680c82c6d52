"""How far Spark's running work is, and whether it waits for executors: for the run's
progress line and waiting note (``audit/progress.py``), from a classic session's status
tracker (``sparkContext.statusTracker()``).

The tracker reports stages and their tasks (total, running, done) and the executors that
joined the application, not the cluster's free cores: so the note says what it can see,
tasks ready and none running, and how many executors joined. It sees every job of the
session's Spark context, which in the command line's process are the run's own. A Spark
Connect client has no tracker: no progress line there (the server's UI shows its jobs).

PySpark's tracker lists executors from 4.0 on (``getExecutorInfos``); on 3.5 neither it nor
the Java wrapper behind it (``JavaSparkStatusTracker``) has that call, so there the list comes
from the JVM's own ``SparkStatusTracker`` (``sc._jsc.sc().statusTracker()``), which PySpark
4's call reads too: the same executors, the driver among them.
"""

from __future__ import annotations

from audit.engine.base import public_url
from audit.engine.spark_session import Session


class StageProgress:
    """``query_progress`` and ``stalled`` over the active stages of a classic session."""

    def __init__(self, session: Session) -> None:
        context = session.sparkContext
        self._tracker = context.statusTracker()
        self._master = public_url(str(context.master))
        # PySpark 4's call, else the JVM tracker's (3.5, above): without it every poll on 3.5
        # raised AttributeError and the waiting note's poller stopped at the first one
        self._executor_infos = getattr(self._tracker, "getExecutorInfos", None) \
            or context._jsc.sc().statusTracker().getExecutorInfos

    def _stages(self) -> list[tuple[int, int, int]]:
        """(tasks, running, done) of each active stage."""
        out = []
        for stage_id in self._tracker.getActiveStageIds():
            info = self._tracker.getStageInfo(stage_id)
            if info is not None:
                out.append((info.numTasks, info.numActiveTasks, info.numCompletedTasks))
        return out

    def query_progress(self) -> float:
        """Tasks done of the active stages' tasks, in percent; -1 when none is active."""
        stages = self._stages()
        total = sum(tasks for tasks, _running, _done in stages)
        if not total:
            return -1.0
        return 100.0 * sum(done for _tasks, _running, done in stages) / total

    def stalled(self) -> str | None:
        """Tasks ready and none running (local mode always runs them): what waits, and the
        executors the tracker lists besides the driver."""
        if self._master.startswith("local"):
            return None
        stages = self._stages()
        ready = sum(tasks - running - done for tasks, running, done in stages)
        if not stages or ready <= 0 or any(running for _t, running, _d in stages):
            return None
        executors = max(len(self._executor_infos()) - 1, 0)  # less the driver
        if executors == 0:
            return (f"waiting for executors (0 cores free): {ready} task(s) ready, no "
                    f"executor has joined this application on {self._master}; the cluster "
                    "has no free cores for it, or no worker")
        return (f"waiting for executors: {ready} task(s) ready, none running on the "
                f"{executors} executor(s) of this application on {self._master}")
