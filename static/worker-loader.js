// Starts Plainsight's data worker of the same build as the page: the page
// spawns this file as `worker-loader.js?build=<id>`, and the worker's script
// and wasm are fetched with that query, so a cached worker of another build
// is never mixed with a new page. A failed start is reported to the page as
// text (the page shows it and offers a reload).
(function () {
  var query = self.location.search || "";
  try {
    importScripts("./worker.js" + query);
    wasm_bindgen({ module_or_path: "./worker_bg.wasm" + query }).catch(function (e) {
      self.postMessage("the engine could not start: " + e);
    });
  } catch (e) {
    self.postMessage("the engine could not start: " + e);
  }
})();
