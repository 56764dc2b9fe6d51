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
