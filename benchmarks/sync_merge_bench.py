"""Sync merge benchmark: SyncedRecords merging another side's records (the standalone <-> server data sync).

Figures: merging N new records, and N records both sides changed (conflict copies), records/s; baseline in the
same run: a plain dict update with the same N records (what any merge must at least do).

    .venv/bin/python benchmarks/sync_merge_bench.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def main() -> None:
    from trixy_server.sync import SyncedRecords

    with tempfile.TemporaryDirectory() as tmp:
        for n in (1_000, 10_000):
            source = SyncedRecords(Path(tmp) / f"src{n}.json", "server")
            source.save = lambda: None  # measure the merge, not n file writes while building the input
            ids = [source.put({"text": f"note {i}", "title": "t"}) for i in range(n)]
            records = source.changes_since(0)

            baseline_store: dict[str, dict] = {}
            started = time.perf_counter()
            baseline_store.update({r["id"]: r for r in records})
            baseline = n / (time.perf_counter() - started)

            target = SyncedRecords(Path(tmp) / f"dst{n}.json", "standalone")
            started = time.perf_counter()
            target.merge(records)
            fresh = n / (time.perf_counter() - started)

            target.save = lambda: None
            for i in ids:  # both sides edit every record while apart
                source.put({"text": "server edit"}, i)
                target.put({"text": "standalone edit"}, i)
            del target.save
            started = time.perf_counter()
            report = target.merge(source.changes_since(n))
            conflicts = n / (time.perf_counter() - started)
            assert len(report.conflicts) == n
            print(f"merge {n:6,d} new records: {fresh:10,.0f} records/s "
                  f"(dict update: {baseline:12,.0f}/s, ratio {baseline / fresh:6.1f})")
            print(f"merge {n:6,d} conflicting edits (+copies): {conflicts:10,.0f} records/s "
                  f"(dict update: {baseline:12,.0f}/s, ratio {baseline / conflicts:6.1f})")


if __name__ == "__main__":
    main()
