/**
 * The HTML report in a real browser: Debian's Chromium, driven by playwright-core. The lab's report
 * must show its matrix and tables with JavaScript off and without a single network request; a host
 * name carrying markup must render as text. The screenshot lands in test-output/ (and, with
 * DELEGAUDIT_UPDATE_SCREENSHOT=1 or when it is missing, in docs/report.png for the README).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { type MockLdap, startMockLdap } from '../../mock-ldap/index.js';
import { projectRoot } from '../../mock-ldap/project-root.js';
import { audit } from '../../src/index.js';
import { formatHtml } from '../../src/report/formats/audit-html.js';
import { HOSTILE, hostileLabEntries } from '../helpers/hostile-lab.js';
import { LAB_LDIF } from '../helpers/targets.js';
import { requireTool } from '../helpers/requires.js';

const OUTPUT = join(projectRoot(), 'test-output');
const README_SHOT = join(projectRoot(), 'docs', 'report.png');

async function reportHtml(mock: MockLdap): Promise<string> {
  const { report } = await audit({
    url: mock.ldapsUrl!,
    caFile: mock.caFile,
    tlsServername: mock.servername,
    credentials: { user: 'Administrator@corp.example.com', password: 'Lab-Admin-Passw0rd' },
  });
  return formatHtml(report);
}

describe('the HTML report in headless Chromium [mock]', function () {
  this.timeout(60000);
  let browser: Browser;

  before(async function launch() {
    const executablePath = requireTool(this, 'chromium', "Debian's chromium: apt-get install -y chromium; .ci/run does");
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  it("shows the lab's matrix, findings and privileged accounts with JavaScript off and no request beyond the file", async () => {
    const mock = await startMockLdap({ ldif: LAB_LDIF });
    let html: string;
    try {
      html = await reportHtml(mock);
    } finally {
      await mock.close();
    }
    const file = join(OUTPUT, 'lab-report.html');
    await writeFile(file, html);
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

      expect(await page.title()).to.equal('Delegation audit: corp.example.com');
      // Browser-side code as strings: this project's TypeScript has no DOM types.
      const matrix = await page.evaluate<string[][]>(
        `[...document.querySelectorAll('table.matrix tbody tr')].map((row) => [...row.children].map((cell) => cell.innerText.replace(/\\s+/g, ' ').trim()))`,
      );
      expect(matrix).to.deep.equal([
        ['HV01', '—', 'ok', 'ok'],
        ['HV02', 'Kerberos only', '—', 'Kerberos only'],
        ['HV03', 'empty no delegation entries', 'empty no delegation entries', '—'],
      ]);
      // Each state has a colour of its own (and says its name): ok, Kerberos only and empty all differ.
      const colours = await page.evaluate<string[][]>(
        `[...document.querySelectorAll('table.matrix tbody tr')].map((row) => [...row.querySelectorAll('td')].map((td) => getComputedStyle(td).backgroundColor))`,
      );
      const [ok, kerberosOnly, empty] = [colours[0]![1], colours[1]![0], colours[2]![0]];
      expect(new Set([ok, kerberosOnly, empty]).size).to.equal(3);
      expect(colours[1]![2]).to.equal(kerberosOnly);
      expect(colours[2]![1]).to.equal(empty);
      expect(await page.locator('table.findings tbody tr').count()).to.equal(9);
      expect(await page.locator('table.findings tbody tr').first().innerText()).to.match(/CRITICAL\s+DG001 unconstrained-delegation/);
      expect(await page.locator('table.findings tbody tr').nth(3).innerText()).to.match(/HIGH\s+HV001 protocol-transition-missing/);
      expect(await page.locator('table.privileged tbody tr').count()).to.equal(4);
      expect(await page.locator('.cards .card').count()).to.equal(8);
      expect(requests).to.deep.equal([pathToFileURL(file).href]);

      const shot = join(OUTPUT, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect(png.subarray(1, 4).toString('latin1')).to.equal('PNG');
      if (process.env.DELEGAUDIT_UPDATE_SCREENSHOT === '1' || !existsSync(README_SHOT)) {
        await mkdir(join(projectRoot(), 'docs'), { recursive: true });
        await copyFile(shot, README_SHOT);
      }

      // Print-friendly: Chromium's print path lays it out too.
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      await writeFile(join(OUTPUT, 'report.pdf'), pdf);
    } finally {
      await context.close();
    }
  });

  it('is the screenshot the README shows', async () => {
    const readme = await readFile(join(projectRoot(), 'README.md'), 'utf8');
    expect(readme).to.match(/^!\[The HTML report of the lab directory[^\]]*\]\(docs\/report\.png\)$/m);
    expect((await readFile(README_SHOT)).subarray(1, 4).toString('latin1')).to.equal('PNG');
  });

  it('renders a host named <img src=x onerror=…> as text, with JavaScript on', async () => {
    const mock = await startMockLdap({ entries: hostileLabEntries() });
    let html: string;
    try {
      html = await reportHtml(mock);
    } finally {
      await mock.close();
    }
    const file = join(OUTPUT, 'hostile-report.html');
    await writeFile(file, html);
    const context = await browser.newContext({ javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      expect(await page.locator('img').count()).to.equal(0);
      expect(await page.evaluate<string | null>('document.body.dataset.pwned ?? null')).to.equal(null);
      const headers = await page.locator('table.matrix thead th').allInnerTexts();
      expect(headers).to.include(HOSTILE.html);
      expect(headers).to.include(HOSTILE.formula);
      expect(await page.locator('table.findings').innerText()).to.contain(`${HOSTILE.html}$`);
    } finally {
      await context.close();
    }
  });
});
