import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@app/auth';
import { StorageModule } from '@app/storage';
import {
  AlertRulesController,
  AlertsController,
  SilencesController,
} from './api/alerting.controllers';
import { AlertRulesService } from './api/alert-rules.service';
import { AlertsService } from './api/alerts.service';
import { SilencesService } from './api/silences.service';
import { BacktestService } from './backtest/backtest.service';
import { AlertEvaluator } from './evaluation/alert-evaluator.service';
import { AlertMetrics, AlertMetricsExporter } from './evaluation/alert-metrics';
import { AlertTick } from './evaluation/alert-tick';
import { RuleCache } from './evaluation/rule-cache';
import { TemplateRegistry } from './evaluation/template-registry';
import { WindowStore } from './evaluation/window-store';
import { AlertLifecycle } from './lifecycle/alert-lifecycle.service';
import { AlertRuleEntity } from './model/alert-rule.entity';
import { SilenceEntity } from './model/silence.entity';

/** What both processes share: the tables, the window state in Redis, the alert lifecycle. */
@Module({
  imports: [TypeOrmModule.forFeature([AlertRuleEntity, SilenceEntity])],
  providers: [WindowStore, AlertLifecycle, AlertMetrics],
  exports: [TypeOrmModule, WindowStore, AlertLifecycle, AlertMetrics],
})
export class AlertingModule {}

/** Alerting in the api: rules, alerts, silences, backtests (REST), and the alerting metrics. */
@Module({
  imports: [AlertingModule, AuthModule, StorageModule],
  controllers: [AlertRulesController, AlertsController, SilencesController],
  providers: [
    AlertRulesService,
    AlertsService,
    SilencesService,
    BacktestService,
    AlertMetricsExporter,
  ],
})
export class AlertingApiModule {}

/**
 * Alerting in the worker: every stored batch is evaluated against the enabled rules, and a 1 s
 * tick (one worker at a time) handles what no line triggers.
 */
@Module({
  imports: [AlertingModule],
  providers: [RuleCache, TemplateRegistry, AlertEvaluator, AlertTick],
})
export class AlertingWorkerModule {}
