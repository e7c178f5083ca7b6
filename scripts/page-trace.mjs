// The browser's trace (every process and thread: the page's main thread
// with its tasks, style, layout and paint, V8's garbage collection, the
// workers) through Chromium's DevTools protocol — the explore benchmark's
// PLAINSIGHT_BENCH_TRACE=DIR runs it beside its own session.
//
//   node --experimental-websocket scripts/page-trace.mjs HOST:PORT DIR
//
// HOST:PORT is the browser's debugger address (chromedriver's
// goog:chromeOptions.debuggerAddress). It starts tracing, prints "ready",
// and on a line on its standard input ends the trace and writes
// DIR/trace.json (Chrome's trace event array: the Performance panel opens
// it; scripts/trace-frames.py lists the page's long tasks), then exits.

import { writeFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { connect } from "./cdp.mjs";

const [address, dir] = process.argv.slice(2);
if (!address || !dir) {
  console.error("usage: page-trace.mjs HOST:PORT DIR");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const events = [];
let complete;
const completed = new Promise((ok) => (complete = ok));
const { send, close } = await connect(address, (m) => {
  if (m.method === "Tracing.dataCollected") {
    for (const e of m.params.value) events.push(e);
  } else if (m.method === "Tracing.tracingComplete") {
    complete();
  }
});

// The Performance panel's categories: tasks with their thread time,
// style / layout / paint and their sizes, V8's work and collections.
await send("Tracing.start", {
  traceConfig: {
    includedCategories: [
      "toplevel",
      "blink",
      "blink.user_timing",
      "devtools.timeline",
      "disabled-by-default-devtools.timeline",
      "disabled-by-default-devtools.timeline.frame",
      "v8",
      "v8.execute",
      "disabled-by-default-v8.gc",
      "loading",
      "cc",
      "scheduler",
    ],
    recordMode: "recordContinuously",
  },
  transferMode: "ReportEvents",
});
console.log("ready");

const input = createInterface({ input: process.stdin });
for await (const _line of input) break;
await send("Tracing.end");
await completed;
writeFileSync(`${dir}/trace.json`, JSON.stringify(events));
console.error(`wrote ${dir}/trace.json (${events.length} events)`);
close();
process.exit(0);
