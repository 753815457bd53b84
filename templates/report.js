(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  // data-f holds account|region|check|status|severity, in this order.
  var fields = ["account", "region", "check", "status", "severity"];
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-f]"));
  var keys = items.map(function (item) { return item.getAttribute("data-f").split("|"); });
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var counter = document.getElementById("filter-count");
  function findings(item) { return Number(item.getAttribute("data-n") || 0); }
  var total = items.reduce(function (sum, item) { return sum + findings(item); }, 0);
  function show(count) { counter.textContent = count + " of " + total + " findings shown"; }
  function apply() {
    var wanted = fields.map(function (name) { return form.elements[name].value; });
    var shown = 0;
    items.forEach(function (item, index) {
      var key = keys[index];
      var ok = wanted.every(function (value, i) { return !value || key[i] === value; });
      if (item.hidden === ok) { item.hidden = !ok; }
      if (ok) { shown += findings(item); }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-f]:not([hidden])");
    });
    show(shown);
  }
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  show(total);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
}());
