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
