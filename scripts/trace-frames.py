#!/usr/bin/env python3
"""The page's long tasks in a Chrome trace (scripts/page-trace.mjs, or the
explore benchmark's PLAINSIGHT_BENCH_TRACE=DIR): each main-thread task over
--over ms, with its wall time, the time its thread ran in it (a task's
wall time past that is the thread waiting for a core — on a 2-core machine
the workers' threads hold them), and what the browser did in it: scripts,
style, layout, paint, garbage collection. Times count from the file chosen
(the page's first `change` event), and the clicks are listed (the tab
switches, the report).

    python3 scripts/trace-frames.py DIR/trace.json [--over 30]
"""
import argparse
import collections
import json

PARTS = [
    "FunctionCall",
    "EvaluateScript",
    "ParseHTML",
    "UpdateLayoutTree",
    "Layout",
    "PrePaint",
    "Paint",
    "Layerize",
    "Commit",
    "MajorGC",
    "MinorGC",
    "V8.GC_MARK_COMPACTOR",
    "V8.GC_SCAVENGER",
]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("trace")
    a.add_argument("--over", type=float, default=30.0, help="ms")
    args = a.parse_args()
    events = json.load(open(args.trace))
    if isinstance(events, dict):
        events = events.get("traceEvents", [])
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    mains = [k for k, v in names.items() if v == "CrRendererMain"]
    for main_thread in mains:
        xs = [
            e
            for e in events
            if (e.get("pid"), e.get("tid")) == main_thread and e.get("ph") == "X"
        ]
        tasks = [
            e
            for e in xs
            if e["name"] == "ThreadControllerImpl::RunTask"
            and e.get("dur", 0) > args.over * 1000
        ]
        if not tasks:
            continue
        # Times count from the file chosen (the page's first `change`
        # event), as the benchmark's own stamps do; else from the thread's
        # first event. The clicks are listed to tell the tab switches.
        dispatched = [
            (e["ts"], e["args"]["data"]["type"])
            for e in xs
            if e["name"] == "EventDispatch"
            and e.get("args", {}).get("data", {}).get("type") in ("change", "click")
        ]
        chosen = [ts for ts, kind in dispatched if kind == "change"]
        start = min(chosen) if chosen else min(e["ts"] for e in xs)
        origin = "the file chosen" if chosen else "its first event"
        print(f"main thread {main_thread}: {len(tasks)} tasks over {args.over:g} ms (at: ms from {origin})")
        clicks = [f"{(ts - start) / 1000:.0f}" for ts, kind in dispatched if kind == "click"]
        if clicks:
            print(f"  clicks at {', '.join(clicks)} ms")
        for t in tasks:
            s, d = t["ts"], t["dur"]
            inside = collections.defaultdict(lambda: [0, 0])
            for e in xs:
                if s <= e["ts"] <= s + d and e["name"] in PARTS:
                    inside[e["name"]][0] += e.get("dur", 0)
                    inside[e["name"]][1] += e.get("tdur", 0)
            what = ", ".join(
                f"{n} {w / 1000:.0f}/{c / 1000:.0f}"
                for n, (w, c) in sorted(inside.items(), key=lambda x: -x[1][0])
                if w >= 1000
            )
            src = t.get("args", {}).get("src_func", "")
            print(
                f"  at {(s - start) / 1000:8.0f} ms: wall {d / 1000:6.1f} ms, "
                f"ran {t.get('tdur', 0) / 1000:6.1f} ms ({src}) — {what}"
            )
    print("(each part: wall/ran ms; nested parts count in their parent too)")


if __name__ == "__main__":
    main()
