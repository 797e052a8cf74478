import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { RouterProvider } from 'react-router-dom';
import { useAuthToken } from './auth';
import { LoginPage } from './pages/LoginPage';
import { router } from './routes';

export function App() {
  const token = useAuthToken();
  const queryClient = useQueryClient();

  useEffect(() => {
    // Signed out (by choice or by a 401): forget everything the last session fetched.
    if (token === null) queryClient.clear();
  }, [token, queryClient]);

  // The address is kept while signed out, so signing in returns to the page that was open.
  if (token === null) return <LoginPage />;
  return <RouterProvider router={router} />;
}
