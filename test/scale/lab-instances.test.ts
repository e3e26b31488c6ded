/**
 * The Samba lab runs as more than one instance: the default one the tests use (.ad-lab/) and named
 * ones such as the benchmark's (`lab.ts --name bench`: .ad-lab-bench/, its own namespace and /30).
 * Nothing here starts samba: only where each instance keeps its state, and how lab.ts takes a name.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { labConnectionFile, labPaths, labStateDir, projectRoot } from '../ad-lab/connection.js';

const TSX = join(projectRoot, 'node_modules', '.bin', 'tsx');
const LAB = join(projectRoot, 'test', 'ad-lab', 'lab.ts');

describe('Samba lab instances', () => {
  it('keeps the default lab where it always was', () => {
    expect(labPaths()).to.deep.equal({ stateDir: labStateDir, connectionFile: labConnectionFile });
    expect(labConnectionFile).to.equal(join(projectRoot, '.ad-lab', 'connection.json'));
  });

  it('gives a named lab a state directory of its own', () => {
    expect(labPaths('bench')).to.deep.equal({
      stateDir: join(projectRoot, '.ad-lab-bench'),
      connectionFile: join(projectRoot, '.ad-lab-bench', 'connection.json'),
    });
  });

  it('reports a named lab that was never started as stopped (exit 3), creating nothing', () => {
    const result = spawnSync(TSX, [LAB, 'status', '--name', 'neverstarted'], { encoding: 'utf8' });
    expect(result.stdout.trim()).to.equal('stopped');
    expect(result.status).to.equal(3);
    expect(existsSync(join(projectRoot, '.ad-lab-neverstarted'))).to.equal(false);
  });

  it('refuses a name that is not 1-12 lower-case letters and digits (exit 2)', () => {
    const result = spawnSync(TSX, [LAB, 'status', '--name', '../x'], { encoding: 'utf8' });
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/a lab name is 1-12 lower-case letters and digits/);
  });
});
