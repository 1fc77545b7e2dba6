/* The hours week grid: arrow keys move between cells, totals follow what is typed.
   Loaded with a <script src> (the Content-Security-Policy forbids inline scripts). */
(function () {
  "use strict";

  var grid = document.getElementById("hours-grid");
  if (!grid) {
    return;
  }

  function cell(row, col) {
    return grid.querySelector('input[data-row="' + row + '"][data-col="' + col + '"]');
  }

  /* The next enabled cell from (row, col) in a direction; null at the edge. */
  function next(row, col, dRow, dCol) {
    var rows = grid.tBodies[0].rows.length;
    for (var i = 0; i < 200; i += 1) {
      row += dRow;
      col += dCol;
      if (row < 0 || row >= rows || col < 0 || col > 6) {
        return null;
      }
      var target = cell(row, col);
      if (target && !target.disabled) {
        return target;
      }
    }
    return null;
  }

  function hours(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(value) ? value : 0;
  }

  function format(value) {
    /* Display only: the server computes and stores hours as decimals. */
    var text = (Math.round(value * 100) / 100).toFixed(2);
    var lang = document.documentElement.lang || "de";
    return lang.indexOf("de") === 0 ? text.replace(".", ",") : text;
  }

  function totals() {
    var rowSums = {};
    var daySums = [0, 0, 0, 0, 0, 0, 0];
    var all = 0;
    var inputs = grid.querySelectorAll("input[data-row]");
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      var value = hours(input.value);
      var row = input.getAttribute("data-row");
      var col = Number(input.getAttribute("data-col"));
      rowSums[row] = (rowSums[row] || 0) + value;
      daySums[col] += value;
      all += value;
    }
    Object.keys(rowSums).forEach(function (row) {
      var target = grid.querySelector('[data-row-total="' + row + '"]');
      if (target) {
        target.textContent = format(rowSums[row]);
      }
    });
    daySums.forEach(function (sum, col) {
      var target = grid.querySelector('[data-day-total="' + col + '"]');
      if (target) {
        target.textContent = format(sum);
      }
    });
    var grand = grid.querySelector("[data-grand-total]");
    if (grand) {
      grand.textContent = format(all);
    }
  }

  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-row]")) {
      return;
    }
    var row = Number(input.getAttribute("data-row"));
    var col = Number(input.getAttribute("data-col"));
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var target = null;
    if (event.key === "ArrowUp") {
      target = next(row, col, -1, 0);
    } else if (event.key === "ArrowDown") {
      target = next(row, col, 1, 0);
    } else if (event.key === "ArrowLeft" && atStart) {
      target = next(row, col, 0, -1);
    } else if (event.key === "ArrowRight" && atEnd) {
      target = next(row, col, 0, 1);
    } else {
      return;
    }
    if (target) {
      event.preventDefault();
      target.focus();
      target.select();
    }
  });

  grid.addEventListener("input", totals);
  grid.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-row]")) {
      event.target.select();
    }
  });
})();
