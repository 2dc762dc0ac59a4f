// wiretrace UI: on the comparison page, hovering a sentence outlines the
// sentences it is aligned with on the other side. Nothing else needs script.
document.addEventListener("DOMContentLoaded", function () {
  var grid = document.getElementById("alignment");
  if (!grid) return;
  function partners(el) {
    var other = el.dataset.side === "a" ? "b" : "a";
    return (el.dataset.links || "").split(" ").filter(Boolean).map(function (i) {
      return grid.querySelector('[data-side="' + other + '"][data-i="' + i + '"]');
    }).filter(Boolean);
  }
  function mark(ev, on) {
    var el = ev.target.closest("[data-side]");
    if (!el) return;
    [el].concat(partners(el)).forEach(function (x) { x.classList.toggle("hl", on); });
  }
  grid.addEventListener("mouseover", function (ev) { mark(ev, true); });
  grid.addEventListener("mouseout", function (ev) { mark(ev, false); });
});
