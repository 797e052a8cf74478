// REST shapes of retention policies, the retention log and storage estimates (issue: retention).
export {};
