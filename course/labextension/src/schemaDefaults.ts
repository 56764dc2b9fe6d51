/**
 * A plugin's settings with its schema's defaults filled in, as JupyterLab's setting registry
 * makes them, without compiling the schema. Free of JupyterLab so Node's unit tests load it.
 *
 * JupyterLab checks every plugin's settings as a page starts: it compiles the plugin's schema
 * twice with Ajv (once to check the user's settings, once to fill in the defaults) although
 * nearly every plugin has no user settings at all, and the rest a value or two. On a cheap
 * Chromebook (4x CPU) that was ~0.8 s of a lesson page's start (42 plugins on a student's page,
 * 70 on a teacher's). Where the user settings (`{}`, or a few simple values) surely fit the
 * schema (`surelyValid` below; anything it is unsure of goes to Ajv), the outcome is known
 * without compiling: the user's values with the defaults Ajv's `useDefaults` would write. This
 * module writes the defaults the way
 * Ajv does (ajv/lib/compile/validate/defaults.ts): a property's own `default` is written where the
 * key is missing (a copy each time), then the property's schema is applied to the value, through
 * local `$ref`s and `allOf`; nothing under `anyOf`, `oneOf` or `not` (Ajv ignores defaults
 * there). A schema it cannot follow the same way (`if`, `dependencies`, a `$ref` outside the
 * schema, ...) gets `null`: the caller then leaves the plugin to JupyterLab's own validator.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: any };

/** Keywords whose defaults Ajv applies in ways this module does not follow: give up on them. */
const UNFOLLOWED = [
  'if', 'then', 'else', 'dependencies', 'dependentSchemas', 'contains', 'additionalItems',
  'unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$recursiveRef', 'prefixItems'
];

class Unfollowed extends Error {}

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The schema a local `$ref` ("#", "#/definitions/x", any JSON pointer in the root) names. */
function resolve(root: Schema, ref: string): Schema {
  if (ref !== '#' && !ref.startsWith('#/')) {
    throw new Unfollowed(ref);
  }
  let node: any = root;
  for (const part of ref.slice(2).split('/').filter(p => p !== '')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) {
      throw new Unfollowed(ref);
    }
    node = node[key];
  }
  if (!isObject(node) && typeof node !== 'boolean') {
    throw new Unfollowed(ref);
  }
  return node as Schema;
}

/** Write `schema`'s defaults into `data` (an object or array already there), as Ajv would. */
function apply(schema: Schema | boolean, data: any, root: Schema, depth: number): void {
  if (!isObject(schema)) {
    return; // true, false: no defaults
  }
  if (depth > 64) {
    throw new Unfollowed('too deep'); // a $ref cycle the data follows
  }
  for (const keyword of UNFOLLOWED) {
    if (keyword in schema) {
      throw new Unfollowed(keyword);
    }
  }
  if (typeof schema.$ref === 'string') {
    apply(resolve(root, schema.$ref), data, root, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) {
      apply(part, data, root, depth + 1);
    }
  }
  if (isObject(data)) {
    const properties: Schema = isObject(schema.properties) ? schema.properties : {};
    for (const [key, sub] of Object.entries(properties)) {
      if (data[key] === undefined && isObject(sub) && sub.default !== undefined) {
        data[key] = copy(sub.default);
      }
    }
    const patterns = Object.entries(isObject(schema.patternProperties) ? schema.patternProperties : {})
      .map(([pattern, sub]) => [new RegExp(pattern, 'u'), sub] as const);
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) {
        continue;
      }
      if (key in properties) {
        apply(properties[key], value, root, depth + 1);
      }
      const matched = patterns.filter(([pattern]) => pattern.test(key));
      for (const [, sub] of matched) {
        apply(sub, value, root, depth + 1);
      }
      if (!(key in properties) && !matched.length && isObject(schema.additionalProperties)) {
        apply(schema.additionalProperties, value, root, depth + 1);
      }
    }
  } else if (Array.isArray(data)) {
    if (Array.isArray(schema.items)) {
      schema.items.forEach((sub: Schema, i: number) => {
        if (data[i] === undefined && isObject(sub) && sub.default !== undefined) {
          data[i] = copy(sub.default);
        }
      });
      schema.items.forEach((sub: Schema, i: number) => {
        if (i < data.length) {
          apply(sub, data[i], root, depth + 1);
        }
      });
    } else if (isObject(schema.items)) {
      for (const item of data) {
        apply(schema.items, item, root, depth + 1);
      }
    }
  }
}

/** Keywords that say nothing about validity (or that JupyterLab reads itself). */
const ANNOTATIONS = new Set([
  'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly',
  '$comment', '$id', '$schema', 'definitions', '$defs', 'markdownDescription'
]);

/** Keywords `surelyValid` checks; any other makes it unsure. */
const CHECKED = new Set([
  '$ref', 'allOf', 'type', 'enum', 'const', 'properties', 'additionalProperties', 'required',
  'oneOf', 'anyOf'
]);

function same(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((item, i) => same(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every(k => k in b && same(a[k], b[k]));
  }
  return false;
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'null': return value === null;
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return false;
  }
}

/**
 * True only when `value` surely passes `schema`: a schema of types, enums, consts (also as
 * `oneOf`/`anyOf` of consts, as JupyterLab's choices are written), properties and required keys,
 * through local `$ref`s and `allOf`. Anything else (a pattern, a minimum, items, ...) or a value that fails
 * gives false, and JupyterLab's own validator decides and says what is wrong.
 */
function surelyValid(schema: Schema | boolean, value: unknown, root: Schema, depth: number): boolean {
  if (schema === true) {
    return true;
  }
  if (!isObject(schema) || depth > 64) {
    return false;
  }
  for (const keyword of Object.keys(schema)) {
    if (!CHECKED.has(keyword) && !ANNOTATIONS.has(keyword) && !keyword.startsWith('jupyter.lab.')) {
      return false;
    }
  }
  if (typeof schema.$ref === 'string' && !surelyValid(resolve(root, schema.$ref), value, root, depth + 1)) {
    return false;
  }
  if (Array.isArray(schema.allOf) && !schema.allOf.every((part: Schema) => surelyValid(part, value, root, depth + 1))) {
    return false;
  }
  if ('type' in schema) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type: unknown) => hasType(value, type))) {
      return false;
    }
  }
  if ('enum' in schema && !(Array.isArray(schema.enum) && schema.enum.some((v: unknown) => same(v, value)))) {
    return false;
  }
  if ('const' in schema && !same(schema.const, value)) {
    return false;
  }
  for (const keyword of ['oneOf', 'anyOf']) {
    if (!(keyword in schema)) {
      continue;
    }
    const choices = schema[keyword];
    // only a list of constants (with titles): the value must be one of them, and only one
    if (!Array.isArray(choices) || !choices.every(c => isObject(c) && 'const' in c &&
        Object.keys(c).every(k => k === 'const' || ANNOTATIONS.has(k)))) {
      return false;
    }
    if (choices.filter(c => same(c.const, value)).length !== 1) {
      return false;
    }
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required) && !schema.required.every((key: string) => key in value)) {
      return false;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key in properties) {
        if (!surelyValid(properties[key], item, root, depth + 1)) {
          return false;
        }
      } else if ('additionalProperties' in schema &&
                 !surelyValid(schema.additionalProperties, item, root, depth + 1)) {
        return false;
      }
    }
  }
  return true; // properties, required and additionalProperties only constrain objects
}

/**
 * A plugin's settings from its user settings text `raw` (`{}` when it has none): `{composite,
 * user}` as JupyterLab's validator makes them, or `null` when JupyterLab's own validator must
 * decide: the text is not plain JSON of an object (JSON5 with comments, as JupyterLab saves a
 * change), a value may not fit the schema (`{}` too: a key it requires), or the schema is not an
 * object's or uses a keyword this module does not follow. The user's values are copied, then the
 * defaults written in where they leave a key out.
 */
export function userSettings(
  schema: Schema,
  raw: string | undefined | null
): { composite: { [key: string]: Json }; user: { [key: string]: Json } } | null {
  let user: unknown;
  try {
    user = JSON.parse(raw ?? '');
  } catch {
    return null;
  }
  if (!isObject(schema) || schema.type !== 'object' || !isObject(user)) {
    return null;
  }
  const composite = copy(user);
  try {
    if (!surelyValid(schema, user, schema, 0)) {
      return null;
    }
    apply(schema, composite, schema, 0);
  } catch (error) {
    if (error instanceof Unfollowed || error instanceof SyntaxError) {
      return null; // SyntaxError: a patternProperties regular expression JavaScript refuses
    }
    throw error;
  }
  return { composite, user };
}

/**
 * The composite settings of a plugin with no user settings: `schema`'s defaults written into `{}`
 * as Ajv's `useDefaults` writes them, or `null` (see {@link userSettings}).
 */
export function defaultSettings(schema: Schema): { [key: string]: Json } | null {
  return userSettings(schema, '{}')?.composite ?? null;
}
