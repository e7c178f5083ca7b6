// Parses the File it is sent with PapaParse inside this dedicated worker
// (worker: false, since this already is a worker) and reports the time.
importScripts('papaparse.min.js');

onmessage = (e) => {
  const file = e.data;
  const t0 = performance.now();
  Papa.parse(file, {
    header: true,
    dynamicTyping: true,
    worker: false,
    complete: (results) => {
      const ms = performance.now() - t0;
      postMessage({
        ms,
        rows: results.data.length,
        fields: results.meta.fields ? results.meta.fields.length : 0,
        errors: results.errors.length,
      });
    },
    error: (err) => postMessage({ error: String(err && err.message || err) }),
  });
};
