import { useEffect, useRef } from 'react';

/** A problem of an uploaded file as the server names it: a field path and, when it has one, its line. */
export interface LineProblem {
  path: string;
  line?: number;
  message: string;
}

/** A file with line numbers; lines with problems are marked and carry their messages. */
export function CodeView({ text, problems = [], label }: { text: string; problems?: readonly LineProblem[]; label: string }) {
  const byLine = new Map<number, string[]>();
  for (const p of problems) if (p.line) byLine.set(p.line, [...(byLine.get(p.line) ?? []), `${p.path}: ${p.message}`]);
  const view = useRef<HTMLPreElement>(null);
  // The first marked line is brought into the box (a third from its top), not the page: a
  // problem on line 52 of a long file is seen without hunting for it.
  useEffect(() => {
    const pre = view.current;
    const bad = pre?.querySelector('.code-line.bad');
    if (!pre || !bad) return;
    pre.scrollTop += bad.getBoundingClientRect().top - pre.getBoundingClientRect().top - pre.clientHeight / 3;
  }, [text, problems]);
  return (
    <pre className="code-view" aria-label={label} tabIndex={0} ref={view}>
      {text.split('\n').map((line, i) => {
        const messages = byLine.get(i + 1);
        return (
          <div key={i} className={`code-line${messages ? ' bad' : ''}`} title={messages?.join('\n')} data-line={i + 1}>
            <span className="ln">{i + 1}</span>
            <span>{line || ' '}</span>
          </div>
        );
      })}
    </pre>
  );
}

/** Lines of an uploaded file with what was said of each ("line 4: name: must not be empty"; `note` after the number, as "(its id)"). */
export function LineList({ label, lines }: { label: string; lines: readonly { line: number; note?: string; message: string }[] }) {
  return (
    <ul className="problem-list" aria-label={label}>
      {lines.map((l, i) => (
        <li key={i}>
          <strong>line {l.line}</strong>
          {l.note ? ` ${l.note}` : ''}: {l.message}
        </li>
      ))}
    </ul>
  );
}

export function ProblemList({ problems }: { problems: readonly LineProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problem-list" aria-label="Problems" data-testid="problems">
      {problems.map((p, i) => (
        <li key={i}>
          {p.line ? <strong>line {p.line}: </strong> : null}
          {p.path !== '(file)' && p.path !== '(root)' ? `${p.path}: ` : ''}
          {p.message}
        </li>
      ))}
    </ul>
  );
}
