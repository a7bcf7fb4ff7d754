// Small SVG charts drawn here (no chart library, nothing fetched): bars, and the waterfall of
// match weights that explains a pair's score.
import { s } from './dom.ts';

export interface Bar {
  label: string;
  value: number;
}

export function barChart(title: string, bars: Bar[], width = 520): SVGElement {
  const rowHeight = 26;
  const labelWidth = 170;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const height = bars.length * rowHeight + 10;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' }, s('title', {}, title));
  bars.forEach((bar, index) => {
    const y = index * rowHeight + 5;
    const length = ((width - labelWidth - 60) * bar.value) / max;
    svg.append(
      s('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end', class: 'label' }, bar.label),
      s('rect', { x: labelWidth, y: y + 3, width: Math.max(1, length), height: rowHeight - 8, class: 'bar' }),
      s('text', { x: labelWidth + length + 6, y: y + 16, class: 'value' }, String(bar.value)),
    );
  });
  return svg;
}

export interface WeightStep {
  comparison: string;
  level: string;
  weight: number;
}

/** Each weight (the prior first) as a step towards the final match weight; green adds, red takes away. */
export function waterfall(title: string, steps: WeightStep[], width = 560): SVGElement {
  const rowHeight = 24;
  const labelWidth = 200;
  const all = steps;
  let running = 0;
  const spans = all.map((step) => {
    const from = running;
    running += step.weight;
    return { step, from, to: running };
  });
  const values = spans.flatMap((span) => [span.from, span.to, 0]);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const scale = (width - labelWidth - 50) / Math.max(1, high - low);
  const x = (value: number) => labelWidth + (value - low) * scale;
  const height = (all.length + 1) * rowHeight + 10;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart waterfall' }, s('title', {}, title));
  svg.append(s('line', { x1: x(0), x2: x(0), y1: 0, y2: height, class: 'axis' }));
  spans.forEach(({ step, from, to }, index) => {
    const y = index * rowHeight + 5;
    const label = step.level ? `${step.comparison}: ${step.level.replaceAll('_', ' ')}` : step.comparison;
    svg.append(
      s('text', { x: labelWidth - 8, y: y + 15, 'text-anchor': 'end', class: 'label' }, label),
      s('rect', { x: Math.min(x(from), x(to)), y: y + 3, width: Math.max(1.5, Math.abs(x(to) - x(from))), height: rowHeight - 8, class: step.weight >= 0 ? 'gain' : 'loss' }),
      s('text', { x: Math.max(x(from), x(to)) + 5, y: y + 15, class: 'value' }, `${step.weight >= 0 ? '+' : ''}${step.weight.toFixed(1)}`),
    );
  });
  const y = all.length * rowHeight + 5;
  svg.append(
    s('text', { x: labelWidth - 8, y: y + 15, 'text-anchor': 'end', class: 'label total' }, 'match weight'),
    s('rect', { x: Math.min(x(0), x(running)), y: y + 3, width: Math.max(1.5, Math.abs(x(running) - x(0))), height: rowHeight - 8, class: 'total' }),
    s('text', { x: Math.max(x(0), x(running)) + 5, y: y + 15, class: 'value' }, running.toFixed(1)),
  );
  return svg;
}
