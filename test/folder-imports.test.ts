// The folders of src/ depend on each other in one direction only, and nothing outside test/ imports
// from test/. Imports are read with the TypeScript compiler's own scanner (static, type-only, re-exports
// and dynamic import() alike); only relative specifiers can reach another folder of this repository.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Import {
  /** Repository-relative path of the importing file, with '/' separators. */
  from: string;
  specifier: string;
  /** Repository-relative path the specifier resolves to. */
  to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every relative import of each file, resolved against the file's folder. */
function importsOf(files: ReadonlyMap<string, string>): Import[] {
  const out: Import[] = [];
  for (const [from, text] of files) {
    for (const f of ts.preProcessFile(text, true, true).importedFiles) {
      if (!f.fileName.startsWith('.')) continue;
      const to = relative(ROOT, resolve(ROOT, dirname(from), f.fileName))
        .split(sep)
        .join('/');
      out.push({ from, specifier: f.fileName, to });
    }
  }
  return out;
}

/** The folder of src/ a path is in (its first segment below src/), or undefined outside src/. */
function srcFolder(path: string): string | undefined {
  const m = /^src\/([^/]+)\//.exec(path);
  return m?.[1];
}

/** Folder -> folder edges, each with the first import that makes it. */
function folderGraph(imports: readonly Import[]): Map<string, Map<string, Import>> {
  const graph = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const a = srcFolder(i.from);
    const b = srcFolder(i.to);
    if (a === undefined || b === undefined || a === b) continue;
    let edges = graph.get(a);
    if (!edges) graph.set(a, (edges = new Map()));
    if (!edges.has(b)) edges.set(b, i);
  }
  return graph;
}

/** One cycle through each group of folders that reach each other, written out with an import per step. */
function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, Import>>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  for (const start of [...graph.keys()].sort()) {
    if (done.has(start)) continue;
    // Breadth-first from start: the shortest way back to start, if any.
    const via = new Map<string, string>();
    const queue = [start];
    let back: string | undefined;
    while (queue.length > 0 && back === undefined) {
      const a = queue.shift()!;
      for (const b of [...(graph.get(a)?.keys() ?? [])].sort()) {
        if (b === start) {
          back = a;
          break;
        }
        if (!via.has(b)) {
          via.set(b, a);
          queue.push(b);
        }
      }
    }
    if (back === undefined) continue;
    const path = [start];
    for (let f = back; f !== start; f = via.get(f)!) path.splice(1, 0, f);
    path.forEach((f) => done.add(f));
    const steps = path.map((a, k) => {
      const b = path[(k + 1) % path.length]!;
      const i = graph.get(a)!.get(b)!;
      return `${a} -> ${b} (${i.from} imports ${i.specifier})`;
    });
    cycles.push(steps.join(', '));
  }
  return cycles;
}

function repositoryFiles(...dirs: string[]): Map<string, string> {
  return new Map(dirs.flatMap(sourceFiles).map((p) => [p, readFileSync(join(ROOT, p), 'utf8')]));
}

describe('folder imports', () => {
  it('finds a loop between folders, and names each import on it', () => {
    const files = new Map([
      ['src/a/one.ts', "import type { Two } from '../b/two.js';"],
      ['src/b/two.ts', "export type { Three } from '../c/three.js';"],
      ['src/c/three.ts', "const four = await import('../d/four.js');"],
      ['src/c/other.ts', "import type { Three } from './three.js';\nimport Type from 'typebox';"],
      ['src/d/four.ts', "import { one } from '../a/one.js';"],
    ]);
    expect(folderCycles(folderGraph(importsOf(files)))).toEqual([
      'a -> b (src/a/one.ts imports ../b/two.js), b -> c (src/b/two.ts imports ../c/three.js), ' +
        'c -> d (src/c/three.ts imports ../d/four.js), d -> a (src/d/four.ts imports ../a/one.js)',
    ]);
    files.delete('src/c/three.ts');
    expect(folderCycles(folderGraph(importsOf(files)))).toEqual([]);
  });

  it('has no loop between the folders of src/', () => {
    const graph = folderGraph(importsOf(repositoryFiles('src')));
    expect(graph.size).toBeGreaterThan(10);
    expect(folderCycles(graph)).toEqual([]);
  });

  it('has nothing in src/ or bench/ importing from test/', () => {
    const intoTest = importsOf(repositoryFiles('src', 'bench'))
      .filter((i) => i.to === 'test' || i.to.startsWith('test/'))
      .map((i) => `${i.from} imports ${i.specifier}`);
    expect(intoTest).toEqual([]);
  });
});
