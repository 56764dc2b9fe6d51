/**
 * The school font of a Japanese course: BIZ UDPGothic, served by this Jupyter server from
 * course/fonts (never from the web), after a copy installed on the device.
 */

/** The browsers' copy of the font in course/fonts (course.style.WEB_FONT_FILE). */
export const SCHOOL_FONT_FILE = 'BIZUDPGothic-Regular.woff2';

/** The font's @font-face rule, for a Jupyter server at baseUrl (ending in '/'). */
export function schoolFontFace(baseUrl: string): string {
  return `@font-face { font-family: "BIZ UDPGothic"; font-display: swap;
  src: local("BIZ UDPGothic"), local("BIZUDPGothic-Regular"),
    url("${baseUrl}static/${SCHOOL_FONT_FILE}") format("woff2"); }
`;
}

/**
 * In a Japanese JupyterLab (it sets <html lang="ja-JP">), Japanese in its interface, lessons and
 * code draws in the school font too: JupyterLab's font lists name no Japanese font, so each
 * character of its menus, code cells and printed outputs went to the system's fallback fonts,
 * looked up character by character (on a 4x slower CPU about 0.3 s of a lesson page's start) and
 * drawn in whatever the device has. The interface and lesson text start with the school font;
 * code keeps its monospace font for letters and digits. Settings (Theme) still override these.
 */
export const JAPANESE_FONTS = `:root:lang(ja) {
  --jp-ui-font-family: "BIZ UDPGothic", system-ui, -apple-system, blinkmacsystemfont, "Segoe UI",
    helvetica, arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol";
  --jp-content-font-family: var(--jp-ui-font-family);
  --jp-code-font-family: var(--jp-code-font-family-default), "BIZ UDPGothic";
}
:root:lang(ja) body {
  /* JupyterLab's web components (the toolbar's buttons) copy its interface font as it starts */
  --body-font: var(--jp-ui-font-family) !important;
}
`;
