/* Filter the rows of a table by what is typed in a search box (text only, no markup). */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-filter]");
  Array.prototype.forEach.call(boxes, function (box) {
    var table = document.getElementById(box.getAttribute("data-filter"));
    if (!table) { return; }
    box.addEventListener("input", function () {
      var q = box.value.toLowerCase(), rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        rows[i].hidden = q !== "" && rows[i].textContent.toLowerCase().indexOf(q) < 0;
      }
    });
  });
})();
