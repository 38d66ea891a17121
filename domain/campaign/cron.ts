import { Cron } from 'croner';

/**
 * Cron expressions as a campaign's `schedule.cron` takes them: the five fields Temporal's
 * schedules read (minute, hour, day of month, month, day of week; names such as MON and JAN
 * allowed), in UTC. Checked here, so `campaign validate` refuses `61 9 * * MON` at its line;
 * left to Temporal, schedule creation failed with an error the server could only call
 * "Temporal did not answer".
 *
 * The fields are read by croner (a maintained parser, no dependencies, safe in the workflow
 * sandbox, which loads this module with the campaign schema); salesflow only counts the
 * fields, because croner also takes six and seven (seconds, year), which Temporal does not.
 */

const FIELDS = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;

/** What croner names a field in its messages, and the values that field takes. */
const CRONER_FIELDS: Record<string, { name: (typeof FIELDS)[number]; range: string }> = {
  minute: { name: 'minute', range: '0-59' },
  hour: { name: 'hour', range: '0-23' },
  day: { name: 'day of month', range: '1-31' },
  month: { name: 'month', range: '1-12 or JAN-DEC' },
  dayOfWeek: { name: 'day of week', range: '0-6 or SUN-SAT' },
};

export const CRON_FORM = 'minute hour day-of-month month day-of-week, e.g. "0 9 * * MON"';

/** Why a cron expression is not one Temporal takes, in a person's words; undefined when it is fine. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) return `"${expression}" has ${parts.length} field${parts.length === 1 ? '' : 's'}; a cron expression has 5: ${CRON_FORM}`;
  // croner also reads Quartz's L, W and ? (Temporal's schedules do not: they refuse `0 9 L * *`),
  // so each part must be what both read: *, a number or a name, in ranges, lists and steps
  // (and `#` for the nth weekday).
  for (const [k, part] of parts.entries()) {
    const tokens = part.split(/[,/-]/);
    const ok = tokens.every((t) => t === '*' || /^\d+$/.test(t) || /^[A-Za-z]{3}$/.test(t) || (k === 4 && /^\w+#(\d|L)$/.test(t)));
    if (!ok) return `"${expression}": ${FIELDS[k]} "${part}" is not a number, a range, a list, a step or a name (${CRON_FORM})`;
  }
  try {
    // Paused and without a function: only parsed, nothing is scheduled.
    new Cron(parts.join(' '), { paused: true });
    return undefined;
  } catch (err) {
    return `"${expression}": ${reword((err as Error).message)}`;
  }
}

/** croner's message, said as the rest of salesflow says it (`minute 61 is not in 0-59`). */
function reword(message: string): string {
  const text = message.replace(/^CronPattern:\s*/, '').replace(/\.$/, '');
  const value = /^Invalid value for (\w+): (.*)$/.exec(text);
  if (value && CRONER_FIELDS[value[1]!]) {
    const f = CRONER_FIELDS[value[1]!]!;
    return `${f.name} ${value[2]} is not in ${f.range}`;
  }
  // "configuration entry 5 (FOO) contains illegal characters": entry 0 is the seconds croner adds.
  const entry = /^configuration entry (\d+) \((.*)\) contains illegal characters$/.exec(text);
  if (entry) {
    const name = FIELDS[Number(entry[1]) - 1];
    if (name) return `${name} "${entry[2]}" is not a number, a range, a list, a step or a name (${CRON_FORM})`;
  }
  return `${text} (${CRON_FORM})`;
}
