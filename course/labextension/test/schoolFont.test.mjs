// The school font of a Japanese course (schoolFont.ts): its @font-face.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { SCHOOL_FONT_FILE, schoolFontFace } = await load('schoolFont');

test('the @font-face names the server\'s own WOFF2 copy after an installed one', () => {
  const css = schoolFontFace('/user/aoi/');
  assert.equal(SCHOOL_FONT_FILE, 'BIZUDPGothic-Regular.woff2');
  assert.match(css, /font-family: "BIZ UDPGothic"/);
  assert.match(css, /local\("BIZ UDPGothic"\).*url\("\/user\/aoi\/static\/BIZUDPGothic-Regular\.woff2"\) format\("woff2"\)/s);
  assert.doesNotMatch(css, /https?:/);
});

test('only a Japanese JupyterLab draws its words and code with the school font', async () => {
  const { JAPANESE_FONTS } = await load('schoolFont');
  const rules = JAPANESE_FONTS.trim();
  // nothing outside lang(ja): the variables, and the toolbar buttons' copy of the interface font
  assert.match(rules, /^:root:lang\(ja\) \{[^{}]*\}\s*:root:lang\(ja\) body \{[^{}]*\}$/);
  assert.match(rules, /--body-font: var\(--jp-ui-font-family\) !important/);
  assert.match(rules, /--jp-ui-font-family: "BIZ UDPGothic", system-ui/);
  assert.match(rules, /--jp-content-font-family: var\(--jp-ui-font-family\)/);
  // code: its monospace font for letters and digits, the school font for Japanese
  assert.match(rules, /--jp-code-font-family: var\(--jp-code-font-family-default\), "BIZ UDPGothic"/);
});
