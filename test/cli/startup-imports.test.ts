/**
 * What the command loads before it does anything: the bundle (dist/delegaudit.mjs) and the chunks it
 * imports statically. ldapts and commander are bundled in (resolving and compiling them as packages
 * cost about 25 ms at start); zod (about 60 ms of CPU at start) belongs only to the chunks a config
 * file, a journal or a report to diff load on demand; koffi (the GSS-API binding) only to Kerberos;
 * cli-table3 (about 20 ms) is required when a boxed table is drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'chai';
import { CLI } from '../helpers/run-cli.js';

/** Every file the bundle reaches through static imports, with the packages each imports. */
function staticGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?$/gms)].map((m) => m[1]!);
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers) if (s.startsWith('.')) pending.push(resolve(dirname(file), s));
  }
  return graph;
}

describe('the command at start', () => {
  it('loads neither zod, koffi nor cli-table3 until a command needs them, and carries ldapts and commander', () => {
    expect(existsSync(CLI), `${CLI}: run npm run build`).to.equal(true);
    const graph = staticGraph(CLI);
    const packages = new Set([...graph.values()].flat());
    expect([...packages].filter((p) => !p.startsWith('node:'))).to.deep.equal([]);
    expect(readFileSync(CLI, 'utf8')).to.include('node_modules/ldapts/').and.include('node_modules/commander/');
    expect([...packages]).not.to.include('zod');
    expect([...packages]).not.to.include('koffi');
    expect([...packages]).not.to.include('cli-table3');
  });

  it('keeps zod in chunks loaded on demand, which exist', () => {
    const chunks = join(dirname(CLI), 'chunks');
    const onDemand = [...readFileSync(CLI, 'utf8').matchAll(/import\(["'](\.\/chunks\/[^"']+)["']\)/g)].map((m) => resolve(dirname(CLI), m[1]!));
    expect(onDemand.length).to.be.greaterThan(0);
    for (const file of onDemand) expect(existsSync(file), file).to.equal(true);
    const withZod = onDemand.filter((file) => [...staticGraph(file).values()].flat().includes('zod'));
    expect(withZod.map((f) => f.slice(chunks.length + 1).replace(/-[A-Z0-9]+\.mjs$/, ''))).to.include.members(['load-config', 'journal', 'read-report']);
  });
});
