import { Navigate, Outlet, type RouteObject } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { Tabs, type TabItem } from '../../components/Tabs';
import { useCan } from '../../session';
import { AccountTab } from './AccountTab';
import { ApiKeysTab } from './ApiKeysTab';
import { AuditTab } from './AuditTab';
import { RetentionTab } from './RetentionTab';
import { UsersTab } from './UsersTab';

function SettingsLayout() {
  const admin = useCan('admin');
  const items: TabItem[] = [
    { to: '/settings/retention', label: 'Retention' },
    ...(admin
      ? [
          { to: '/settings/users', label: 'Users & roles' },
          { to: '/settings/api-keys', label: 'API keys' },
          { to: '/settings/audit', label: 'Audit log' },
        ]
      : []),
    { to: '/settings/account', label: 'Your account' },
  ];
  return (
    <div className="page page-scroll">
      <PageHeader title="Settings" />
      <Tabs label="Settings" items={items} />
      <Outlet />
    </div>
  );
}

export const settingsRoutes: RouteObject = {
  path: 'settings',
  element: <SettingsLayout />,
  children: [
    { index: true, element: <Navigate to="retention" replace /> },
    { path: 'retention', element: <RetentionTab /> },
    { path: 'users', element: <UsersTab /> },
    { path: 'api-keys', element: <ApiKeysTab /> },
    { path: 'audit', element: <AuditTab /> },
    { path: 'account', element: <AccountTab /> },
  ],
};
