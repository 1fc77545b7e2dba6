// Off-cycle page: typing two or more characters of a name or personnel number asks the server
// for at most 20 employees the run may pay and offers them in the shared <datalist>. Without
// JavaScript the clerk types the personnel number. No inline script (CSP).
(function () {
  "use strict";
  var list = document.getElementById("offcycle-employees");
  if (!list) {
    return;
  }
  var timer = null;
  var asked = "";

  function fill(results) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    results.forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.label;
      list.appendChild(option);
    });
  }

  function search(input) {
    var query = input.value.trim();
    if (query.length < 2 || query === asked) {
      return;
    }
    asked = query;
    var url = input.dataset.offcycleSearch + "&q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { fill(data.results || []); })
      .catch(function () { /* the clerk can still type the personnel number */ });
  }

  document.querySelectorAll("input[data-offcycle-search]").forEach(function (input) {
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(input); }, 250);
    });
  });
})();
