/* fusionlab book: a display equation wider than the text column is scaled down to fit (to 60 %
   at most) instead of being cut off at the column's edge; tests/test_browser.py checks that none
   is left cut off. Jupyter Book includes every .js file in the book root's _static/ folder. */
(function () {
  function fit() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (equation) {
      // MathJax sizes each equation with an inline font-size of its own: scale from that, keep it
      if (!("fitBase" in equation.dataset)) {
        equation.dataset.fitBase = equation.style.fontSize;
      }
      equation.style.fontSize = equation.dataset.fitBase;
      var ratio = equation.clientWidth / equation.scrollWidth;
      if (equation.clientWidth > 0 && ratio < 1) {
        var size = parseFloat(window.getComputedStyle(equation).fontSize);
        equation.style.fontSize = Math.max(0.98 * ratio, 0.6) * size + "px";
      }
    });
  }
  function start() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fit);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("resize", fit);
})();
