export { AlertingApiModule, AlertingWorkerModule } from './alerting.module';
