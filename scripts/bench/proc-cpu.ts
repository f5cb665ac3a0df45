import { readFileSync } from 'node:fs';

/**
 * User and system CPU time of a process in microseconds (Linux /proc; fields 14 and 15, in clock
 * ticks of 1/100 s); with `mainThreadOnly`, of its main thread alone (the thread whose id is the pid).
 */
export function procCpuUs(pid: number, mainThreadOnly = false): { user: number; system: number } {
  const stat = readFileSync(
    mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}
