import { InitialSchema1763740000000 } from './1763740000000-InitialSchema';
import { SourcesAndUploads1763750000000 } from './1763750000000-SourcesAndUploads';
import { Pipelines1763760000000 } from './1763760000000-Pipelines';
import { SavedSearches1763770000000 } from './1763770000000-SavedSearches';
import { FullTextSearch1763780000000 } from './1763780000000-FullTextSearch';
import { Notifications1763790000000 } from './1763790000000-Notifications';
import { Alerting1763800000000 } from './1763800000000-Alerting';
import { Retention1763810000000 } from './1763810000000-Retention';
import { SearchRollups1763820000000 } from './1763820000000-SearchRollups';
import { AuditLog1763830000000 } from './1763830000000-AuditLog';
import { SecurityHardening1763840000000 } from './1763840000000-SecurityHardening';

/** Every migration, oldest first. A new migration is added here. */
export const MIGRATIONS = [
  InitialSchema1763740000000,
  SourcesAndUploads1763750000000,
  Pipelines1763760000000,
  SavedSearches1763770000000,
  FullTextSearch1763780000000,
  Notifications1763790000000,
  Alerting1763800000000,
  Retention1763810000000,
  SearchRollups1763820000000,
  AuditLog1763830000000,
  SecurityHardening1763840000000,
];
