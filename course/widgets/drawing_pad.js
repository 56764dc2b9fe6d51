// Manabu DrawingPad front end (anywidget ESM). Pointer events cover mouse, pen and touch.
// Strokes go to Python as lists of [x, y] points in 0..1; Python turns them into 8x8 pixels,
// so a drawing made here and one made with pad.draw_stroke(...) give the same numbers.
function render({ model, el }) {
  const SIZE = 280, CELLS = 8;
  const wrap = document.createElement("div");
  wrap.className = "manabu-drawing-pad";
  wrap.style.cssText = "display:inline-flex;flex-direction:column;gap:6px;font-size:18px;margin-right:16px";
  const label = document.createElement("label");
  label.textContent = model.get("label");
  const canvas = document.createElement("canvas");
  canvas.width = SIZE; canvas.height = SIZE;
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-label", model.get("help"));
  canvas.style.cssText = "border:3px solid #0072B2;border-radius:6px;touch-action:none;cursor:crosshair;background:#fff";
  const help = document.createElement("div");
  help.textContent = model.get("help");
  help.style.cssText = "font-size:14px;max-width:" + SIZE + "px";
  const clear = document.createElement("button");
  clear.className = "manabu-clear";
  clear.textContent = model.get("clear_label");
  clear.style.cssText = "font-size:18px;padding:6px 12px;width:max-content;min-height:44px;min-width:44px";  // a finger
  wrap.append(label, canvas, clear, help);
  el.appendChild(wrap);

  const ctx = canvas.getContext("2d");
  let current = null;
  let cursor = [3, 3];
  let focused = false;

  function point(e) {
    const r = canvas.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    const y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
    return [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000];
  }
  function drawStroke(s) {
    if (!s.length) return;
    ctx.beginPath();
    ctx.moveTo(s[0][0] * SIZE, s[0][1] * SIZE);
    for (const p of s) ctx.lineTo(p[0] * SIZE, p[1] * SIZE);
    if (s.length === 1) ctx.lineTo(s[0][0] * SIZE + 0.1, s[0][1] * SIZE);
    ctx.stroke();
  }
  function redraw() {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.strokeStyle = "#eee"; ctx.lineWidth = 1;
    for (let i = 1; i < CELLS; i++) {
      const p = (i * SIZE) / CELLS;
      ctx.beginPath(); ctx.moveTo(p, 0); ctx.lineTo(p, SIZE); ctx.moveTo(0, p); ctx.lineTo(SIZE, p); ctx.stroke();
    }
    ctx.strokeStyle = "#000"; ctx.lineWidth = SIZE / 11; ctx.lineCap = "round"; ctx.lineJoin = "round";
    for (const s of model.get("strokes")) drawStroke(s);
    if (current) drawStroke(current);
    if (focused) {
      const c = SIZE / CELLS;
      ctx.strokeStyle = "#D55E00"; ctx.lineWidth = 3; ctx.setLineDash([6, 4]);
      ctx.strokeRect(cursor[0] * c + 2, cursor[1] * c + 2, c - 4, c - 4);
      ctx.setLineDash([]);
    }
  }
  function commit(stroke) {
    model.set("strokes", [...model.get("strokes"), stroke]);
    model.save_changes();
  }
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* capture is a nicety */ }
    current = [point(e)];
    redraw();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!current) return;
    current.push(point(e));
    redraw();
  });
  const finish = () => {
    if (!current) return;
    const s = current; current = null;
    commit(s);
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  // Keyboard alternative: arrows move the orange box, Space or Enter paints it, Delete clears.
  canvas.addEventListener("focus", () => { focused = true; redraw(); });
  canvas.addEventListener("blur", () => { focused = false; redraw(); });
  canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (moves[e.key]) {
      cursor = [0, 1].map((i) => Math.min(CELLS - 1, Math.max(0, cursor[i] + moves[e.key][i])));
      redraw();
    } else if (e.key === " " || e.key === "Enter") {
      commit([[(cursor[0] + 0.5) / CELLS, (cursor[1] + 0.5) / CELLS]]);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      model.set("strokes", []); model.save_changes();
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  });
  clear.addEventListener("click", () => { model.set("strokes", []); model.save_changes(); });
  model.on("change:strokes", redraw);
  redraw();
  return () => model.off("change:strokes", redraw);
}
export default { render };
