// REST shapes of alert rules, alerts, silences and backtests (issue: alerting).
export {};
