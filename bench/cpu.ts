import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** CPU time used so far, in milliseconds, by each part of a bench stack on this machine. */
export interface CpuTimes {
  /** This process: the worker(s) running in it, the client and the SMTP sink (all threads). */
  bench: number;
  /** The Temporal dev server. */
  temporal: number;
  /** The PostgreSQL server: its postmaster, the backends alive now and those already gone. */
  postgres: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command (which may hold spaces), or undefined once it is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (and, with `children`, the reaped children's), in ticks. Fields after the command: state is [0], utime [11]. */
function ticks(fields: string[] | undefined, children = false): number {
  if (!fields) return 0;
  const own = Number(fields[11]) + Number(fields[12]);
  return children ? own + Number(fields[13]) + Number(fields[14]) : own;
}

/**
 * Reads the CPU of the bench process, the dev server (`temporalPid`) and PostgreSQL (the
 * postmaster whose pid `postmaster.pid` in `postgresDir` names, and its children). Linux only:
 * elsewhere the servers read as 0.
 */
export function cpuReader(options: { temporalPid?: number; postgresDir?: string }): () => CpuTimes {
  const perTick = 1000 / clockTicks();
  let postmaster: number | undefined;
  try {
    postmaster = options.postgresDir ? Number(readFileSync(`${options.postgresDir}/postmaster.pid`, 'utf8').split('\n')[0]) : undefined;
  } catch {
    postmaster = undefined;
  }
  return () => {
    const usage = process.cpuUsage();
    let postgres = 0;
    if (postmaster) {
      postgres += ticks(statFields(postmaster), true);
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const fields = statFields(Number(entry));
        if (fields && Number(fields[1]) === postmaster) postgres += ticks(fields);
      }
    }
    return {
      bench: (usage.user + usage.system) / 1000,
      temporal: options.temporalPid ? ticks(statFields(options.temporalPid)) * perTick : 0,
      postgres: postgres * perTick,
    };
  };
}

/** What each part used between two readings. */
export function cpuSpent(from: CpuTimes, to: CpuTimes): CpuTimes {
  return { bench: to.bench - from.bench, temporal: to.temporal - from.temporal, postgres: to.postgres - from.postgres };
}
