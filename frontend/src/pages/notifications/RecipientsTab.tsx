import type { AddRecipientsResponse } from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  addRecipients,
  deleteRecipient,
  listRecipients,
  setRecipientActive,
} from '../../api/notifications';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useCan } from '../../session';
import { formatAgo } from '../../time';

const RECIPIENTS = ['recipients'] as const;

export function RecipientsTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [addresses, setAddresses] = useState('');
  const [outcome, setOutcome] = useState<AddRecipientsResponse | null>(null);
  const recipients = useQuery({
    queryKey: RECIPIENTS,
    queryFn: ({ signal }) => listRecipients(signal),
  });
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: RECIPIENTS });
  const add = useMutation({
    mutationFn: () => addRecipients(addresses),
    onSuccess: (res) => {
      setOutcome(res);
      setAddresses(res.invalid.map((i) => i.value).join('\n'));
      invalidate();
    },
  });
  const toggle = useMutation({
    mutationFn: (v: { id: string; active: boolean }) => setRecipientActive(v.id, v.active),
    onSuccess: invalidate,
  });
  const remove = useMutation({ mutationFn: deleteRecipient, onSuccess: invalidate });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setOutcome(null);
    add.mutate();
  }

  if (recipients.isPending) return <Loading />;
  if (recipients.isError)
    return <ErrorState title="Could not load recipients" error={recipients.error} />;

  return (
    <div className="grid-2 align-start" data-testid="recipients-tab">
      <section aria-label="Recipients" className="stack">
        {recipients.data.length === 0 ? (
          <Empty title="No recipients yet">
            <p>E-mail alerts go to a rule's own recipients, else to these, else to the default.</p>
          </Empty>
        ) : (
          <table className="data-table" data-testid="recipients-table">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">State</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {recipients.data.map((r) => (
                <tr key={r.id} className={r.active ? undefined : 'muted'}>
                  <td className="mono">{r.address}</td>
                  <td>
                    <span className={`pill ${r.active ? 'tone-good' : 'status-disabled'}`}>
                      {r.active ? 'Active' : 'Inactive'}
                    </span>
                  </td>
                  <td className="dim">{formatAgo(r.createdAt)}</td>
                  <td className="actions">
                    {canEdit && (
                      <>
                        <button
                          type="button"
                          className="button small"
                          onClick={() => toggle.mutate({ id: r.id, active: !r.active })}
                        >
                          {r.active ? 'Deactivate' : 'Activate'}
                        </button>
                        <button
                          type="button"
                          className="button small danger"
                          onClick={() => {
                            if (window.confirm(`Delete ${r.address}?`)) remove.mutate(r.id);
                          }}
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <InlineError error={toggle.error ?? remove.error} />
      </section>
      {canEdit && (
        <form className="panel form" onSubmit={onSubmit}>
          <h2>Add recipients</h2>
          <div className="field">
            <label htmlFor="rcpt-addresses">Addresses (separated by commas or new lines)</label>
            <textarea
              id="rcpt-addresses"
              rows={5}
              value={addresses}
              placeholder={'oncall@example.com\nops@example.com'}
              onChange={(e) => setAddresses(e.target.value)}
            />
          </div>
          <InlineError error={add.error} />
          {outcome && (
            <div className="notice" role="status">
              {outcome.added.length} added, {outcome.existing.length} already there
              {outcome.invalid.length > 0 && (
                <ul className="plain-list">
                  {outcome.invalid.map((i) => (
                    <li key={i.value} className="text-error">
                      <span className="mono">{i.value}</span>: {i.reason}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={add.isPending || addresses.trim() === ''}
            >
              Add
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
