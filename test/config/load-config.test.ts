import { expect } from 'chai';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

describe('config file (loadConfig)', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const refusal = (path: string): Promise<ConfigError> =>
    loadConfig(path).then(
      () => expect.fail('loadConfig accepted a bad file'),
      (error: unknown) => {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
      },
    );

  before(async () => {
    dir = await tempDir('delegaudit-config-');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the keys of a valid file as they are', async () => {
    const path = await file('ok.json', JSON.stringify({ url: 'ldaps://dc01.corp.example.com', failOn: 'critical', groups: [{ name: 'A', hosts: ['HV01'] }] }));
    expect(await loadConfig(path)).to.deep.equal({ url: 'ldaps://dc01.corp.example.com', failOn: 'critical', groups: [{ name: 'A', hosts: ['HV01'] }] });
  });
  it('names the path of a value of the wrong type', async () => {
    const error = await refusal(await file('type.json', JSON.stringify({ groups: [{ name: 'a', hosts: ['HV01', 7] }] })));
    expect(error.message).to.contain('groups[0].hosts[1]: ');
  });
  it('suggests the nearest known key for a typo, at the top level and in a group', async () => {
    expect((await refusal(await file('grups.json', JSON.stringify({ grups: [] })))).message).to.contain('unknown key grups (did you mean groups?)');
    const nested = await refusal(await file('host.json', JSON.stringify({ groups: [{ name: 'a', hosts: ['x'], host: ['y'] }] })));
    expect(nested.message).to.contain('unknown key groups[0].host (did you mean hosts?)');
    expect((await refusal(await file('far.json', JSON.stringify({ zzz: 1 })))).message).to.match(/unknown key zzz$/);
  });
  it('names an unknown key, so a typo never drops a setting silently', async () => {
    expect((await refusal(await file('typo.json', JSON.stringify({ timout: 5 })))).message).to.contain('unknown key timout');
  });
  it('refuses a password, saying where passwords come from', async () => {
    expect((await refusal(await file('pw.json', JSON.stringify({ password: 'x' })))).message).to.contain(
      'unknown key password (passwords come from DELEGAUDIT_PASSWORD',
    );
  });
  it('says when the file is not JSON, or cannot be read', async () => {
    expect((await refusal(await file('bad.json', '{ url: '))).message).to.match(/config file .*bad\.json: not valid JSON/);
    expect((await refusal(join(dir, 'absent.json'))).message).to.match(/absent\.json: cannot read it \(ENOENT\)/);
  });
});
