import type { CurrentUser, UserRole } from '@app/contracts';
import { useQuery } from '@tanstack/react-query';
import { getMe } from './api/auth';

const RANK: Record<UserRole, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when `role` is at least `needed` (viewer < editor < admin). */
export function hasRole(role: UserRole | undefined, needed: UserRole): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export const ME_KEY = ['me'] as const;

/** The signed-in user (GET /api/v1/auth/me), fetched once per session. */
export function useMe() {
  return useQuery<CurrentUser>({
    queryKey: ME_KEY,
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 5 * 60_000,
  });
}

/** Whether the signed-in user may do what needs `needed`; false while unknown. */
export function useCan(needed: UserRole): boolean {
  return hasRole(useMe().data?.role, needed);
}
