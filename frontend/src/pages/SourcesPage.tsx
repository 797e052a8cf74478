import { Route, Routes } from 'react-router-dom';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { NotFoundPage } from './NotFoundPage';
import { PatternsTab } from './sources/PatternsTab';
import { PipelineEditor } from './sources/PipelineEditor';
import { PipelinesTab } from './sources/PipelinesTab';
import { SourcesTab } from './sources/SourcesTab';

export function SourcesPage() {
  return (
    <div className="page page-scroll">
      <PageHeader
        title="Sources & parsers"
        description="Where lines come from, and how each source's lines are parsed into fields."
      />
      <Tabs
        label="Sources and parsers"
        items={[
          { to: '/sources', label: 'Sources', end: true },
          { to: '/sources/pipelines', label: 'Pipelines & playground' },
          { to: '/sources/patterns', label: 'Grok patterns' },
        ]}
      />
      <Routes>
        <Route index element={<SourcesTab />} />
        <Route path="pipelines" element={<PipelinesTab />} />
        <Route path="pipelines/:id" element={<PipelineEditor />} />
        <Route path="patterns" element={<PatternsTab />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
