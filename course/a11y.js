// What ipywidgets' controls leave out for screen readers and keyboards, added in the page
// inside one Manabu widget (the nearest ancestor with a `manabu-` class):
// - a slider handle gets the slider's visible label as its name and announces the value its
//   readout shows ("35%", not noUiSlider's "0.35" or a rounded "0.3");
// - a disabled slider handle leaves the Tab order (noUiSlider keeps tabindex=0);
// - a slider is one Tab stop: its editable readout leaves the Tab order (ipywidgets makes it a
//   second one); Enter on the handle opens the readout to type a value, Enter or Escape there
//   returns to the handle (a click or a tap still edits it directly);
// - a grid of buttons marked `manabu-roving` is one Tab stop; arrow keys move inside it.

function setAttr(el, name, value) {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

function fixSliders(root) {
  for (const slider of root.querySelectorAll(".widget-slider")) {
    const label = slider.querySelector(":scope > .widget-label");
    const name = label ? label.textContent.trim() : "";
    const readout = slider.querySelector(".widget-readout");
    const shown = readout ? readout.textContent.trim() : "";
    const disabled = slider.querySelector(".noUi-target[disabled]") !== null;
    for (const handle of slider.querySelectorAll(".noUi-handle")) {
      if (name) setAttr(handle, "aria-label", name);
      if (shown) setAttr(handle, "aria-valuetext", shown);
      setAttr(handle, "tabindex", disabled ? "-1" : "0");
      setAttr(handle, "aria-disabled", disabled ? "true" : null);
    }
    if (readout) {
      setAttr(readout, "tabindex", "-1");
      if (!readout.dataset.manabuReadout) linkReadout(slider, readout);
    }
  }
}

function linkReadout(slider, readout) {
  readout.dataset.manabuReadout = "1";
  slider.addEventListener("keydown", (event) => {
    const handle = event.target.closest(".noUi-handle");
    if (!handle || event.key !== "Enter" || readout.contentEditable !== "true") return;
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would enter the cell's editor
    readout.focus();
    getSelection().selectAllChildren(readout);
  });
  readout.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== "Escape") return;
    // after ipywidgets' own handler has taken (Enter) or kept (Escape) the value
    const handle = slider.querySelector(".noUi-handle");
    setTimeout(() => handle && handle.focus(), 0);
  });
}

function fixRoving(root) {
  for (const grid of root.querySelectorAll(".manabu-roving")) {
    const buttons = [...grid.querySelectorAll("button")];
    if (!buttons.length) continue;
    // the Tab stop: the focused square, else the one that had it, else the first
    const current = buttons.find((b) => b === document.activeElement)
      || buttons.find((b) => b.getAttribute("tabindex") === "0") || buttons[0];
    for (const b of buttons) setAttr(b, "tabindex", b === current ? "0" : "-1");
    if (grid.dataset.manabuRoving) continue;
    grid.dataset.manabuRoving = "1";
    grid.addEventListener("focusin", (event) => {
      // a click or a tap moves the Tab stop too
      for (const b of grid.querySelectorAll("button")) setAttr(b, "tabindex", b === event.target ? "0" : "-1");
    });
    grid.addEventListener("keydown", (event) => {
      const all = [...grid.querySelectorAll("button")];
      const at = all.indexOf(document.activeElement);
      if (at < 0) return;
      const columns = getComputedStyle(grid).gridTemplateColumns.split(" ").length || 1;
      const step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns}[event.key];
      if (step === undefined) return;
      const next = all[at + step];
      event.preventDefault();
      event.stopPropagation(); // JupyterLab would move between cells
      if (!next) return;
      for (const b of all) setAttr(b, "tabindex", b === next ? "0" : "-1");
      next.focus();
    });
  }
}

function watch(root) {
  const fix = () => {
    fixSliders(root);
    fixRoving(root);
  };
  fix();
  new MutationObserver(fix).observe(root, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-valuetext", "disabled", "tabindex"],
  });
}

function render({ el }) {
  el.style.display = "none";
  let tries = 0;
  const start = () => {
    // the view is put into its parent box after render(): wait until it is in the page
    if (!el.isConnected) {
      if (tries++ < 200) requestAnimationFrame(start);
      return;
    }
    const root = el.parentElement.closest("[class*='manabu-']") || el.parentElement;
    if (root.dataset.manabuA11y) return; // one watcher per widget
    root.dataset.manabuA11y = "1";
    watch(root);
  };
  start();
}

export default { render };
