/**
 * The bind password must appear nowhere: not on stdout or stderr (with --debug too), not in error
 * messages, journals or report files, whatever the command and however it ends.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';

import { join } from 'node:path';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { formatNames } from '../../src/report/formats/index.js';

const REPORT_FORMATS = formatNames('audit');
import { runCli } from '../helpers/run-cli.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp.js';

const PASSWORD = 'Lab-Admin-Passw0rd';

describe('secrets stay secret [mock]', () => {
  let mock: MockLdap;
  let dir: string;
  before(async () => {
    mock = await startMockLdap({ ldif: LAB_LDIF });
    dir = await tempDir('delegaudit-secrets-');
  });
  after(async () => {
    await mock.close();
  });

  it('[mock] no command prints, journals or writes the password', async () => {
    const conn = ['--url', mock.ldapsUrl!, '--ca-file', mock.caFile, '--tls-servername', mock.servername, '--user', 'CORP\\Administrator'];
    const env = { DELEGAUDIT_PASSWORD: PASSWORD };
    const runs: Array<[string[], Record<string, string>]> = [
      ...REPORT_FORMATS.map((format): [string[], Record<string, string>] => [
        ['audit', ...conn, '--format', format, '--output', join(dir, `report.${format}`), '--debug'],
        env,
      ]),
      [['audit', ...conn, '--debug', '--probe', '--resolve', 'HV01.corp.example.com=127.0.0.1:1'], env],
      [['audit', ...conn, '--debug'], { DELEGAUDIT_PASSWORD: `${PASSWORD}-wrong` }],
      [['audit', ...conn, '--insecure', '--url', mock.url, '--debug'], env],
      [['fix', ...conn, '--format', 'ldif', '--debug'], env],
      [['fix', ...conn, '--format', 'powershell'], env],
      [['fix', ...conn, '--protect-privileged', '--apply', '--yes', '--journal', join(dir, 'fix.jsonl'), '--debug'], env],
      [['rollback', join(dir, 'fix.jsonl'), ...conn, '--apply', '--yes', '--journal', join(dir, 'rollback.jsonl'), '--debug'], env],
      [['diff', join(dir, 'report.json'), join(dir, 'report.json')], env],
      [['explain', 'HV001'], env],
      [['probe', ...conn, '--resolve', 'HV01.corp.example.com=127.0.0.1:1', '--debug'], env],
    ];
    for (const [args, extraEnv] of runs) {
      const r = await runCli(args, extraEnv);
      expect(r.stdout + r.stderr, args.join(' ')).to.not.contain(PASSWORD);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).to.be.oneOf([0, 1, 3]);
    }
    const files = readdirSync(dir);
    expect(files).to.include.members(['fix.jsonl', 'rollback.jsonl', 'report.json', 'report.html', 'report.csv', 'report.markdown', 'report.table']);
    for (const file of files) expect(readFileSync(join(dir, file), 'utf8'), file).to.not.contain(PASSWORD);
  });
});
