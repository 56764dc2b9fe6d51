/**
 * JupyterLab's setting registry, quicker to start: a plugin with no user settings, or with
 * simple ones that surely fit its schema, gets its settings without Ajv compiling the schema
 * (schemaDefaults.ts says why and how). Every other plugin, and every value that may not fit,
 * goes to JupyterLab's own validator, which says what is wrong.
 *
 * It stands in for `@jupyterlab/apputils-extension:settings`, which the page config turns off
 * (autograder/labpage.py); everything else is that plugin's: the same connector, the same
 * plugins preloaded, the same late loading of the rest once the page is restored.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import {
  DefaultSchemaValidator,
  ISchemaValidator,
  ISettingConnector,
  ISettingRegistry,
  SettingRegistry
} from '@jupyterlab/settingregistry';

import { userSettings } from './schemaDefaults';

/**
 * A validator that fills in the defaults itself where it is sure of the outcome: no user
 * settings, or user settings of simple values that surely fit (a language, a choice, a font).
 */
export class LeanSchemaValidator implements ISchemaValidator {
  /** Plugins whose defaults it filled in itself, and those it left to JupyterLab's validator. */
  readonly counts = { lean: 0, full: 0 };

  validateData(
    plugin: ISettingRegistry.IPlugin,
    populate = true
  ): ISchemaValidator.IError[] | null {
    const data = userSettings(plugin.schema, plugin.raw);
    if (data === null) {
      this.counts.full++;
      // made on first use: its two Ajv instances compile JSON Schema's own schema as they start
      this._full ??= new DefaultSchemaValidator();
      return this._full.validateData(plugin, populate);
    }
    this.counts.lean++;
    if (populate) {
      plugin.data = data;
    }
    return null;
  }

  private _full: DefaultSchemaValidator | null = null;
}

const plugin: JupyterFrontEndPlugin<ISettingRegistry> = {
  id: '@manabu/lab:settings',
  description: "JupyterLab's setting registry, filling in defaults without compiling schemas.",
  autoStart: true,
  provides: ISettingRegistry,
  requires: [ISettingConnector],
  activate: async (app: JupyterFrontEnd, connector: ISettingConnector) => {
    const { isDisabled } = PageConfig.Extension;
    const registry = new SettingRegistry({
      connector,
      plugins: (await connector.list('active')).values.filter(p => app.hasPlugin(p.id)),
      validator: new LeanSchemaValidator()
    });
    // as JupyterLab's: the settings of plugins that start later load once the page is restored
    void app.restored.then(async () => {
      for (const id of (await connector.list('ids')).ids) {
        if (!app.hasPlugin(id) || isDisabled(id) || id in registry.plugins) {
          continue;
        }
        registry.load(id).catch(error => {
          console.warn(`Settings failed to load for (${id})`, error);
        });
      }
    });
    return registry;
  }
};

export default plugin;
