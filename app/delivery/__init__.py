"""What leaves the house, sent by the worker: webhook deliveries and e-mail."""
