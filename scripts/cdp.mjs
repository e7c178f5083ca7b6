// A connection to a browser's DevTools protocol (Node.js 20 or later, run
// with --experimental-websocket), shared by scripts/worker-profile.mjs and
// scripts/page-trace.mjs.
//
//   const cdp = await connect("HOST:PORT", (message) => { ... events ... });
//   const result = await cdp.send("Domain.method", params, sessionId);

export async function connect(address, onEvent) {
  const version = await (await fetch(`http://${address}/json/version`)).json();
  const ws = new WebSocket(version.webSocketDebuggerUrl);
  await new Promise((ok, fail) => {
    ws.onopen = ok;
    ws.onerror = fail;
  });
  let next = 1;
  const waiting = new Map();
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.id && waiting.has(m.id)) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w.fail(new Error(`${w.method}: ${m.error.message}`));
      else w.ok(m.result);
    } else {
      onEvent(m);
    }
  };
  return {
    send(method, params = {}, sessionId) {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params, sessionId }));
      return new Promise((ok, fail) => waiting.set(id, { ok, fail, method }));
    },
    close() {
      ws.close();
    },
  };
}
