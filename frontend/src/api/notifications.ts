import type {
  AddRecipientsResponse,
  ChannelTestResult,
  CreateChannelRequest,
  CreateTemplateRequest,
  DeliveryDetail,
  DeliveryKind,
  DeliveryPage,
  DeliveryStatus,
  NotificationChannel,
  NotificationTemplate,
  Recipient,
  TemplatePreviewRequest,
  TemplatePreviewResponse,
  UpdateChannelRequest,
  UpdateTemplateRequest,
} from '@app/contracts';
import { request, toQuery } from './client';

const id = (value: string) => encodeURIComponent(value);

export function listChannels(signal?: AbortSignal): Promise<NotificationChannel[]> {
  return request<NotificationChannel[]>('/api/v1/channels', { signal });
}

export function createChannel(body: CreateChannelRequest): Promise<NotificationChannel> {
  return request<NotificationChannel>('/api/v1/channels', { method: 'POST', body });
}

export function updateChannel(
  channelId: string,
  body: UpdateChannelRequest,
): Promise<NotificationChannel> {
  return request<NotificationChannel>(`/api/v1/channels/${id(channelId)}`, {
    method: 'PATCH',
    body,
  });
}

export function deleteChannel(channelId: string): Promise<void> {
  return request<void>(`/api/v1/channels/${id(channelId)}`, { method: 'DELETE' });
}

export function testChannel(channelId: string): Promise<ChannelTestResult> {
  return request<ChannelTestResult>(`/api/v1/channels/${id(channelId)}/test`, { method: 'POST' });
}

export function listRecipients(signal?: AbortSignal): Promise<Recipient[]> {
  return request<Recipient[]>('/api/v1/recipients', { signal });
}

export function addRecipients(addresses: string): Promise<AddRecipientsResponse> {
  return request<AddRecipientsResponse>('/api/v1/recipients', {
    method: 'POST',
    body: { addresses },
  });
}

export function setRecipientActive(recipientId: string, active: boolean): Promise<Recipient> {
  return request<Recipient>(`/api/v1/recipients/${id(recipientId)}`, {
    method: 'PATCH',
    body: { active },
  });
}

export function deleteRecipient(recipientId: string): Promise<void> {
  return request<void>(`/api/v1/recipients/${id(recipientId)}`, { method: 'DELETE' });
}

export function listTemplates(signal?: AbortSignal): Promise<NotificationTemplate[]> {
  return request<NotificationTemplate[]>('/api/v1/templates', { signal });
}

export function createTemplate(body: CreateTemplateRequest): Promise<NotificationTemplate> {
  return request<NotificationTemplate>('/api/v1/templates', { method: 'POST', body });
}

export function updateTemplate(
  templateId: string,
  body: UpdateTemplateRequest,
): Promise<NotificationTemplate> {
  return request<NotificationTemplate>(`/api/v1/templates/${id(templateId)}`, {
    method: 'PATCH',
    body,
  });
}

export function deleteTemplate(templateId: string): Promise<void> {
  return request<void>(`/api/v1/templates/${id(templateId)}`, { method: 'DELETE' });
}

export function previewTemplate(
  body: TemplatePreviewRequest,
  signal?: AbortSignal,
): Promise<TemplatePreviewResponse> {
  return request<TemplatePreviewResponse>('/api/v1/templates/preview', {
    method: 'POST',
    body,
    signal,
  });
}

export interface DeliveryFilter {
  status?: DeliveryStatus[];
  kind?: DeliveryKind;
  channelId?: string;
  alertId?: string;
  ruleId?: string;
}

export function listDeliveries(
  filter: DeliveryFilter,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<DeliveryPage> {
  return request<DeliveryPage>(
    `/api/v1/deliveries${toQuery({ ...filter, status: filter.status ?? [], cursor, limit: 50 })}`,
    { signal },
  );
}

export function getDelivery(deliveryId: string, signal?: AbortSignal): Promise<DeliveryDetail> {
  return request<DeliveryDetail>(`/api/v1/deliveries/${id(deliveryId)}`, { signal });
}

export function retryDelivery(deliveryId: string): Promise<DeliveryDetail> {
  return request<DeliveryDetail>(`/api/v1/deliveries/${id(deliveryId)}/retry`, {
    method: 'POST',
  });
}
