#!/usr/bin/env python3
"""Where a Chrome CPU profile's main-thread time goes, stretch by stretch.

    scripts/cpuprofile-top.py PROFILE.cpuprofile [--stretches N] [--top K]

The profile is Chrome DevTools' `.cpuprofile` JSON (the browser explore
benchmark writes one with `PLAINSIGHT_BENCH_CPU_PROFILE=PATH`). A *busy
stretch* is a run of samples none of which is `(idle)`: what the page did
without yielding to the next frame. It lists the N longest stretches (when,
how long) and, for each, the K functions with the most self time and the
K with the most total time (a function counted once per sample however
deep it recurs). Wasm functions are named only when the wasm kept its
`name` section (a build without wasm-opt, or target/wasm-bindgen's output).
"""
import argparse
import collections
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("profile")
    ap.add_argument("--stretches", type=int, default=5)
    ap.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    p = json.load(open(a.profile))
    nodes = {n["id"]: n for n in p["nodes"]}
    parent = {}
    for n in p["nodes"]:
        for c in n.get("children", []):
            parent[c] = n["id"]

    def name(i):
        f = nodes[i]["callFrame"]
        return f["functionName"] or "(anonymous %s:%s)" % (f.get("url", "").rsplit("/", 1)[-1], f.get("lineNumber"))

    stacks = {}

    def stack(i):
        if i not in stacks:
            s, j = [], i
            while j is not None:
                s.append(name(j))
                j = parent.get(j)
            stacks[i] = s
        return stacks[i]

    t = p["startTime"]
    samples = []
    deltas = p["timeDeltas"]
    for k, (sid, d) in enumerate(zip(p["samples"], deltas)):
        t += d
        # A sample's weight: the time to the next sample.
        w = deltas[k + 1] if k + 1 < len(deltas) else 0
        samples.append((t, sid, w))

    stretches, cur = [], []
    for s in samples:
        if name(s[1]) == "(idle)":
            if cur:
                stretches.append(cur)
            cur = []
        else:
            cur.append(s)
    if cur:
        stretches.append(cur)
    t0 = p["startTime"]
    total_busy = sum(w for st in stretches for (_, _, w) in st)
    print("profile %.0f ms, busy %.0f ms in %d stretches" % ((p["endTime"] - t0) / 1e3, total_busy / 1e3, len(stretches)))
    stretches.sort(key=lambda st: -sum(w for (_, _, w) in st))
    for st in stretches[: a.stretches]:
        dur = sum(w for (_, _, w) in st) / 1e3
        print("\n== %.1f ms busy, from %.0f ms into the profile" % (dur, (st[0][0] - t0) / 1e3))
        self_t = collections.Counter()
        total_t = collections.Counter()
        for (_, sid, w) in st:
            self_t[name(sid)] += w
            for f in set(stack(sid)):
                total_t[f] += w
        print("  self:")
        for f, w in self_t.most_common(a.top):
            print("    %7.1f ms  %s" % (w / 1e3, f[:140]))
        print("  total:")
        for f, w in total_t.most_common(a.top):
            print("    %7.1f ms  %s" % (w / 1e3, f[:140]))


if __name__ == "__main__":
    main()
