"""Domain rules, once: plain functions taking (session, principal, …)."""
