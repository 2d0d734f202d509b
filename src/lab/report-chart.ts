// The report's chart as a self-contained SVG: a grouped bar chart, one group per interval, two bars per VM
// (libvirt's vNIC bytes solid, sFlow's estimate lighter beside it).

import type { LabReport } from './lab-report.js';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round axis maximum and tick step for values up to `max`. */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  return { top: Math.ceil(max / step) * step, step };
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

export function renderSvg(rep: LabReport, title = `Traffic per VM and interval (run ${rep.runId})`): string {
  const vmCount = Math.max(1, rep.vms.length);
  const groups = Math.max(1, rep.intervals.length);
  const barW = 9;
  const groupGap = 24;
  const groupW = vmCount * (2 * barW + 4);
  const left = 64;
  const right = 20;
  const top = 48;
  const plotH = 280;
  const legendH = 24 + Math.ceil(vmCount / 4) * 18;
  const width = Math.max(480, left + right + groups * (groupW + groupGap));
  const height = top + plotH + 44 + legendH;
  const maxMb =
    Math.max(0, ...rep.intervals.flatMap((i) => i.cells.flatMap((c) => [c.libvirtBytes, c.sflowBytes]))) /
    1e6;
  const { top: yTop, step } = niceScale(maxMb);
  const y = (mb: number) => top + plotH - (mb / yTop) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  for (let v = 0; v <= yTop + step / 2; v += step) {
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${num(v)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">MB sent by the VM</text>`,
  );
  rep.intervals.forEach((iv, g) => {
    const slot = (width - left - right) / groups;
    const gx = left + g * slot + (slot - groupW) / 2;
    iv.cells.forEach((c, v) => {
      const color = PALETTE[v % PALETTE.length]!;
      const x = gx + v * (2 * barW + 4);
      const bars: [number, string, string][] = [
        [c.libvirtBytes / 1e6, '1', 'libvirt'],
        [c.sflowBytes / 1e6, '0.45', 'sFlow'],
      ];
      bars.forEach(([mb, opacity, source], k) => {
        const h = Math.max(0, y(0) - y(mb));
        parts.push(
          `<rect x="${(x + k * barW).toFixed(1)}" y="${y(mb).toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" ` +
            `fill="${color}" fill-opacity="${opacity}"><title>${esc(`interval ${iv.index + 1}, ${c.vm}, ${source}: ${mb.toFixed(2)} MB`)}</title></rect>`,
        );
      });
    });
    parts.push(
      `<text x="${(gx + groupW / 2).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${iv.index + 1}</text>`,
    );
  });
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`);
  parts.push(
    `<text x="${left + (width - left - right) / 2}" y="${top + plotH + 34}" text-anchor="middle">interval</text>`,
  );
  const ly = top + plotH + 52;
  parts.push(`<text x="${left}" y="${ly}">solid: libvirt vNIC counters · light: sFlow estimate</text>`);
  rep.vms.forEach((vm, v) => {
    const lx = left + (v % 4) * 150;
    const yy = ly + 18 + Math.floor(v / 4) * 18;
    parts.push(
      `<rect x="${lx}" y="${yy - 10}" width="12" height="12" fill="${PALETTE[v % PALETTE.length]!}"/>`,
    );
    parts.push(`<text x="${lx + 18}" y="${yy}">${esc(vm)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
