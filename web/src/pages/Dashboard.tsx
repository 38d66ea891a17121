import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Funnel,
  FunnelChart,
  LabelList,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  Cell,
} from 'recharts';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { useAccount } from '../session';
import { Empty, ErrorBox, LiveStamp, Loading, PageHeader, useAddressFilters, usePolled } from '../ui/common';
import { Field, SelectField } from '../ui/form';
import { formatMoney, plural } from '../ui/format';
import {
  AXIS_TICK,
  BoxShape,
  CATEGORY_COLORS,
  CATEGORY_LABELS,
  ChartCard,
  GRID_STROKE,
  NumbersTable,
  numbersCsv,
  STAGE_COLORS,
  TooltipBox,
  durationUnit,
  formatInUnit,
  inUnit,
  percent,
  type BoxDatum,
  type Column,
} from '../ui/charts';
import { PRESETS, apiPeriod, forecastPeriod, formatDay, formatMonth, formatWeek, lastDayOf, presetDays, type PresetId } from '../ui/period';

type Funnel = components['schemas']['FunnelReport'];
type Forecast = components['schemas']['ForecastReport'];
type Quotes = components['schemas']['QuotesReport'];
type Activity = components['schemas']['ActivityReport'];
type Postsales = components['schemas']['PostsalesReport'];
type Campaigns = components['schemas']['CampaignsReport'];
type ReportName = 'funnel' | 'forecast' | 'quotes' | 'activity' | 'postsales' | 'campaigns';

/** The filters the reports take besides the period; the server narrows them to the caller's scope. */
const DIMENSIONS = ['team', 'rep', 'process', 'source', 'campaign'] as const;
type Dimension = (typeof DIMENSIONS)[number];

const REFRESH_MS = 60_000;
const FUNNEL_STAGES = ['contact', 'qualification', 'inquiry', 'quotation', 'won'] as const;
const CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed'] as const;

const count = (n: number | null | undefined) => (n === null || n === undefined ? '—' : String(n));
const money = (cents: number) => formatMoney(cents);
const compactMoney = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', notation: 'compact', maximumFractionDigits: 1 });

function useReport<T>(name: ReportName, query: Record<string, string>): { data: T | undefined; error: unknown; loading: boolean; updatedAt: number | undefined; qs: string } {
  const qs = new URLSearchParams(query).toString();
  // The paths are one literal per report for openapi-fetch's types; the query is the same.
  const polled = usePolled<T>(async () => ok(api.GET(`/api/reports/${name}` as '/api/reports/funnel', { params: { query } })) as Promise<T>, [name, qs], REFRESH_MS);
  return { ...polled, qs };
}

/** The sales manager's dashboard: the reports as charts, each with its numbers a click away. */
export function DashboardPage() {
  const account = useAccount();
  const { params, set } = useAddressFilters();
  const preset = (PRESETS.some((p) => p.id === params.get('period')) ? params.get('period') : '90d') as PresetId;
  const [now] = useState(() => Date.now());
  const days = presetDays(preset, now, { from: params.get('from'), to: params.get('to') });
  const horizon = Number(params.get('horizon') ?? 6) || 6;
  const dims = Object.fromEntries(DIMENSIONS.flatMap((d) => (params.get(d) ? [[d, params.get(d)!]] : []))) as Partial<Record<Dimension, string>>;
  const period = apiPeriod(days);
  const base = { ...period, ...dims };
  const forecastQuery = { ...forecastPeriod(days, now, horizon), ...dims };

  const funnel = useReport<Funnel>('funnel', base);
  const forecast = useReport<Forecast>('forecast', forecastQuery);
  const quotes = useReport<Quotes>('quotes', base);
  const activity = useReport<Activity>('activity', base);
  // Accounts have no source or campaign: the post-sales report takes the other filters.
  const { source: _source, campaign: _campaign, ...accountDims } = dims;
  const postsales = useReport<Postsales>('postsales', { ...period, ...accountDims });
  const campaigns = useReport<Campaigns>('campaigns', base);


  // What the server scoped the reports to (a manager's team, a rep's own prospects).
  const scope = funnel.data?.filter;
  const scopeText =
    account.role === 'rep'
      ? `Your own prospects (${scope?.rep ?? account.personId ?? account.login})`
      : account.role === 'manager'
        ? `Team ${scope?.team ?? account.team ?? '—'}`
        : 'All teams';
  const updatedAt = Math.min(...[funnel, forecast, quotes, activity, postsales, campaigns].map((r) => r.updatedAt ?? Infinity));

  return (
    <div className="page dashboard">
      <PageHeader
        title="Dashboard"
        subtitle={
          <>
            {scopeText} · {formatDay(days.first)} – {formatDay(days.last)} <span className="muted">(UTC days)</span>
          </>
        }
        actions={<LiveStamp at={Number.isFinite(updatedAt) ? updatedAt : undefined} />}
      />
      <Filters preset={preset} days={days} dims={dims} role={account.role} onChange={set} />
      <Kpis funnel={funnel.data} forecast={forecast.data} quotes={quotes.data} />
      <div className="dashboard-grid">
        <FunnelCard report={funnel} />
        <ForecastCard report={forecast} horizon={horizon} onHorizon={(h) => set({ horizon: h === 6 ? undefined : String(h) })} />
        <TimeInStageCard report={funnel} />
        <ActivityCard report={activity} />
        <QuotesCard report={quotes} />
        <LostReasonsCard report={funnel} />
        <PostsalesCard report={postsales} />
      </div>
      <RepActivityCard report={activity} />
      <CampaignResultsCard report={campaigns} />
    </div>
  );
}

function Filters({
  preset,
  days,
  dims,
  role,
  onChange,
}: {
  preset: PresetId;
  days: { first: string; last: string };
  dims: Partial<Record<Dimension, string>>;
  role: string;
  onChange: (changes: Record<string, string | undefined>) => void;
}) {
  // The choices are what the reports hold within the caller's scope (the server's): the built-in
  // process and those given as files too, not only the published ones.
  const choices = usePolled(async () => ok(api.GET('/api/reports/dimensions')), [role], 5 * 60_000);
  const teamList = choices.data?.teams ?? [];
  const teams = teamList.map((t) => t.name).filter((t) => t !== '');
  const reps = teamList.flatMap((t) => t.reps.map((id) => ({ id, team: t.name })));
  const shownReps = dims.team ? reps.filter((r) => r.team === dims.team) : reps;
  return (
    <form className="filters dashboard-filters" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
      <Field label="Period">
        {(p) => (
          <select {...p} name="period" value={preset} onChange={(e) => onChange({ period: e.target.value === '90d' ? undefined : e.target.value, ...(e.target.value === 'custom' ? { from: days.first, to: days.last } : { from: undefined, to: undefined }) })}>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {preset === 'custom' ? (
        <>
          <Field label="From" className="field-date">
            {(p) => <input {...p} type="date" name="from" value={days.first} max={days.last} onChange={(e) => e.target.value && onChange({ from: e.target.value })} />}
          </Field>
          <Field label="To" className="field-date">
            {(p) => <input {...p} type="date" name="to" value={days.last} min={days.first} onChange={(e) => e.target.value && onChange({ to: e.target.value })} />}
          </Field>
        </>
      ) : null}
      {role === 'admin' || role === 'ops' ? (
        <SelectField label="Team" name="team" value={dims.team ?? ''} empty="All teams" options={teams} onChange={(v) => onChange({ team: v, rep: undefined })} />
      ) : null}
      {role !== 'rep' ? (
        <SelectField
          label="Rep"
          name="rep"
          value={dims.rep ?? ''}
          empty={role === 'manager' ? 'Whole team' : 'All reps'}
          options={[...new Set(shownReps.map((r) => r.id))].map((id) => {
            const of = shownReps.filter((r) => r.id === id && r.team).map((r) => r.team);
            return { value: id, label: of.length > 0 ? `${id} (${of.join(', ')})` : id };
          })}
          onChange={(v) => onChange({ rep: v })}
        />
      ) : null}
      <SelectField label="Process" name="process" value={dims.process ?? ''} empty="All processes" options={choices.data?.processes ?? []} onChange={(v) => onChange({ process: v })} />
      <TextFilter label="Source" name="source" hint="web, fair, campaign:spring…" value={dims.source} suggestions={choices.data?.sources ?? []} onChange={(v) => onChange({ source: v })} />
      <TextFilter label="Campaign" name="campaign" hint="a campaign id" value={dims.campaign} suggestions={choices.data?.campaigns ?? []} onChange={(v) => onChange({ campaign: v })} />
      {DIMENSIONS.some((d) => dims[d]) ? (
        <button type="button" className="btn btn-secondary btn-small filters-clear" onClick={() => onChange(Object.fromEntries(DIMENSIONS.map((d) => [d, undefined])))}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}

/** A free-text filter that applies on Enter or when the field is left, not at every key; `suggestions` are offered as it is typed. */
function TextFilter({ label, name, hint, value, suggestions, onChange }: { label: string; name: string; hint: string; value: string | undefined; suggestions: readonly string[]; onChange: (v: string | undefined) => void }) {
  const [text, setText] = useState(value ?? '');
  const listId = useId();
  useEffect(() => setText(value ?? ''), [value]);
  const apply = () => {
    const v = text.trim() || undefined;
    if (v !== value) onChange(v);
  };
  return (
    <Field label={label}>
      {(p) => (
        <>
          <input
            {...p}
            name={name}
            value={text}
            placeholder={hint}
            list={listId}
            onChange={(e) => setText(e.target.value)}
            onBlur={apply}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                apply();
              }
            }}
          />
          <datalist id={listId}>
            {suggestions.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

function Kpis({ funnel, forecast, quotes }: { funnel: Funnel | undefined; forecast: Forecast | undefined; quotes: Quotes | undefined }) {
  const unit = durationUnit(funnel?.cycle.medianMs ?? 0);
  // Every open prospect now, by stage, as `salesflow report forecast` prints it: not the
  // forecast's months, which hold only what is expected to close within the chart's window
  // (an expired quotation, expected nowhere, is still in the pipeline at its last value).
  const open = (forecast?.pipeline ?? []).reduce((t, p) => ({ count: t.count + p.count, value: t.value + p.valueCents, weighted: t.weighted + p.weightedCents }), { count: 0, value: 0, weighted: 0 });
  const items = [
    { id: 'won', l: 'Won (net)', n: funnel ? money(funnel.won.valueCents) : '…', s: funnel ? `${plural(funnel.won.count, 'deal')} · ${funnel.lost.count} lost` : '' },
    { id: 'win-rate', l: 'Win rate', n: funnel ? percent(funnel.winRate.byCount) : '…', s: funnel ? `${percent(funnel.winRate.byValue)} by value` : '' },
    { id: 'cycle', l: 'Median sales cycle', n: funnel ? formatInUnit(funnel.cycle.medianMs, unit) : '…', s: funnel ? `${funnel.cycle.count} closed` : '' },
    { id: 'pipeline', l: 'Open pipeline (weighted)', n: forecast ? money(open.weighted) : '…', s: forecast ? `${money(open.value)} unweighted · ${plural(open.count, 'open prospect')}` : '' },
    { id: 'quotes', l: 'Quotations sent', n: quotes ? String(quotes.sent) : '…', s: quotes ? `${quotes.accepted} accepted · ${quotes.rejected} rejected` : '' },
  ];
  return (
    <div className="summary-cards kpis" data-testid="kpis">
      {items.map((k) => (
        <div key={k.id} className="summary-card" data-testid={`kpi-${k.id}`}>
          <div className="l">{k.l}</div>
          <div className="n">{k.n}</div>
          <div className="s small muted">{k.s}</div>
        </div>
      ))}
    </div>
  );
}

type Loaded<T> = { data: T | undefined; error: unknown; loading: boolean; qs: string };

function stateOf<T>(report: Loaded<T>, empty: boolean, emptyText: string) {
  if (report.loading && !report.data) return <Loading what="Loading the report" />;
  if (report.error && !report.data) return <ErrorBox error={report.error} />;
  if (empty) return <Empty title="Nothing to chart yet">{emptyText}</Empty>;
  return undefined;
}

function csv(name: string, qs: string): string {
  return `/api/reports/${name}?${qs}&format=csv`;
}

function FunnelCard({ report }: { report: Loaded<Funnel> }) {
  const r = report.data;
  const data = FUNNEL_STAGES.map((stage) => {
    const s = r?.stages.find((x) => x.stage === stage);
    return { name: stage, value: s?.entered ?? 0, conversion: s?.conversion ?? null, fill: STAGE_COLORS[stage] };
  });
  const widest = Math.max(...data.map((d) => d.value), 0);
  const columns: Column<Funnel['stages'][number]>[] = [
    { key: 'stage', label: 'Stage', value: (s) => s.stage },
    { key: 'entered', label: 'Entered', num: true, value: (s) => s.entered },
    { key: 'next', label: 'Next stage', value: (s) => s.next, format: (s) => s.next ?? '—' },
    { key: 'converted', label: 'Converted', num: true, value: (s) => s.converted, format: (s) => count(s.converted) },
    { key: 'conversion', label: 'Conversion', num: true, value: (s) => s.conversion, format: (s) => percent(s.conversion) },
  ];
  return (
    <ChartCard
      id="funnel"
      title="Funnel"
      subtitle="Prospects entering each stage in the period, and the share that went on to the next"
      query={report.qs}
      csv={{ href: csv('funnel', report.qs) }}
      state={stateOf(report, !!r && r.stages.every((s) => s.entered === 0), 'No prospect entered a stage in this period.')}
      chart={
        <ResponsiveContainer width="100%" height={280}>
          <FunnelChart margin={{ top: 8, right: 190, bottom: 8, left: 8 }}>
            <Tooltip
              content={({ active, payload }) => {
                const drawn = payload?.[0]?.payload as (typeof data)[number] | undefined;
                const p = drawn && data.find((d) => d.name === drawn.name);
                return active && p ? <TooltipBox title={p.name} lines={[{ label: 'entered', value: String(p.value) }, { label: 'to next stage', value: percent(p.conversion) }]} /> : null;
              }}
            />
            {/* A stage is drawn at least a sixth as wide as the widest, so a small one beside a large
                one (68 campaign leads in contact, 3 after) stays a shape its number fits in; the
                numbers are each stage's own, from the report. */}
            <Funnel dataKey="value" data={data.map((d) => ({ ...d, value: d.value === 0 ? 0.0001 : Math.max(d.value, widest / 6) }))} isAnimationActive={false} lastShapeType="rectangle" stroke="#fff">
              {data.map((d) => (
                <Cell key={d.name} fill={d.fill} />
              ))}
              <LabelList dataKey="name" content={(props: unknown) => <FunnelLabel {...(props as FunnelLabelProps)} data={data} />} />
              <LabelList position="center" fill="#fff" stroke="none" fontSize={13} fontWeight={700} dataKey="name" formatter={(name: unknown) => String(data.find((d) => d.name === name)?.value ?? '')} />
            </Funnel>
          </FunnelChart>
        </ResponsiveContainer>
      }
      numbers={r ? <NumbersTable caption="Funnel: prospects entering each stage" columns={columns} rows={r.stages} rowKey={(s) => s.stage} /> : null}
    />
  );
}

interface FunnelLabelProps {
  viewBox?: { x?: number; y?: number; upperWidth?: number; width?: number; height?: number };
  value?: unknown;
}

/** Beside each stage of the funnel: its name and the share that reached the next stage (one line, no wrapping). */
function FunnelLabel({ viewBox, value, data }: FunnelLabelProps & { data: { name: string; conversion: number | null }[] }) {
  const d = data.find((x) => x.name === value);
  if (!viewBox || !d) return null;
  const x = (viewBox.x ?? 0) + (viewBox.upperWidth ?? viewBox.width ?? 0) + 10;
  const y = (viewBox.y ?? 0) + (viewBox.height ?? 0) / 2;
  return (
    <text x={x} y={y} dominantBaseline="middle" fontSize={12.5} className="funnel-label">
      <tspan fontWeight={600} fill="#1f2430">
        {d.name}
      </tspan>
      {d.conversion !== null ? (
        <tspan dx={6} fill="#7a8496">
          {percent(d.conversion)} → next
        </tspan>
      ) : null}
    </text>
  );
}

function ForecastCard({ report, horizon, onHorizon }: { report: Loaded<Forecast>; horizon: number; onHorizon: (h: number) => void }) {
  const r = report.data;
  const months = r ? monthsOf(r) : [];
  const data = months.map((month) => ({
    month,
    ...Object.fromEntries(CATEGORIES.map((c) => [c, (r?.months ?? []).filter((m) => m.month === month && m.category === c).reduce((s, m) => s + m.weightedCents, 0) / 100])),
  }));
  const columns: Column<Forecast['months'][number]>[] = [
    { key: 'month', label: 'Month', value: (m) => m.month, format: (m) => formatMonth(m.month) },
    { key: 'category', label: 'Category', value: (m) => m.category, format: (m) => CATEGORY_LABELS[m.category] ?? m.category },
    { key: 'count', label: 'Prospects', num: true, value: (m) => m.count },
    { key: 'valueCents', label: 'Value', num: true, value: (m) => m.valueCents, format: (m) => money(m.valueCents) },
    { key: 'weightedCents', label: 'Weighted', num: true, value: (m) => m.weightedCents, format: (m) => money(m.weightedCents) },
  ];
  return (
    <ChartCard
      id="forecast"
      title="Forecast by month"
      subtitle={r ? `Weighted value by expected close month, ${formatDay(r.filter.from)} – ${formatDay(lastDayOf(r.filter.to))}` : 'Weighted value by expected close month'}
      query={report.qs}
      csv={{ href: csv('forecast', report.qs) }}
      actions={
        <label className="inline-select small">
          <span className="visually-hidden">Forecast horizon</span>
          <select aria-label="Forecast horizon" value={horizon} onChange={(e) => onHorizon(Number(e.target.value))}>
            {[3, 6, 12].map((h) => (
              <option key={h} value={h}>
                next {h} months
              </option>
            ))}
          </select>
        </label>
      }
      state={stateOf(report, !!r && r.months.length === 0, 'No quotation is expected to close, and nothing was won, in this window.')}
      chart={
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={GRID_STROKE} vertical={false} />
            <XAxis dataKey="month" tick={AXIS_TICK} tickFormatter={formatMonth} />
            <YAxis tick={AXIS_TICK} tickFormatter={(v: number) => compactMoney.format(v)} width={64} />
            <Tooltip
              cursor={{ fill: '#f1f5f9' }}
              content={({ active, payload, label }) =>
                active && payload?.length ? (
                  <TooltipBox
                    title={formatMonth(String(label))}
                    lines={payload.filter((p) => Number(p.value) > 0).map((p) => ({ label: CATEGORY_LABELS[String(p.dataKey)] ?? String(p.dataKey), value: money(Math.round(Number(p.value) * 100)), color: CATEGORY_COLORS[String(p.dataKey)] }))}
                  />
                ) : null
              }
            />
            <Legend formatter={(v: string) => CATEGORY_LABELS[v] ?? v} iconType="square" itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
            {CATEGORIES.map((c) => (
              <Bar key={c} dataKey={c} stackId="w" fill={CATEGORY_COLORS[c]} isAnimationActive={false} maxBarSize={56} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      }
      numbers={r ? <NumbersTable caption="Forecast: by month and category" columns={columns} rows={r.months} rowKey={(m) => `${m.month}-${m.category}`} /> : null}
    />
  );
}

/** Every month the forecast window shows, empty ones too: from this month (or the first with numbers) to the window's end. */
function monthsOf(r: Forecast): string[] {
  const withNumbers = r.months.map((m) => m.month).sort();
  const thisMonth = new Date().toISOString().slice(0, 7);
  const first = [withNumbers[0], thisMonth].filter((m): m is string => !!m).sort()[0]!;
  const last = lastDayOf(r.filter.to).slice(0, 7);
  const out: string[] = [];
  for (let t = Date.parse(`${first}-01T00:00:00Z`); out.length < 36; ) {
    const m = new Date(t).toISOString().slice(0, 7);
    if (m > last && m > (withNumbers[withNumbers.length - 1] ?? '')) break;
    out.push(m);
    const d = new Date(t);
    t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return out;
}

function TimeInStageCard({ report }: { report: Loaded<Funnel> }) {
  const r = report.data;
  const rows = (r?.timeInStage ?? []).filter((t) => t.count > 0);
  const unit = durationUnit(Math.max(0, ...rows.map((t) => t.maxMs ?? 0)));
  const data: BoxDatum[] = rows.map((t) => {
    const v = (ms: number | null) => inUnit(ms, unit) ?? 0;
    return { name: t.stage, count: t.count, range: [v(t.minMs), v(t.maxMs)], min: v(t.minMs), q1: v(t.q1Ms), median: v(t.medianMs), q3: v(t.q3Ms), p90: v(t.p90Ms), max: v(t.maxMs), color: STAGE_COLORS[t.stage] ?? '#2563eb' };
  });
  const dur = (pick: (t: Funnel['timeInStage'][number]) => number | null, key: string, label: string): Column<Funnel['timeInStage'][number]> => ({ key, label, num: true, value: pick, format: (t) => formatInUnit(pick(t), unit) });
  const columns: Column<Funnel['timeInStage'][number]>[] = [
    { key: 'stage', label: 'Stage', value: (t) => t.stage },
    { key: 'count', label: 'Prospects', num: true, value: (t) => t.count },
    dur((t) => t.minMs, 'minMs', 'Min'),
    dur((t) => t.q1Ms, 'q1Ms', 'Q1'),
    dur((t) => t.medianMs, 'medianMs', 'Median'),
    dur((t) => t.q3Ms, 'q3Ms', 'Q3'),
    dur((t) => t.p90Ms, 'p90Ms', 'P90'),
    dur((t) => t.maxMs, 'maxMs', 'Max'),
  ];
  return (
    <ChartCard
      id="time-in-stage"
      title="Time in stage"
      subtitle={`Prospects closed in the period, in ${unit.label}: whiskers min–max, box Q1–Q3, median line, P90 dashed`}
      query={report.qs}
      // No report's CSV has the whole distribution (the funnel's has each stage's median and P90 in days): this card's own numbers.
      csv={r ? numbersCsv(columns, r.timeInStage, 'time-in-stage.csv', 'Per stage: prospects, and min, Q1, median, Q3, P90 and max time in stage in milliseconds') : undefined}
      state={stateOf(report, !!r && rows.length === 0, 'No prospect closed in this period, so there is no time in stage to show.')}
      chart={
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={data} margin={{ top: 12, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={GRID_STROKE} vertical={false} />
            <XAxis dataKey="name" tick={AXIS_TICK} />
            <YAxis tick={AXIS_TICK} width={48} domain={[0, 'auto']} label={{ value: unit.short, angle: -90, position: 'insideLeft', fill: '#7a8496', fontSize: 12 }} />
            <Tooltip
              cursor={{ fill: '#f1f5f9' }}
              content={({ active, payload }) => {
                const d = payload?.[0]?.payload as BoxDatum | undefined;
                return active && d ? (
                  <TooltipBox
                    title={`${d.name} (${d.count})`}
                    lines={[
                      { label: 'median', value: `${d.median} ${unit.short}` },
                      { label: 'Q1–Q3', value: `${d.q1}–${d.q3} ${unit.short}` },
                      { label: 'P90', value: `${d.p90} ${unit.short}` },
                      { label: 'min–max', value: `${d.min}–${d.max} ${unit.short}` },
                    ]}
                  />
                ) : null;
              }}
            />
            <Bar dataKey="range" shape={(props: unknown) => <BoxShape {...(props as object)} />} isAnimationActive={false} minPointSize={1} />
          </ComposedChart>
        </ResponsiveContainer>
      }
      numbers={r ? <NumbersTable caption={`Time in stage (${unit.label})`} columns={columns} rows={r.timeInStage} rowKey={(t) => t.stage} /> : null}
    />
  );
}

function ActivityCard({ report }: { report: Loaded<Activity> }) {
  const r = report.data;
  const columns: Column<Activity['weeks'][number]>[] = [
    { key: 'week', label: 'Week of', value: (w) => w.week, format: (w) => formatWeek(w.week) },
    { key: 'contacts', label: 'Contacts', num: true, value: (w) => w.contacts },
    { key: 'tasksDone', label: 'Tasks done', num: true, value: (w) => w.tasksDone },
  ];
  return (
    <ChartCard
      id="activity"
      title="Activity over time"
      subtitle="Contacts with customers (campaign mails excluded) and tasks done, per week"
      query={report.qs}
      // The activity report's CSV is per rep (Rep activity's): this card's own numbers, per week.
      csv={r ? numbersCsv(columns, r.weeks, 'activity-per-week.csv', 'Per week (its Monday): contacts and tasks done') : undefined}
      state={stateOf(report, !!r && r.weeks.length === 0, 'No contact and no task done in this period.')}
      chart={
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={r ? weeksOf(r) : []} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={GRID_STROKE} vertical={false} />
            <XAxis dataKey="week" tick={AXIS_TICK} tickFormatter={formatWeek} />
            <YAxis tick={AXIS_TICK} allowDecimals={false} width={40} />
            <Tooltip
              cursor={{ fill: '#f1f5f9' }}
              content={({ active, payload, label }) =>
                active && payload?.length ? (
                  <TooltipBox title={`Week of ${formatWeek(String(label))}`} lines={payload.map((p) => ({ label: String(p.name), value: String(p.value), color: String(p.color) }))} />
                ) : null
              }
            />
            <Legend iconType="square" itemSorter={null} wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="contacts" name="Contacts" fill="#2563eb" isAnimationActive={false} maxBarSize={40} />
            <Line dataKey="tasksDone" name="Tasks done" stroke="#15803d" strokeWidth={2.5} dot={{ r: 3.5 }} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      }
      numbers={r ? <NumbersTable caption="Activity per week" columns={columns} rows={r.weeks} rowKey={(w) => w.week} /> : null}
    />
  );
}

/** Every week (Monday, UTC) of the period, the quiet ones as zeros, so the chart reads as time. */
function weeksOf(r: Activity): Activity['weeks'] {
  const byWeek = new Map(r.weeks.map((w) => [w.week, w]));
  const from = Date.parse(r.filter.from);
  const monday = from - ((new Date(from).getUTCDay() + 6) % 7) * 86_400_000;
  const out: Activity['weeks'] = [];
  for (let t = monday; t < Date.parse(r.filter.to) && out.length < 60; t += 7 * 86_400_000) {
    const week = new Date(t).toISOString().slice(0, 10);
    out.push(byWeek.get(week) ?? { week, contacts: 0, tasksDone: 0 });
  }
  // Weeks the report has that the walk missed (none expected) still show.
  for (const w of r.weeks) if (!out.some((o) => o.week === w.week)) out.push(w);
  return out.sort((a, b) => a.week.localeCompare(b.week));
}

interface QuoteMeasure {
  measure: string;
  label: string;
  count: number;
  valueCents: number | null;
  color: string;
}

function QuotesCard({ report }: { report: Loaded<Quotes> }) {
  const r = report.data;
  const unit = durationUnit(r?.timeToAnswer.medianMs ?? 0);
  const rows: QuoteMeasure[] = r
    ? [
        { measure: 'sent', label: 'Sent', count: r.sent, valueCents: r.sentValueCents, color: '#2563eb' },
        { measure: 'accepted', label: 'Accepted', count: r.accepted, valueCents: r.acceptedValueCents, color: '#15803d' },
        { measure: 'rejected', label: 'Rejected', count: r.rejected, valueCents: r.rejectedValueCents, color: '#b91c1c' },
        { measure: 'expired', label: 'Expired', count: r.expired, valueCents: r.expiredValueCents, color: '#b45309' },
        { measure: 'superseded', label: 'Superseded', count: r.superseded, valueCents: null, color: '#94a3b8' },
        { measure: 'stale', label: 'Went stale', count: r.stale.count, valueCents: null, color: '#d97706' },
        { measure: 'escalated', label: 'Escalated', count: r.escalated.count, valueCents: null, color: '#7f1d1d' },
      ]
    : [];
  const columns: Column<QuoteMeasure>[] = [
    { key: 'measure', label: 'Quotations', value: (q) => q.measure, format: (q) => q.label },
    { key: 'count', label: 'Revisions', num: true, value: (q) => q.count },
    { key: 'valueCents', label: 'Value', num: true, value: (q) => q.valueCents, format: (q) => (q.valueCents === null ? '—' : money(q.valueCents)) },
  ];
  return (
    <ChartCard
      id="quotes"
      title="Quotations"
      subtitle={r ? `Median time to answer ${formatInUnit(r.timeToAnswer.medianMs, unit)} · stale ${percent(r.stale.share)} · escalated ${percent(r.escalated.share)} of those sent` : 'Revisions sent and their outcome'}
      query={report.qs}
      csv={{ href: csv('quotes', report.qs) }}
      state={stateOf(report, !!r && rows.every((q) => q.count === 0), 'No quotation was sent or answered in this period.')}
      chart={
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 24, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={GRID_STROKE} horizontal={false} />
            <XAxis type="number" tick={AXIS_TICK} allowDecimals={false} />
            <YAxis type="category" dataKey="label" tick={AXIS_TICK} width={84} />
            <Tooltip cursor={{ fill: '#f1f5f9' }} content={({ active, payload }) => {
              const q = payload?.[0]?.payload as QuoteMeasure | undefined;
              return active && q ? <TooltipBox title={q.label} lines={[{ label: 'revisions', value: String(q.count) }, ...(q.valueCents !== null ? [{ label: 'value', value: money(q.valueCents) }] : [])]} /> : null;
            }} />
            <Bar dataKey="count" isAnimationActive={false} maxBarSize={22}>
              {rows.map((q) => (
                <Cell key={q.measure} fill={q.color} />
              ))}
              <LabelList dataKey="count" position="right" fontSize={12} fill="#4b5565" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      numbers={<NumbersTable caption="Quotations in the period" columns={columns} rows={rows} rowKey={(q) => q.measure} />}
    />
  );
}

function LostReasonsCard({ report }: { report: Loaded<Funnel> }) {
  const r = report.data;
  const rows = r?.lostReasons ?? [];
  const columns: Column<Funnel['lostReasons'][number]>[] = [
    { key: 'reason', label: 'Reason', value: (l) => l.reason },
    { key: 'count', label: 'Lost', num: true, value: (l) => l.count },
  ];
  return (
    <ChartCard
      id="lost-reasons"
      title="Why deals were lost"
      subtitle={r ? `${r.lost.count} lost (${money(r.lost.valueCents)}), reasons ranked` : 'Reasons ranked'}
      query={report.qs}
      // The lost reasons are in no report's CSV table (the funnel's is per stage): this card's own numbers.
      csv={r ? numbersCsv(columns, rows, 'lost-reasons.csv', 'Per reason: prospects lost') : undefined}
      state={stateOf(report, !!r && rows.length === 0, 'Nothing was lost in this period.')}
      chart={
        <ResponsiveContainer width="100%" height={Math.max(120, 34 * rows.length + 30)}>
          <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 28, bottom: 0, left: 8 }}>
            <XAxis type="number" tick={AXIS_TICK} allowDecimals={false} hide />
            <YAxis type="category" dataKey="reason" tick={AXIS_TICK} width={220} />
            <Tooltip cursor={{ fill: '#f1f5f9' }} content={({ active, payload }) => {
              const l = payload?.[0]?.payload as (typeof rows)[number] | undefined;
              return active && l ? <TooltipBox title={l.reason} lines={[{ label: 'lost', value: String(l.count) }]} /> : null;
            }} />
            <Bar dataKey="count" fill="#b91c1c" fillOpacity={0.85} isAnimationActive={false} maxBarSize={20}>
              <LabelList dataKey="count" position="right" fontSize={12} fill="#4b5565" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      numbers={<NumbersTable caption="Lost reasons" columns={columns} rows={rows} rowKey={(l) => l.reason} />}
    />
  );
}

interface PostsalesMeasure {
  measure: string;
  label: string;
  group: 'Renewals' | 'Referrals';
  count: number;
  valueCents: number | null;
  color: string;
}

/** After the sale: renewals falling due and how they went, referrals, and the recurring revenue now. */
function PostsalesCard({ report }: { report: Loaded<Postsales> }) {
  const r = report.data;
  const rows: PostsalesMeasure[] = r
    ? [
        { measure: 'renewals_due', label: 'Due', group: 'Renewals', count: r.renewals.due.count, valueCents: r.renewals.due.valueCents, color: '#64748b' },
        { measure: 'renewed', label: 'Renewed', group: 'Renewals', count: r.renewals.renewed.count, valueCents: r.renewals.renewed.valueCents, color: '#15803d' },
        { measure: 'lapsed', label: 'Lapsed', group: 'Renewals', count: r.renewals.lapsed.count, valueCents: r.renewals.lapsed.valueCents, color: '#b91c1c' },
        { measure: 'referrals_given', label: 'Referrals', group: 'Referrals', count: r.referrals.given, valueCents: null, color: '#6d28d9' },
        { measure: 'referrals_won', label: 'Referrals won', group: 'Referrals', count: r.referrals.won.count, valueCents: r.referrals.won.valueCents, color: '#2563eb' },
        { measure: 'referrals_lost', label: 'Referrals lost', group: 'Referrals', count: r.referrals.lost, valueCents: null, color: '#94a3b8' },
      ]
    : [];
  const columns: Column<PostsalesMeasure>[] = [
    { key: 'measure', label: 'After the sale', value: (m) => m.measure, format: (m) => (m.group === 'Renewals' ? `Renewals ${m.label.toLowerCase()}` : m.label) },
    { key: 'count', label: 'Count', num: true, value: (m) => m.count },
    { key: 'valueCents', label: 'Value', num: true, value: (m) => m.valueCents, format: (m) => (m.valueCents === null ? '—' : money(m.valueCents)) },
  ];
  return (
    <ChartCard
      id="postsales"
      title="After the sale"
      subtitle={
        r ? (
          <>
            Renewal rate {percent(r.renewals.renewalRate)} · now {plural(r.recurring.activeContracts, 'active contract')}, <strong data-testid="recurring-revenue">{money(r.recurring.annualRecurringCents)}</strong> recurring a year ({plural(r.recurring.customers, 'account')})
          </>
        ) : (
          'Renewals, referrals and recurring revenue'
        )
      }
      query={report.qs}
      csv={{ href: csv('postsales', report.qs) }}
      state={stateOf(report, !!r && r.recurring.customers === 0 && rows.every((m) => m.count === 0), 'No customer account in scope yet: won deals become accounts.')}
      chart={
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 24, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={GRID_STROKE} horizontal={false} />
            <XAxis type="number" tick={AXIS_TICK} allowDecimals={false} />
            <YAxis type="category" dataKey="label" tick={AXIS_TICK} width={100} />
            <Tooltip cursor={{ fill: '#f1f5f9' }} content={({ active, payload }) => {
              const m = payload?.[0]?.payload as PostsalesMeasure | undefined;
              return active && m ? <TooltipBox title={`${m.group}: ${m.label}`} lines={[{ label: 'count', value: String(m.count) }, ...(m.valueCents !== null ? [{ label: 'value', value: money(m.valueCents) }] : [])]} /> : null;
            }} />
            <Bar dataKey="count" isAnimationActive={false} maxBarSize={20}>
              {rows.map((m) => (
                <Cell key={m.measure} fill={m.color} />
              ))}
              <LabelList dataKey="count" position="right" fontSize={12} fill="#4b5565" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      numbers={r ? <NumbersTable caption="After the sale: renewals in the period, referrals" columns={columns} rows={rows} rowKey={(m) => m.measure} /> : null}
    />
  );
}

/** Per campaign: what its mails did in the period (the campaigns report), a line each. */
function CampaignResultsCard({ report }: { report: Loaded<Campaigns> }) {
  const rows = report.data?.campaigns ?? [];
  const rate = (a: number, b: number) => (b === 0 ? '—' : percent(a / b));
  return (
    <TablePanel
      id="campaign-results"
      title="Campaign results"
      report={report}
      csvOf="campaigns"
      empty={rows.length === 0 ? 'No campaign mailed a prospect or brought a lead in this period.' : undefined}
      note={
        <>
          Mailed and Replied count prospects: a campaign with <code>leads:</code> or an audience of prospects. A campaign to a CSV without leads mails people who are no
          prospects; its sends, bounces and opt-outs are on its own page under <Link to="/campaigns">Campaigns</Link>.
        </>
      }
    >
      <table className="small cards-on-phone">
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col" className="num" title="Campaign mails logged on prospects">Mailed</th>
            <th scope="col" className="num">Bounced</th>
            <th scope="col" className="num">Unsubscribed</th>
            <th scope="col" className="num">Replied</th>
            <th scope="col" className="num" title="Replied of mailed">Reply rate</th>
            <th scope="col" className="num">Leads</th>
            <th scope="col" className="num">Won</th>
            <th scope="col" className="num" title="Won of the leads">Conversion</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.campaign} data-row={c.campaign}>
              <th scope="row">
                <Link to={`/campaigns/${encodeURIComponent(c.campaign)}`}>{c.campaign}</Link>
              </th>
              <td className="num" data-label="Mailed">{c.mailed}</td>
              <td className={`num${c.bounced ? ' warn' : ''}`} data-label="Bounced">{c.bounced}</td>
              <td className="num" data-label="Unsubscribed">{c.unsubscribed}</td>
              <td className="num" data-label="Replied">{c.replied}</td>
              <td className="num" data-label="Reply rate">{rate(c.replied, c.mailed)}</td>
              <td className="num" data-label="Leads">{c.leads}</td>
              <td className="num" data-label="Won">{c.converted}</td>
              <td className="num strong" data-label="Conversion">{rate(c.converted, c.leads)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TablePanel>
  );
}

/** A report's table under the charts, with its CSV: what is there, or why it is empty (stateOf). */
function TablePanel({ id, title, report, csvOf, empty, note, children }: { id: string; title: string; report: Loaded<unknown>; csvOf: ReportName; empty: string | undefined; note?: ReactNode; children: ReactNode }) {
  return (
    <section className={`panel ${id}`} aria-labelledby={`${id}-title`} data-testid={id} data-query={report.qs}>
      <div className="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <a className="btn btn-secondary btn-small" href={csv(csvOf, report.qs)} download>
          CSV
        </a>
      </div>
      {stateOf(report, empty !== undefined, empty ?? '') ?? <div className="table-wrap">{children}</div>}
      {note ? <p className="muted small panel-note">{note}</p> : null}
    </section>
  );
}

/** Per rep: no chart, the table itself (a manager compares reps line by line). */
function RepActivityCard({ report }: { report: Loaded<Activity> }) {
  const r = report.data;
  const rows = useMemo(() => [...(r?.reps ?? [])].sort((a, b) => b.contacts.total + b.tasksDone - (a.contacts.total + a.tasksDone)), [r]);
  return (
    <TablePanel id="rep-activity" title="Rep activity" report={report} csvOf="activity" empty={rows.length === 0 ? 'Nobody logged a contact or did a task in this period.' : undefined}>
      <table className="small cards-on-phone">
        <thead>
          <tr>
            <th scope="col">Rep</th>
            <th scope="col" className="num">Calls</th>
            <th scope="col" className="num">Visits</th>
            <th scope="col" className="num">Emails</th>
            <th scope="col" className="num">Other</th>
            <th scope="col" className="num">Contacts</th>
            <th scope="col" className="num">Tasks done</th>
            <th scope="col" className="num">On time</th>
            <th scope="col" className="num">Overdue</th>
            <th scope="col" className="num">Escalated</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((x) => (
            <tr key={x.rep}>
              <th scope="row">{x.rep}</th>
              <td className="num" data-label="Calls">{x.contacts.call}</td>
              <td className="num" data-label="Visits">{x.contacts.visit}</td>
              <td className="num" data-label="Emails">{x.contacts.email}</td>
              <td className="num" data-label="Other">{x.contacts.letter + x.contacts.direct_mail + x.contacts.web}</td>
              <td className="num strong" data-label="Contacts">{x.contacts.total}</td>
              <td className="num" data-label="Tasks done">{x.tasksDone}</td>
              <td className="num" data-label="On time">{percent(x.slaCompliance)}</td>
              <td className={`num${x.overdue ? ' warn' : ''}`} data-label="Overdue">{x.overdue}</td>
              <td className={`num${x.escalated ? ' bad' : ''}`} data-label="Escalated">{x.escalated}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TablePanel>
  );
}
