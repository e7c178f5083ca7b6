// Starts Plainsight's data worker of the same build as the page: the page
// spawns this file as `worker-loader.js?build=<id>`, and the worker's script
// and wasm are fetched with that query, so a cached worker of another build
// is never mixed with a new page. A failed start is reported to the page as
// text (the page shows it and offers a reload).
//
// A part worker (started by the data worker under the name
// "plainsight-part", to read a part of a large file: src/shell/parts.rs)
// is sent the data worker's compiled wasm module as its first message and
// runs it, so the module is not fetched and compiled once more per part.
(function () {
  var query = self.location.search || "";
  function start(module) {
    try {
      importScripts("./worker.js" + query);
      wasm_bindgen({ module_or_path: module }).catch(function (e) {
        self.postMessage("the engine could not start: " + e);
      });
    } catch (e) {
      self.postMessage("the engine could not start: " + e);
    }
  }
  if (self.name === "plainsight-part") {
    self.onmessage = function (e) {
      self.onmessage = null;
      start(e.data);
    };
  } else {
    start("./worker_bg.wasm" + query);
  }
})();
