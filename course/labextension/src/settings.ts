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
import { Setting } from '@jupyterlab/services';
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

/**
 * JupyterLab's settings connector, for an app without its plugin (Notebook 7): the server's
 * settings, with `list('active')` leaving out the plugins the page config turns off.
 */
class Connector implements ISettingConnector {
  constructor(private _manager: Setting.IManager) {}

  fetch(id: string): Promise<ISettingRegistry.IPlugin | undefined> {
    return this._manager.fetch(id);
  }

  async list(query: 'active' | 'all' | 'ids' = 'all') {
    const { isDisabled } = PageConfig.Extension;
    const { ids, values } = await this._manager.list(query === 'ids' ? 'ids' : undefined);
    if (query === 'all' || query === 'ids') {
      return { ids, values };
    }
    return { ids: ids.filter(id => !isDisabled(id)), values: values.filter(({ id }) => !isDisabled(id)) };
  }

  save(id: string, raw: string): Promise<void> {
    return this._manager.save(id, raw);
  }

  async remove(): Promise<void> {
    throw new Error('Settings cannot be removed.');
  }
}

const plugin: JupyterFrontEndPlugin<ISettingRegistry> = {
  id: '@manabu/lab:settings',
  description: "JupyterLab's setting registry, filling in defaults without compiling schemas.",
  autoStart: true,
  provides: ISettingRegistry,
  optional: [ISettingConnector],
  activate: async (app: JupyterFrontEnd, given: ISettingConnector | null) => {
    const { isDisabled } = PageConfig.Extension;
    // JupyterLab's own connector; Notebook 7 has none, and gets the same as JupyterLab's
    const connector = given ?? new Connector(app.serviceManager.settings);
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
