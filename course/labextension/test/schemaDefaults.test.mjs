// The setting registry's defaults without Ajv (schemaDefaults.ts): what Ajv's useDefaults writes
// into `{}`, and null wherever JupyterLab's own validator must decide. Every installed plugin's
// composite is compared with JupyterLab's own in a real page (tests/test_settings_browser.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from './load.mjs';

const { defaultSettings, userSettings } = await load('schemaDefaults');

test('only settings text that holds nothing is empty', () => {
  const schema = { type: 'object', properties: { a: { type: 'number', default: 1 } } };
  for (const raw of ['{}', ' {  }\n', '{\n}']) {
    assert.deepEqual(userSettings(schema, raw), { user: {}, composite: { a: 1 } }, raw);
  }
  assert.deepEqual(userSettings(schema, '{"a": 2}'), { user: { a: 2 }, composite: { a: 2 } });
  for (const raw of ['', '// a note\n{}', '{} x', undefined, null]) {
    assert.equal(userSettings(schema, raw), null, String(raw));
  }
});

test('each property gets its default, nested objects theirs inside a default', () => {
  const schema = {
    type: 'object',
    properties: {
      theme: { type: 'string', default: 'light' },
      size: { type: 'number', default: 14 },
      none: { type: 'string' },
      editor: {
        type: 'object',
        default: { tabSize: 4 },
        properties: { tabSize: { default: 2 }, wrap: { default: 'off' } }
      },
      missing: { type: 'object', properties: { inner: { default: 1 } } }
    }
  };
  // `editor` keeps its own tabSize and gains wrap; `missing` has no default, so nothing inside it
  assert.deepEqual(defaultSettings(schema), {
    theme: 'light', size: 14, editor: { tabSize: 4, wrap: 'off' }
  });
});

test('defaults are copies: a change to one page load\'s settings is not the next one\'s', () => {
  const schema = { type: 'object', properties: { list: { default: [{ a: 1 }] } } };
  const first = defaultSettings(schema);
  first.list[0].a = 2;
  assert.deepEqual(defaultSettings(schema), { list: [{ a: 1 }] });
  assert.deepEqual(schema.properties.list.default, [{ a: 1 }]);
});

test('local $ref and allOf are followed, their defaults first', () => {
  const schema = {
    type: 'object',
    definitions: {
      item: { type: 'object', properties: { rank: { default: 0 } } },
      base: { properties: { mode: { default: 'ref' }, kept: { default: 'base' } } }
    },
    $ref: '#/definitions/base',
    allOf: [{ properties: { mode: { default: 'allOf' }, extra: { default: true } } }],
    properties: {
      mode: { default: 'own' },
      items: { type: 'array', items: { $ref: '#/definitions/item' }, default: [{}, { rank: 5 }] },
      pair: { type: 'array', items: [{ default: 'x' }, { default: 'y' }], default: ['a'] }
    }
  };
  assert.deepEqual(defaultSettings(schema), {
    mode: 'ref', kept: 'base', extra: true,
    items: [{ rank: 0 }, { rank: 5 }], // every item of the default array through its schema
    pair: ['a', 'y']                   // a tuple's missing places get theirs
  });
});

test('patternProperties and additionalProperties reach the keys a default brings', () => {
  const schema = {
    type: 'object',
    properties: {
      map: {
        default: { x_1: {}, other: {} },
        patternProperties: { '^x_': { properties: { p: { default: 'pattern' } } } },
        additionalProperties: { properties: { q: { default: 'rest' } } }
      }
    }
  };
  assert.deepEqual(defaultSettings(schema), { map: { x_1: { p: 'pattern' }, other: { q: 'rest' } } });
});

test('anyOf, oneOf and not bring no defaults, as in Ajv', () => {
  const schema = {
    type: 'object',
    properties: {
      a: { default: {}, anyOf: [{ properties: { b: { default: 1 } } }] },
      c: { default: {}, oneOf: [{ properties: { d: { default: 1 } } }], not: { properties: { e: { default: 1 } } } }
    }
  };
  assert.deepEqual(defaultSettings(schema), { a: {}, c: {} });
});

test('JupyterLab\'s validator decides where {} may fail or the schema is not followed', () => {
  const object = extra => ({ type: 'object', properties: { a: { default: 1 } }, ...extra });
  for (const [why, schema] of [
    ['not an object', { type: 'array' }],
    ['no type', { properties: {} }],
    ['a required key', object({ required: ['a'] })],
    ['a required key through $ref', object({ $ref: '#/definitions/r', definitions: { r: { required: ['b'] } } })],
    ['a required key through allOf', object({ allOf: [{ required: ['b'] }] })],
    ['minProperties', object({ minProperties: 1 })],
    ['anyOf on the settings', object({ anyOf: [{ required: ['a'] }, { required: ['b'] }] })],
    ['if/then', { type: 'object', properties: { a: { default: {}, if: {}, then: { properties: { b: { default: 1 } } } } } }],
    ['dependencies', object({ dependencies: { a: { properties: { b: { default: 2 } } } } })],
    ['a $ref to another document', { type: 'object', properties: { a: { default: {}, $ref: 'other.json#/x' } } }],
    ['a $ref to nothing', { type: 'object', properties: { a: { default: {}, $ref: '#/definitions/none' } } }],
    ['a $ref cycle the defaults follow', {
      type: 'object', definitions: { node: { properties: { next: { default: {}, $ref: '#/definitions/node' } } } },
      properties: { tree: { default: {}, $ref: '#/definitions/node' } }
    }],
    ['a pattern JavaScript refuses', { type: 'object', properties: { a: { default: { k: 1 }, patternProperties: { '(': {} } } } }]
  ]) {
    assert.equal(defaultSettings(schema), null, why);
  }
  // unfollowed keywords under a key that has no value do not matter (Ajv never gets there)
  assert.deepEqual(defaultSettings({ type: 'object', properties: { a: { if: {}, then: {} } } }), {});
});


// JupyterLab's ways of writing a choice, a language and a font (the settings Manabu writes)
const CHOICES = {
  type: 'object',
  definitions: {
    fonts: {
      type: 'object', additionalProperties: false,
      properties: { 'content-font-family': { type: ['string', 'null'] }, size: { type: 'integer' } }
    }
  },
  properties: {
    fetchNews: { type: 'string', oneOf: [{ const: 'true', title: 'Always' }, { const: 'false' }], default: 'true' },
    windowingMode: { type: 'string', enum: ['defer', 'full', 'none'], default: 'full' },
    locale: { type: 'string', default: 'default' },
    overrides: { $ref: '#/definitions/fonts', default: { 'content-font-family': null } },
    interval: { type: 'number', minimum: 1, default: 120 }
  },
  'jupyter.lab.shortcuts': [],
  'jupyter.lab.setting-icon': 'ui-components:settings'
};

test('simple user settings that surely fit: the user\'s values, then the defaults', () => {
  const raw = '{"fetchNews": "false", "windowingMode": "defer", "overrides": {"content-font-family": "BIZ UDPGothic"}}';
  assert.deepEqual(userSettings(CHOICES, raw), {
    user: { fetchNews: 'false', windowingMode: 'defer', overrides: { 'content-font-family': 'BIZ UDPGothic' } },
    composite: {
      fetchNews: 'false', windowingMode: 'defer', locale: 'default',
      overrides: { 'content-font-family': 'BIZ UDPGothic' }, interval: 120
    }
  });
  assert.deepEqual(userSettings(CHOICES, '{}'), {
    user: {}, composite: defaultSettings(CHOICES)
  });
  assert.deepEqual(userSettings(CHOICES, '{"locale": "ja_JP", "overrides": {"size": 2}}').composite.overrides, { size: 2 });
});

test('user settings that may not fit go to JupyterLab\'s validator, which says what is wrong', () => {
  for (const [why, raw] of [
    ['a wrong type', '{"locale": 5}'],
    ['not one of the choices', '{"windowingMode": "sideways"}'],
    ['not one of the constants', '{"fetchNews": "sometimes"}'],
    ['a key the $ref\'d object does not allow', '{"overrides": {"colour": "red"}}'],
    ['a number that is not an integer', '{"overrides": {"size": 1.5}}'],
    ['a null where a string is wanted', '{"locale": null}'],
    ['a keyword it does not check (minimum)', '{"interval": 60}'],
    ['JSON5 with a comment (as JupyterLab saves)', '{\n  // the language\n  "locale": "ja_JP"\n}'],
    ['not an object', '["locale"]'],
    ['not JSON', '{"locale": "ja_JP"'],
    ['no text', '']
  ]) {
    assert.equal(userSettings(CHOICES, raw), null, why);
  }
  const required = { type: 'object', required: ['a'], properties: { a: { type: 'string' } } };
  assert.equal(userSettings(required, '{"b": "x"}'), null, 'a required key left out');
  assert.deepEqual(userSettings(required, '{"a": "x"}').composite, { a: 'x' });
});
