/**
 * The school font on every JupyterLab and Notebook 7 page, from the start: its @font-face (at
 * this Jupyter server, course/fonts) and, in a Japanese interface, the font lists that name it
 * (schoolFont.ts). Set once, before a lesson's text is laid out.
 *
 * The widgets' CSS leaves the @font-face out on these pages (course.render.school_font_css): each
 * one a widget output brought in made the browser lay out and shape all the page's text again,
 * once per widget family as "run all" drew a lesson. Voilà's pages have no lab extension, and
 * there the widgets still bring it.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';

import { JAPANESE_FONTS, schoolFontFace } from './schoolFont';

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:school-font',
  description: 'Sets the school font\'s @font-face and, in Japanese, the font lists naming it.',
  autoStart: true,
  activate: (): void => {
    const style = document.createElement('style');
    style.textContent = schoolFontFace(ServerConnection.makeSettings().baseUrl) + JAPANESE_FONTS;
    document.head.appendChild(style);
  }
};

export default plugin;
