import type {
  AlertDetail,
  AlertListResponse,
  AlertRule,
  AlertRuleInput,
  AlertSeverity,
  BacktestResponse,
  Silence,
  SilenceInput,
} from '@app/contracts';
import { request, toQuery } from './client';

const id = (value: string) => encodeURIComponent(value);

export function listAlertRules(signal?: AbortSignal): Promise<AlertRule[]> {
  return request<AlertRule[]>('/api/v1/alert-rules', { signal });
}

export function getAlertRule(ruleId: string, signal?: AbortSignal): Promise<AlertRule> {
  return request<AlertRule>(`/api/v1/alert-rules/${id(ruleId)}`, { signal });
}

export function createAlertRule(body: AlertRuleInput): Promise<AlertRule> {
  return request<AlertRule>('/api/v1/alert-rules', { method: 'POST', body });
}

export function updateAlertRule(ruleId: string, body: Partial<AlertRuleInput>): Promise<AlertRule> {
  return request<AlertRule>(`/api/v1/alert-rules/${id(ruleId)}`, { method: 'PATCH', body });
}

export function deleteAlertRule(ruleId: string): Promise<void> {
  return request<void>(`/api/v1/alert-rules/${id(ruleId)}`, { method: 'DELETE' });
}

export function backtestRule(
  rule: AlertRuleInput,
  range: { from: string; to: string },
  signal?: AbortSignal,
): Promise<BacktestResponse> {
  return request<BacktestResponse>('/api/v1/alert-rules/backtest', {
    method: 'POST',
    body: { rule, ...range },
    signal,
  });
}

export interface AlertFilter {
  ruleId?: string;
  state?: 'pending' | 'firing' | 'resolved' | 'open';
  severity?: AlertSeverity;
  limit?: number;
}

export function listAlerts(
  filter: AlertFilter,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<AlertListResponse> {
  return request<AlertListResponse>(`/api/v1/alerts${toQuery({ ...filter, cursor })}`, { signal });
}

export function getAlert(alertId: string, signal?: AbortSignal): Promise<AlertDetail> {
  return request<AlertDetail>(`/api/v1/alerts/${id(alertId)}`, { signal });
}

export function acknowledgeAlert(alertId: string, comment?: string): Promise<AlertDetail> {
  return request<AlertDetail>(`/api/v1/alerts/${id(alertId)}/acknowledge`, {
    method: 'POST',
    body: comment ? { comment } : {},
  });
}

export function listSilences(activeOnly: boolean, signal?: AbortSignal): Promise<Silence[]> {
  return request<Silence[]>(
    `/api/v1/silences${toQuery({ active: activeOnly ? 'true' : undefined })}`,
    {
      signal,
    },
  );
}

export function createSilence(body: SilenceInput): Promise<Silence> {
  return request<Silence>('/api/v1/silences', { method: 'POST', body });
}

export function expireSilence(silenceId: string): Promise<Silence> {
  return request<Silence>(`/api/v1/silences/${id(silenceId)}`, { method: 'DELETE' });
}
