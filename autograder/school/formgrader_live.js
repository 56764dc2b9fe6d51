// Manabu: translates what nbgrader's Formgrader scripts draw after the page has loaded (table
// rows, statuses, dialogs, tooltips, the keyboard help, DataTables' search box), with the table
// autograder/school/formgrader_text.py sends: {labels: {English: translation},
// patterns: [[regex source, replacement]]}. Only whole texts change, as on the server.
function manabuFormgraderLabels(data) {
  'use strict';
  var labels = data.labels;
  var patterns = data.patterns.map(function (p) { return [new RegExp('^(?:' + p[0] + ')$'), p[1]]; });
  var ATTRIBUTES = ['placeholder', 'title', 'aria-label', 'data-original-title'];
  var english = {};  // translation -> English, for nbgrader code that compares its own labels
  Object.keys(labels).forEach(function (key) { english[labels[key]] = key; });

  function translate(text) {
    var key = text.replace(/\s+/g, ' ').trim();
    if (!key) { return null; }
    if (Object.prototype.hasOwnProperty.call(labels, key)) { return labels[key]; }
    for (var i = 0; i < patterns.length; i++) {
      if (patterns[i][0].test(key)) { return key.replace(patterns[i][0], patterns[i][1]); }
    }
    return null;
  }

  function fixText(node) {
    var out = translate(node.nodeValue);
    if (out !== null) {
      var space = node.nodeValue.match(/^(\s*)[\s\S]*?(\s*)$/);
      var value = space[1] + out + space[2];
      if (value !== node.nodeValue) { node.nodeValue = value; }
    }
  }

  function fixAttribute(element, name) {
    var value = element.getAttribute(name);
    var out = value && translate(value);
    if (out && out !== value) { element.setAttribute(name, out); }
  }

  // never the notebook on the one-submission page: the lesson's and the student's own words
  var NOTEBOOK = '.text_cell_render, .output_subarea, .input_area';

  function fix(node) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    if (!element || element.closest(NOTEBOOK)) { return; }
    if (node.nodeType === 3) { fixText(node); return; }
    if (node.nodeType !== 1 || /^(SCRIPT|STYLE|PRE|TEXTAREA)$/.test(node.tagName)) { return; }
    ATTRIBUTES.forEach(function (name) { fixAttribute(node, name); });
    for (var i = 0; i < node.childNodes.length; i++) { fix(node.childNodes[i]); }
  }

  // DataTables (the sortable tables) draws its own search box and empty-table lines
  var dataTable = window.jQuery && window.jQuery.fn && window.jQuery.fn.dataTable;
  if (dataTable && dataTable.defaults && dataTable.defaults.oLanguage) {
    var language = dataTable.defaults.oLanguage;
    ['sSearch', 'sZeroRecords', 'sEmptyTable', 'sLoadingRecords'].forEach(function (key) {
      language[key] = translate(language[key]) || language[key];
    });
    ['sSortAscending', 'sSortDescending'].forEach(function (key) {
      language.oAria[key] = translate(language.oAria[key]) || language.oAria[key];
    });
  }

  // "Show All Names" on a notebook's submissions: nbgrader decides what the button does by
  // comparing its text with its English label, so give it back its English before it looks
  // (the observer below translates the label nbgrader then writes).
  if (typeof toggleAllNames === 'function') {
    var toggle = toggleAllNames;
    toggleAllNames = function () {  // eslint-disable-line no-global-assign
      var button = document.getElementById('toggle_names');
      var label = button && english[button.textContent.trim()];
      if (label) { button.textContent = label; }
      toggle();
    };
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === 'characterData') { fix(change.target); }
      if (change.type === 'attributes' && !change.target.closest(NOTEBOOK)) {
        fixAttribute(change.target, change.attributeName);
      }
      change.addedNodes.forEach(fix);
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
                                         attributes: true, attributeFilter: ATTRIBUTES});
  document.addEventListener('DOMContentLoaded', function () { fix(document.body); });
}
