import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <p className="empty-text">{children}</p> : null}
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const detail = error instanceof ApiError ? error.problem.detail : (error as Error)?.message ?? String(error);
  const title = error instanceof ApiError && error.status === 404 ? 'Not found' : 'Something went wrong';
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{detail}</p>
    </div>
  );
}

/** A record page whose record did not load (not found, no access, offline): why, and the way back to its list. */
export function PageLoadFailed({ title, error, back }: { title: string; error: unknown; back: { to: string; label: string } }) {
  return (
    <div className="page">
      <PageHeader title={title} />
      <ErrorBox error={error} />
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
    </div>
  );
}

export type Tone = 'neutral' | 'blue' | 'green' | 'amber' | 'red' | 'violet' | 'gray';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export const STAGE_TONES: Record<string, Tone> = { contact: 'gray', qualification: 'blue', inquiry: 'violet', quotation: 'amber', won: 'green', lost: 'red' };

/** Won or lost: the pipeline is over for it (domain/pipeline/stages.ts isClosed; the web bundle takes no domain code). */
export function isClosedStage(stage: string): boolean {
  return stage === 'won' || stage === 'lost';
}

export function StageBadge({ stage }: { stage: string | undefined }) {
  return <Badge tone={STAGE_TONES[stage ?? ''] ?? 'neutral'}>{stage ?? '—'}</Badge>;
}

export const TASK_TONES: Record<string, Tone> = { open: 'blue', overdue: 'amber', escalated: 'red', done: 'green', cancelled: 'gray' };

/**
 * Loads data and reloads it every `intervalMs` while the tab is visible (the board, My day
 * and campaign progress refresh by themselves). A reload keeps showing the last data.
 */
export function usePolled<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs?: number): { data: T | undefined; error: unknown; loading: boolean; reload: () => void; set: (data: T) => void; updatedAt: number | undefined } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    setData(undefined);
    setLoading(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (d) => {
        if (!live) return;
        // An unchanged answer (often a 304, see api/client.ts) keeps the same data: no re-render below.
        setData((prev) => (prev !== undefined && JSON.stringify(prev) === JSON.stringify(d) ? prev : d));
        setError(undefined);
        setLoading(false);
        setUpdatedAt(Date.now());
      },
      (e) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  useEffect(() => {
    if (!intervalMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  const set = (d: T) => {
    setData(d);
    setUpdatedAt(Date.now());
  };
  return { data, error, loading, reload: () => setTick((t) => t + 1), set, updatedAt };
}

/** "updated 12:04:31", live. */
export function LiveStamp({ at }: { at: number | undefined }) {
  if (!at) return null;
  return (
    <span className="live-stamp" aria-live="off">
      <span className="live-dot" aria-hidden="true" /> live · updated {new Date(at).toLocaleTimeString()}
    </span>
  );
}

/** One page of a list the API pages (`nextPageToken` until it is absent). */
export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

/**
 * A paged list that follows the server's `nextPageToken`: the first page loads, further ones
 * when the reader asks (the "Load more" button, or scrolling to it). A refresh (polling, or
 * after a change) reloads as many pages as are shown, so what the reader scrolled to stays.
 */
export function usePagedList<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>, deps: readonly unknown[], intervalMs?: number) {
  const pagesRef = useRef(1);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  useEffect(() => {
    pagesRef.current = 1;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  const polled = usePolled<Page<T>>(
    async () => {
      const items: T[] = [];
      let next: string | undefined;
      for (let i = 0; i < pagesRef.current; i++) {
        const page = await fetchRef.current(next);
        items.push(...page.items);
        next = page.next;
        if (!next) break;
      }
      return { items, next };
    },
    deps,
    intervalMs,
  );
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const loadMore = async () => {
    const current = polled.data;
    if (!current?.next || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await fetchRef.current(current.next);
      pagesRef.current += 1;
      polled.set({ items: [...current.items, ...page.items], next: page.next });
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };
  return { ...polled, items: polled.data?.items, hasMore: Boolean(polled.data?.next), loadMore, loadingMore, moreError };
}

/** "Load more" for a paged list; it also loads by itself when scrolled into view. */
export function LoadMore({ list, what }: { list: { hasMore: boolean; loadMore: () => Promise<void>; loadingMore: boolean; moreError: unknown }; what: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const loadRef = useRef(list.loadMore);
  loadRef.current = list.loadMore;
  useEffect(() => {
    const el = ref.current;
    if (!el || !list.hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadRef.current();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [list.hasMore]);
  if (!list.hasMore && !list.moreError) return null;
  return (
    <div className="load-more" ref={ref}>
      {list.moreError ? <ErrorBox error={list.moreError} /> : null}
      {list.hasMore ? (
        <button type="button" className="btn btn-secondary" disabled={list.loadingMore} onClick={() => void list.loadMore()}>
          {list.loadingMore ? 'Loading…' : `Load more ${what}`}
        </button>
      ) : null}
    </div>
  );
}

/** One labelled figure in a record page's header (prospect, customer). */
export function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="fact">
      <div className="l">{label}</div>
      <div className="v">{value}</div>
    </div>
  );
}

/**
 * A page's filters kept in its address (a reload or a shared link shows the same): `set`
 * changes some of them at once (an empty value removes one), replacing the history entry
 * rather than adding one.
 */
export function useAddressFilters() {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (changes: Record<string, string | undefined>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { params, set };
}

/**
 * A list page's search box: what it holds reaches the address (`q`, and so the server's
 * search) after a pause in typing; `q` is the search in force.
 */
export function useSearchBox(pauseMs = 300) {
  const { params, set } = useAddressFilters();
  const q = (params.get('q') ?? '').trim();
  const [typed, setTyped] = useState(params.get('q') ?? '');
  useEffect(() => {
    if (typed.trim() === q) return;
    const timer = setTimeout(() => set({ q: typed.trim() }), pauseMs);
    return () => clearTimeout(timer);
  }, [typed, q, set, pauseMs]);
  return { params, set, q, typed, setTyped };
}
