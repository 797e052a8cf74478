import { Navigate, Outlet, type RouteObject } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { Tabs } from '../../components/Tabs';
import { ChannelsTab } from './ChannelsTab';
import { DeliveriesTab } from './DeliveriesTab';
import { RecipientsTab } from './RecipientsTab';
import { TemplatesTab } from './TemplatesTab';

function NotificationsLayout() {
  return (
    <div className="page page-scroll">
      <PageHeader
        title="Notifications"
        description="Where alerts are sent, to whom, in which words — and what happened to each message."
      />
      <Tabs
        label="Notifications"
        items={[
          { to: '/notifications/channels', label: 'Channels' },
          { to: '/notifications/recipients', label: 'Recipients' },
          { to: '/notifications/templates', label: 'Templates' },
          { to: '/notifications/deliveries', label: 'Delivery log' },
        ]}
      />
      <Outlet />
    </div>
  );
}

export const notificationsRoutes: RouteObject = {
  path: 'notifications',
  element: <NotificationsLayout />,
  children: [
    { index: true, element: <Navigate to="channels" replace /> },
    { path: 'channels', element: <ChannelsTab /> },
    { path: 'recipients', element: <RecipientsTab /> },
    { path: 'templates', element: <TemplatesTab /> },
    { path: 'templates/:id', element: <TemplatesTab /> },
    { path: 'deliveries', element: <DeliveriesTab /> },
  ],
};
