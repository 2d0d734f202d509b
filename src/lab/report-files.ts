// Reads a traffic run's result from the state folder and writes its report as CSV, Markdown and SVG.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReport, renderCsv, renderMarkdown, type LabReport } from './lab-report.js';
import { renderSvg } from './report-chart.js';
import type { TrafficResult } from './traffic-run.js';

const MAX_RESULT_BYTES = 64 * 1024 * 1024;

/** The run folder: the one named, or the latest. */
export async function runDir(stateDir: string, runId?: string): Promise<string> {
  let id = runId;
  if (!id) {
    try {
      id = (await readFile(join(stateDir, 'runs', 'latest'), 'utf8')).trim();
    } catch {
      throw new Error(`no traffic run in ${stateDir}: run \`vigil lab traffic\` first`);
    }
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id) || id.startsWith('.'))
    throw new Error(`bad run id ${JSON.stringify(id)}`);
  return join(stateDir, 'runs', id);
}

export function parseResult(text: string): TrafficResult {
  if (text.length > MAX_RESULT_BYTES) throw new Error('traffic result is too large');
  const r = JSON.parse(text) as TrafficResult;
  if (
    r?.version !== 1 ||
    !Array.isArray(r.intervals) ||
    !Array.isArray(r.vms) ||
    typeof r.runId !== 'string'
  ) {
    throw new Error('not a traffic result (version 1)');
  }
  return r;
}

export interface WrittenReport {
  report: LabReport;
  files: { csv: string; markdown: string; svg: string };
}

export async function writeReport(dir: string, outDir = dir, command?: string): Promise<WrittenReport> {
  const result = parseResult(await readFile(join(dir, 'traffic.json'), 'utf8'));
  if (command) result.command = command;
  const report = buildReport(result);
  await mkdir(outDir, { recursive: true });
  const files = {
    csv: join(outDir, `lab-${report.runId}.csv`),
    markdown: join(outDir, `lab-${report.runId}.md`),
    svg: join(outDir, `lab-${report.runId}.svg`),
  };
  await writeFile(files.csv, renderCsv(report));
  await writeFile(files.svg, renderSvg(report));
  await writeFile(files.markdown, renderMarkdown(report, `lab-${report.runId}.svg`));
  return { report, files };
}
