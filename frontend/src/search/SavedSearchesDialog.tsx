import type { SavedSearch } from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  createSavedSearch,
  deleteSavedSearch,
  listSavedSearches,
  updateSavedSearch,
} from '../api/logs';
import { Dialog } from '../components/Dialog';
import { InlineError } from '../components/States';
import { describeRange } from '../time';
import type { SearchState } from './search-params';

interface SavedSearchesDialogProps {
  open: boolean;
  onClose: () => void;
  current: SearchState;
  onOpen: (state: SearchState) => void;
}

export const SAVED_SEARCHES_KEY = ['saved-searches'] as const;

function toState(saved: SavedSearch, fallback: SearchState): SearchState {
  return {
    q: saved.query,
    range:
      saved.filters.from && saved.filters.to
        ? { from: saved.filters.from, to: saved.filters.to }
        : fallback.range,
    levels: saved.filters.levels ?? [],
    sources: saved.filters.sources ?? [],
  };
}

/** Open, save and delete saved searches. */
export function SavedSearchesDialog({ open, onClose, current, onOpen }: SavedSearchesDialogProps) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const saved = useQuery({
    queryKey: SAVED_SEARCHES_KEY,
    queryFn: ({ signal }) => listSavedSearches(signal),
    enabled: open,
  });
  const save = useMutation({
    mutationFn: () =>
      createSavedSearch({
        name: name.trim(),
        query: current.q,
        filters: {
          from: current.range.from,
          to: current.range.to,
          levels: current.levels,
          sources: current.sources,
        },
        shared,
      }),
    onSuccess: () => {
      setName('');
      setShared(false);
      void queryClient.invalidateQueries({ queryKey: SAVED_SEARCHES_KEY });
    },
  });
  const share = useMutation({
    mutationFn: (s: SavedSearch) => updateSavedSearch(s.id, { shared: !s.shared }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: SAVED_SEARCHES_KEY }),
  });
  const remove = useMutation({
    mutationFn: deleteSavedSearch,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: SAVED_SEARCHES_KEY }),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() !== '') save.mutate();
  }

  return (
    <Dialog title="Saved searches" open={open} onClose={onClose} wide>
      <form className="form-row" onSubmit={onSubmit}>
        <div className="field grow">
          <label htmlFor="saved-name">Save the current search as</label>
          <input
            id="saved-name"
            value={name}
            maxLength={200}
            placeholder="e.g. Checkout errors"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          Shared with everyone
        </label>
        <button
          type="submit"
          className="button primary"
          disabled={name.trim() === '' || save.isPending}
        >
          Save
        </button>
      </form>
      <p className="hint">
        Query <code>{current.q || '(everything)'}</code>, {describeRange(current.range)}
        {current.levels.length > 0 && `, levels ${current.levels.join(', ')}`}
        {current.sources.length > 0 && `, sources ${current.sources.join(', ')}`}
      </p>
      <InlineError error={save.error} />

      <h3 className="section-title">Saved</h3>
      {saved.isPending ? (
        <p className="dim">Loading…</p>
      ) : saved.isError ? (
        <InlineError error={saved.error} />
      ) : saved.data.length === 0 ? (
        <p className="dim">Nothing saved yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Query</th>
              <th scope="col">Owner</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {saved.data.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.name}
                  {s.shared && <span className="tag">shared</span>}
                </td>
                <td className="mono truncate" title={s.query}>
                  {s.query || <span className="dim">(everything)</span>}
                </td>
                <td>{s.mine ? 'you' : s.owner.username}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="button small"
                    onClick={() => {
                      onOpen(toState(s, current));
                      onClose();
                    }}
                  >
                    Open
                  </button>
                  {s.mine && (
                    <button
                      type="button"
                      className="button small"
                      disabled={share.isPending}
                      onClick={() => share.mutate(s)}
                    >
                      {s.shared ? 'Unshare' : 'Share'}
                    </button>
                  )}
                  {s.mine && (
                    <button
                      type="button"
                      className="button small danger"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(s.id)}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={remove.error ?? share.error} />
    </Dialog>
  );
}
