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
  return (
    <pre className="code-view" aria-label={label} tabIndex={0}>
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

export function ProblemList({ problems }: { problems: readonly LineProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problem-list" aria-label="Problems" data-testid="problems">
      {problems.map((p, i) => (
        <li key={i}>
          <strong>{p.line ? `line ${p.line}` : 'file'}</strong>: {p.path !== '(file)' ? `${p.path}: ` : ''}
          {p.message}
        </li>
      ))}
    </ul>
  );
}
