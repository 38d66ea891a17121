import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, ok } from '../api/client';
import type { components } from '../api/schema';
import { Badge, Empty, ErrorBox, isClosedStage, LiveStamp, Loading, PageHeader, useAddressFilters, usePolled } from '../ui/common';
import { Field, SelectField, useForm } from '../ui/form';
import { formatAge, formatDate, formatDue, formatMoney } from '../ui/format';

type Card = components['schemas']['BoardCard'];

const STAGES = ['contact', 'qualification', 'inquiry', 'quotation', 'won', 'lost'] as const;

/** The Won and Lost columns hold the prospects closed within this many days. */
const CLOSED_DAYS = 30;

/** Cards a column shows before its "Show all": a long contact column (a campaign's leads) would bury the rest. */
const COLUMN_CARDS = 20;

const MARK_LABELS: Record<string, { label: string; tone: 'amber' | 'red' | 'gray'; title: string }> = {
  stale: { label: 'stale quote', tone: 'amber', title: 'The quotation was sent and the customer has not answered within the process’s staleAfter' },
  escalated: { label: 'escalated', tone: 'red', title: 'A quotation or a task went to the manager' },
  overdue: { label: 'overdue task', tone: 'amber', title: 'A task is past its due time' },
  idle: { label: 'idle', tone: 'gray', title: 'Nothing happened for longer than the process’s staleAfter' },
};

/** The manager's pipeline board: a column per stage, refreshed by itself. */
export function BoardPage() {
  const { params, set } = useAddressFilters();
  const rep = params.get('rep') ?? '';
  const team = params.get('team') ?? '';
  const board = usePolled(async () => ok(api.GET('/api/board', { params: { query: { closedDays: CLOSED_DAYS, ...(rep ? { rep } : {}), ...(team ? { team } : {}) } } })), [rep, team], 10_000);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  // A new team clears the rep, who may not be in it.
  const setParam = (key: string, value: string) => set(key === 'team' ? { team: value, rep: undefined } : { [key]: value });
  const teams = [...new Set((board.data?.reps ?? []).map((r) => r.team))].sort();
  const cards = board.data?.cards ?? [];
  const open = cards.filter((c) => !isClosedStage(c.stage));
  const closed = board.data?.closed;
  const closedCards = cards.length - open.length;
  // Two cards of one name (a repeat deal, a second contact at a company) show their ids.
  const sameName = new Map<string, number>();
  for (const c of cards) sameName.set(c.name, (sameName.get(c.name) ?? 0) + 1);
  return (
    <div className="page">
      <PageHeader
        title="Pipeline board"
        subtitle={
          board.data
            ? `${open.length}${board.data.moreOpen ? '+' : ''} open prospects · ${formatMoney(open.reduce((s, c) => s + (c.valueCents ?? 0), 0), cards[0]?.currency)} in open quotations`
            : undefined
        }
        actions={<LiveStamp at={board.updatedAt} />}
      />
      <div className="filters">
        {teams.length > 1 || team ? <SelectField label="Team" name="team-filter" value={team} empty="All teams" options={teams} onChange={(v) => setParam('team', v)} /> : null}
        <SelectField
          label="Rep"
          name="rep-filter"
          value={rep}
          empty={team ? `All of ${team}` : teams.length > 1 ? 'All reps' : 'Whole team'}
          options={(board.data?.reps ?? []).filter((r) => !team || r.team === team).map((r) => ({ value: r.id, label: `${r.id} (${r.team})` }))}
          onChange={(v) => setParam('rep', v)}
        />
      </div>
      {board.data?.moreOpen ? (
        <p className="notice" role="status">
          The board shows the first {open.length} open prospects; pick a rep to see all of theirs, or use the Prospects list.
        </p>
      ) : null}
      {closed && closed.total > closedCards ? (
        <p className="notice" role="status">
          {closed.total} prospects closed since {formatDate(closed.since)}; the latest {closedCards} are on the board, the rest in the Prospects list and the reports.
        </p>
      ) : null}
      {board.loading && !board.data ? (
        <Loading what="Loading the board" />
      ) : board.error && !board.data ? (
        <ErrorBox error={board.error} />
      ) : cards.length === 0 ? (
        <div className="panel">
          <Empty title="No prospects on the board">{rep ? `${rep} has no open prospects and closed none in the last ${CLOSED_DAYS} days.` : `Prospects of your team appear here, and those won or lost in the last ${CLOSED_DAYS} days.`}</Empty>
        </div>
      ) : (
        <div className="board" data-testid="board">
          {STAGES.map((stage) => {
            // Open deals longest in their stage first (they want attention); closed ones latest first.
            const column = cards.filter((c) => c.stage === stage).sort((a, b) => (isClosedStage(stage) ? -1 : 1) * a.stageSince.localeCompare(b.stageSince));
            const all = expanded.has(stage);
            const shownCards = all ? column : column.slice(0, COLUMN_CARDS);
            return (
              <section key={stage} className="column" aria-labelledby={`col-${stage}`} data-stage={stage}>
                <div className="column-head">
                  <h2 id={`col-${stage}`}>
                    {stage} <span className="muted">{column.length}</span>
                    {isClosedStage(stage) ? (
                      <span className="column-window" title={closed ? `Closed since ${formatDate(closed.since)}` : undefined}>
                        {' '}
                        · last {CLOSED_DAYS} days
                      </span>
                    ) : null}
                  </h2>
                  <span className="column-sum">{column.some((c) => c.valueCents !== undefined) ? formatMoney(column.reduce((s, c) => s + (c.valueCents ?? 0), 0), column[0]?.currency) : ''}</span>
                </div>
                {shownCards.map((c) => (
                  <BoardCard key={c.id} card={c} showId={(sameName.get(c.name) ?? 0) > 1} onChanged={board.reload} />
                ))}
                {column.length > COLUMN_CARDS ? (
                  <button type="button" className="btn btn-secondary btn-small column-more" onClick={() => setExpanded((e) => (all ? new Set([...e].filter((x) => x !== stage)) : new Set([...e, stage])))}>
                    {all ? `Show the first ${COLUMN_CARDS}` : `Show all ${column.length}`}
                  </button>
                ) : null}
              </section>
            );
          })}
        </div>
      )}
    </div>
  );
}

/** What a card says of its quotation: its value while it binds, else what became of it. */
function quoteLine(card: Card): string {
  if (card.valueCents !== undefined) return formatMoney(card.valueCents, card.currency);
  if (card.quoteStatus === 'expired') return 'quotation expired';
  if (card.quoteStatus === 'rejected') return 'quotation rejected';
  return card.stage === 'lost' ? 'no quotation' : 'no quotation yet';
}

function BoardCard({ card, showId, onChanged }: { card: Card; showId: boolean; onChanged: () => void }) {
  const [reassigning, setReassigning] = useState(false);
  const others = card.reps.filter((r) => r !== card.rep);
  const [rep, setRep] = useState(others[0] ?? '');
  const form = useForm(
    async () => {
      await ok(api.POST('/api/prospects/{id}/reassign', { params: { path: { id: card.id } }, body: { rep } }));
      setReassigning(false);
      return `Reassigned to ${rep}`;
    },
    { onDone: onChanged },
  );
  const tone = card.marks.includes('escalated') ? ' card-escalated' : card.marks.includes('stale') ? ' card-stale' : '';
  return (
    <article className={`card${tone}`} data-testid={`card-${card.id}`} aria-label={card.name}>
      <Link className="card-title" to={`/prospects/${encodeURIComponent(card.id)}`}>
        {card.name}
      </Link>
      {card.company || showId ? <div className="card-company">{[card.company, showId ? card.id : undefined].filter(Boolean).join(' · ')}</div> : null}
      <div className="card-row">
        <span>{quoteLine(card)}</span>
        {/* A closed deal's age in its column means nothing: when it closed, and why it was lost. */}
        {isClosedStage(card.stage) ? (
          <span title={`${card.stage === 'won' ? 'Won' : 'Lost'} on`}>
            {card.stage} {formatDate(card.stageSince)}
          </span>
        ) : (
          <span title="Time in this stage">{formatAge(card.stageSince)} in stage</span>
        )}
      </div>
      {card.lostReason ? <div className="card-row card-reason muted">{card.lostReason}</div> : null}
      <div className="card-row">
        <span>{card.rep}</span>
        <span title="Next due">{card.nextDue ? `due ${formatDue(card.nextDue)}` : ''}</span>
      </div>
      {card.marks.length > 0 ? (
        <div className="card-marks">
          {card.marks.map((m) => (
            <Badge key={m} tone={MARK_LABELS[m]?.tone ?? 'gray'} title={MARK_LABELS[m]?.title}>
              {MARK_LABELS[m]?.label ?? m}
            </Badge>
          ))}
        </div>
      ) : null}
      {!isClosedStage(card.stage) && others.length > 0 ? (
        reassigning ? (
          <form className="card-reassign" onSubmit={form.submit} aria-label={`Reassign ${card.name}`}>
            <Field label="To rep" error={form.error?.problem.detail}>
              {(p) => (
                <select {...p} name="reassign-to" value={rep} onChange={(e) => setRep(e.target.value)}>
                  {others.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit" className="btn btn-primary btn-small" disabled={form.pending}>
              Move
            </button>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setReassigning(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="card-reassign">
            <button type="button" className="btn-link small" onClick={() => setReassigning(true)} aria-label={`Reassign ${card.name}`}>
              Reassign…
            </button>
            {form.done ? <span className="small muted" role="status">{form.done}</span> : null}
          </div>
        )
      ) : null}
    </article>
  );
}
