import { Option, type Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { CliContext } from '../shared/cliContext';
import { FORECAST_HORIZON_MONTHS, REPORTS, reportColumns, reportRows, type AnyReport, type FunnelReport, type ForecastReport, type PostsalesReport, type QuotesReport, type ReportName } from '../../domain/reporting/reports';
import { textTable } from '../shared/textTable';

/** `salesflow report ...`: the manager's reports as tables, JSON or CSV, and the read model's rebuild. */
export function registerReportCommands(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('funnel, forecast, quotation, activity, campaign and post-sales reports over a period');
  for (const name of REPORTS) {
    report
      .command(name)
      .description(DESCRIPTIONS[name])
      .option('--from <date>', name === 'forecast' ? 'start of the period, inclusive (default: 90 days before the end of today)' : 'start of the period, inclusive (default: 90 days before --to)')
      .option('--to <date>', name === 'forecast' ? `end of the period, exclusive (default: the start of the month ${FORECAST_HORIZON_MONTHS} months ahead)` : 'end of the period, exclusive (default: the end of today)')
      .option('--rep <rep>')
      .option('--team <team>')
      .option('--process <name>')
      .option('--source <source>', 'e.g. web, manual, campaign:spring')
      .option('--campaign <id>')
      .addOption(ctx.json())
      .addOption(new Option('--csv', 'print the main table as CSV').conflicts('json'))
      .action(async (opts) => {
        const { json, csv, ...filter } = opts as Record<string, string | boolean | undefined>;
        const value = await ctx.api().reports.get(name, filter as Record<string, string>);
        if (csv) {
          process.stdout.write(stringify(reportRows(name, value), { header: true, columns: reportColumns(name) }));
          return;
        }
        ctx.print(value, json as boolean | undefined, () => render(name, value));
      });
  }
  report
    .command('rebuild')
    .description('rebuild the reporting read model from the prospect and customer workflows (ops, admin)')
    .addOption(ctx.json())
    .action(async (opts) => {
      const result = await ctx.api().reports.rebuild();
      ctx.print(result, opts.json, () => `rebuilt the reports from ${result.prospects} prospect(s): ${result.events} event(s), and ${result.customers} customer account(s): ${result.customerEvents} event(s), in ${(result.ms / 1000).toFixed(1)} s`);
    });
}

const DESCRIPTIONS: Record<ReportName, string> = {
  funnel: 'prospects entering each stage and converting; win rate, cycle, time in stage, lost reasons',
  forecast: 'pipeline by stage and the weighted forecast by expected close month',
  quotes: 'quotations sent, answered, expired, superseded; time to answer; stale and escalated share',
  activity: "reps' contacts by channel, tasks done, SLA compliance, overdue and escalated tasks",
  campaigns: 'campaign mails to prospects (campaigns with leads or a prospect audience), bounces, unsubscribes, replies, leads created and converted',
  postsales: "renewals due, renewed and lapsed, recurring revenue, referrals (--rep: the account's owner)",
};

/** Rows as an aligned table under their column names, numbers right-aligned. */
export function table(rows: Record<string, string | number | null>[]): string {
  if (rows.length === 0) return '(nothing in this period)';
  const columns = Object.keys(rows[0]!);
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  // A column of numbers, or of rates none of which can be computed ('-'), is right-aligned.
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number' || /^-?[\d.]+%?$/.test(String(r[c]))));
  return textTable(columns, cells, { rule: true, numeric });
}

/** Report columns that hold a share (0..1): a stage's conversion, a rep's SLA compliance. */
const SHARE_COLUMNS = new Set(['conversion', 'sla_compliance']);
const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const money = (cents: number) => (cents / 100).toFixed(2);
const daysOf = (ms: number | null) => (ms === null ? '-' : `${(ms / 86_400_000).toFixed(1)} d`);

function render(name: ReportName, report: AnyReport): string {
  const f = report.filter;
  const scope = [f.rep && `rep ${f.rep}`, f.team && `team ${f.team}`, f.process && `process ${f.process}`, f.source && `source ${f.source}`, f.campaign && `campaign ${f.campaign}`].filter(Boolean).join(', ');
  // The period's days as people count them: its last day, not the exclusive end (tomorrow's date for "until today").
  const lastDay = new Date(Date.parse(f.to) - 1).toISOString().slice(0, 10);
  const head = `${name} ${f.from.slice(0, 10)} to ${lastDay} (UTC days)${scope ? ` (${scope})` : ''}`;
  // Shares read as percentages on the terminal (the CSV keeps the ratio, for spreadsheets to format).
  const rows = reportRows(name, report).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, SHARE_COLUMNS.has(k) && (typeof v === 'number' || v === null) ? pct(v) : v])));
  const out = [head, '', table(rows)];
  if (name === 'funnel') {
    const r = report as FunnelReport;
    out.push(
      '',
      `closed: ${r.won.count} won (${money(r.won.valueCents)}), ${r.lost.count} lost (${money(r.lost.valueCents)}); win rate ${pct(r.winRate.byCount)} by count, ${pct(r.winRate.byValue)} by value`,
      `sales cycle: median ${daysOf(r.cycle.medianMs)}, average ${daysOf(r.cycle.avgMs)} over ${r.cycle.count}`,
      ...(r.lostReasons.length ? ['lost reasons:', ...r.lostReasons.map((l) => `  ${String(l.count).padStart(5)}  ${l.reason}`)] : []),
    );
  }
  if (name === 'forecast') {
    const r = report as ForecastReport;
    out.push('', 'open pipeline by stage:', table(r.pipeline.map((p) => ({ stage: p.stage, prospects: p.count, value: money(p.valueCents), weighted: money(p.weightedCents) }))));
    out.push('', `forecast in period: ${money(r.totals.valueCents)} open, ${money(r.totals.weightedCents)} weighted, ${money(r.totals.wonCents)} won`);
  }
  if (name === 'postsales') {
    const r = report as PostsalesReport;
    out.push('', `renewal rate ${pct(r.renewals.renewalRate)} (${r.renewals.renewed.count} renewed, ${r.renewals.lapsed.count} lapsed, ${money(r.renewals.lapsed.valueCents)} lost); now: ${r.recurring.activeContracts} active contract(s) of ${r.recurring.customers} account(s), ${money(r.recurring.annualRecurringCents)} a year`);
  }
  if (name === 'quotes') {
    const r = report as QuotesReport;
    out.push('', `stale share ${pct(r.stale.share)}, escalated share ${pct(r.escalated.share)}`);
  }
  return out.join('\n');
}
