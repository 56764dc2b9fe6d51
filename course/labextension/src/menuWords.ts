/**
 * Japanese for the menu entries other extensions add to JupyterLab in English (nbgrader, Voilà,
 * ipywidgets, jupytext, notebook 7, the Python kernel's help links, JupyterLab's own entries newer
 * than the language pack). Short UI Japanese; product names stay as they are. No imports, so
 * Node's unit tests load it as it is.
 *
 * Why a word table and not a language pack: nbgrader and Voilà write their labels without
 * JupyterLab's translator, the kernel sends its help links as plain text, and for the domains
 * that do go through it (jupytext, notebook, jupyterlab_widgets, jupyterlab) the ja_JP pack
 * already ships a file: jupyterlab_server then ignores an extension's file for that domain unless
 * both carry a version, and the pack's version ("jupyterlab") is not one it can parse.
 */

/** An English menu label (trimmed) → its Japanese. */
export const MENU_JA: { [english: string]: string } = {
  // nbgrader's menu (the panels it opens are relabelled by assignmentList.ts and the server)
  'Assignment List': 'レッスン一覧',
  'Course List': 'クラス一覧',
  'Formgrader (local)': 'Formgrader（このサーバー）',
  'Create assignment': '課題を作る',
  // jupytext, in the File menu
  'New Text Notebook': '新しいテキストノートブック',
  // JupyterLab 4.6's File menu: newer than the 4.5 language pack
  'Duplicate Notebook': 'ノートブックを複製',
  // notebook 7's lab extension
  'Launch Jupyter Notebook File Browser': 'Jupyter Notebook でファイル一覧を開く',
  'Open in Jupyter Notebook': 'Jupyter Notebook で開く',
  // Voilà
  'Render Notebook with Voilà': 'Voilà で表示',
  'Open with Voilà in New Browser Tab': 'Voilà で新しいタブに表示',
  // ipywidgets, in the Settings menu
  'Save Widget State Automatically': 'ウィジェットの状態を自動で保存',
  // the Help menu's links that the Python kernel sends: the pages are English
  'Python Reference': 'Python リファレンス（英語）',
  'IPython Reference': 'IPython リファレンス（英語）',
  'NumPy Reference': 'NumPy リファレンス（英語）',
  'SciPy Reference': 'SciPy リファレンス（英語）',
  'Matplotlib Reference': 'Matplotlib リファレンス（英語）',
  'SymPy Reference': 'SymPy リファレンス（英語）',
  'pandas Reference': 'pandas リファレンス（英語）'
};

/** The Japanese for a whole menu or command palette label, or null when there is none. */
export function translateMenuLabel(text: string): string | null {
  const trimmed = text.trim();
  return Object.prototype.hasOwnProperty.call(MENU_JA, trimmed) ? MENU_JA[trimmed] : null;
}
