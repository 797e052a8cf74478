import { InitialSchema1763740000000 } from './1763740000000-InitialSchema';
import { SourcesAndUploads1763750000000 } from './1763750000000-SourcesAndUploads';
import { Pipelines1763760000000 } from './1763760000000-Pipelines';
import { SavedSearches1763770000000 } from './1763770000000-SavedSearches';
import { FullTextSearch1763780000000 } from './1763780000000-FullTextSearch';

/** Every migration, oldest first. A new migration is added here. */
export const MIGRATIONS = [
  InitialSchema1763740000000,
  SourcesAndUploads1763750000000,
  Pipelines1763760000000,
  SavedSearches1763770000000,
  FullTextSearch1763780000000,
];
