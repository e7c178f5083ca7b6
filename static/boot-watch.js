// Plainsight's boot screen (index.html #boot) stays until the app starts
// and removes it. If that takes more than 20 seconds (no WebAssembly, a
// failed download), the screen says so instead of spinning forever.
setTimeout(function () {
  var boot = document.getElementById("boot");
  if (boot) boot.classList.add("late");
}, 20000);
