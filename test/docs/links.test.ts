import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../mock-ldap/project-root.js';

const root = projectRoot();
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('documentation links', () => {
  for (const document of documents) {
    it(`${document}: every link stays in the repository and reaches a file (and heading) that exists`, () => {
      const text = readFileSync(join(root, document), 'utf8').replace(/```[\s\S]*?```/g, '');
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((link) => !/^https?:/.test(link));
      if (document === 'README.md') expect(links.length, 'the README links to docs/').to.be.greaterThan(3);
      for (const link of links) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(root, document) : resolve(dirname(join(root, document)), path);
        expect(relative(root, target).startsWith('..'), `${document}: ${link} leaves the repository`).to.equal(false);
        expect(existsSync(target), `${document}: ${link} does not exist`).to.equal(true);
        if (anchor !== undefined && target.endsWith('.md')) {
          const headings = [...readFileSync(target, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
          expect(headings, `${document}: ${link} names no heading`).to.include(anchor);
        }
      }
    });
  }
});
