import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { clearToken, useAuthToken } from './auth';
import { LoginPage } from './pages/LoginPage';
import { LogsPage } from './pages/LogsPage';

export function App() {
  const token = useAuthToken();
  const queryClient = useQueryClient();

  useEffect(() => {
    // Signed out (by choice or by a 401): forget everything the last session fetched.
    if (token === null) queryClient.clear();
  }, [token, queryClient]);

  if (token === null) return <LoginPage />;
  return <LogsPage onLogout={() => clearToken()} />;
}
