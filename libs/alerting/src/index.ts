export { AlertingApiModule, AlertingModule, AlertingWorkerModule } from './alerting.module';
