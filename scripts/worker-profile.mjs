// CPU profiles of a page's workers (and the workers they start), through
// Chromium's DevTools protocol — the explore benchmark's
// PLAINSIGHT_BENCH_WORKER_PROFILE=DIR runs it beside its own session.
//
//   node --experimental-websocket scripts/worker-profile.mjs HOST:PORT DIR
//
// HOST:PORT is the browser's debugger address (chromedriver's
// goog:chromeOptions.debuggerAddress). It attaches to every page, and in
// each to every worker, now and later (Target.setAutoAttach, flattened),
// starts the sampling profiler in each worker, and prints "ready". The
// workers a worker ends are kept (idle) so that their profiles can be taken:
// memory is then not as in a run without profiles. A line
// on its standard input stops the profilers and writes one
// DIR/<worker-name-or-url>-<n>.cpuprofile a worker (scripts/cpuprofile-top.py
// reads them), then it exits.

import { writeFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { connect } from "./cdp.mjs";

const [address, dir] = process.argv.slice(2);
if (!address || !dir) {
  console.error("usage: worker-profile.mjs HOST:PORT DIR");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const workers = new Map(); // sessionId -> { name, started }
const { send, close } = await connect(address, (m) => {
  if (m.method === "Target.attachedToTarget") {
    attached(m.params).catch((e) => console.error(String(e)));
  } else if (m.method === "Target.detachedFromTarget") {
    const w = workers.get(m.params.sessionId);
    if (w) console.error(`worker ${w.name} ended before the profile was taken`);
  }
});

async function attached({ sessionId, targetInfo, waitingForDebugger }) {
  const auto = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
  if (targetInfo.type === "worker") {
    const name = targetInfo.title || targetInfo.url;
    workers.set(sessionId, { name, started: false });
    await send("Profiler.enable", {}, sessionId);
    await send("Profiler.setSamplingInterval", { interval: 200 }, sessionId);
    await send("Profiler.start", {}, sessionId);
    workers.get(sessionId).started = true;
    // A worker it ends (the part workers) is kept, idle, until the
    // profiles are taken: an ended worker's profile cannot be.
    await send(
      "Runtime.evaluate",
      {
        expression:
          "if (self.Worker) { self.__kept = []; " +
          "Worker.prototype.terminate = function () { self.__kept.push(this); }; }",
      },
      sessionId,
    );
    console.error(`profiling worker ${name}`);
  }
  await send("Target.setAutoAttach", auto, sessionId).catch(() => {});
  if (waitingForDebugger) {
    await send("Runtime.runIfWaitingForDebugger", {}, sessionId);
  }
}

await send("Target.setDiscoverTargets", { discover: true });
const { targetInfos } = await send("Target.getTargets");
for (const t of targetInfos.filter((t) => t.type === "page")) {
  await send("Target.attachToTarget", { targetId: t.targetId, flatten: true });
}
console.log("ready");

const input = createInterface({ input: process.stdin });
for await (const _line of input) break;
let n = 0;
for (const [sessionId, w] of workers) {
  if (!w.started) continue;
  try {
    const { profile } = await send("Profiler.stop", {}, sessionId);
    const file = `${dir}/${w.name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(-60)}-${n++}.cpuprofile`;
    writeFileSync(file, JSON.stringify(profile));
    console.error(`wrote ${file}`);
  } catch (e) {
    console.error(`worker ${w.name}: ${e.message}`);
  }
}
close();
process.exit(0);
