// Manabu: stands in for MathJax 2 on nbgrader's page that grades one submission, which nbgrader
// loads from a public CDN. A school without internet never got it, and nbgrader's setup stopped
// at "MathJax is not defined" (no keyboard shortcuts, no "?" help). No MathJax 2 is installed
// with Manabu (JupyterLab carries MathJax 3 only inside its own bundles), so this shim offers
// the few calls nbgrader and nbconvert make: setup completes and formulas stay as text.
window.MathJax = window.MathJax || (function () {
  'use strict';
  function run(item) {
    if (typeof item === 'function') { item(); return; }
    if (Array.isArray(item)) {  // ["Typeset", MathJax.Hub, ...] or [function, ...]
      var fn = typeof item[0] === 'string' ? item[1] && item[1][item[0]] : item[0];
      if (typeof fn === 'function') { fn.apply(item[1], item.slice(2)); }
    }
  }
  var hub = {
    Config: function () {},
    Configured: function () {},
    Typeset: function (element, callback) { if (callback) { run(callback); } },
    Queue: function () { Array.prototype.forEach.call(arguments, run); },
    Register: {StartupHook: function (name, callback) { run(callback); }, MessageHook: function () {}},
    // MathJax replays its past messages to a late listener: startup has "ended" at once
    Startup: {signal: {Interest: function (listener) {
      setTimeout(function () { listener('End'); }, 0);
    }}}
  };
  return {Hub: hub, manabuShim: true};
}());
