/** The page: reads the inputs, asks the model (@ns/schedules) for the view, draws it. */
import { escapeXml, lineChart, type Series } from './chart.js';
import {
  applyRule,
  computeView,
  DENSITY_RANGE,
  type ExplorerInputs,
  type ExplorerView,
  type Field,
  PRESETS,
  SPACINGS,
} from './model.js';

const COLOURS = ['#0072b2', '#d55e00', '#009e73'] as const;

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`index.html has no #${id}`);
  return element as T;
};

const fields = {
  spec: byId<HTMLInputElement>('spec'),
  compare: byId<HTMLInputElement>('compare'),
  scale: byId<HTMLInputElement>('scale'),
  resolution: byId<HTMLInputElement>('resolution'),
  steps: byId<HTMLInputElement>('steps'),
  spacing: byId<HTMLSelectElement>('spacing'),
} satisfies Record<Field, HTMLInputElement | HTMLSelectElement>;
const preset = byId<HTMLSelectElement>('preset');
const scaleRange = byId<HTMLInputElement>('scale-range');
const errorBox = byId<HTMLParagraphElement>('error');

function readInputs(): ExplorerInputs {
  return {
    spec: fields.spec.value,
    compare: fields.compare.value,
    scale: Number(fields.scale.value),
    resolution: Number(fields.resolution.value),
    steps: Number(fields.steps.value),
    spacing: fields.spacing.value,
  };
}

function legend(view: ExplorerView): string {
  return view.curves
    .map((c, i) => `<span style="--c:${COLOURS[i]}">${escapeXml(c.name)}</span>`)
    .join('');
}

function drawCharts(view: ExplorerView): void {
  const series = (pick: 'gamma' | 'logSnr'): Series[] =>
    view.curves.map((c, i) => ({ name: c.name, x: view.t, y: c[pick], colour: COLOURS[i]! }));
  byId('legend').innerHTML = legend(view);
  byId('gamma-chart').innerHTML = lineChart({
    id: 'gamma-svg',
    title: 'γ(t), the schedule’s own',
    xLabel: 't',
    yLabel: 'γ',
    x: { min: 0, max: 1 },
    y: { min: 0, max: 1 },
    series: series('gamma'),
  });
  byId('logsnr-chart').innerHTML = lineChart({
    id: 'logsnr-svg',
    title: 'logSNR(t) = ln(b²γ/(1 − γ))',
    xLabel: 't',
    yLabel: 'logSNR',
    x: { min: 0, max: 1 },
    y: { min: -20, max: 20 },
    series: series('logSnr'),
  });
  byId('density-chart').innerHTML = lineChart({
    id: 'density-svg',
    title: 'training density over logSNR (t ~ U(0, 1))',
    xLabel: 'logSNR',
    yLabel: 'density',
    x: { min: DENSITY_RANGE.min, max: DENSITY_RANGE.max },
    series: view.curves.map((c, i) => ({
      name: c.name,
      x: view.logSnrAxis,
      y: c.density,
      colour: COLOURS[i]!,
    })),
  });
  const { grid } = view;
  byId('grid-chart').innerHTML = lineChart({
    id: 'grid-svg',
    title: `sampler grid: ${grid.tNow.length} steps, ${grid.spacing}`,
    xLabel: 't',
    yLabel: 'logSNR',
    x: { min: 0, max: 1 },
    y: { min: -20, max: 20 },
    series: [
      { name: view.spec, x: view.t, y: view.curves[0]!.logSnr, colour: '#bbbbbb' },
      { name: 'steps', x: grid.tNow, y: grid.logSnrNow, colour: COLOURS[0], dots: true },
    ],
  });
}

function drawTables(view: ExplorerView): void {
  const { grid } = view;
  byId('grid-summary').textContent =
    `${grid.tNow.length} steps, spacing ${grid.spacing}: t from ${grid.tNow[0]!.toPrecision(6)} down to ${grid.tNext[grid.tNext.length - 1]}`;
  const rows = Array.from(grid.tNow, (t, i) => {
    const l = grid.logSnrNow[i]!;
    return `<tr><td>${i + 1}</td><td>${t.toPrecision(6)}</td><td>${grid.tNext[i]!.toPrecision(6)}</td><td>${grid.gammaNow[i]!.toPrecision(6)}</td><td>${Number.isFinite(l) ? l.toFixed(4) : l > 0 ? '+∞' : '−∞'}</td></tr>`;
  });
  byId('grid-table').innerHTML =
    '<tr><th>step</th><th>t now</th><th>t next</th><th>γ now</th><th>logSNR now</th></tr>' +
    rows.join('');
  byId('rules-table').innerHTML =
    '<tr><th class="text">rule</th><th>b</th><th>s = 1/b</th><th>2·ln b</th><th>median logSNR</th><th class="text">spec</th><th class="text">source</th><th></th></tr>' +
    view.rules
      .map(
        (r, i) =>
          `<tr data-rule="${r.rule}"><td class="text">${r.rule}</td><td>${Number(r.scale.toPrecision(4))}</td><td>${Number(r.shift.toPrecision(4))}</td><td>${r.logSnrOffset.toFixed(3)}</td><td>${r.medianLogSnr.toFixed(3)}</td><td class="text"><code>${escapeXml(r.spec)}</code></td><td class="text">${escapeXml(r.source)}</td><td><button type="button" data-apply="${i}">use</button></td></tr>`,
      )
      .join('');
}

let current: ExplorerView | undefined;

function render(): void {
  const view = computeView(readInputs());
  for (const [name, element] of Object.entries(fields)) {
    element.setAttribute('aria-invalid', String(!view.ok && view.field === name));
  }
  if (!view.ok) {
    errorBox.hidden = false;
    errorBox.textContent = view.error;
    return;
  }
  errorBox.hidden = true;
  errorBox.textContent = '';
  current = view;
  byId('spec-out').textContent = view.spec;
  const half = byId<HTMLOutputElement>('logsnr-half');
  half.textContent = view.logSnrHalf.toFixed(6);
  half.dataset['value'] = String(view.logSnrHalf);
  byId('train-command').textContent = view.trainCommand;
  drawCharts(view);
  drawTables(view);
}

function setup(): void {
  preset.innerHTML =
    '<option value="">—</option>' +
    PRESETS.map((p) => `<option value="${escapeXml(p.spec)}">${escapeXml(p.label)}</option>`).join(
      '',
    );
  fields.spacing.innerHTML = SPACINGS.map((s) => `<option value="${s}">${s}</option>`).join('');
  preset.addEventListener('change', () => {
    if (preset.value === '') return;
    fields.spec.value = preset.value;
    render();
  });
  for (const element of Object.values(fields)) element.addEventListener('input', render);
  fields.scale.addEventListener('input', () => {
    const b = Number(fields.scale.value);
    if (b > 0) scaleRange.value = String(Math.log(b));
  });
  scaleRange.addEventListener('input', () => {
    fields.scale.value = String(Number(Math.exp(Number(scaleRange.value)).toPrecision(3)));
    render();
  });
  byId('rules-table').addEventListener('click', (event) => {
    const index = (event.target as HTMLElement).dataset['apply'];
    const rule = index === undefined ? undefined : current?.rules[Number(index)];
    if (rule === undefined) return;
    const { spec, scale } = applyRule(rule);
    fields.spec.value = spec;
    fields.scale.value = String(scale);
    render();
  });
  byId('copy').addEventListener('click', () => {
    void navigator.clipboard?.writeText(byId('train-command').textContent ?? '');
  });
  render();
}

setup();
