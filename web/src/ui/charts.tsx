// The browser build: the package's own bundle carries the Buffer it uses (lib/ needs Node's).
import { stringify } from 'csv-stringify/browser/esm/sync';
import { useId, useState, type ReactNode } from 'react';

/**
 * The furniture every dashboard chart shares: a card with its title, what it counts, a CSV
 * link when the report's CSV carries the chart's figures, and its numbers one click away ("Show numbers" reveals the table
 * the chart was drawn from, the report's own numbers). The charts themselves are recharts.
 */

export const STAGE_COLORS: Record<string, string> = {
  contact: '#64748b',
  qualification: '#2563eb',
  inquiry: '#6d28d9',
  quotation: '#d97706',
  won: '#15803d',
  lost: '#b91c1c',
};

export const CATEGORY_COLORS: Record<string, string> = {
  pipeline: '#cbd5e1',
  best_case: '#93c5fd',
  commit: '#2563eb',
  closed: '#15803d',
};

export const CATEGORY_LABELS: Record<string, string> = {
  pipeline: 'Pipeline',
  best_case: 'Best case',
  commit: 'Commit',
  closed: 'Closed',
};

export const AXIS_TICK = { fontSize: 12, fill: '#4b5565' } as const;
export const GRID_STROKE = '#e3e6eb';

interface ChartCardProps {
  id: string;
  title: string;
  subtitle?: ReactNode;
  /** The report's query this card shows (the test fetches the same report with it). */
  query?: string;
  /**
   * A link to the report's CSV (`format=csv`: the report's main table, server/reportRoutes.ts),
   * only where that table carries the chart's figures; `label` names it when the CSV is
   * another chart's table, `title` says what it holds.
   */
  csv?: { href: string; label?: string; title?: string; filename?: string };
  actions?: ReactNode;
  chart: ReactNode;
  numbers: ReactNode;
  state?: ReactNode;
  className?: string;
}

/** A chart and, one click away, its numbers. */
export function ChartCard({ id, title, subtitle, query, csv, actions, chart, numbers, state, className }: ChartCardProps) {
  const [showNumbers, setShowNumbers] = useState(false);
  const tableId = useId();
  const headingId = `${id}-title`;
  return (
    <section className={`panel chart-card${className ? ` ${className}` : ''}`} aria-labelledby={headingId} data-testid={`chart-${id}`} data-query={query}>
      <div className="panel-head chart-head">
        <div>
          <h2 id={headingId}>{title}</h2>
          {subtitle ? <p className="chart-subtitle">{subtitle}</p> : null}
        </div>
        <div className="chart-actions">
          {actions}
          {csv ? (
            <a className="btn btn-secondary btn-small" href={csv.href} title={csv.title} download={csv.filename ?? true}>
              {csv.label ?? 'CSV'}
            </a>
          ) : null}
          <button type="button" className="btn btn-secondary btn-small" aria-expanded={showNumbers} aria-controls={tableId} onClick={() => setShowNumbers((s) => !s)}>
            {showNumbers ? 'Hide numbers' : 'Show numbers'}
          </button>
        </div>
      </div>
      <div className="panel-body">
        {state ?? (
          <>
            <div className="chart-area" data-testid={`chart-${id}-plot`}>
              {chart}
            </div>
            <div id={tableId} className="chart-numbers table-wrap" hidden={!showNumbers} data-testid={`numbers-${id}`}>
              {showNumbers ? numbers : null}
            </div>
          </>
        )}
      </div>
    </section>
  );
}

export interface Column<R> {
  key: string;
  label: string;
  num?: boolean;
  /** The report's own value, kept on the cell (data-value) beside its formatted text. */
  value: (row: R) => string | number | null;
  format?: (row: R) => string;
}

/**
 * A chart's numbers as a CSV file made in the browser, for a chart whose figures no report's
 * CSV holds (time in stage, lost reasons, activity per week): the columns' keys as the header,
 * each cell the report's own value (durations in ms), as NumbersTable keeps them in data-value.
 */
export function numbersCsv<R>(columns: Column<R>[], rows: R[], filename: string, title: string): { href: string; filename: string; title: string } {
  const text = stringify(
    rows.map((r) => columns.map((c) => c.value(r))),
    { header: true, columns: columns.map((c) => c.key) },
  );
  return { href: `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`, filename, title };
}

/** The numbers behind a chart: one row per row of the report's table. */
export function NumbersTable<R>({ caption, columns, rows, rowKey }: { caption: string; columns: Column<R>[]; rows: R[]; rowKey: (row: R) => string }) {
  return (
    <table className="small numbers-table">
      <caption className="muted small">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} scope="col" className={c.num ? 'num' : undefined} data-key={c.key}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={columns.length} className="muted">
              Nothing in this period.
            </td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr key={rowKey(r)} data-row={rowKey(r)}>
              {columns.map((c) => {
                const v = c.value(r);
                return (
                  <td key={c.key} className={c.num ? 'num' : undefined} data-key={c.key} data-value={v === null ? 'null' : String(v)}>
                    {c.format ? c.format(r) : v === null ? '—' : String(v)}
                  </td>
                );
              })}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** A unit for durations that suits the largest one shown (minutes in a test, days in a real quarter). */
export interface DurationUnit {
  label: string;
  short: string;
  ms: number;
}

const UNITS: DurationUnit[] = [
  { label: 'days', short: 'd', ms: 86_400_000 },
  { label: 'hours', short: 'h', ms: 3_600_000 },
  { label: 'minutes', short: 'min', ms: 60_000 },
  { label: 'seconds', short: 's', ms: 1_000 },
];

export function durationUnit(maxMs: number): DurationUnit {
  return UNITS.find((u) => maxMs >= 2 * u.ms) ?? UNITS[UNITS.length - 1]!;
}

export function inUnit(ms: number | null | undefined, unit: DurationUnit): number | null {
  return ms === null || ms === undefined ? null : Math.round((ms / unit.ms) * 10) / 10;
}

export function formatInUnit(ms: number | null | undefined, unit: DurationUnit): string {
  const v = inUnit(ms, unit);
  return v === null ? '—' : `${v.toFixed(1)} ${unit.short}`;
}

export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)} %`;
}

/** One box of a box plot, in the chart's units, drawn over the range bar [min, max]. */
export interface BoxDatum {
  name: string;
  count: number;
  range: [number, number];
  min: number;
  q1: number;
  median: number;
  q3: number;
  p90: number;
  max: number;
  color: string;
}

/**
 * A box plot drawn as the shape of a range bar: recharts places the bar from min to max, so
 * the other values map linearly into that span. Whisker min to max, box q1 to q3, a line at
 * the median and a tick at p90.
 */
export function BoxShape(props: { x?: number; y?: number; width?: number; height?: number; payload?: BoxDatum }) {
  const { x = 0, y = 0, width = 0, height = 0, payload } = props;
  if (!payload) return null;
  const { min, max } = payload;
  const at = (v: number) => (max === min ? y + height : y + (height * (max - v)) / (max - min));
  const cx = x + width / 2;
  const boxW = Math.max(10, Math.min(width * 0.7, 56));
  const left = cx - boxW / 2;
  const top = at(payload.q3);
  const boxH = Math.max(2, at(payload.q1) - top);
  const capW = boxW / 2;
  return (
    <g className="box-plot" data-testid={`box-${payload.name}`} aria-label={`${payload.name}: median ${payload.median}`}>
      <line x1={cx} x2={cx} y1={at(max)} y2={at(min)} stroke="#4b5565" strokeWidth={1.25} />
      <line x1={cx - capW / 2} x2={cx + capW / 2} y1={at(max)} y2={at(max)} stroke="#4b5565" strokeWidth={1.25} />
      <line x1={cx - capW / 2} x2={cx + capW / 2} y1={at(min)} y2={at(min)} stroke="#4b5565" strokeWidth={1.25} />
      <rect x={left} y={top} width={boxW} height={boxH} rx={3} fill={payload.color} fillOpacity={0.22} stroke={payload.color} strokeWidth={1.5} />
      <line x1={left} x2={left + boxW} y1={at(payload.median)} y2={at(payload.median)} stroke={payload.color} strokeWidth={3} />
      <line x1={left + boxW * 0.25} x2={left + boxW * 0.75} y1={at(payload.p90)} y2={at(payload.p90)} stroke="#b91c1c" strokeWidth={2} strokeDasharray="3 2" />
    </g>
  );
}

/** A tooltip body in the app's style. */
export function TooltipBox({ title, lines }: { title: string; lines: { label: string; value: string; color?: string }[] }) {
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{title}</div>
      {lines.map((l) => (
        <div key={l.label} className="chart-tooltip-line">
          {l.color ? <span className="swatch" style={{ background: l.color }} aria-hidden="true" /> : null}
          <span>{l.label}</span>
          <strong>{l.value}</strong>
        </div>
      ))}
    </div>
  );
}
