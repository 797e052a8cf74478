import { Navigate, Outlet, type RouteObject } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { Tabs } from '../../components/Tabs';
import { AlertDetailPage } from './AlertDetailPage';
import { HistoryTab } from './HistoryTab';
import { RuleEditor } from './RuleEditor';
import { RulesTab } from './RulesTab';
import { SilencesTab } from './SilencesTab';

function AlertsLayout() {
  return (
    <div className="page page-scroll">
      <PageHeader
        title="Alerts"
        description="Rules watch every stored line; what fired, why, and with which lines."
      />
      <Tabs
        label="Alerts"
        items={[
          { to: '/alerts/rules', label: 'Rules' },
          { to: '/alerts/history', label: 'History' },
          { to: '/alerts/silences', label: 'Silences' },
        ]}
      />
      <Outlet />
    </div>
  );
}

export const alertsRoutes: RouteObject = {
  path: 'alerts',
  element: <AlertsLayout />,
  children: [
    { index: true, element: <Navigate to="rules" replace /> },
    { path: 'rules', element: <RulesTab /> },
    { path: 'rules/:id', element: <RuleEditor /> },
    { path: 'history', element: <HistoryTab /> },
    { path: 'history/:id', element: <AlertDetailPage /> },
    { path: 'silences', element: <SilencesTab /> },
  ],
};
