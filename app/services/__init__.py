"""The domain rules, one module per domain.

Importing the package wires the event listeners, so every caller of `events.emit` (web
process, worker, command line, tests) feeds the webhook outbox and the notifications.
"""

from app.services import event_notifications, events, outbox

events.listen(outbox.fan_out)
events.listen(event_notifications.for_event)
