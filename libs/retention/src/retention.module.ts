import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@app/auth';
import { StorageModule } from '@app/storage';
import { RemovedLines } from './removed-lines';
import { RetentionController } from './retention.controller';
import { RETENTION_ENTITIES } from './retention.entities';
import { RetentionMetrics } from './retention.metrics';
import { RetentionPolicyService } from './retention-policy.service';
import { RetentionRuns } from './retention-runs.service';
import { RetentionScheduler } from './retention.scheduler';
import { StorageEstimateService } from './storage-estimate.service';

/** Policy, runs and sizes: what both processes need. */
@Module({
  imports: [StorageModule, TypeOrmModule.forFeature(RETENTION_ENTITIES)],
  providers: [RetentionPolicyService, RetentionRuns, StorageEstimateService, RemovedLines],
  exports: [RetentionPolicyService, RetentionRuns, StorageEstimateService],
})
export class RetentionModule {}

/** Retention in the api: the policy, on-demand runs, the retention log, estimates, metrics. */
@Module({
  imports: [RetentionModule, AuthModule],
  controllers: [RetentionController],
  providers: [RetentionMetrics],
})
export class RetentionApiModule {}

/** Retention in the worker: the scheduled runs (one worker at a time runs them). */
@Module({
  imports: [RetentionModule],
  providers: [RetentionScheduler],
})
export class RetentionWorkerModule {}
