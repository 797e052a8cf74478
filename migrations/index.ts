import { InitialSchema1763740000000 } from './1763740000000-InitialSchema';

/** Every migration, oldest first. A new migration is added here. */
export const MIGRATIONS = [InitialSchema1763740000000];
