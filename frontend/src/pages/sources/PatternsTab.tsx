import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { deletePattern, listPatterns, savePattern } from '../../api/ingestion';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useCan } from '../../session';

const PATTERNS_KEY = ['patterns'] as const;

export function PatternsTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [pattern, setPattern] = useState('');
  const [description, setDescription] = useState('');
  const patterns = useQuery({
    queryKey: PATTERNS_KEY,
    queryFn: ({ signal }) => listPatterns(signal),
  });
  const save = useMutation({
    mutationFn: () =>
      savePattern({ name: name.trim(), pattern, description: description.trim() || null }),
    onSuccess: () => {
      setName('');
      setPattern('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: PATTERNS_KEY });
    },
  });
  const remove = useMutation({
    mutationFn: deletePattern,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: PATTERNS_KEY }),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  if (patterns.isPending) return <Loading />;
  if (patterns.isError)
    return <ErrorState title="Could not load patterns" error={patterns.error} />;

  return (
    <section aria-label="Grok patterns" data-testid="patterns-tab">
      <p className="dim">
        Named RE2 patterns usable in any grok pattern as <code>%{'{NAME}'}</code> or{' '}
        <code>%{'{NAME:field}'}</code>.
      </p>
      {canEdit && (
        <form className="form-row panel" onSubmit={onSubmit}>
          <div className="field">
            <label htmlFor="pat-name">Name</label>
            <input
              id="pat-name"
              className="mono"
              required
              value={name}
              placeholder="ORDER_ID"
              onChange={(e) => setName(e.target.value.toUpperCase())}
            />
          </div>
          <div className="field grow">
            <label htmlFor="pat-pattern">Pattern</label>
            <input
              id="pat-pattern"
              className="mono"
              required
              value={pattern}
              placeholder="ORD-[0-9]{6}"
              onChange={(e) => setPattern(e.target.value)}
            />
          </div>
          <div className="field grow">
            <label htmlFor="pat-desc">Description</label>
            <input
              id="pat-desc"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <button type="submit" className="button primary" disabled={save.isPending}>
            Save pattern
          </button>
        </form>
      )}
      <InlineError error={save.error ?? remove.error} />
      {patterns.data.length === 0 ? (
        <Empty title="No custom patterns" />
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Pattern</th>
              <th scope="col">Description</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {patterns.data.map((p) => (
              <tr key={p.name}>
                <td className="mono">{p.name}</td>
                <td className="mono">{p.pattern}</td>
                <td>{p.description ?? <span className="dim">—</span>}</td>
                <td className="actions">
                  {canEdit && (
                    <button
                      type="button"
                      className="button small danger"
                      onClick={() => remove.mutate(p.name)}
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
    </section>
  );
}
