/**
 * Local wall-clock time, which is what a person compares with "I just changed it"; the date is
 * added only when it is not today, so a sync that stopped yesterday does not pass for a recent one.
 */
export function clockTime(iso: string | undefined, now: Date): string {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toTimeString().slice(0, 8);
  return localDay(date) === localDay(now) ? time : `${localDay(date)} ${time}`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago": how stale a sync is, at a glance. */
export function age(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1_000);
  if (Number.isNaN(seconds)) return '';
  if (seconds < 0) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7_200) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3_600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
