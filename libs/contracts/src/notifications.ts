// REST shapes of channels, recipients, templates and deliveries (issue: notifications).
export {};
