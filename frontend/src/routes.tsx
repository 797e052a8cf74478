import { createHashRouter, Navigate } from 'react-router-dom';
import { Layout } from './components/Layout';
import { LiveTailPage } from './pages/LiveTailPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OverviewPage } from './pages/OverviewPage';
import { SearchPage } from './pages/SearchPage';
import { SourcesPage } from './pages/SourcesPage';
import { settingsRoutes } from './pages/settings/routes';
import { alertsRoutes } from './pages/alerts/routes';
import { notificationsRoutes } from './pages/notifications/routes';

/**
 * Hash routes (`/#/search?q=…`): the api serves the built files as they are, so every address
 * must load index.html; a hash keeps deep links and reloads working without a server fallback.
 */
export const router = createHashRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/overview" replace /> },
      { path: 'overview', element: <OverviewPage /> },
      { path: 'live', element: <LiveTailPage /> },
      { path: 'search', element: <SearchPage /> },
      alertsRoutes,
      notificationsRoutes,
      { path: 'sources/*', element: <SourcesPage /> },
      settingsRoutes,
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
