import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISanitizer } from '@jupyterlab/apputils';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

/** The only tags added to JupyterLab's list: furigana and its fallback brackets. */
export const RUBY_TAGS = ['ruby', 'rt', 'rp'];

/**
 * Let <ruby>, <rt> and <rp> through a sanitizer, keeping everything else it allows.
 *
 * JupyterLab's Sanitizer has no public way to add tags, so each call passes its current
 * tag list plus ours (read at call time: setAllowedSchemes() and friends rebuild it).
 */
export function allowRuby(sanitizer: IRenderMime.ISanitizer): void {
  const original = sanitizer.sanitize.bind(sanitizer);
  sanitizer.sanitize = (dirty: string, options?: IRenderMime.ISanitizerOptions) => {
    const current = (sanitizer as any)._options?.allowedTags;
    if (!Array.isArray(current)) {
      return original(dirty, options); // a sanitizer we do not know: leave it as it is
    }
    const allowedTags = [...(options?.allowedTags ?? current), ...RUBY_TAGS];
    return original(dirty, { ...options, allowedTags });
  };
}

/** Furigana: <ruby>, <rt> and <rp> in lesson Markdown survive the sanitizer. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:furigana',
  description: 'Keeps <ruby> readings (furigana) in Markdown cells.',
  autoStart: true,
  requires: [ISanitizer],
  activate: (_app: JupyterFrontEnd, sanitizer: IRenderMime.ISanitizer): void => {
    allowRuby(sanitizer);
  }
};

export default plugin;
