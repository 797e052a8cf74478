import type { ReactNode } from 'react';

/** One number with its label and a line of context. */
export function StatCard({
  label,
  value,
  detail,
  tone,
  testId,
}: {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  tone?: 'bad' | 'warn' | 'good';
  testId?: string;
}) {
  return (
    <div className={`stat-card${tone ? ` tone-${tone}` : ''}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {detail && <div className="stat-detail">{detail}</div>}
    </div>
  );
}
